#!/bin/sh
# bench/callgrind.sh [REQUESTS]: instructions per request spent in the
# access handler (ngx_http_sts_access_handler and everything it calls),
# counted by valgrind's callgrind, for a cached token and, with
# "sts_cache off", for a token opened on every request.  Instruction
# counts do not depend on machine load.  Three warm-up requests first
# (one-time algorithm lookups, the first opening), then the counters are
# zeroed and N requests measured.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
NGINX=${NGINX:-/usr/sbin/nginx}
N=${1:-200}
DIR=$ROOT/$BUILD/bench/callgrind
STSCTL=$ROOT/$BUILD/stsctl
PORT=18090

command -v valgrind >/dev/null || { echo "valgrind is needed"; exit 1; }

rm -rf "$DIR"
mkdir -p "$DIR/logs" "$DIR/tmp"
(umask 077; "$STSCTL" keygen --kid cg > "$DIR/keys")
"$STSCTL" issue --keys "$DIR/keys" --role-arn acs:ram::1:role/bench \
    --role-policy t/data/policies/read-write-bucket.json \
    --session-name bench > "$DIR/creds.json"

measure() {
    name=$1 cache=$2
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
    server {
        listen 127.0.0.1:$PORT;
        location / { sts_auth on; proxy_pass http://127.0.0.1:$PORT/_b; }
        location /_b { sts_auth off; return 200 "ok"; }
    }
}
CONF
    valgrind --tool=callgrind --callgrind-out-file="$DIR/$name.out" \
        --toggle-collect=ngx_http_sts_access_handler \
        "$NGINX" -p "$DIR" -c "$DIR/nginx.conf" 2> "$DIR/$name.valgrind" &
    vpid=$!

    i=0
    while ! curl -s -o /dev/null "http://127.0.0.1:$PORT/_b" && [ $i -lt 100 ]; do
        sleep 0.2
        i=$((i + 1))
    done

    set --
    while IFS= read -r line; do
        set -- "$@" -H "$line"
    done <<EOF2
$("$STSCTL" sign --credentials "$DIR/creds.json" --host "127.0.0.1:$PORT" \
      GET /demo-bucket/photos/cat.jpg)
EOF2

    # warm up (algorithm fetches, first token opening), then zero the
    # counters: what is left is the steady state per request
    for i in 1 2 3; do
        curl -s -o /dev/null "$@" \
            "http://127.0.0.1:$PORT/demo-bucket/photos/cat.jpg"
    done
    callgrind_control -z $vpid > /dev/null

    i=0
    while [ $i -lt "$N" ]; do
        curl -s -o /dev/null -w '%{http_code}\n' "$@" \
            "http://127.0.0.1:$PORT/demo-bucket/photos/cat.jpg" \
            >> "$DIR/$name.codes"
        i=$((i + 1))
    done

    kill -QUIT $vpid
    wait $vpid || true

    ok=$(grep -c '^200$' "$DIR/$name.codes" || true)
    ir=$(callgrind_annotate "$DIR/$name.out" 2>/dev/null \
         | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    echo "$name $N $ok $ir" >> "$DIR/results"
}

: > "$DIR/results"
measure cached 10000
measure uncached off

echo "access handler cost, valgrind callgrind, $N requests each (one token)"
echo
awk '{ printf "  %-9s %5d requests (%d allowed)  %12d instructions  %8.0f per request\n",
       $1, $2, $3, $4, $4 / $2 }' "$DIR/results"
