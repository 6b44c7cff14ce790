#!/bin/sh
# bench/gateway.sh [SECONDS] [ROUNDS]: the gateway worker's CPU time per
# request, with and without the module, the way an operator sizes a fleet.
#
# The gateway is an nginx with one worker; the upstream is a separate
# nginx process (its own worker, no module) answering "return 200", so
# its cost is not charged to the gateway.  wrk -t1 -c16 drives one row
# at a time for SECONDS (default 4); the rows are interleaved over ROUNDS
# (default 3) rounds, and each row's figures are the median of its rounds.
# A row's CPU is the utime + stime of the worker serving it, read from
# /proc/<pid>/stat before and after, divided by the requests wrk saw
# answered.  Rows:
#   plain        proxy_pass without the module
#   plain-hdrs   the same, sent the signed V1 headers of the v1 row (the
#                baseline: nginx's cost of parsing and forwarding them)
#   v1           sts_auth on, OSS V1 header signature, one token
#   v4           sts_auth on, OSS V4 header signature
#   presign      sts_auth on, V1 presigned URL
#   presign-v4   sts_auth on, V4 presigned URL
#   policy50     V1 with a 50-statement role policy
#   cold         a different token on every request (BENCH_COLD_TOKENS,
#                default 500, in turn) against a second gateway with
#                "sts_cache off": every request opens its token and
#                compiles its policy
#   miss         the same tokens against a third gateway with "sts_cache
#                64": every request misses the cache and opens its token;
#                the policy, the same text in every token, is compiled
#                once and shared
# Printed per row: µs of worker CPU per request, its difference to
# plain-hdrs (the module's own cost), requests/s and their ratio to
# plain-hdrs.  Every row must be answered 200 only, or the script fails.
#
# BENCH_BASE=/path/to/ngx_http_sts_module.so (another build, e.g. of the
# main branch) adds, right after each row of the module, the same row
# against twin gateways loading that module (on 127.0.0.2, same ports,
# same upstream): "row~base", before and after from the same run.
#
# Needs wrk (apt-get install wrk) and a build: make all.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
NGINX=${NGINX:-/usr/sbin/nginx}
DUR=${1:-4}
ROUNDS=${2:-3}
CONN=${BENCH_CONNECTIONS:-16}
ROWS=${BENCH_ROWS:-plain plain-hdrs v1 v4 presign presign-v4 policy50 cold miss}
DIR=$ROOT/$BUILD/bench/run
STSCTL=$ROOT/$BUILD/stsctl
PORT_STS=18080
PORT_UP=18081
PORT_PLAIN=18082
PORT_COLD=18083
PORT_MISS=18084
PATHNAME=/demo-bucket/photos/2026/cat.jpg
HZ=$(getconf CLK_TCK)

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }

rm -rf "$DIR"
mkdir -p "$DIR/up/logs" "$DIR/gw/logs" "$DIR/cold/logs" "$DIR/miss/logs" \
    "$DIR/tmp"
(umask 077; "$STSCTL" keygen --kid bench > "$DIR/keys")

# the upstream: its own nginx, no module
cat > "$DIR/up/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $DIR/up/logs/nginx.pid;
error_log $DIR/up/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $DIR/tmp;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$PORT_UP;
        location / { return 200 "ok\n"; }
    }
}
CONF

BASE=${BENCH_BASE:-}
MODULE=$ROOT/$BUILD/ngx_http_sts_module.so

# $1: directory, $2: "sts_cache" value, $3: the servers, [$4: the module]
gateway_conf() {
    cat > "$1/nginx.conf" <<CONF
load_module ${4:-$MODULE};
worker_processes 1;
daemon on;
pid $1/logs/nginx.pid;
error_log $1/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $DIR/tmp;
    proxy_temp_path $DIR/tmp;
    keepalive_requests 1000000;
    sts_keys $DIR/keys;
    sts_cache $2;
    upstream up { server 127.0.0.1:$PORT_UP; keepalive 32; }
$3
}
CONF
}

