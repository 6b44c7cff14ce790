#!/bin/sh
# make run / make stop: the embedded default, on 127.0.0.1 only.
#
#   sh tools/run.sh         start (again: what runs is restarted, data kept)
#   sh tools/run.sh stop    stop what it started, by pid
#
# What runs (conf/demo.conf.in):
#   s3rver              the object store, from npm (tools/demo), data under
#                       runtime/s3rver, bucket demo-bucket   127.0.0.1:8081
#   nginx + the module  the OSS gateway (sts_backend s3)     127.0.0.1:8080
#                       the STS endpoint, HTTP and HTTPS     :8083, :8443
#                       the browser example, /api/ proxied   :8082
#   the app server      examples/appserver (Node)            :8084
#
# Environment: BUILD (build directory, default build), STS_RUNTIME
# (default runtime/), STS_PORT, STS_STORE_PORT, STS_WEB_PORT,
# STS_ENDPOINT_PORT, STS_ENDPOINT_TLS_PORT, STS_APP_PORT, NGINX, and
# STS_NODE_MODULES: a node_modules folder that already holds s3rver,
# ali-oss and @alicloud/sts-sdk (the end-to-end suite's), instead of the
# ones installed here with npm.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
RUNTIME=${STS_RUNTIME:-$ROOT/runtime}
PORT=${STS_PORT:-8080}
STORE_PORT=${STS_STORE_PORT:-8081}
WEB_PORT=${STS_WEB_PORT:-8082}
EP_PORT=${STS_ENDPOINT_PORT:-8083}
EP_TLS_PORT=${STS_ENDPOINT_TLS_PORT:-8443}
APP_PORT=${STS_APP_PORT:-8084}
NGINX=${NGINX:-/usr/sbin/nginx}
STSCTL=$BUILD/stsctl
MODULE=$BUILD/ngx_http_sts_module.so
ACCOUNT=1234567890123456
ROLE_ARN=acs:ram::$ACCOUNT:role/demo-app

# stop_pid FILE [SIGNAL]: ends the process FILE names, if it still runs
stop_pid() {
    [ -f "$1" ] || return 0
    pid=$(cat "$1")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "-${2:-TERM}" "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
    fi
    rm -f "$1"
}

stop_all() {
    stop_pid "$RUNTIME/appserver.pid"
    stop_pid "$RUNTIME/logs/nginx.pid" QUIT
    stop_pid "$RUNTIME/s3rver.pid"
}

# wait_port PORT NAME LOG: until something answers HTTP on 127.0.0.1:PORT
wait_port() {
    i=0
    while ! curl -s -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then
            echo "$2 did not start on 127.0.0.1:$1; see $3" >&2
            tail -5 "$3" >&2 || true
            exit 1
        fi
        sleep 0.1
    done
}

# port_free PORT: nothing listens on 127.0.0.1:PORT yet
port_free() {
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null
    then
        echo "127.0.0.1:$1 is already in use; set STS_*PORT (tools/run.sh)" >&2
        exit 1
    fi
}

