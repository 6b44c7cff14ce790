#!/bin/sh
# bench/callgrind.sh [REQUESTS]: instructions per request the module adds
# to the whole request (access handler, header and body filters,
# variables, log phase, cleanups), counted by valgrind's callgrind over
# the entire gateway worker.
#
# The gateway (one process, master_process off, under callgrind) proxies
# to an upstream that is a separate nginx (not counted).  For each row,
# three warm-up requests (algorithm fetches, the first opening of a
# token), then the counters are zeroed, REQUESTS (default 200) requests
# are sent over one keepalive connection and the counters dumped.  The
# module's cost of a row is its total minus that of "plain-hdrs" (plain
# proxy_pass sent the same signed V1 headers), divided by the requests.
# Instruction counts do not depend on machine load.  The module's own
# functions of the v1 row are listed as well (self cost per request).
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
NGINX=${NGINX:-/usr/sbin/nginx}
N=${1:-200}
DIR=$ROOT/$BUILD/bench/callgrind
STSCTL=$ROOT/$BUILD/stsctl
PORT=18090
PORT_PLAIN=18091
PORT_UP=18092
PATHNAME=/demo-bucket/photos/cat.jpg

command -v valgrind >/dev/null || { echo "valgrind is needed"; exit 1; }

rm -rf "$DIR"
mkdir -p "$DIR/logs" "$DIR/up/logs" "$DIR/tmp"
(umask 077; "$STSCTL" keygen --kid cg > "$DIR/keys")
"$STSCTL" issue --keys "$DIR/keys" --role-arn acs:ram::1:role/bench \
    --role-policy t/data/policies/read-write-bucket.json \
    --session-name bench > "$DIR/creds.json"

cat > "$DIR/up/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $DIR/up/logs/nginx.pid;
error_log $DIR/up/logs/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $DIR/tmp;
    server {
        listen 127.0.0.1:$PORT_UP;
        location / { return 200 "ok\n"; }
    }
}
CONF
"$NGINX" -p "$DIR/up" -c "$DIR/up/nginx.conf"
trap 'kill $(cat "$DIR/up/logs/nginx.pid") 2>/dev/null || true' EXIT INT TERM

# $1: output name, $2: port, then the signed request: a file of headers
# (or empty) and the URL
send() {
    n=$1 hdrs=$2 url=$3
    {
        while IFS= read -r line; do
            printf 'header = "%s"\n' "$line"
        done < "$hdrs"
        printf 'output = "/dev/null"\n'
        printf 'write-out = "%%{http_code}\\n"\n'
        i=0
        while [ $i -lt "$n" ]; do
            printf 'url = "%s"\n' "$url"
            i=$((i + 1))
        done
    } > "$DIR/curl.cfg"
    curl -s -K "$DIR/curl.cfg"
}

# $1: name, $2: "sts_cache" value, then rows: name:headers-file:url ...
measure() {
    name=$1 cache=$2
    shift 2
    cat > "$DIR/nginx.conf" <<CONF
load_module $ROOT/$BUILD/ngx_http_sts_module.so;
daemon off;
master_process off;
worker_processes 1;
error_log $DIR/logs/error.log warn;
pid $DIR/logs/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $DIR/tmp;
    proxy_temp_path $DIR/tmp;
    sts_keys $DIR/keys;
    sts_cache $cache;
    upstream up { server 127.0.0.1:$PORT_UP; keepalive 8; }
    server {
        listen 127.0.0.1:$PORT_PLAIN;
        location / {
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://up;
        }
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
}
CONF
    valgrind --tool=callgrind --callgrind-out-file="$DIR/$name.out" \
        "$NGINX" -p "$DIR" -c "$DIR/nginx.conf" 2> "$DIR/$name.valgrind" &
    vpid=$!

    i=0
    while ! curl -s -o /dev/null "http://127.0.0.1:$PORT_PLAIN/" \
          && [ $i -lt 100 ]; do
        sleep 0.2
        i=$((i + 1))
    done

    dump=0
    for spec in "$@"; do
        row=${spec%%:*} rest=${spec#*:}
        hdrs=${rest%%:*} url=${rest#*:}
        send 3 "$hdrs" "$url" > /dev/null
        callgrind_control -z $vpid > /dev/null 2>&1
        send "$N" "$hdrs" "$url" > "$DIR/$row.codes"
        callgrind_control -d $vpid > /dev/null 2>&1
        dump=$((dump + 1))
        ok=$(grep -c '^200$' "$DIR/$row.codes" || true)
        [ "$ok" -eq "$N" ] || { echo "$row: $ok of $N answered 200"; exit 1; }
        ir=$(callgrind_annotate "$DIR/$name.out.$dump" 2>/dev/null \
             | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
        echo "$row $ir" >> "$DIR/results"
        cp "$DIR/$name.out.$dump" "$DIR/$row.callgrind"
    done

    kill -QUIT $vpid
    wait $vpid || true
}

"$STSCTL" sign --credentials "$DIR/creds.json" --host "127.0.0.1:$PORT" \
    GET "$PATHNAME" > "$DIR/h.v1"
"$STSCTL" sign --credentials "$DIR/creds.json" --host "127.0.0.1:$PORT" \
    --v4 --region cn-hangzhou GET "$PATHNAME" > "$DIR/h.v4"
: > "$DIR/h.none"
pre1=$("$STSCTL" sign --credentials "$DIR/creds.json" --presign 3600 \
       --host "127.0.0.1:$PORT" GET "$PATHNAME")
pre4=$("$STSCTL" sign --credentials "$DIR/creds.json" --presign 3600 \
       --v4 --region cn-hangzhou --host "127.0.0.1:$PORT" GET "$PATHNAME")

: > "$DIR/results"
measure cached 10000 \
    "plain-hdrs:$DIR/h.v1:http://127.0.0.1:$PORT_PLAIN$PATHNAME" \
    "v1:$DIR/h.v1:http://127.0.0.1:$PORT$PATHNAME" \
    "v4:$DIR/h.v4:http://127.0.0.1:$PORT$PATHNAME" \
    "presign:$DIR/h.none:$pre1" \
    "presign-v4:$DIR/h.none:$pre4"
measure uncached off \
    "plain-hdrs-2:$DIR/h.v1:http://127.0.0.1:$PORT_PLAIN$PATHNAME" \
    "uncached:$DIR/h.v1:http://127.0.0.1:$PORT$PATHNAME"

echo "instructions per request, whole gateway worker under callgrind," \
     "$N requests per row, one keepalive connection"
echo
awk -v n="$N" '
    $1 ~ /^plain-hdrs/ { base = $2 }
    { printf "  %-12s %12d total  %8.0f per request  module: %+8.0f\n",
             $1, $2, $2 / n, ($2 - base) / n }' "$DIR/results"
echo
echo "v1 row, the module's functions (self instructions per request):"
callgrind_annotate --threshold=100 "$DIR/v1.callgrind" 2>/dev/null \
    | awk -v n="$N" '$0 ~ /sts|ngx_http_sts/ && $1 ~ /^[0-9,]+$/ {
          c = $1; gsub(",", "", c); $1 = ""; $2 = $2
          if (c / n >= 20) printf "  %8.0f %s\n", c / n, $0 }' | head -40
