#!/usr/bin/env python3
"""Fetch source distributions of a Python project from the package index pip is configured with.

    sdists.py PROJECT CACHE [--all | --latest | --version V] [--max N]

Prints the paths of the downloaded archives (in version order, oldest first), one a line. Archives
are kept in CACHE and never fetched twice. The index is pip's own (`PIP_INDEX_URL`, else pip's
default), asked through the JSON form of the simple API (PEP 691), so no host is written here.
Used by the benchmark corpora (history replay, hook case, directory sweep); nothing is built or
installed: an sdist is only an archive of real source text.
"""
import argparse
import json
import os
import re
import sys
import urllib.request


def index_url():
    url = os.environ.get("PIP_INDEX_URL")
    if not url:
        from pip._internal.models.index import PyPI

        url = PyPI.simple_url
    return url.rstrip("/")


def version_of(project, filename):
    norm = "[-_.]".join(re.escape(part) for part in re.split(r"[-_.]+", project))
    m = re.match(rf"(?i)^{norm}-(.+?)\.(tar\.gz|zip)$", filename)
    return m.group(1) if m else None


def sort_key(v):
    try:
        from packaging.version import Version

        return (0, Version(v))
    except Exception:
        return (1, v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("cache")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--all", action="store_true", help="every release, pre-releases included")
    g.add_argument("--latest", action="store_true", help="the newest final release (default)")
    g.add_argument("--version")
    ap.add_argument("--max", type=int, default=0, help="with --all: the newest N only")
    a = ap.parse_args()
    req = urllib.request.Request(
        f"{index_url()}/{a.project}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    files = json.load(urllib.request.urlopen(req, timeout=120))["files"]
    by_version = {}
    for f in files:
        v = version_of(a.project, f["filename"])
        if v is None or f.get("yanked"):
            continue
        # Prefer .tar.gz over .zip for the same version.
        if v not in by_version or f["filename"].endswith(".tar.gz"):
            by_version[v] = f
    versions = sorted(by_version, key=sort_key)
    if a.version:
        chosen = [a.version]
    elif a.all:
        chosen = versions[-a.max :] if a.max else versions
    else:
        finals = [v for v in versions if re.fullmatch(r"[0-9.]+", v)]
        chosen = finals[-1:]
    os.makedirs(a.cache, exist_ok=True)
    for v in chosen:
        f = by_version[v]
        dest = os.path.join(a.cache, f["filename"])
        if not os.path.exists(dest):
            tmp = dest + ".part"
            with urllib.request.urlopen(f["url"], timeout=600) as r, open(tmp, "wb") as out:
                while chunk := r.read(1 << 20):
                    out.write(chunk)
            os.replace(tmp, dest)
        print(dest)


if __name__ == "__main__":
    sys.exit(main())
