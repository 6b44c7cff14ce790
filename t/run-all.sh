#!/bin/sh
# Runs every test of nginx-sts: the C unit tests, the end-to-end tests
# with the official clients (ali-oss, @alicloud/sts-sdk, @alicloud/pop-core,
# headless Chromium) against make run's stack, then the Test::Nginx suites
# against Debian's nginx with the freshly built module.
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROOT=$(pwd)

export TEST_NGINX_BINARY=${TEST_NGINX_BINARY:-/usr/sbin/nginx}
export TEST_NGINX_LOAD_MODULES=${TEST_NGINX_LOAD_MODULES:-$ROOT/$BUILD/ngx_http_sts_module.so}
export TEST_NGINX_STSCTL=${TEST_NGINX_STSCTL:-$ROOT/$BUILD/stsctl}

echo "== C unit tests"
prove -e '' "$BUILD"/t/test_*

echo "== end-to-end tests (official clients, s3rver, Chromium)"
BUILD=$BUILD sh t/e2e/run.sh

echo "== nginx tests"
prove -I t/lib t/*.t
