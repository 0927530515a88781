#!/bin/sh
# Package the three pipeguard programs for one target as a release asset plus its checksum:
#
#   scripts/package.sh TAG TARGET BIN_DIR [OUT_DIR]
#
# BIN_DIR holds the built programs (target/TARGET/release, or target/debug in the tests).
# OUT_DIR (default: dist) receives
#   pipeguard-TAG-TARGET.tar.gz  (pipeguard-TAG-TARGET.zip for a Windows target)
#   pipeguard-TAG-TARGET.tar.gz.sha256  ("<hex digest>  <asset name>", as sha256sum prints it)
# The archive holds one directory, pipeguard-TAG-TARGET/, with the programs, README.md and the
# license. The release workflow and the installer's tests both use this script.
set -eu

if [ "$#" -lt 3 ] || [ "$#" -gt 4 ]; then
    echo "usage: $0 TAG TARGET BIN_DIR [OUT_DIR]" >&2
    exit 2
fi
tag=$1
target=$2
bin_dir=$3
out_dir=${4:-dist}
root=$(cd "$(dirname "$0")/.." && pwd)

case $target in
    *windows*) exe=.exe ext=zip ;;
    *) exe='' ext=tar.gz ;;
esac
name="pipeguard-$tag-$target"
asset="$name.$ext"

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir "$stage/$name"
for program in pipeguard pipeguard-hook pipeguard-action; do
    if [ ! -f "$bin_dir/$program$exe" ]; then
        echo "$0: $bin_dir/$program$exe does not exist (build it first)" >&2
        exit 2
    fi
    cp "$bin_dir/$program$exe" "$stage/$name/"
    chmod 755 "$stage/$name/$program$exe"
done
cp "$root/README.md" "$stage/$name/"
for f in "$root"/LICENSE*; do
    if [ -f "$f" ]; then cp "$f" "$stage/$name/"; fi
done

rm -f "$out_dir/$asset" "$out_dir/$asset.sha256"
if [ "$ext" = zip ]; then
    if command -v 7z >/dev/null 2>&1; then
        (cd "$stage" && 7z a -tzip -bd "$out_dir/$asset" "$name" >/dev/null)
    else
        (cd "$stage" && zip -qr "$out_dir/$asset" "$name")
    fi
else
    (cd "$stage" && tar -czf "$out_dir/$asset" "$name")
fi

if command -v sha256sum >/dev/null 2>&1; then
    digest=$(sha256sum "$out_dir/$asset" | cut -d ' ' -f 1)
else
    digest=$(shasum -a 256 "$out_dir/$asset" | cut -d ' ' -f 1)
fi
printf '%s  %s\n' "$digest" "$asset" >"$out_dir/$asset.sha256"
echo "$out_dir/$asset"