gateway_conf "$DIR/gw" 10000 "
    server {
        listen 127.0.0.1:$PORT_PLAIN;
        location / {
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_pass http://up;
        }
    }
    server {
        listen 127.0.0.1:$PORT_STS;
        location / {
            sts_auth on;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_pass http://up;
        }
    }"

gateway_conf "$DIR/cold" off "
    server {
        listen 127.0.0.1:$PORT_COLD;
        location / {
            sts_auth on;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_pass http://up;
        }
    }"

gateway_conf "$DIR/miss" 64 "
    server {
        listen 127.0.0.1:$PORT_MISS;
        location / {
            sts_auth on;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_pass http://up;
        }
    }"

# the twins on 127.0.0.2, with the base module
if [ -n "$BASE" ]; then
    for g in gw cold miss; do
        mkdir -p "$DIR/$g-base/logs"
        sed -e "s|^load_module .*|load_module $BASE;|" \
            -e "s|$DIR/$g/logs|$DIR/$g-base/logs|g" \
            -e "s|listen 127.0.0.1:|listen 127.0.0.2:|" \
            "$DIR/$g/nginx.conf" > "$DIR/$g-base/nginx.conf"
    done
fi

# policies: the typical one, and 50 statements
cp t/data/policies/read-write-bucket.json "$DIR/typical.json"
{
    printf '{"Version":"1","Statement":['
    i=0
    while [ $i -lt 49 ]; do
        printf '{"Effect":"Allow","Action":["oss:GetObject","oss:PutObject"],'
        printf '"Resource":["acs:oss:*:*:bucket-%d/prefix-%d/*"]},' $i $i
        i=$((i + 1))
    done
    printf '{"Effect":"Allow","Action":"oss:GetObject",'
    printf '"Resource":"acs:oss:*:*:demo-bucket/*"}]}\n'
} > "$DIR/policy50.json"

issue() {
    "$STSCTL" issue --keys "$DIR/keys" \
        --role-arn acs:ram::1234567890123456:role/bench \
        --role-policy "$1" --session-name bench > "$2"
}

issue "$DIR/typical.json" "$DIR/creds.json"
issue "$DIR/policy50.json" "$DIR/creds50.json"

# headers of a signed request as a wrk Lua table entry list
lua_headers() {
    awk '{ i = index($0, ": ");
           printf "[\"%s\"] = \"%s\", ", substr($0, 1, i - 1), substr($0, i + 2) }'
}

# cold tokens: a wrk script that walks through many tokens
NCOLD=${BENCH_COLD_TOKENS:-500}
case " $ROWS " in
*" cold "*|*" miss "*)
    echo "issuing $NCOLD tokens for the cold row..." >&2
    {
        echo 'local reqs = {}'
        i=0
        while [ $i -lt "$NCOLD" ]; do
            issue "$DIR/typical.json" "$DIR/c.json"
            printf 'reqs[#reqs + 1] = wrk.format("GET", "%s", {["Host"] = "127.0.0.1:%s", ' \
                "$PATHNAME" "$PORT_COLD"
            "$STSCTL" sign --credentials "$DIR/c.json" \
                --host "127.0.0.1:$PORT_COLD" GET "$PATHNAME" | lua_headers
            echo '})'
            i=$((i + 1))
        done
        echo 'local n = 0'
        echo 'request = function() n = n % #reqs + 1; return reqs[n] end'
    } > "$DIR/cold.lua"
    ;;
esac

"$NGINX" -p "$DIR/up" -c "$DIR/up/nginx.conf"
"$NGINX" -p "$DIR/gw" -c "$DIR/gw/nginx.conf"
"$NGINX" -p "$DIR/cold" -c "$DIR/cold/nginx.conf"
"$NGINX" -p "$DIR/miss" -c "$DIR/miss/nginx.conf"
trap 'kill $(cat "$DIR/up/logs/nginx.pid") $(cat "$DIR/gw/logs/nginx.pid") \
      $(cat "$DIR/cold/logs/nginx.pid") $(cat "$DIR/miss/logs/nginx.pid") \
      2>/dev/null || true' EXIT INT TERM
