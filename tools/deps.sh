#!/bin/sh
# Installs the Debian packages nginx-sts needs to build and test, if any
# is missing.  Debian 12 (bookworm); needs root or sudo to install.
set -eu

PKGS="nginx nginx-dev libjansson-dev libssl-dev libpcre2-dev zlib1g-dev
      gcc make curl perl libtest-base-perl libipc-run-perl
      libtest-longstring-perl libtext-diff-perl liblist-moreutils-perl
      liburi-perl openssl"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
         | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

# node and npm (the end-to-end tests, s3rver for make run): any install
# will do (Debian's nodejs and npm, or a nodejs that bundles npm)
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

[ -z "$missing" ] && exit 0

echo "installing:$missing"

if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "error: these Debian packages are missing:$missing" >&2
    echo "install them as root: apt-get install$missing" >&2
    exit 1
fi

$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends $missing
