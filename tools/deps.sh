#!/bin/sh
# Installs the Debian packages nginx-sts needs to build and test, if any
# is missing.  Debian 12 (bookworm); needs root or sudo to install.
set -eu

# Every Debian package the build, "make test" and "make run" use, one list
# (t/deps/check.t reads PKGS and NODE_PKGS from here, and fails when a
# module or a command the tests use comes from a package not named):
#   build          gcc make binutils (ar) dpkg-dev (dpkg-buildflags)
#                  libc6-dev nginx nginx-dev and the -dev libraries
#   scripts        curl openssl git (tools/lint.sh) ca-certificates (npm)
#                  apt (apt-get, here; Priority required, but a machine's
#                  status may say important)
#   Perl tests     perl, Test::Base, Test::LongString, HTTP::Date (155),
#                  and what OpenResty's Test::Nginx::Socket needs when
#                  TEST_NGINX_LIB names it (HTTP::Response, List::MoreUtils,
#                  Text::Diff, URI::Escape, IPC::Run)
#   Python         python3-minimal (/usr/bin/python3) python3-cryptography
#                  (t/110-bad-input.t reseals tokens)
#   end-to-end     chromium (browser.test.js)
#   shared state   libhiredis-dev (the module's Redis client), redis-server
#                  and redis-tools (the fleet tests start their own)
PKGS="gcc make binutils dpkg-dev libc6-dev nginx nginx-dev libjansson-dev
      libssl-dev libpcre2-dev zlib1g-dev libhiredis-dev redis-server
      redis-tools curl openssl git ca-certificates apt
      perl libtest-base-perl libtest-longstring-perl libhttp-date-perl
      libipc-run-perl libtext-diff-perl liblist-moreutils-perl liburi-perl
      libhttp-message-perl
      python3-minimal python3-cryptography chromium"

# node and npm (the end-to-end tests, s3rver for make run): Debian's
# nodejs and npm, or a nodejs that bundles npm (which conflicts with
# Debian's npm package): installed only when the command is missing
NODE_PKGS="nodejs npm"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
         | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

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
