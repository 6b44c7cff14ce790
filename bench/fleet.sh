#!/bin/sh
# bench/fleet.sh [SECONDS]: what counting an N-use presigned URL on Redis
# costs against the shared memory zone: requests/s, latency and the
# worker's CPU per request, measured in the same run on this machine.
#
# One nginx worker each; wrk with one thread; a local upstream answering
# "return 200"; a local redis-server on loopback.  Rows:
#   plain      the same URL with no use limit (no shared state at all)
#   shm        sts_presign_max_uses 1000000, sts_presign_uses_zone
#   redis      sts_presign_max_uses 1000000, sts_state_use uses (one
#              round trip, one script, per request)
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
NGINX=${NGINX:-/usr/sbin/nginx}
DUR=${1:-5}
CONN=${BENCH_CONNECTIONS:-16}
DIR=$ROOT/$BUILD/bench/fleet
STSCTL=$ROOT/$BUILD/stsctl
PORT_UP=18091
PORT_PLAIN=18092
PORT_SHM=18093
PORT_REDIS=18094
PORT_STORE=18095

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is needed"; exit 1; }

rm -rf "$DIR"
mkdir -p "$DIR/tmp"
(umask 077; "$STSCTL" keygen --kid bench > "$DIR/keys")

redis-server --port $PORT_STORE --bind 127.0.0.1 --save '' \
    --appendonly no --daemonize yes --pidfile "$DIR/redis.pid" \
    --logfile "$DIR/redis.log" --dir "$DIR"

conf() {    # conf NAME PORT HTTP-LINES LIMIT [THE-UPSTREAM]
    mkdir -p "$DIR/$1/logs"
    cat > "$DIR/$1/nginx.conf" <<CONF
load_module $ROOT/$BUILD/ngx_http_sts_module.so;
worker_processes 1;
daemon on;
pid $DIR/$1/logs/nginx.pid;
error_log $DIR/$1/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $DIR/tmp;
    proxy_temp_path $DIR/tmp;
    sts_keys $DIR/keys;
    $3
    upstream up { server 127.0.0.1:$PORT_UP; keepalive 32; }
    ${5:-}
    server {
        listen 127.0.0.1:$2;
        location / {
            sts_auth on;
            sts_presign_max_uses $4;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://up;
        }
    }
}
CONF
    "$NGINX" -p "$DIR/$1" -c "$DIR/$1/nginx.conf"
}

cleanup() {
    for n in up plain shm redis; do
        [ -f "$DIR/$n/logs/nginx.pid" ] && kill "$(cat "$DIR/$n/logs/nginx.pid")" 2>/dev/null || true
    done
    [ -f "$DIR/redis.pid" ] && kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true
}
trap cleanup EXIT

# the upstream in an nginx of its own: the rows' workers do only the gateway
conf up 18096 "" off \
    "server { listen 127.0.0.1:$PORT_UP; location / { return 200 \"ok\\n\"; } }"
conf plain $PORT_PLAIN "" off
conf shm $PORT_SHM "sts_presign_uses_zone 16m;" 1000000
conf redis $PORT_REDIS "sts_state fleet redis=127.0.0.1:$PORT_STORE timeout=500ms; sts_state_use uses fleet;" 1000000
sleep 0.5

cp t/data/policies/read-write-bucket.json "$DIR/typical.json"
"$STSCTL" issue --keys "$DIR/keys" \
    --role-arn acs:ram::1234567890123456:role/bench \
    --role-policy "$DIR/typical.json" --session-name bench > "$DIR/creds.json"

# the worker's CPU time (user + system, clock ticks)
ticks() {
    w=$(pgrep -P "$(cat "$DIR/$1/logs/nginx.pid")" | head -1)
    awk '{ print $14 + $15 }' "/proc/$w/stat"
}

printf '| row | req/s | x shm | p50 | p99 | worker CPU / request |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: |\n'

HZ=$(getconf CLK_TCK)
base=
for n in shm plain redis; do
    eval port=\$PORT_$(echo $n | tr a-z A-Z)
    url=$("$STSCTL" sign --credentials "$DIR/creds.json" --presign 3600 \
          --host 127.0.0.1:$port GET /demo-bucket/photos/$n.jpg)
    t0=$(ticks $n)
    wrk -t1 -c"$CONN" -d"${DUR}s" --latency "$url" > "$DIR/$n.out" 2>&1
    t1=$(ticks $n)
    reqs=$(awk '/requests in/ { print $1 }' "$DIR/$n.out")
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$DIR/$n.out")
    p50=$(awk '$1 == "50%" { print $2 }' "$DIR/$n.out")
    p99=$(awk '$1 == "99%" { print $2 }' "$DIR/$n.out")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$DIR/$n.out")
    [ -n "$non2xx" ] && { echo "$n: $non2xx non-2xx answers"; cat "$DIR/$n.out"; exit 1; }
    [ -z "$base" ] && base=$rps
    awk -v n="$n" -v r="$rps" -v b="$base" -v p50="$p50" -v p99="$p99" \
        -v t="$((t1 - t0))" -v q="$reqs" -v hz="$HZ" 'BEGIN {
            printf "| %s | %.0f | %.3f | %s | %s | %.1f µs |\n",
                   n, r, r / b, p50, p99, t * 1000000 / hz / q }'
done
