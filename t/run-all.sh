#!/bin/sh
# Runs every test of nginx-sts: the C unit tests, the end-to-end tests
# with the official clients (ali-oss, @alicloud/sts-sdk, @alicloud/pop-core,
# headless Chromium) against make run's stack, then the Test::Nginx suites
# against Debian's nginx with the freshly built module.
#
#   sh t/run-all.sh          everything (make test)
#   sh t/run-all.sh nginx    the Test::Nginx suites only (make test-nginx)
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROOT=$(pwd)

export TEST_NGINX_BINARY=${TEST_NGINX_BINARY:-/usr/sbin/nginx}
export TEST_NGINX_LOAD_MODULES=${TEST_NGINX_LOAD_MODULES:-$ROOT/$BUILD/ngx_http_sts_module.so}
export TEST_NGINX_STSCTL=${TEST_NGINX_STSCTL:-$ROOT/$BUILD/stsctl}

# the Test::Nginx suites: under OpenResty's Test::Nginx when
# TEST_NGINX_LIB names its lib/ directory (it comes first on @INC),
# under the in-tree Test::Nginx::Socket (t/lib/Test/Nginx) otherwise
prove_nginx() {
    if [ -n "${TEST_NGINX_LIB:-}" ]; then
        if [ ! -f "$TEST_NGINX_LIB/Test/Nginx/Socket.pm" ]; then
            echo "TEST_NGINX_LIB=$TEST_NGINX_LIB: no Test/Nginx/Socket.pm" >&2
            exit 1
        fi
        echo "Test::Nginx from $TEST_NGINX_LIB"
        prove -I "$TEST_NGINX_LIB" -I t/lib "$@"
    else
        echo "Test::Nginx: the in-tree t/lib/Test/Nginx"
        prove -I t/lib "$@"
    fi
}

if [ "${1:-}" = nginx ]; then
    prove_nginx t/*.t
    exit
fi

echo "== C unit tests"
prove -e '' "$BUILD"/t/test_*

echo "== stsctl tests"
prove -I t/lib t/cli/*.t

echo "== end-to-end tests (official clients, s3rver, Chromium)"
BUILD=$BUILD sh t/e2e/run.sh

echo "== nginx tests"
prove_nginx t/*.t
