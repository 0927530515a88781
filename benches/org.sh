#!/usr/bin/env bash
# An organisation of local repositories for `pipeguard sweep`, with histories of varied size made
# of real text: each repository replays one crate from ~/.cargo/registry/src as a series of
# commits (files added a few at a time, so the number of commits follows the crate's size).
# Then the measurements of issue 13: one sweep, four shards (each alone, then as four concurrent
# processes) plus the merge
# (checked equal to the single sweep), and a second run with nothing changed (the state log).
#
#   benches/org.sh [DIR] [REPOS]        # default: /tmp/pipeguard-org, 200 repositories
#   PIPEGUARD=target/release/pipeguard benches/org.sh
set -euo pipefail
dir=${1:-/tmp/pipeguard-org}
count=${2:-200}
pg=${PIPEGUARD:-target/release/pipeguard}
pg=$(realpath "$pg")
src=$(ls -d "$HOME"/.cargo/registry/src/*/ | head -n 1)
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
export PIPEGUARD_NO_PROGRESS=1

if [ ! -f "$dir/repos.txt" ]; then
  rm -rf "$dir" && mkdir -p "$dir/repos"
  i=0
  for crate in $(ls "$src" | sort); do
    [ "$i" -lt "$count" ] || break
    repo="$dir/repos/r$(printf %03d "$i")"
    git init -q -b main "$repo"
    # Files in a stable order, added in batches of (3 + i % 7): small crates make a few commits,
    # large ones hundreds.
    batch=$((3 + i % 7))
    n=0
    (cd "$src/$crate" && find . -type f \( -name '*.rs' -o -name '*.md' -o -name '*.toml' -o -name '*.json' -o -name '*.txt' \) -size -256k | sort) |
      while read -r f; do
        mkdir -p "$repo/$(dirname "$f")"
        cp "$src/$crate/$f" "$repo/$f"
        n=$((n + 1))
        if [ $((n % batch)) -eq 0 ]; then
          git -C "$repo" add -A && git -C "$repo" commit -qm "add $f" --no-verify
        fi
      done
    git -C "$repo" add -A && git -C "$repo" commit -qm "rest" --allow-empty --no-verify
    echo "repos/r$(printf %03d "$i")" >> "$dir/repos.txt"
    i=$((i + 1))
  done
fi

cd "$dir"
echo "organisation: $(wc -l < repos.txt) repositories, $(cat repos/*/.git/HEAD >/dev/null; for r in repos/*; do git -C "$r" rev-list --count HEAD; done | awk '{s+=$1} END {print s}') commits, $(du -sh repos | cut -f1) on disk"

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -v "$@" 2> "$name.time" > /dev/null || true
  printf '%-22s wall %8s  peak RSS %7s kB\n' "$name" \
    "$(grep 'Elapsed (wall' "$name.time" | awk '{print $NF}')" \
    "$(grep 'Maximum resident' "$name.time" | awk '{print $NF}')"
}

measure single "$pg" sweep repos.txt --format json --output single.json
# Each shard alone (what four machines would each take), then all four at once on this machine.
for k in 1 2 3 4; do
  measure "alone-shard-$k" "$pg" sweep repos.txt --shard "$k/4" --format json --output "shard-$k.json"
done
start=$(date +%s.%N)
for k in 1 2 3 4; do
  measure "shard-$k" "$pg" sweep repos.txt --shard "$k/4" --format json --output "shard-$k.json" &
done
wait
echo "four shards in parallel: wall $(echo "$(date +%s.%N) - $start" | bc) s"
"$pg" merge shard-1.json shard-2.json shard-3.json shard-4.json --format json --output merged.json || true
python3 - <<'PY'
import json
def keys(p):
    d = json.load(open(p))
    return {(f["repository"], f["fingerprint"]) for f in d["findings"]}, {r["repository"] for r in d["sweep"]["repositories"]}
s, m = keys("single.json"), keys("merged.json")
print(f"merge equals single sweep: {s == m} ({len(s[0])} findings, {len(s[1])} repositories)")
PY
rm -rf state
measure first-with-state "$pg" sweep repos.txt --state state/state.jsonl --format json --output first.json
measure resumed-unchanged "$pg" sweep repos.txt --state state/state.jsonl --format json --output resumed.json
python3 -c "
import json
d = json.load(open('resumed.json'))
print('resumed run: %d of %d repositories skipped, %d findings kept' % (sum(r['status'] == 'skipped' for r in d['sweep']['repositories']), len(d['sweep']['repositories']), len(d['findings'])))"
