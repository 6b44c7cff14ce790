#!/bin/sh
# Starts Debian's nginx with the module for the end-to-end tests, in a
# scratch directory:
#
#   start-nginx.sh start DIR HTTP_PORT HTTPS_PORT GATEWAY_PORT STORE_PORT
#   start-nginx.sh reload DIR
#   start-nginx.sh stop DIR
#
#   HTTP_PORT     the STS endpoint over plain HTTP (pop-core, OSS.STS, stsctl)
#   HTTPS_PORT    the STS endpoint over HTTPS with a throw-away self-signed
#                 certificate made here (@alicloud/sts-sdk insists on HTTPS)
#   GATEWAY_PORT  the OSS gateway: sts_auth on, bucket sample-bucket
#   STORE_PORT    the store behind it: files under DIR/store
#
# The gateway writes the audit log of conf/audit-log.conf to
# DIR/logs/audit.log.  DIR/directory.json is the RAM directory
# (conf/directory.example.json unless DIR already has one); DIR/keys the
# keyring.  Environment:
# STS_MODULE, STS_STSCTL (default: build/ of the repository), NGINX.
set -eu

cmd=$1
dir=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
NGINX=${NGINX:-/usr/sbin/nginx}
STS_MODULE=${STS_MODULE:-$root/build/ngx_http_sts_module.so}
STS_STSCTL=${STS_STSCTL:-$root/build/stsctl}

case $cmd in
stop)
    if [ -f "$dir/logs/nginx.pid" ]; then
        kill "$(cat "$dir/logs/nginx.pid")" 2>/dev/null || true
        i=0
        while [ -f "$dir/logs/nginx.pid" ] && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
    fi
    exit 0
    ;;
reload)
    exec "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" \
        -s reload
    ;;
start)
    ;;
*)
    echo "usage: $0 start|reload|stop DIR ..." >&2
    exit 2
    ;;
esac

http_port=$3
https_port=$4
gateway_port=$5
store_port=$6

mkdir -p "$dir/logs" "$dir/tmp" "$dir/store/sample-bucket/2015/01/01"

if [ ! -f "$dir/keys" ]; then
    (umask 077; "$STS_STSCTL" keygen --kid e2e > "$dir/keys")
fi

if [ ! -f "$dir/directory.json" ]; then
    cp "$root/conf/directory.example.json" "$dir/directory.json"
fi
chmod 600 "$dir/keys" "$dir/directory.json"

# a throw-away certificate for 127.0.0.1, valid for a day
if [ ! -f "$dir/cert.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
        -keyout "$dir/cert.key" -out "$dir/cert.pem" 2>/dev/null
fi

printf 'a jpg, in truth\n' > "$dir/store/sample-bucket/2015/01/01/grass.jpg"
printf 'not a jpg\n' > "$dir/store/sample-bucket/2015/01/01/notes.txt"
mkdir -p "$dir/store/sample-bucket/once"
printf 'read me once\n' > "$dir/store/sample-bucket/once/secret.txt"

# as root, workers run as nobody: let them read the store
user=
if [ "$(id -u)" = 0 ]; then
    user="user root;"
fi

cat > "$dir/nginx.conf" <<EOF
load_module $STS_MODULE;
$user
daemon on;
master_process on;
worker_processes 2;
error_log $dir/logs/error.log info;
pid $dir/logs/nginx.pid;

events {
    worker_connections 128;
}

http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;

    sts_keys $dir/keys;
    sts_directory $dir/directory.json;
    sts_presign_uses_zone 1m;
    include $root/conf/audit-log.conf;
    limit_req_zone \$binary_remote_addr zone=e2e_ip:1m rate=1r/m;

    # the STS endpoint, plain HTTP and HTTPS
    server {
        listen 127.0.0.1:$http_port;
        listen 127.0.0.1:$https_port ssl;
        ssl_certificate $dir/cert.pem;
        ssl_certificate_key $dir/cert.key;

        location = / {
            sts_endpoint;
        }

        # issuance limits, each location for its own test only: per
        # AccessKey, and per client address with limit_req
        location = /limited/ {
            sts_assume_role_limit zone=e2e_keys:1m key=access_key
                                  rate=1r/m burst=1;
            sts_endpoint;
        }

        location = /limited-ip/ {
            limit_req zone=e2e_ip burst=1 nodelay;
            limit_req_status 429;
            error_page 429 @sts_error;
            sts_endpoint;
        }

        location @sts_error {
            sts_endpoint_error;
        }
    }

    # the OSS gateway, in front of the store
    server {
        listen 127.0.0.1:$gateway_port;

        location / {
            sts_auth on;
            sts_addressing bucket sample-bucket;
            sts_account 11223344;
            access_log $dir/logs/audit.log sts_audit;
            proxy_pass http://127.0.0.1:$store_port/sample-bucket\$uri;
        }

        # single-use presigned URLs (uses.test.js)
        location /once/ {
            sts_auth on;
            sts_addressing bucket sample-bucket;
            sts_account 11223344;
            sts_presign_max_uses 1;
            proxy_pass http://127.0.0.1:$store_port/sample-bucket\$uri;
        }
    }

    server {
        listen 127.0.0.1:$store_port;
        root $dir/store;
    }
}
EOF

"$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"

i=0
while [ ! -s "$dir/logs/nginx.pid" ] && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done

[ -s "$dir/logs/nginx.pid" ] || { tail -5 "$dir/logs/error.log" >&2; exit 1; }