sleep 0.5

worker_of() {
    master=$(cat "$1/logs/nginx.pid")
    for s in /proc/[0-9]*/stat; do
        # field 4 is the parent; the name (field 2) has no spaces here
        awk -v m="$master" '$4 == m { print $1 }' "$s" 2>/dev/null || true
    done | head -n 1
}

if [ -n "$BASE" ]; then
    for g in gw cold miss; do
        "$NGINX" -p "$DIR/$g-base" -c "$DIR/$g-base/nginx.conf"
    done
    trap 'for g in up gw cold miss gw-base cold-base miss-base; do
              kill $(cat "$DIR/$g/logs/nginx.pid") 2>/dev/null || true
          done' EXIT INT TERM
    sleep 0.5
    WORKER_GW_BASE=$(worker_of "$DIR/gw-base")
    WORKER_COLD_BASE=$(worker_of "$DIR/cold-base")
    WORKER_MISS_BASE=$(worker_of "$DIR/miss-base")
fi

WORKER_GW=$(worker_of "$DIR/gw")
WORKER_COLD=$(worker_of "$DIR/cold")
WORKER_MISS=$(worker_of "$DIR/miss")
[ -n "$WORKER_GW" ] && [ -n "$WORKER_COLD" ] && [ -n "$WORKER_MISS" ] ||
    { echo "no worker found"; exit 1; }

# utime + stime of a process, in clock ticks
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# the arguments of wrk for a row, into the file $DIR/args.$row, one a line
row_args() {
    row=$1
    : > "$DIR/h"
    case $row in
    plain)
        echo "http://127.0.0.1:$PORT_PLAIN$PATHNAME" > "$DIR/args.$row" ;;
    plain-hdrs)
        "$STSCTL" sign --credentials "$DIR/creds.json" \
            --host "127.0.0.1:$PORT_STS" GET "$PATHNAME" > "$DIR/h"
        url="http://127.0.0.1:$PORT_PLAIN$PATHNAME" ;;
    v1)
        "$STSCTL" sign --credentials "$DIR/creds.json" \
            --host "127.0.0.1:$PORT_STS" GET "$PATHNAME" > "$DIR/h"
        url="http://127.0.0.1:$PORT_STS$PATHNAME" ;;
    v4)
        "$STSCTL" sign --credentials "$DIR/creds.json" --v4 \
            --region cn-hangzhou --host "127.0.0.1:$PORT_STS" \
            GET "$PATHNAME" > "$DIR/h"
        url="http://127.0.0.1:$PORT_STS$PATHNAME" ;;
    policy50)
        "$STSCTL" sign --credentials "$DIR/creds50.json" \
            --host "127.0.0.1:$PORT_STS" GET "$PATHNAME" > "$DIR/h"
        url="http://127.0.0.1:$PORT_STS$PATHNAME" ;;
    presign)
        url=$("$STSCTL" sign --credentials "$DIR/creds.json" --presign 3600 \
              --host "127.0.0.1:$PORT_STS" GET "$PATHNAME") ;;
    presign-v4)
        url=$("$STSCTL" sign --credentials "$DIR/creds.json" --presign 3600 \
              --v4 --region cn-hangzhou --host "127.0.0.1:$PORT_STS" \
              GET "$PATHNAME") ;;
    cold)
        printf '%s\n' -s "$DIR/cold.lua" "http://127.0.0.1:$PORT_COLD" \
            > "$DIR/args.$row"
        return ;;
    miss)
        printf '%s\n' -s "$DIR/cold.lua" "http://127.0.0.1:$PORT_MISS" \
            > "$DIR/args.$row"
        return ;;
    *)
        echo "unknown row $row"; exit 1 ;;
    esac
    [ "$row" = plain ] && return
    while IFS= read -r line; do
        printf '%s\n%s\n' -H "$line"
    done < "$DIR/h" > "$DIR/args.$row"
    echo "$url" >> "$DIR/args.$row"
}

