#!/bin/sh
# make run: the demo gateway on 127.0.0.1 with a local store behind it.
#   sh tools/run.sh         start (or restart) and print a curl example
#   sh tools/run.sh stop    stop it
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
RUNTIME=${STS_RUNTIME:-$ROOT/runtime}
PORT=${STS_PORT:-8080}
STORE_PORT=${STS_STORE_PORT:-8081}
NGINX=${NGINX:-/usr/sbin/nginx}
STSCTL=$ROOT/$BUILD/stsctl

if [ -f "$RUNTIME/logs/nginx.pid" ]; then
    kill "$(cat "$RUNTIME/logs/nginx.pid")" 2>/dev/null || true
    sleep 0.5
fi

[ "${1:-}" = stop ] && { echo "stopped"; exit 0; }

mkdir -p "$RUNTIME/logs" "$RUNTIME/tmp" "$RUNTIME/store/demo-bucket" \
         "$RUNTIME/policies"
chmod 755 "$RUNTIME" "$RUNTIME/store" "$RUNTIME/store/demo-bucket" \
          "$RUNTIME/tmp"
chmod 777 "$RUNTIME/store/demo-bucket"

if [ ! -f "$RUNTIME/keys" ]; then
    (umask 077; "$STSCTL" keygen > "$RUNTIME/keys")
fi

cp t/data/policies/read-write-bucket.json "$RUNTIME/policies/"

sed -e "s|@MODULE@|$ROOT/$BUILD/ngx_http_sts_module.so|" \
    -e "s|@RUNTIME@|$RUNTIME|g" -e "s|@PORT@|$PORT|" \
    -e "s|@STORE_PORT@|$STORE_PORT|g" conf/demo.conf.in \
    > "$RUNTIME/nginx.conf"

printf 'Hello from nginx-sts!\n' > "$RUNTIME/store/demo-bucket/hello.txt"
chmod 644 "$RUNTIME/store/demo-bucket/hello.txt"

"$NGINX" -t -q -p "$RUNTIME" -c "$RUNTIME/nginx.conf"
"$NGINX" -p "$RUNTIME" -c "$RUNTIME/nginx.conf"

(umask 077
 "$STSCTL" issue --keys "$RUNTIME/keys" \
     --role-arn acs:ram::1234567890123456:role/demo-app \
     --role-policy "$RUNTIME/policies/read-write-bucket.json" \
     --session-name demo-user --duration 3600 > "$RUNTIME/credentials.json")

echo "nginx-sts is running on http://127.0.0.1:$PORT (logs: $RUNTIME/logs)"
echo "temporary credentials: $RUNTIME/credentials.json (valid one hour)"
echo
echo "Fetch the demo object (this signature is good for 15 minutes):"
echo
printf "curl -i http://127.0.0.1:%s/demo-bucket/hello.txt" "$PORT"
"$STSCTL" sign --credentials "$RUNTIME/credentials.json" \
    --host "127.0.0.1:$PORT" GET /demo-bucket/hello.txt |
while IFS= read -r line; do
    printf " \\\\\n  -H '%s'" "$line"
done
echo
echo
echo "Sign any request afresh with tools/oss-curl, e.g.:"
echo "  tools/oss-curl GET /demo-bucket/hello.txt"
echo "  tools/oss-curl PUT /demo-bucket/notes.txt --data-binary @README.md"
echo
echo "Stop with: make stop"
