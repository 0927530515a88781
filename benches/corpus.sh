#!/usr/bin/env bash
# Build a history-scan corpus: a git repository whose ~2,500 commits replay the crates under
# ~/.cargo/registry/src as if they had been written there — real text with real churn.
#
#   benches/corpus.sh DEST [SRC]     # SRC defaults to every dir in ~/.cargo/registry/src/*/
#
# Each crate lives at vendor/<name>/. Every file arrives in two steps (its first half, and later
# the whole file), eight file changes per commit, so most files have two blob versions; a newer
# version of an already-replayed crate replaces the older one (edits and deletions). Written with
# `git fast-import` (deterministic: fixed authors and dates), then repacked with deltas like a real
# repository. Plants nothing: what a scanner reports here is whatever the crates themselves hold.
set -euo pipefail
dest=${1:?usage: corpus.sh DEST [SRC]}
src=${2:-$(ls -d "$HOME"/.cargo/registry/src/*/ | head -1)}
[ -e "$dest" ] && { echo "$dest exists" >&2; exit 2; }
mkdir -p "$dest"
git -C "$dest" init -q -b main
python3 - "$src" <<'PY' | git -C "$dest" fast-import --quiet
import os, re, sys

src = sys.argv[1]
out = sys.stdout.buffer
PER_COMMIT = 8
MAX_FILE = 4 << 20

def version_key(d):
    m = re.match(r"^(.*?)-(\d+)\.(\d+)\.(\d+)(.*)$", d)
    if not m:
        return (d, (0, 0, 0), "")
    return (m.group(1), tuple(int(x) for x in m.group(2, 3, 4)), m.group(5))

crates = sorted((version_key(d), d) for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
t = 1_600_000_000
mark = 0
commits = 0
ops = []          # pending (path, bytes or None for delete)
current = {}      # crate name -> set of its repo paths

def blob(data):
    global mark
    mark += 1
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)))
    out.write(data)
    out.write(b"\n")
    return mark

def commit(msg):
    global ops, t, commits
    if not ops:
        return
    marks = [(p, blob(d) if d is not None else None) for p, d in ops]
    t += 3607
    msg = msg.encode()
    who = b"Corpus Author <corpus@example.invalid> %d +0000\n" % t
    out.write(b"commit refs/heads/main\nauthor " + who + b"committer " + who)
    out.write(b"data %d\n" % len(msg) + msg + b"\n")
    for p, m in marks:
        q = p.encode("utf-8", "surrogateescape")
        if m is None:
            out.write(b"D " + q + b"\n")
        else:
            out.write(b"M 100644 :%d " % m + q + b"\n")
    out.write(b"\n")
    commits += 1
    ops = []

def stage(path, data, msg):
    ops.append((path, data))
    if len(ops) >= PER_COMMIT:
        commit(msg)

for (name, ver, _), d in crates:
    root = os.path.join(src, d)
    files = []
    for dp, dns, fns in os.walk(root):
        dns.sort()
        for fn in sorted(fns):
            full = os.path.join(dp, fn)
            if os.path.islink(full) or os.path.getsize(full) > MAX_FILE:
                continue
            rel = os.path.relpath(full, root)
            files.append((f"vendor/{name}/{rel}", full))
    had = current.get(name, set())
    if had:  # a newer version replaces the older one: edits and deletions
        now = {p for p, _ in files}
        for p, full in files:
            stage(p, open(full, "rb").read(), f"{name}: update to {d}")
        for p in sorted(had - now):
            stage(p, None, f"{name}: update to {d}")
        commit(f"{name}: update to {d}")
    else:  # first half of every file, then the whole file
        contents = [(p, open(full, "rb").read()) for p, full in files]
        for p, data in contents:
            lines = data.split(b"\n")
            if len(lines) > 8:
                stage(p, b"\n".join(lines[: len(lines) // 2]) + b"\n", f"{name}: start {d}")
        commit(f"{name}: start {d}")
        for p, data in contents:
            stage(p, data, f"{name}: finish {d}")
        commit(f"{name}: finish {d}")
    current[name] = {p for p, _ in files}
out.write(b"done\n")
print(f"{commits} commits", file=sys.stderr)
PY
git -C "$dest" repack -a -d -q --window=50 --depth=50
git -C "$dest" gc -q --prune=now
git -C "$dest" checkout -q main
echo "corpus: $dest: $(git -C "$dest" rev-list --count HEAD) commits, $(git -C "$dest" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' | awk '$1=="blob"{n++; s+=$2} END {printf "%d unique blobs, %.1f MB", n, s/1e6}'), pack $(du -sh "$dest/.git/objects/pack" | cut -f1)"
