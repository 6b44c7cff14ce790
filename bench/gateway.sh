#!/bin/sh
# bench/gateway.sh [SECONDS]: requests/s and latency of the gateway against
# plain proxy_pass, measured in the same run on this machine.
#
# One nginx worker; wrk with one thread; a local upstream answering
# "return 200"; access_log off.  Rows:
#   plain      proxy_pass without the module (the baseline)
#   v1         sts_auth on, OSS V1 header signature, one token
#   v4         sts_auth on, OSS V4 header signature
#   presign    sts_auth on, V1 presigned URL
#   cold       a different token on every request (500 tokens in turn),
#              against a second nginx with "sts_cache off": every request
#              opens its token (AEAD, JSON) and compiles its policies
#   policy50   V1 with a 50-statement role policy
# Each row is also given as a ratio to "plain".
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
NGINX=${NGINX:-/usr/sbin/nginx}
DUR=${1:-5}
CONN=${BENCH_CONNECTIONS:-16}
DIR=$ROOT/$BUILD/bench/run
STSCTL=$ROOT/$BUILD/stsctl
PORT_STS=18080
PORT_PLAIN=18082
PORT_UP=18081
PORT_COLD=18083
PATHNAME=/demo-bucket/photos/2026/cat.jpg

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }

rm -rf "$DIR"
mkdir -p "$DIR/logs" "$DIR/tmp"
(umask 077; "$STSCTL" keygen --kid bench > "$DIR/keys")

cat > "$DIR/nginx.conf" <<CONF
load_module $ROOT/$BUILD/ngx_http_sts_module.so;
worker_processes 1;
daemon on;
pid $DIR/logs/nginx.pid;
error_log $DIR/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $DIR/tmp;
    proxy_temp_path $DIR/tmp;
    sts_keys $DIR/keys;
    upstream up { server 127.0.0.1:$PORT_UP; keepalive 32; }
    server {
        listen 127.0.0.1:$PORT_UP;
        location / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:$PORT_PLAIN;
        location / {
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://up;
        }
    }
    server {
        listen 127.0.0.1:$PORT_STS;
        location / {
            sts_auth on;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://up;
        }
    }
}
CONF

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

# the same gateway without the token cache, for the cold row
mkdir -p "$DIR/cold/logs"
cat > "$DIR/cold/nginx.conf" <<CONF
load_module $ROOT/$BUILD/ngx_http_sts_module.so;
worker_processes 1;
daemon on;
pid $DIR/cold/logs/nginx.pid;
error_log $DIR/cold/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $DIR/tmp;
    proxy_temp_path $DIR/tmp;
    sts_keys $DIR/keys;
    sts_cache off;
    upstream up { server 127.0.0.1:$PORT_UP; keepalive 32; }
    server {
        listen 127.0.0.1:$PORT_COLD;
        location / {
            sts_auth on;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://up;
        }
    }
}
CONF

"$NGINX" -p "$DIR" -c "$DIR/nginx.conf"
"$NGINX" -p "$DIR/cold" -c "$DIR/cold/nginx.conf"
trap 'kill $(cat "$DIR/logs/nginx.pid") $(cat "$DIR/cold/logs/nginx.pid") \
      2>/dev/null || true' EXIT INT TERM
sleep 0.5

# cold tokens: a wrk script that walks through many tokens
NCOLD=${BENCH_COLD_TOKENS:-500}
echo "issuing $NCOLD tokens for the cold-token row..." >&2
{
    echo 'local reqs = {}'
    i=0
    while [ $i -lt "$NCOLD" ]; do
        issue "$DIR/typical.json" "$DIR/c.json"
        "$STSCTL" sign --credentials "$DIR/c.json" \
            --host "127.0.0.1:$PORT_COLD" GET "$PATHNAME" |
        awk 'BEGIN { printf "reqs[#reqs + 1] = wrk.format(\"GET\", \"'"$PATHNAME"'\", {[\"Host\"] = \"127.0.0.1:'"$PORT_COLD"'\", " }
             { i = index($0, ": ");
               printf "[\"%s\"] = \"%s\", ", substr($0, 1, i - 1), substr($0, i + 2) }
             END { print "})" }'
        i=$((i + 1))
    done
    echo 'local n = 0'
    echo 'request = function() n = n % #reqs + 1; return reqs[n] end'
} > "$DIR/cold.lua"

run() {
    name=$1
    shift
    wrk -t1 -c"$CONN" -d"${DUR}s" --latency "$@" > "$DIR/$name.out" 2>&1
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$DIR/$name.out")
    p50=$(awk '$1 == "50%" { print $2 }' "$DIR/$name.out")
    p99=$(awk '$1 == "99%" { print $2 }' "$DIR/$name.out")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$DIR/$name.out")
    echo "$name $rps $p50 $p99 ${non2xx:-0}" >> "$DIR/results"
}

: > "$DIR/results"

run plain "http://127.0.0.1:$PORT_PLAIN$PATHNAME"

for row in v1 v4 policy50; do
    case $row in
    v1)       "$STSCTL" sign --credentials "$DIR/creds.json" \
                  --host "127.0.0.1:$PORT_STS" GET "$PATHNAME" > "$DIR/h" ;;
    v4)       "$STSCTL" sign --credentials "$DIR/creds.json" --v4 \
                  --region cn-hangzhou --host "127.0.0.1:$PORT_STS" \
                  GET "$PATHNAME" > "$DIR/h" ;;
    policy50) "$STSCTL" sign --credentials "$DIR/creds50.json" \
                  --host "127.0.0.1:$PORT_STS" GET "$PATHNAME" > "$DIR/h" ;;
    esac

    set --
    while IFS= read -r line; do
        set -- "$@" -H "$line"
    done < "$DIR/h"
    run "$row" "$@" "http://127.0.0.1:$PORT_STS$PATHNAME"
done

url=$("$STSCTL" sign --credentials "$DIR/creds.json" --presign 3600 \
      --host "127.0.0.1:$PORT_STS" GET "$PATHNAME")
run presign "$url"

run cold -s "$DIR/cold.lua" "http://127.0.0.1:$PORT_COLD"

echo
echo "nginx-sts gateway benchmark: ${DUR}s per row, $CONN connections," \
     "1 worker, wrk -t1"
echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo
awk 'NR == 1 { base = $2 }
     { printf "%-10s %12.0f req/s  %6.3f x plain   p50 %-9s p99 %-9s non-2xx %s\n",
              $1, $2, $2 / base, $3, $4, $5 }' "$DIR/results"
