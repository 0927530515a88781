#!/usr/bin/env bash
# Build a history-scan corpus by replaying successive releases of a real project as commits: each
# release archive (an sdist, a .crate, any .tar.gz/.tgz/.zip with one top-level directory) becomes
# one commit whose tree is exactly that release. Real text, real churn, real delta chains.
#
#   benches/releases.sh DEST ARCHIVE...        # archives in release order, oldest first
#   benches/releases.sh DEST $(python3 benches/sdists.py numpy /tmp/pipeguard-bench/sdists --all)
#
# Written with `git fast-import` (a blob is sent once, unchanged files are referenced by id;
# deterministic authors and dates), then repacked with deltas like a real repository
# (`REPACK_WINDOW`, default 10, git's own default). Files over 4 MiB and symbolic links are left out.
# Plants nothing: what a scanner reports here is whatever the releases hold.
set -euo pipefail
dest=${1:?usage: releases.sh DEST ARCHIVE...}
shift
[ $# -gt 0 ] || { echo "no archives given" >&2; exit 2; }
[ -e "$dest" ] && { echo "$dest exists" >&2; exit 2; }
mkdir -p "$dest"
git -C "$dest" init -q -b main
python3 - "$@" <<'PY' | git -C "$dest" fast-import --quiet
import hashlib, os, sys, tarfile, zipfile

out = sys.stdout.buffer
MAX_FILE = 4 << 20
known = set()      # blob ids already sent
t = 1_500_000_000

def members(path):
    """(relative path, bytes, executable) of every regular file, top-level directory stripped."""
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            for i in z.infolist():
                if i.is_dir() or i.file_size > MAX_FILE:
                    continue
                mode = (i.external_attr >> 16) & 0o170777
                if mode & 0o170000 == 0o120000:
                    continue
                yield i.filename, z.read(i), bool(mode & 0o111)
    else:
        with tarfile.open(path) as tf:
            for m in tf:
                if not m.isreg() or m.size > MAX_FILE:
                    continue
                yield m.name, tf.extractfile(m).read(), bool(m.mode & 0o111)

for n, archive in enumerate(sys.argv[1:]):
    tree = {}
    for name, data, exe in members(archive):
        rel = name.split("/", 1)[1] if "/" in name else name
        if not rel or rel.startswith("/") or ".." in rel.split("/"):
            continue
        oid = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        if oid not in known:
            out.write(b"blob\ndata %d\n" % len(data))
            out.write(data)
            out.write(b"\n")
            known.add(oid)
        tree[rel] = (oid, exe)
    t += 86_400 * 7
    release = os.path.basename(archive)
    for ext in (".tar.gz", ".tgz", ".crate", ".zip"):
        if release.endswith(ext):
            release = release[: -len(ext)]
    msg = f"Release {release}\n".encode()
    who = b"Release Bot <releases@example.invalid> %d +0000\n" % t
    out.write(b"commit refs/heads/main\nauthor " + who + b"committer " + who)
    out.write(b"data %d\n" % len(msg) + msg)
    out.write(b"deleteall\n")
    for rel in sorted(tree):
        oid, exe = tree[rel]
        q = rel.encode("utf-8", "surrogateescape")
        if b"\n" in q or q.startswith(b'"'):
            continue
        out.write(b"M %s %s %s\n" % (b"100755" if exe else b"100644", oid.encode(), q))
    out.write(b"\n")
    print(f"{n + 1}: {release}: {len(tree)} files, {len(known)} blobs so far", file=sys.stderr)
out.write(b"done\n")
PY
git -C "$dest" repack -a -d -f -q --window="${REPACK_WINDOW:-10}" --depth=50
git -C "$dest" prune --expire=now
echo "corpus: $dest: $(git -C "$dest" rev-list --count HEAD) commits, $(git -C "$dest" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' | awk '$1=="blob"{n++; s+=$2} END {printf "%d unique blobs, %.1f MB", n, s/1e6}'), pack $(du -sh "$dest/.git/objects/pack" | cut -f1)"
