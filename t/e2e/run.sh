#!/bin/sh
# The end-to-end tests: installs the pinned npm packages when they are
# missing (and, as root, nodejs, npm, openssl and chromium from Debian),
# then runs node's test runner.  BUILD selects the build directory
# (default build); STS_MODULE, STS_STSCTL and NGINX override the paths.
# Every test file starts what it needs on free ports and stops it by pid.
set -eu

cd "$(dirname "$0")"

# apt_install PKG...: Debian packages, as root only (guarded)
apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "missing Debian packages: $* (apt-get install $*)" >&2
        return 1
    fi
    echo "installing: $*"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "$@"
}

# node and npm run the suites and s3rver; openssl makes certificates
missing=
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
command -v openssl >/dev/null || missing="$missing openssl"
[ -z "$missing" ] || apt_install $missing

if [ ! -d node_modules/@alicloud/sts-sdk ] \
    || [ ! -d node_modules/@alicloud/pop-core ] \
    || [ ! -d node_modules/ali-oss ] \
    || [ ! -d node_modules/s3rver ] \
    || [ ! -d node_modules/playwright-core ]
then
    if [ -f package-lock.json ]; then
        npm ci --no-audit --no-fund
    else
        npm install --no-audit --no-fund
    fi
fi

# the browser test drives Debian's chromium (browser.test.js); without it
# that test is skipped.  E2E_NO_BROWSER=1 leaves chromium uninstalled.
if [ -z "${E2E_NO_BROWSER:-}" ] && ! command -v chromium >/dev/null; then
    apt_install chromium || echo "browser test skipped: no chromium" >&2
fi

mkdir -p output

# the clients name the gateway "localhost", which listens on 127.0.0.1:
# Node 18 (Debian 12's nodejs) would try ::1 alone, Node 20 tries both
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--dns-result-order=ipv4first"

exec node --test "$@"