# npm_ready DIR: DIR's packages, installed from its lock file if missing
npm_ready() {
    if [ ! -d "$1/node_modules" ]; then
        echo "installing $(basename "$1")'s npm packages..."
        (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

if [ "${1:-}" = stop ]; then
    stop_all
    echo "stopped (data kept in $RUNTIME)"
    exit 0
fi

for f in "$MODULE" "$STSCTL"; do
    [ -e "$f" ] || { echo "$f is missing: run make first" >&2; exit 1; }
done

# node and npm run s3rver and the app server; openssl makes a certificate
missing=
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
command -v openssl >/dev/null || missing="$missing openssl"
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "missing Debian packages:$missing (apt-get install$missing)" >&2
        exit 1
    fi
    echo "installing:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends $missing
fi

stop_all

for p in "$PORT" "$STORE_PORT" "$WEB_PORT" "$EP_PORT" "$EP_TLS_PORT" \
         "$APP_PORT"; do
    port_free "$p"
done

if [ -n "${STS_NODE_MODULES:-}" ]; then
    MODULES=$STS_NODE_MODULES
    APP_NODE_PATH=$STS_NODE_MODULES
else
    npm_ready tools/demo
    npm_ready examples/appserver
    MODULES=$ROOT/tools/demo/node_modules
    APP_NODE_PATH=
fi

S3RVER=$MODULES/s3rver/bin/s3rver.js
OSS_SDK=$MODULES/ali-oss/dist/aliyun-oss-sdk.min.js

mkdir -p "$RUNTIME/logs" "$RUNTIME/tmp" "$RUNTIME/s3rver" "$RUNTIME/tls" \
         "$RUNTIME/www"
chmod 755 "$RUNTIME" "$RUNTIME/www"

# the keyring that seals the tokens
if [ ! -f "$RUNTIME/keys" ]; then
    (umask 077; "$STSCTL" keygen > "$RUNTIME/keys")
fi

# the RAM directory, with the app server's secret made here, once
if [ ! -f "$RUNTIME/appserver.json" ]; then
    secret=$(openssl rand -hex 20)
    (umask 077
     sed "s/@APPSERVER_SECRET@/$secret/" tools/demo/directory.json \
         > "$RUNTIME/directory.json"
     printf '{"AccessKeyId": "LTAI5tDemoAppServer01", "AccessKeySecret": "%s"}\n' \
         "$secret" > "$RUNTIME/appserver.json")
fi

# s3rver's one key, for the gateway's SigV4 signatures
(umask 077
 printf '{"AccessKeyId": "S3RVER", "AccessKeySecret": "S3RVER"}\n' \
     > "$RUNTIME/s3rver-credentials.json")

# a certificate for the STS endpoint over HTTPS (@alicloud/sts-sdk)
if [ ! -f "$RUNTIME/tls/sts.pem" ]; then
    (umask 077
     openssl req -x509 -newkey rsa:2048 -nodes -days 365 \
         -subj "/CN=nginx-sts demo STS endpoint" \
         -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
         -keyout "$RUNTIME/tls/sts.key" -out "$RUNTIME/tls/sts.pem" \
         2>/dev/null)
    chmod 644 "$RUNTIME/tls/sts.pem"
fi

# the browser example, next to ali-oss's browser build
cp examples/browser/index.html examples/browser/upload.js "$OSS_SDK" \
   "$RUNTIME/www/"
chmod 644 "$RUNTIME/www/"*

# without an STS endpoint in the module: credentials from stsctl alone
endpoint=yes
grep -qa 'sts_endpoint' "$MODULE" || endpoint=no

user=
[ "$(id -u)" = 0 ] && user="user root;"

# the audit log's format (logs/audit.log, for stsctl policy replay)
cp conf/audit-log.conf "$RUNTIME/audit-log.conf"

sed -e "s|@MODULE@|$MODULE|" -e "s|@USER@|$user|" \
    -e "s|@RUNTIME@|$RUNTIME|g" -e "s|@PORT@|$PORT|g" \
    -e "s|@STORE_PORT@|$STORE_PORT|g" -e "s|@WEB_PORT@|$WEB_PORT|g" \
    -e "s|@STS_PORT@|$EP_PORT|g" -e "s|@STS_TLS_PORT@|$EP_TLS_PORT|g" \
    -e "s|@APP_PORT@|$APP_PORT|g" conf/demo.conf.in > "$RUNTIME/nginx.conf"
if [ $endpoint = no ]; then
    sed -i '/# @ENDPOINT_BEGIN@/,/# @ENDPOINT_END@/d' "$RUNTIME/nginx.conf"
fi

# the store.  s3rver seals ListObjectsV2 continuation tokens with DES,
# which OpenSSL 3 keeps in its legacy provider: without it every truncated
# listing is a 500.  Node's bundled OpenSSL has the provider built in;
# Debian's nodejs loads libssl3's ossl-modules/legacy.so.
nohup node --openssl-legacy-provider "$S3RVER" -d "$RUNTIME/s3rver" -a 127.0.0.1 -p "$STORE_PORT" \
    --no-vhost-buckets --silent \
    --configure-bucket demo-bucket tools/demo/cors.xml \
    > "$RUNTIME/logs/s3rver.log" 2>&1 &
echo $! > "$RUNTIME/s3rver.pid"
wait_port "$STORE_PORT" s3rver "$RUNTIME/logs/s3rver.log"

# the gateway, the STS endpoint, the page
"$NGINX" -t -q -p "$RUNTIME" -c "$RUNTIME/nginx.conf" \
    -e "$RUNTIME/logs/error.log"
"$NGINX" -p "$RUNTIME" -c "$RUNTIME/nginx.conf" -e "$RUNTIME/logs/error.log"
wait_port "$PORT" nginx "$RUNTIME/logs/error.log"

# temporary credentials for the examples below, as an app would get them
if [ $endpoint = yes ]; then
    NODE_PATH=$APP_NODE_PATH NODE_EXTRA_CA_CERTS=$RUNTIME/tls/sts.pem \
    APPSERVER_CREDENTIALS=$RUNTIME/appserver.json \
    STS_ENDPOINT=127.0.0.1:$EP_TLS_PORT ROLE_ARN=$ROLE_ARN \
    BUCKET=demo-bucket GATEWAY=http://localhost:$PORT \
    HOST=127.0.0.1 PORT=$APP_PORT \
        nohup node examples/appserver/server.js \
        > "$RUNTIME/logs/appserver.log" 2>&1 &
    echo $! > "$RUNTIME/appserver.pid"
    wait_port "$APP_PORT" "the app server" "$RUNTIME/logs/appserver.log"

    (umask 077
     "$STSCTL" assume-role --endpoint "http://127.0.0.1:$EP_PORT/" \
         --credentials "$RUNTIME/appserver.json" --role-arn "$ROLE_ARN" \
         --session-name demo-user --duration 3600 \
         > "$RUNTIME/credentials.json")
else
    (umask 077
     "$STSCTL" issue --keys "$RUNTIME/keys" --role-arn "$ROLE_ARN" \
         --role-policy t/data/policies/read-write-bucket.json \
         --session-name demo-user --duration 3600 \
         > "$RUNTIME/credentials.json")
fi

# a first object, through the gateway like any other
if [ ! -e "$RUNTIME/s3rver/demo-bucket/hello.txt._S3rver_object" ]; then
    printf 'Hello from nginx-sts!\n' > "$RUNTIME/tmp/hello.txt"
    STS_RUNTIME=$RUNTIME STS_PORT=$PORT STSCTL=$STSCTL \
        sh tools/oss-curl PUT /demo-bucket/hello.txt -o /dev/null \
        --data-binary "@$RUNTIME/tmp/hello.txt"
fi

cat <<EOF
nginx-sts is running on 127.0.0.1 (logs: $RUNTIME/logs)
  OSS gateway     http://127.0.0.1:$PORT      -> s3rver http://127.0.0.1:$STORE_PORT
  s3rver data     $RUNTIME/s3rver/demo-bucket/
EOF

if [ $endpoint = yes ]; then
    cat <<EOF
  STS endpoint    http://127.0.0.1:$EP_PORT/  https://127.0.0.1:$EP_TLS_PORT/
                  app server key: $RUNTIME/appserver.json
  browser upload  http://127.0.0.1:$WEB_PORT/  (app server on :$APP_PORT)

Temporary credentials, from the STS endpoint (AssumeRole as the app server):

  $STSCTL assume-role --endpoint http://127.0.0.1:$EP_PORT/ \\
      --credentials $RUNTIME/appserver.json \\
      --role-arn $ROLE_ARN --session-name demo-user \\
      > $RUNTIME/credentials.json

or as a signed-in user of the app server gets them (folder users/alice/):

  curl 'http://127.0.0.1:$WEB_PORT/api/sts?user=alice'
EOF
else
    cat <<EOF

Temporary credentials (stsctl issue, an offline AssumeRole):
  $RUNTIME/credentials.json
EOF
fi

# a literal curl for the demo object, signed now with stsctl: good for
# sts_max_skew (15 minutes); change a byte of the token or the signature
# to see the gateway's OSS errors
echo
echo "Fetch the demo object (an OSS V1 signature made with stsctl, valid 15 minutes):"
echo
printf "  curl -i http://127.0.0.1:%s/demo-bucket/hello.txt" "$PORT"
"$STSCTL" sign --credentials "$RUNTIME/credentials.json" \
    --host "127.0.0.1:$PORT" GET /demo-bucket/hello.txt |
while IFS= read -r line; do
    printf " \\\\\n      -H '%s'" "$line"
done
echo

cat <<EOF

Upload and read back with curl (tools/oss-curl signs with those credentials):

  printf 'my first object\\n' > /tmp/note.txt
  tools/oss-curl PUT /demo-bucket/note.txt --data-binary @/tmp/note.txt
  tools/oss-curl GET /demo-bucket/note.txt
  ls $RUNTIME/s3rver/demo-bucket/

or with ali-oss (npm), unmodified:

  new OSS({ accessKeyId, accessKeySecret, stsToken, bucket: 'demo-bucket',
            endpoint: 'http://localhost:$PORT', sldEnable: true })

Stop with: make stop
EOF
