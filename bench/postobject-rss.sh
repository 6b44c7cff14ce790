#!/bin/sh
# bench/postobject-rss.sh [MiB]: the memory a PostObject of MiB (default
# 1024, 1 GiB) takes in the gateway's worker.
#
# One nginx (Debian's, or $NGINX) with the module from $BUILD, one worker,
# a gateway location under "sts_backend s3" (the form goes to the store as
# the PUT of its file part), and a local store that reads the PUT and
# answers 200 (proxied to a location that discards the body).  curl sends
# the form (V1 policy signed here with a token from stsctl, a sparse file
# of MiB as the file part, "Expect:" off).  The worker's VmRSS and VmHWM
# (its peak) are read from /proc/<pid>/status after a small warm-up form
# and after the big one; the check: the answer is 201 and the store
# received the file's size.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
NGINX=${NGINX:-/usr/sbin/nginx}
PORT=${BENCH_PORT:-18190}
PORT_UP=$((PORT + 1))
DIR=$ROOT/$BUILD/bench/postobject
MODULE=$ROOT/$BUILD/ngx_http_sts_module.so
STSCTL=$ROOT/$BUILD/stsctl
MIB=${1:-1024}

case $MIB in
''|*[!0-9]*) echo "usage: $0 [MiB]"; exit 2 ;;
esac
command -v curl >/dev/null || { echo "curl is needed"; exit 1; }
command -v openssl >/dev/null || { echo "openssl is needed"; exit 1; }
for f in "$MODULE" "$STSCTL"; do
    [ -f "$f" ] || { echo "$f is missing: make BUILD=$BUILD all"; exit 1; }
done

rm -rf "$DIR"
mkdir -p "$DIR/logs" "$DIR/tmp"
(umask 077; "$STSCTL" keygen --kid bench > "$DIR/keys")
printf '{"AccessKeyId": "AKIDBENCH", "AccessKeySecret": "bench-secret"}\n' \
    > "$DIR/store-creds.json"
chmod 600 "$DIR/store-creds.json"

cat > "$DIR/nginx.conf" <<CONF
load_module $MODULE;
worker_processes 1;
daemon on;
pid $DIR/logs/nginx.pid;
error_log $DIR/logs/error.log info;
events { worker_connections 64; }
http {
    client_body_temp_path $DIR/tmp;
    proxy_temp_path $DIR/tmp;
    sts_keys $DIR/keys;
    log_format store '\$request_method \$request_uri \$status \$content_length';

    # the store: reads the PUT (proxied to a location that drops it)
    server {
        listen 127.0.0.1:$PORT_UP;
        client_max_body_size 0;
        access_log $DIR/logs/store.log store;
        location / {
            rewrite ^ /__sink break;
            proxy_pass http://127.0.0.1:$PORT_UP;
            proxy_intercept_errors on;
            error_page 418 = @ok;
        }
        location = /__sink { access_log off; return 418; }
        location @ok { return 200; }
    }

    server {
        listen 127.0.0.1:$PORT;
        client_max_body_size 0;
        access_log $DIR/logs/access.log;
        location / {
            sts_auth on;
            sts_addressing path;
            sts_backend s3;
            sts_backend_credentials $DIR/store-creds.json;
            proxy_set_header Authorization \$sts_backend_authorization;
            proxy_http_version 1.1;
            proxy_pass http://127.0.0.1:$PORT_UP;
        }
    }
}
CONF

"$STSCTL" issue --keys "$DIR/keys" \
    --role-arn acs:ram::1234567890123456:role/bench \
    --session-name bench \
    --role-policy t/data/policies/read-write-bucket.json > "$DIR/creds.json"
field() { sed -n "s/.*\"$1\": \"\\([^\"]*\\)\".*/\\1/p" "$DIR/creds.json"; }
AK=$(field AccessKeyId)
SK=$(field AccessKeySecret)
TOKEN=$(field SecurityToken)

EXP=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S.000Z)
POLICY=$(printf '{"expiration":"%s","conditions":[{"bucket":"demo-bucket"}]}' \
    "$EXP" | openssl base64 -A)
SIG=$(printf '%s' "$POLICY" | openssl dgst -sha1 -hmac "$SK" -binary \
    | openssl base64 -A)

# post KEY FILE: the form, the file part last; prints the status
post() {
    curl -s -o "$DIR/answer" -w '%{http_code}' -H 'Expect:' \
        -F "key=$1" -F "OSSAccessKeyId=$AK" -F "policy=$POLICY" \
        -F "Signature=$SIG" -F "x-oss-security-token=$TOKEN" \
        -F "success_action_status=201" \
        -F "file=@$2;type=application/octet-stream" \
        "http://127.0.0.1:$PORT/demo-bucket/"
}

status_kib() {
    awk -v f="$1:" '$1 == f { print $2 }' "/proc/$WORKER/status"
}

stop() {
    [ -s "$DIR/logs/nginx.pid" ] && kill "$(cat "$DIR/logs/nginx.pid")" \
        2>/dev/null || true
}
trap stop EXIT

"$NGINX" -p "$DIR" -c "$DIR/nginx.conf"
i=0
while [ ! -s "$DIR/logs/nginx.pid" ] && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
done
MASTER=$(cat "$DIR/logs/nginx.pid")
sleep 0.5
WORKER=$(pgrep -P "$MASTER")

head -c 4096 /dev/urandom > "$DIR/small.bin"
truncate -s "${MIB}M" "$DIR/big.bin"       # sparse: no disk for the source

st=$(post warm/small.bin "$DIR/small.bin")
[ "$st" = 201 ] || { echo "warm-up form: $st $(cat "$DIR/answer")"; exit 1; }
rss0=$(status_kib VmRSS)
hwm0=$(status_kib VmHWM)

start=$(date +%s.%N)
st=$(post big/big.bin "$DIR/big.bin")
end=$(date +%s.%N)
[ "$st" = 201 ] || { echo "big form: $st $(cat "$DIR/answer")"; exit 1; }
rss1=$(status_kib VmRSS)
hwm1=$(status_kib VmHWM)

want=$((MIB * 1024 * 1024))
grep -q "^PUT /demo-bucket/big/big.bin 200 $want\$" "$DIR/logs/store.log" \
    || { echo "the store did not get a PUT of $want bytes:"; \
         cat "$DIR/logs/store.log"; exit 1; }

printf '%s MiB PostObject through the gateway (sts_backend s3), %s s\n' \
    "$MIB" "$(echo "$end - $start" | bc)"
printf '%-34s %10s %10s\n' "worker" "VmRSS KiB" "VmHWM KiB"
printf '%-34s %10s %10s\n' "after a 4 KiB form (warm)" "$rss0" "$hwm0"
printf '%-34s %10s %10s\n' "after the ${MIB} MiB form" "$rss1" "$hwm1"
printf 'growth: VmRSS %s KiB, peak %s KiB\n' "$((rss1 - rss0))" \
    "$((hwm1 - hwm0))"
