#!/bin/sh
# bench/worker-rss.sh [N ...]: resident memory (VmRSS) of a real nginx
# worker holding N cached tokens, for each N given (default 0 10000
# 100000).
#
# One nginx (Debian's, or $NGINX) with the module from $BUILD, one worker,
# "sts_cache 200000", access_log off, a local upstream answering
# "return 200".  The worker's VmRSS is read from /proc/<pid>/status, the
# worker being the master's child:
#   - on a fresh nginx before any request: the 0 row;
#   - for each N > 0, on a fresh nginx: bench/mint writes N GET requests
#     signed with N distinct tokens, wrk -t1 -c8 sends each at least once
#     (then starts over: cache hits), and VmRSS is read once wrk is done.
# The table gives the growth over the 0 row per token, and per token
# added since the row above ("over prev. row": rows in increasing order).
# Every run is checked: no non-2xx answer and no socket error from wrk,
# every request handed out at least once, the module's counters
# (sts_status) showing N tokens opened and no refusal, no "sts:" line (a
# refusal) in the error log.
#
# wrk runs N / BENCH_RATE + 5 seconds (BENCH_RATE, default 2000, is a
# floor on the requests/s the machine manages with a new token each time);
# the run fails if that was too short.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
NGINX=${NGINX:-/usr/sbin/nginx}
RATE=${BENCH_RATE:-2000}
CACHE=${BENCH_CACHE:-200000}
PORT=${BENCH_PORT:-18090}
PORT_UP=$((PORT + 1))
PORT_STATUS=$((PORT + 2))
DIR=$ROOT/$BUILD/bench/rss
MODULE=$ROOT/$BUILD/ngx_http_sts_module.so
MINT=$ROOT/$BUILD/bench/mint
STSCTL=$ROOT/$BUILD/stsctl
PATHNAME=/demo-bucket/photos/2026/cat.jpg

[ $# -gt 0 ] || set -- 0 10000 100000

command -v wrk >/dev/null || {
    echo "wrk is needed: apt-get install wrk"; exit 1; }
command -v curl >/dev/null || {
    echo "curl is needed: apt-get install curl"; exit 1; }
for f in "$MODULE" "$MINT" "$STSCTL"; do
    [ -f "$f" ] || {
        echo "$f is missing: make BUILD=$BUILD all bench"; exit 1; }
done
for n in "$@"; do
    case $n in
    ''|*[!0-9]*) echo "usage: $0 [N ...] (numbers of tokens)"; exit 2 ;;
    esac
    [ "$n" -le "$CACHE" ] || {
        echo "$n tokens: more than sts_cache $CACHE"; exit 2; }
done

rm -rf "$DIR"
mkdir -p "$DIR/logs" "$DIR/tmp"
(umask 077; "$STSCTL" keygen --kid bench > "$DIR/keys")
cp t/data/policies/read-write-bucket.json "$DIR/policy.json"

cat > "$DIR/nginx.conf" <<CONF
load_module $MODULE;
worker_processes 1;
daemon on;
pid $DIR/logs/nginx.pid;
error_log $DIR/logs/error.log info;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $DIR/tmp;
    proxy_temp_path $DIR/tmp;
    sts_keys $DIR/keys;
    sts_cache $CACHE;
    upstream up { server 127.0.0.1:$PORT_UP; keepalive 32; }
    server {
        listen 127.0.0.1:$PORT_UP;
        location / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:$PORT;
        location / {
            sts_auth on;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://up;
        }
    }
    server {
        listen 127.0.0.1:$PORT_STATUS;
        location = /metrics { sts_status; }
    }
}
CONF

MASTER=
WORKER=

stop() {
    if [ -n "$MASTER" ]; then
        kill "$MASTER" 2>/dev/null || true
        i=0
        while kill -0 "$MASTER" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
    fi
    MASTER=
    WORKER=
}

trap stop EXIT
trap 'stop; exit 1' INT TERM

# a fresh nginx; sets MASTER and WORKER
start() {
    rm -f "$DIR/logs/error.log" "$DIR/logs/nginx.pid"
    "$NGINX" -p "$DIR" -c "$DIR/nginx.conf"
    i=0
    while [ ! -s "$DIR/logs/nginx.pid" ] && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    MASTER=$(cat "$DIR/logs/nginx.pid")
    i=0
    WORKER=
    while [ -z "$WORKER" ] && [ $i -lt 100 ]; do
        WORKER=$(pgrep -P "$MASTER" || true)
        [ -n "$WORKER" ] || sleep 0.1
        i=$((i + 1))
    done
    [ -n "$WORKER" ] || { echo "no worker under nginx $MASTER"; exit 1; }
    case $WORKER in
    *[!0-9]*) echo "more than one child under nginx $MASTER: $WORKER"; exit 1 ;;
    esac
    sleep 0.5
}

