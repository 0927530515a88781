#!/usr/bin/env bash
# Does the rule count cost speed? `pipeguard scan` of the same tree with the built-in rules, and
# with every built-in rule twice (a config whose `[[rules.custom]]` repeats each built-in rule
# under a new id), in one hyperfine run. Issue 11's budget: doubling the rules costs at most 10 %.
#
#   benches/rule-count.sh [DIR]   # default: the 236 MB tree of benches/tree-corpus.sh
#
# PIPEGUARD=path skips the build; RUNS (5), THREADS (2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-/tmp/pipeguard-bench/tree}
[ -d "$dir" ] || bash "$root/benches/tree-corpus.sh" "$dir"
command -v hyperfine >/dev/null || { echo "hyperfine not found: apt-get install -y hyperfine" >&2; exit 2; }
if [ -z "${PIPEGUARD:-}" ]; then
    cargo build --quiet --release -p pipeguard --manifest-path "$root/Cargo.toml"
    PIPEGUARD="$root/target/release/pipeguard"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$root/crates/core/rules/secrets" > "$work/double.toml" <<'PY'
import glob, json, os, sys, tomllib
def value(v):
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(v, ensure_ascii=False)
def table(prefix, d):
    lines, subs = [], []
    for k, v in d.items():
        (subs if isinstance(v, dict) else lines).append((k, v))
    out = [f"[{prefix}]"] + [f"{k} = {value(v)}" for k, v in lines]
    for k, v in subs:
        out += table(f"{prefix}.{k}", v)
    return out
print("version = 1\n")
n = 0
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.toml"))):
    for r in tomllib.load(open(f, "rb")).get("rule", []):
        r["id"] = r["id"] + "-twin"
        text = table("rules.custom", r)
        text[0] = "[[rules.custom]]"
        print("\n".join(text) + "\n")
        n += 1
print(f"{n} rules repeated", file=sys.stderr)
PY
threads=${THREADS:-2}
base=(scan "$dir" --format json -o /dev/null -j "$threads")
# Each run must scan (exit 0 or 1 = findings), with the same findings count modulo the twins.
for cfg in "" "$work/double.toml"; do
    args=("${base[@]}"); [ -n "$cfg" ] && args+=(--config "$cfg")
    "$PIPEGUARD" "${args[@]}" || [ $? -eq 1 ] || { echo "pipeguard failed (config: ${cfg:-none})" >&2; exit 2; }
done
echo "corpus: $dir ($(du -sm "$dir" | cut -f1) MB), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N -i --warmup 1 --runs "${RUNS:-5}" --export-json "$work/rc.json" \
    -n "built-in rules" "$PIPEGUARD ${base[*]}" \
    -n "built-in rules twice" "$PIPEGUARD ${base[*]} --config $work/double.toml"
python3 - "$work/rc.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1]))["results"]
cpu = lambda r: r["user"] + r["system"]
print(f"\ntwice the rules: wall {b['median'] / a['median']:.3f}x, cpu {cpu(b) / cpu(a):.3f}x (budget: 1.10x)")
PY
