#!/usr/bin/env bash
# Build the directory-sweep corpus: a ~236 MB mixed tree of real third-party source — C and Python
# (numpy, SciPy sdists), CloudFormation templates and schemas (cfn-lint sdist), Terraform and
# policy-as-code (checkov, python-hcl2 sdists, this repository's policy fixtures) and Rust crates
# (everything cargo has unpacked under ~/.cargo/registry/src).
#
#   benches/tree-corpus.sh DEST        # SIZE_MB (default 236): stop adding files at that size
#
# Sdists come through benches/sdists.py (pip's index, cached in SDISTS, default
# /tmp/pipeguard-bench/sdists). `.gitignore`/`.ignore` files are dropped so that every tool walks
# the same files. Components are added whole in the order above; the last one is cut at SIZE_MB.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:?usage: tree-corpus.sh DEST}
size_mb=${SIZE_MB:-236}
sdists=${SDISTS:-/tmp/pipeguard-bench/sdists}
[ -e "$dest" ] && { echo "$dest exists" >&2; exit 2; }
archives=()
for p in numpy cfn-lint checkov python-hcl2 scipy; do
    archives+=("$(python3 "$root/benches/sdists.py" "$p" "$sdists")")
done
registry=${REGISTRY_SRC:-$(ls -d "$HOME"/.cargo/registry/src/*/ 2>/dev/null | head -1)}
python3 - "$dest" "$size_mb" "$root/crates/core/tests/fixtures/policy" "$registry" "${archives[@]}" <<'PY'
import os, shutil, sys, tarfile
dest, limit = sys.argv[1], int(sys.argv[2]) * 10**6
fixtures, registry, archives = sys.argv[3], sys.argv[4], sys.argv[5:]
total = 0
def room(n):
    return total + n <= limit
def put(rel, data):
    global total
    path = os.path.join(dest, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    total += len(data)
def tree(src, prefix):
    for dp, dns, fns in os.walk(src):
        dns.sort()
        for fn in sorted(fns):
            full = os.path.join(dp, fn)
            if fn in (".gitignore", ".ignore") or os.path.islink(full):
                continue
            n = os.path.getsize(full)
            if not room(n):
                return
            put(os.path.join(prefix, os.path.relpath(full, src)), open(full, "rb").read())
tree(fixtures, "policy-fixtures")
if registry:
    tree(registry, "crates")
for a in archives:
    name = os.path.basename(a).rsplit(".tar.gz", 1)[0]
    with tarfile.open(a) as tf:
        for m in tf:
            base = os.path.basename(m.name)
            if not m.isreg() or base in (".gitignore", ".ignore"):
                continue
            if not room(m.size):
                break
            put(os.path.join(name, m.name.split("/", 1)[-1]), tf.extractfile(m).read())
files = sum(len(f) for _, _, f in os.walk(dest))
print(f"corpus: {dest}: {files} files, {total / 1e6:.1f} MB")
PY