run() {
    row=$1 round=$2
    case $row in
    cold)      worker=$WORKER_COLD ;;
    miss)      worker=$WORKER_MISS ;;
    cold~base) worker=$WORKER_COLD_BASE ;;
    miss~base) worker=$WORKER_MISS_BASE ;;
    *~base)    worker=$WORKER_GW_BASE ;;
    *)         worker=$WORKER_GW ;;
    esac
    set --
    while IFS= read -r a; do
        case $row in
        *~base)
            # the twin: its address, and the Host the request was signed for
            case $a in
            http://127.0.0.1:*)
                host=${a#http://}
                host=${host%%/*}
                [ "$row" = cold~base ] || [ "$row" = miss~base ] ||
                    set -- "$@" -H "Host: $host"
                a=http://127.0.0.2:${a#http://127.0.0.1:} ;;
            esac ;;
        esac
        set -- "$@" "$a"
    done < "$DIR/args.${row%~base}"
    # a short warm-up (first opening of the token, keepalive connections)
    wrk -t1 -c"$CONN" -d1s "$@" > /dev/null 2>&1
    t0=$(cpu_ticks "$worker")
    wrk -t1 -c"$CONN" -d"${DUR}s" "$@" > "$DIR/$row.$round.out" 2>&1
    t1=$(cpu_ticks "$worker")
    out=$DIR/$row.$round.out
    n=$(awk '/requests in/ { print $1 }' "$out")
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$out")
    bad=$(awk '/Non-2xx/ { print $NF }' "$out")
    err=$(awk '/Socket errors/ { print }' "$out")
    if [ -n "$bad" ] || [ -n "$err" ] || [ -z "$n" ] || [ "$n" -eq 0 ]; then
        echo "row $row: not every request was answered 200:" >&2
        cat "$out" >&2
        exit 1
    fi
    echo "$row $round $n $rps $((t1 - t0))" >> "$DIR/results"
}

ALL=
for row in $ROWS; do
    row_args "$row"
    ALL="$ALL $row"
    case $row in
    plain*) ;;
    *) [ -z "$BASE" ] || ALL="$ALL $row~base" ;;
    esac
done

: > "$DIR/results"
r=1
while [ $r -le "$ROUNDS" ]; do
    for row in $ALL; do
        run "$row" "$r"
    done
    r=$((r + 1))
done

echo
echo "nginx-sts gateway: worker CPU per request; ${DUR}s x $ROUNDS rounds" \
     "per row, interleaved; wrk -t1 -c$CONN; 1 gateway worker; upstream" \
     "a separate nginx"
echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')," \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
# medians over the rounds of µs per request and of requests/s
awk -v hz="$HZ" -v rows="$ALL" '
    { us[$1] = us[$1] sprintf(" %.2f", $5 * 1000000 / hz / $3)
      rps[$1] = rps[$1] " " $4 }
    function median(list,    a, n, i, j, t) {
        n = split(list, a, " ")
        for (i = 1; i <= n; i++)
            for (j = i + 1; j <= n; j++)
                if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
        n = split(rows, order, " ")
        for (i = 1; i <= n; i++) {
            r = order[i]; mu[r] = median(us[r]); mr[r] = median(rps[r])
        }
        base = ("plain-hdrs" in mu) ? "plain-hdrs" : order[1]
        printf "%-16s %10s %10s %10s %8s   %s\n", "row", "us/req", "delta",
               "req/s", "x " base, "us/req of each round"
        for (i = 1; i <= n; i++) {
            r = order[i]
            printf "%-16s %10.2f %+10.2f %10.0f %8.3f  %s\n", r, mu[r],
                   mu[r] - mu[base], mr[r], mr[r] / mr[base], us[r]
        }
    }' "$DIR/results"
