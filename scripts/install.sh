#!/bin/sh
# Install pipeguard, pipeguard-hook and pipeguard-action from a GitHub release, verified:
#
#   curl -fsSL https://raw.githubusercontent.com/pipeguard/pipeguard/main/scripts/install.sh | sh
#
# Environment:
#   PIPEGUARD_VERSION        the release tag to install (v0.1.0); default: the latest release
#   PIPEGUARD_INSTALL_DIR    where the programs go; default: $HOME/.local/bin
#   PIPEGUARD_DOWNLOAD_BASE  where releases are; the asset is fetched from
#                            $PIPEGUARD_DOWNLOAD_BASE/<tag>/<asset>
#                            default: https://github.com/$PIPEGUARD_REPO/releases/download
#   PIPEGUARD_REPO           owner/name of the repository; default: pipeguard/pipeguard
#   PIPEGUARD_LATEST_URL     the page whose final (redirected) address ends in the latest tag;
#                            default: https://github.com/$PIPEGUARD_REPO/releases/latest
#   PIPEGUARD_TARGET         the build to install (x86_64-unknown-linux-musl); default: detected
#
# The asset's SHA-256 is checked against <asset>.sha256 before anything is unpacked or installed;
# on a mismatch nothing is installed and the exit status is 1.
set -eu

say() { printf 'pipeguard-install: %s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

repo=${PIPEGUARD_REPO:-pipeguard/pipeguard}
base=${PIPEGUARD_DOWNLOAD_BASE:-https://github.com/$repo/releases/download}
base=${base%/}
install_dir=${PIPEGUARD_INSTALL_DIR:-${HOME:?HOME is not set}/.local/bin}
version=${PIPEGUARD_VERSION:-}
latest_url=${PIPEGUARD_LATEST_URL:-https://github.com/$repo/releases/latest}

# fetch URL FILE: download URL into FILE, failing on any HTTP error.
fetch() {
    if command -v curl >/dev/null 2>&1; then
        curl --proto '=https,file' --tlsv1.2 -fsSL --retry 2 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1"
    else
        die "neither curl nor wget is installed"
    fi
}

# The tag of the latest release: the last path segment of where the "latest" page redirects to.
latest_tag() {
    if command -v curl >/dev/null 2>&1; then
        final=$(curl --proto '=https,file' --tlsv1.2 -fsSL -o /dev/null -w '%{url_effective}' "$latest_url") ||
            die "cannot resolve the latest release from $latest_url (set PIPEGUARD_VERSION)"
    else
        final=$(wget -q -S -O /dev/null "$latest_url" 2>&1 | sed -n 's/^ *[Ll]ocation: *//p' | tail -n 1 | tr -d '\r') ||
            die "cannot resolve the latest release from $latest_url (set PIPEGUARD_VERSION)"
    fi
    tag=${final%/}
    tag=${tag##*/}
    case $tag in
        v[0-9]*) printf '%s\n' "$tag" ;;
        *) die "cannot resolve the latest release from $latest_url (got '$final'; set PIPEGUARD_VERSION)" ;;
    esac
}

# glibc builds need glibc >= 2.35 (they are built on Ubuntu 22.04); elsewhere use the static musl build.
linux_libc() {
    v=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed -n 's/^glibc \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
    if [ -n "$v" ]; then
        major=${v% *} minor=${v#* }
        if [ "$major" -gt 2 ] || { [ "$major" -eq 2 ] && [ "$minor" -ge 35 ]; }; then
            echo gnu
            return
        fi
    fi
    echo musl
}

detect_target() {
    arch=$(uname -m)
    case $arch in
        x86_64 | amd64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
        *) die "no prebuilt pipeguard for the $arch architecture; build it from source: cargo install --locked --git https://github.com/$repo pipeguard" ;;
    esac
    os=$(uname -s)
    case $os in
        Linux) echo "$arch-unknown-linux-$(linux_libc)" ;;
        Darwin) echo "$arch-apple-darwin" ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT)
            [ "$arch" = x86_64 ] || die "no prebuilt pipeguard for Windows on $arch"
            echo x86_64-pc-windows-msvc
            ;;
        *) die "no prebuilt pipeguard for $os; build it from source: cargo install --locked --git https://github.com/$repo pipeguard" ;;
    esac
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    else
        die "neither sha256sum nor shasum is installed: cannot verify the download"
    fi
}

target=${PIPEGUARD_TARGET:-$(detect_target)}
if [ -z "$version" ] || [ "$version" = latest ]; then
    version=$(latest_tag)
fi
case $target in
    *windows*) ext=zip exe=.exe ;;
    *) ext=tar.gz exe='' ;;
esac
name="pipeguard-$version-$target"
asset="$name.$ext"
url="$base/$version/$asset"

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t pipeguard)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

say "downloading $url"
fetch "$url" "$tmp/$asset" ||
    die "cannot download $url: is $version a release of $repo with a build for $target?"
fetch "$url.sha256" "$tmp/$asset.sha256" ||
    die "cannot download $url.sha256: refusing to install an unverified download"

expected=$(sed -n '1s/^\([0-9A-Fa-f]\{64\}\)[[:space:]].*/\1/p' "$tmp/$asset.sha256" | tr 'A-F' 'a-f')
[ -n "$expected" ] || die "$asset.sha256 does not hold a SHA-256 digest: refusing to install"
actual=$(sha256 "$tmp/$asset")
if [ "$expected" != "$actual" ]; then
    die "checksum mismatch for $asset: expected $expected, got $actual; nothing was installed"
fi
say "verified SHA-256 $actual"

mkdir "$tmp/unpacked"
if [ "$ext" = zip ]; then
    command -v unzip >/dev/null 2>&1 || die "unzip is not installed"
    unzip -q "$tmp/$asset" -d "$tmp/unpacked"
else
    tar -xzf "$tmp/$asset" -C "$tmp/unpacked"
fi
for program in pipeguard pipeguard-hook pipeguard-action; do
    [ -f "$tmp/unpacked/$name/$program$exe" ] || die "$asset does not contain $name/$program$exe"
done

mkdir -p "$install_dir" || die "cannot create $install_dir"
for program in pipeguard pipeguard-hook pipeguard-action; do
    # Copy next to the destination, then rename: a running program is never half-written.
    cp "$tmp/unpacked/$name/$program$exe" "$install_dir/.$program$exe.new"
    chmod 755 "$install_dir/.$program$exe.new"
    mv -f "$install_dir/.$program$exe.new" "$install_dir/$program$exe"
done
say "installed pipeguard, pipeguard-hook and pipeguard-action $version ($target) in $install_dir"
case ":${PATH:-}:" in
    *":$install_dir:"*) ;;
    *) say "note: $install_dir is not on PATH; add it, e.g. export PATH=\"$install_dir:\$PATH\"" ;;
esac