# status_kib FIELD: a field of the worker's /proc/<pid>/status, in KiB
status_kib() {
    awk -v f="$1:" '$1 == f { print $2 }' "/proc/$WORKER/status"
}

# metric NAME LABEL: a counter served by sts_status
metric() {
    awk -v k="$1{$2}" '$1 == k { print $2; found = 1 }
                       END { if (!found) print 0 }' "$DIR/metrics"
}

fail() {
    echo "$n tokens: $*" >&2
    echo "see $DIR" >&2
    exit 1
}

: > "$DIR/results"

# the worker before any request: the 0 row and the base of every growth
start
base=$(status_kib VmRSS)
base_anon=$(status_kib RssAnon)
stop

for n in "$@"; do
    if [ "$n" -eq 0 ]; then
        echo "0 $base $base_anon $base" >> "$DIR/results"
        continue
    fi

    echo "minting $n tokens..." >&2
    "$MINT" "$DIR/keys" "$n" "127.0.0.1:$PORT" "$PATHNAME" \
        "$DIR/policy.json" > "$DIR/req-$n.lua" 2> "$DIR/mint-$n.err" \
        || { cat "$DIR/mint-$n.err" >&2; exit 1; }

    start
    before=$(status_kib VmRSS)

    dur=$((n / RATE + 5))
    echo "sending them: wrk -t1 -c8 -d${dur}s..." >&2
    wrk -t1 -c8 -d"${dur}s" -s "$DIR/req-$n.lua" "http://127.0.0.1:$PORT" \
        > "$DIR/wrk-$n.out" 2>&1 || fail "wrk failed: $(cat "$DIR/wrk-$n.out")"
    sleep 1

    rss=$(status_kib VmRSS)
    anon=$(status_kib RssAnon)
    curl -s "http://127.0.0.1:$PORT_STATUS/metrics" > "$DIR/metrics" \
        || fail "cannot read the metrics"
    stop

    grep -q "^mint: $n distinct requests, all sent: yes" "$DIR/wrk-$n.out" \
        || fail "not every request was sent in ${dur}s: lower BENCH_RATE" \
                "($(grep -s 'Requests/sec' "$DIR/wrk-$n.out"))"
    ! grep -q -e 'Non-2xx' -e 'Socket errors' "$DIR/wrk-$n.out" \
        || fail "$(grep -e 'Non-2xx' -e 'Socket errors' "$DIR/wrk-$n.out")"
    ! grep -q 'sts:' "$DIR/logs/error.log" \
        || fail "refused: $(grep -m3 'sts:' "$DIR/logs/error.log")"

    opened=$(metric nginx_sts_token_cache_total 'result="miss"')
    allowed=$(metric nginx_sts_decisions_total 'decision="allow"')
    refused=$(awk '/^nginx_sts_decisions_total/ && !/"allow"/ { s += $2 }
                   END { print s + 0 }' "$DIR/metrics")
    [ "$opened" -eq "$n" ] || fail "$opened tokens opened, not $n"
    [ "$refused" -eq 0 ] || fail "$refused requests refused"

    rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$DIR/wrk-$n.out")
    echo "  $n tokens opened, $allowed requests allowed (${rps} req/s)," \
         "worker RSS $before KiB before, $rss KiB after" >&2

    echo "$n $rss $anon $before" >> "$DIR/results"
done

echo
echo "nginx worker RSS with N tokens cached (sts_cache $CACHE, 1 worker," \
     "one typical role policy per token)"
echo "nginx $("$NGINX" -v 2>&1 | sed 's,.*/,,'), $(nproc) cores:" \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
     "$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo
awk -v base="$base" -v base_anon="$base_anon" '
    BEGIN {
        printf "%8s %12s %14s %12s %15s %12s\n", "tokens", "worker RSS",
               "growth over 0", "bytes/token", "over prev. row", "anon growth"
        pn = 0; prss = base
    }
    {
        g = $2 - base
        printf "%8d %8.1f MiB %10.1f MiB %12s %15s %8.1f MiB\n", $1,
               $2 / 1024, g / 1024,
               $1 ? sprintf("%.0f", g * 1024 / $1) : "-",
               ($1 > pn ? sprintf("%.0f", ($2 - prss) * 1024 / ($1 - pn)) \
                        : "-"),
               ($3 - base_anon) / 1024
        pn = $1; prss = $2
    }' "$DIR/results"
