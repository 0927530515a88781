#!/usr/bin/env bash
# History scan throughput and peak memory: `pipeguard scan --git` against Kingfisher's git scan on
# the same bare repository, in the same run (the ratios are what to read on a shared machine).
#
#   benches/history.sh [REPO]   # default: a corpus built by benches/corpus.sh (~2,400 commits,
#                               # ~15,000 unique blobs, ~170 MB) under target/bench/
#
# Kingfisher: pip install kingfisher-bin (run with --no-validate, so no network). PIPEGUARD=path
# skips the build; RUNS=n repeats each tool n times (median wall time and peak RSS are reported).
# Target: at least 2× Kingfisher's speed with at most a third of its peak memory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
repo=${1:-}
if [ -z "$repo" ]; then
    repo="$root/target/bench/corpus.git"
    if [ ! -d "$repo" ]; then
        rm -rf "$root/target/bench/corpus"
        mkdir -p "$root/target/bench"
        bash "$root/benches/corpus.sh" "$root/target/bench/corpus"
        git clone -q --bare "$root/target/bench/corpus" "$repo"
        rm -rf "$root/target/bench/corpus"
    fi
fi
if [ -z "${PIPEGUARD:-}" ]; then
    cargo build --quiet --release -p pipeguard --manifest-path "$root/Cargo.toml"
    PIPEGUARD="$root/target/release/pipeguard"
fi
site=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null || true)
kingfisher=${KINGFISHER:-}
[ -z "$kingfisher" ] && [ -x "$site/kingfisher/bin/kingfisher" ] && kingfisher="$site/kingfisher/bin/kingfisher"
[ -z "$kingfisher" ] && kingfisher=$(command -v kingfisher || true)

read -r blobs bytes < <(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
    awk '$1=="blob" {n++; s+=$2} END {print n, s}')
echo "repository: $repo"
echo "  $(git -C "$repo" rev-list --all --count) commits, $blobs unique blobs, $(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1e6}') MB of unique blob content, $(nproc) cores"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# measure NAME CMD...: RUNS runs under /usr/bin/time -v; prints "NAME wall_s rss_kb" per run.
measure() {
    local name=$1; shift
    for i in $(seq "$runs"); do
        /usr/bin/time -v "$@" > /dev/null 2> "$work/time" || true
        awk -v name="$name" -F': ' '
            /Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for (j=1;j<=n;j++) s=s*60+t[j]; w=s}
            /Maximum resident set size/ {r=$2}
            /User time|System time/ {c+=$2}
            END {print name, w, r, c}' "$work/time"
    done
}
{
    measure pipeguard "$PIPEGUARD" scan --git "$repo" --format json --output "$work/pipeguard.json"
    if [ -n "$kingfisher" ]; then
        measure kingfisher "$kingfisher" scan "$repo" --no-validate --no-update-check --format json --output "$work/kingfisher.json"
    fi
} > "$work/results"
python3 - "$work/results" "$bytes" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, wall, rss, cpu = line.split()
    runs.setdefault(name, []).append((float(wall), int(rss), float(cpu)))
mb = int(sys.argv[2]) / 1e6
med = {n: tuple(statistics.median(x[i] for x in r) for i in range(3)) for n, r in runs.items()}
print(f"\n{'tool':12} {'wall s':>8} {'MB/s':>8} {'user+sys s':>11} {'peak RSS MB':>12}   (median of {len(next(iter(runs.values())))} runs)")
for n, (w, r, c) in med.items():
    print(f"{n:12} {w:8.2f} {mb / w:8.1f} {c:11.2f} {r / 1024:12.1f}")
if "kingfisher" in med:
    (pw, pr, pc), (kw, kr, kc) = med["pipeguard"], med["kingfisher"]
    print(f"\npipeguard vs kingfisher: wall {pw / kw:.2f}x of its time ({kw / pw:.2f}x faster), "
          f"CPU {pc / kc:.2f}x, peak memory {pr / kr:.2f}x (load average: {sys.argv[3]})")
PY
python3 - "$work" <<'PY' 2>/dev/null || true
import json, sys, os
w = sys.argv[1]
p = json.load(open(os.path.join(w, "pipeguard.json")))
print(f"pipeguard: {p['summary']['findings']} findings, {p['summary']['files_scanned']} blobs scanned")
if os.path.exists(os.path.join(w, "kingfisher.json")):
    text = open(os.path.join(w, "kingfisher.json")).read()
    k = json.loads(text)
    print(f"kingfisher: {len(k.get('findings', []))} findings")
PY
