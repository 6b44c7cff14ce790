#!/bin/sh
# make asan: build nginx 1.22 from Debian's source package with the module
# compiled in and AddressSanitizer + UndefinedBehaviorSanitizer, then run
# the whole Test::Nginx suite on it.  Any sanitizer report fails the run.
#
#   sh tools/asan.sh            build (once) and run t/*.t
#   sh tools/asan.sh build      build only
#
# The deb-src entry lives under build/asan/apt, so /etc/apt is left alone
# (Debian's security suite has no source for the packaged version, so the
# bookworm main suite's 1.22.1 source is used; see HACKING.md).
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
ADIR=$ROOT/$BUILD/asan
APT="$ADIR/apt"
NGINX_BIN=$ADIR/nginx/objs/nginx

if [ ! -x "$NGINX_BIN" ] || [ "${STS_ASAN_REBUILD:-}" = 1 ] \
   || [ -n "$(find src config -newer "$NGINX_BIN" 2>/dev/null | head -1)" ]
then
    mkdir -p "$APT/lists/partial" "$APT/sources.list.d" "$ADIR/src"

    if [ ! -d "$ADIR/nginx" ]; then
        printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
            'Suites: bookworm' 'Components: main' \
            'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
            > "$APT/sources.list.d/debian-src.sources"

        opts="-o Dir::Etc::SourceParts=$APT/sources.list.d
              -o Dir::Etc::SourceList=/dev/null
              -o Dir::State::Lists=$APT/lists
              -o Debug::NoLocking=1"

        apt-get $opts update -qq
        (cd "$ADIR/src" && apt-get $opts source -qq nginx)

        src=$(find "$ADIR/src" -maxdepth 1 -type d -name 'nginx-1.*' | head -1)
        [ -n "$src" ] || { echo "no nginx source unpacked" >&2; exit 1; }
        rm -rf "$ADIR/nginx"
        cp -a "$src" "$ADIR/nginx"
    fi

    cd "$ADIR/nginx"
    CC=${ASAN_CC:-gcc}
    ./configure --with-cc="$CC" --prefix="$ADIR/prefix" --with-debug \
        --with-threads --with-http_ssl_module --with-http_v2_module \
        --with-http_dav_module --with-http_realip_module \
        --with-http_sub_module --with-http_addition_module \
        --with-http_auth_request_module --with-http_stub_status_module \
        --with-cc-opt="-O1 -g -fsanitize=address,undefined -fno-sanitize=nonnull-attribute -fno-omit-frame-pointer" \
        --with-ld-opt="-fsanitize=address,undefined" \
        --add-module="$ROOT" > "$ADIR/configure.log" 2>&1 \
        || { tail -20 "$ADIR/configure.log"; exit 1; }
    make -j2 > "$ADIR/make.log" 2>&1 || { tail -30 "$ADIR/make.log"; exit 1; }
    cd "$ROOT"
fi

echo "sanitized nginx: $NGINX_BIN"
[ "${1:-}" = build ] && exit 0

# every sanitizer report goes to a file; the run fails if any appears
REPORTS=$ADIR/reports
rm -rf "$REPORTS"
mkdir -p "$REPORTS"
chmod 777 "$REPORTS"

export ASAN_OPTIONS="log_path=$REPORTS/asan:detect_leaks=0:abort_on_error=0"
export UBSAN_OPTIONS="log_path=$REPORTS/ubsan:print_stacktrace=1"
export TEST_NGINX_BINARY=$NGINX_BIN
export TEST_NGINX_LOAD_MODULES=""
export TEST_NGINX_STSCTL=${TEST_NGINX_STSCTL:-$ROOT/$BUILD/stsctl}
export TEST_NGINX_TIMEOUT=${TEST_NGINX_TIMEOUT:-10}
# free ports of its own: a sanitized run takes minutes, the machine may
# run other suites meanwhile
export TEST_NGINX_RANDOMIZE=${TEST_NGINX_RANDOMIZE:-1}

rc=0
prove ${TEST_NGINX_LIB:+-I "$TEST_NGINX_LIB"} -I t/lib t/*.t || rc=$?

if [ -n "$(ls -A "$REPORTS")" ]; then
    echo "sanitizer reports:" >&2
    cat "$REPORTS"/* >&2
    exit 1
fi

echo "no sanitizer report"
exit $rc
