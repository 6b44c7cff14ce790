#!/bin/sh
# tools/soak.sh [SECONDS]: load and faults, bounded, on loopback only.
#
# A gateway (Debian's nginx with the module from $BUILD, 2 workers, the
# token cache on) in front of a real store (a second nginx whose WebDAV
# location keeps the objects in files) takes wrk traffic for SECONDS
# (default 60, 10..1800) from SOAK_CONNECTIONS connections (default 16):
#
#   45%  PUT of a new object, with valid STS credentials
#   35%  GET of an object written before, its body checked byte for byte
#    5%  an expired token          (must get 403 SecurityTokenExpired)
#    5%  a tampered token          (must get 403 InvalidSecurityToken)
#    5%  a path the policy denies  (must get 403 AccessDenied)
#    5%  a wrong signature         (must get 403 SignatureDoesNotMatch)
#
# while, at fixed points of the run, a new issuing key is prepended to
# the keyring and the gateway reloaded (twice), and the store is killed
# (SIGKILL) and restarted (twice).  From 65% of the run on nothing is
# changed, and the gateway workers' RSS is compared over that window.
# Every request is signed in wrk's Lua (OSS V1: HMAC-SHA1, written from
# FIPS 180-4 and RFC 2104 below) with the current Date.
#
# Then every object whose PUT was answered 2xx is read back through the
# gateway and compared, and so is every file at the store; then the
# first key is dropped from the keyring, the gateway reloaded, and a
# token it sealed must be refused.
#
# Printed: requests served, answers by class and status, unexpected
# answers, allowed answers that must not be, worker crashes ("exited on
# signal" in the error log), [alert] lines, worker RSS over the steady
# window, objects written / read back intact.  Exit 0 only if there is
# no unexpected answer, no allow of a refused class, no crash, no RSS
# growth over SOAK_RSS_MAX_KB (default 2048) per worker, and every
# object read back intact.
#
#   BUILD=build sh tools/soak.sh 60
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build}
NGINX=${NGINX:-/usr/sbin/nginx}
STSCTL=$ROOT/$BUILD/stsctl
MODULE=$ROOT/$BUILD/ngx_http_sts_module.so
SECS=${1:-${SOAK_SECONDS:-60}}
CONNS=${SOAK_CONNECTIONS:-16}
THREADS=${SOAK_THREADS:-2}
RSS_MAX=${SOAK_RSS_MAX_KB:-2048}
W=$ROOT/$BUILD/soak

case $SECS in
    ''|*[!0-9]*) echo "usage: tools/soak.sh [SECONDS]" >&2; exit 2 ;;
esac
if [ "$SECS" -lt 10 ] || [ "$SECS" -gt 1800 ]; then
    echo "soak: SECONDS must be 10..1800" >&2
    exit 2
fi

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
[ -x "$STSCTL" ] && [ -f "$MODULE" ] || { echo "build first: make BUILD=$BUILD"; exit 1; }

free_port() {
    perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
                                      LocalPort => 0, ReuseAddr => 1) or die;
        print $s->sockport, "\n"'
}

GP=$(free_port)
SP=$(free_port)
while [ "$SP" = "$GP" ]; do SP=$(free_port); done

rm -rf "$W"
mkdir -p "$W/gw/logs" "$W/gw/tmp" "$W/store/logs" "$W/store/tmp" \
         "$W/store/data/demo-bucket"

USER_LINE=
[ "$(id -u)" = 0 ] && USER_LINE="user root;"

# ---------------------------------------------------------------------
# the store: plain nginx, WebDAV PUT into files

cat > "$W/store/nginx.conf" <<CONF
$USER_LINE
worker_processes 1;
daemon on;
pid $W/store/logs/nginx.pid;
error_log $W/store/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $W/store/tmp;
    server {
        listen 127.0.0.1:$SP;
        root $W/store/data;
        client_max_body_size 10m;
        location / {
            dav_methods PUT DELETE;
            create_full_put_path on;
        }
    }
}
CONF

# ---------------------------------------------------------------------
# the gateway

(umask 077; "$STSCTL" keygen --kid soak0 > "$W/keys.0")
cp "$W/keys.0" "$W/keys"
chmod 600 "$W/keys"

cat > "$W/policy.json" <<'JSON'
{
  "Version": "1",
  "Statement": [
    { "Effect": "Allow", "Action": ["oss:GetObject", "oss:PutObject"],
      "Resource": "acs:oss:*:*:demo-bucket/soak/*" },
    { "Effect": "Deny", "Action": "oss:*",
      "Resource": "acs:oss:*:*:demo-bucket/secret/*" }
  ]
}
JSON

cat > "$W/gw/nginx.conf" <<CONF
load_module $MODULE;
$USER_LINE
worker_processes 2;
daemon on;
pid $W/gw/logs/nginx.pid;
error_log $W/gw/logs/error.log notice;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $W/gw/tmp;
    proxy_temp_path $W/gw/tmp;
    sts_keys $W/keys;

    upstream store {
        server 127.0.0.1:$SP max_fails=0;
        keepalive 32;
    }

    server {
        listen 127.0.0.1:$GP;
        error_page 400 404 405 408 413 414 494 500 502 503 504 /_oss_error;

        location / {
            sts_auth on;
            client_max_body_size 1m;
            add_header X-Soak-Tag \$http_x_soak_tag always;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_connect_timeout 1s;
            proxy_next_upstream off;
            proxy_pass http://store\$sts_backend_uri;
        }

        location = /_oss_error {
            internal;
            add_header X-Soak-Tag \$http_x_soak_tag always;
            sts_error_document;
        }
    }
}
CONF

ROLE=acs:ram::1234567890123456:role/soak
NOW=$(date +%s)
DURATION=$((SECS + 1800))
[ $DURATION -gt 43200 ] && DURATION=43200
"$STSCTL" issue --keys "$W/keys" --role-arn $ROLE --session-name soak \
    --role-policy "$W/policy.json" --duration $DURATION > "$W/valid.json"
"$STSCTL" issue --keys "$W/keys" --role-arn $ROLE --session-name expired \
    --role-policy "$W/policy.json" --duration 900 \
    --issued-at $((NOW - 7200)) > "$W/expired.json"

# credentials for the Lua script, the tampered token one character off
perl -e '
    sub field { my ($f, $n) = @_; open my $h, "<", $f or die "$f: $!\n";
                local $/; my $j = <$h>; $j =~ /"$n": "([^"]+)"/ or die;
                return $1 }
    my ($v, $e) = @ARGV;
    my %c = (valid => $v, expired => $e);
    print "return {\n";
    for my $k (sort keys %c) {
        printf "  %s = { id = \"%s\", secret = \"%s\", token = \"%s\" },\n",
            $k, field($c{$k}, "AccessKeyId"), field($c{$k}, "AccessKeySecret"),
            field($c{$k}, "SecurityToken");
    }
    my $t = field($v, "SecurityToken");
    my $i = int(length($t) / 2);
    substr($t, $i, 1) = substr($t, $i, 1) eq "A" ? "Q" : "A";
    printf "  tampered = { id = \"%s\", secret = \"%s\", token = \"%s\" },\n",
        field($v, "AccessKeyId"), field($v, "AccessKeySecret"), $t;
    print "}\n";
' "$W/valid.json" "$W/expired.json" > "$W/creds.lua"
chmod 600 "$W/creds.lua"

# ---------------------------------------------------------------------
# the wrk script

cat > "$W/soak.lua" <<'LUA'
-- SHA-1 (FIPS 180-4) and HMAC (RFC 2104) on LuaJIT's bit operations,
-- for the OSS V1 signature: base64(HMAC-SHA1(secret, StringToSign)).
local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local lshift, rshift, rol, tobit = bit.lshift, bit.rshift, bit.rol, bit.tobit
local byte, char, rep = string.byte, string.char, string.rep

local function be32(s, i)
    local a, b, c, d = byte(s, i, i + 3)
    return bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
end

local function bytes32(h)
    return char(band(rshift(h, 24), 255), band(rshift(h, 16), 255),
                band(rshift(h, 8), 255), band(h, 255))
end

local w = {}

local function sha1(m)
    local n = #m
    m = m .. "\128" .. rep("\0", (55 - n) % 64) .. "\0\0\0\0"
          .. bytes32(tobit(n * 8))
    local h0, h1 = tobit(0x67452301), tobit(0xEFCDAB89)
    local h2, h3, h4 = tobit(0x98BADCFE), tobit(0x10325476), tobit(0xC3D2E1F0)
    for blk = 1, #m, 64 do
        for i = 0, 15 do w[i] = be32(m, blk + 4 * i) end
        for i = 16, 79 do
            w[i] = rol(bxor(w[i - 3], w[i - 8], w[i - 14], w[i - 16]), 1)
        end
        local a, b, c, d, e = h0, h1, h2, h3, h4
        for i = 0, 79 do
            local f, k
            if i < 20 then
                f, k = bor(band(b, c), band(bnot(b), d)), 0x5A827999
            elseif i < 40 then
                f, k = bxor(b, c, d), 0x6ED9EBA1
            elseif i < 60 then
                f, k = bor(band(b, c), band(b, d), band(c, d)), 0x8F1BBCDC
            else
                f, k = bxor(b, c, d), 0xCA62C1D6
            end
            local t = tobit(rol(a, 5) + f + e + k + w[i])
            e, d, c, b, a = d, c, rol(b, 30), a, t
        end
        h0, h1, h2 = tobit(h0 + a), tobit(h1 + b), tobit(h2 + c)
        h3, h4 = tobit(h3 + d), tobit(h4 + e)
    end
    return bytes32(h0) .. bytes32(h1) .. bytes32(h2) .. bytes32(h3)
           .. bytes32(h4)
end

local pads = {}

local function hmac_sha1(key, msg)
    local p = pads[key]
    if p == nil then
        local k = #key > 64 and sha1(key) or key
        k = k .. rep("\0", 64 - #k)
        local ip, op = {}, {}
        for i = 1, 64 do
            ip[i] = char(bxor(byte(k, i), 0x36))
            op[i] = char(bxor(byte(k, i), 0x5c))
        end
        p = { table.concat(ip), table.concat(op) }
        pads[key] = p
    end
    return sha1(p[2] .. sha1(p[1] .. msg))
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(s)
    local out = {}
    for i = 1, #s, 3 do
        local a, b, c = byte(s, i, i + 2)
        local n = a * 65536 + (b or 0) * 256 + (c or 0)
        local q = { rshift(n, 18), band(rshift(n, 12), 63),
                    band(rshift(n, 6), 63), band(n, 63) }
        out[#out + 1] = B64:sub(q[1] + 1, q[1] + 1) .. B64:sub(q[2] + 1, q[2] + 1)
            .. (b and B64:sub(q[3] + 1, q[3] + 1) or "=")
            .. (c and B64:sub(q[4] + 1, q[4] + 1) or "=")
    end
    return table.concat(out)
end

-- the body of an object is a function of its key (the read-back check
-- in tools/soak.sh computes the same)
local function body_for(key)
    local n = 0
    for i = 1, #key do n = (n * 31 + byte(key, i)) % 1000003 end
    local len = 200 + n % 3800
    local unit = key .. "|"
    return rep(unit, math.ceil(len / #unit)):sub(1, len)
end

local C = dofile(os.getenv("SOAK_DIR") .. "/creds.lua")
local wrong = { id = C.valid.id, secret = "not-the-secret-0000000000000000000",
                token = C.valid.token }

-- tid is set per thread by setup(); the tables are read back in done()
tid = 0
written, counts, anomalies = {}, {}, {}
local counter = 0

local function signed(method, path, cred, body, tag)
    local date = os.date("!%a, %d %b %Y %H:%M:%S GMT")
    local sts = method .. "\n\n\n" .. date .. "\nx-oss-security-token:"
                .. cred.token .. "\n" .. path
    local headers = {
        ["Date"] = date,
        ["x-oss-security-token"] = cred.token,
        ["Authorization"] = "OSS " .. cred.id .. ":"
                            .. base64(hmac_sha1(cred.secret, sts)),
        ["X-Soak-Tag"] = tag,
    }
    return wrk.format(method, path, headers, body)
end

function setup(thread)
    thread:set("tid", #threads + 1)
    threads[#threads + 1] = thread
end

threads = {}

function init(args)
    math.randomseed(tid * 7919 + os.time())
end

function request()
    counter = counter + 1
    local r = math.random(100)
    if r > 45 and r <= 80 and #written > 0 then
        local key = written[math.random(#written)]
        return signed("GET", "/demo-bucket/" .. key, C.valid, nil,
                      "get:" .. key)
    elseif r <= 80 then
        local key = string.format("soak/%d-%d", tid, counter)
        return signed("PUT", "/demo-bucket/" .. key, C.valid, body_for(key),
                      "put:" .. key)
    elseif r <= 85 then
        return signed("GET", "/demo-bucket/soak/x", C.expired, nil,
                      "expired:soak/x")
    elseif r <= 90 then
        return signed("GET", "/demo-bucket/soak/x", C.tampered, nil,
                      "tampered:soak/x")
    elseif r <= 95 then
        return signed("GET", "/demo-bucket/secret/x", C.valid, nil,
                      "denied:secret/x")
    end
    return signed("GET", "/demo-bucket/soak/x", wrong, nil, "badsig:soak/x")
end

local expect_code = {
    expired = "SecurityTokenExpired", tampered = "InvalidSecurityToken",
    denied = "AccessDenied", badsig = "SignatureDoesNotMatch",
}

local function count(k)
    counts[k] = (counts[k] or 0) + 1
end

function response(status, headers, body)
    local tag = headers["X-Soak-Tag"] or headers["x-soak-tag"] or ""
    local class, key = tag:match("^(%a+):(.*)$")
    local code = body and body:match("<Code>([%w.]+)</Code>") or ""
    class = class or "untagged"

    if status == 502 or status == 503 or status == 504 then
        -- the store down: the gateway answers for it
        if code == "InternalError" or code == "ServiceUnavailable" then
            count(class .. " " .. status .. " " .. code .. " (store down)")
        else
            count(class .. " " .. status .. " " .. code .. " UNEXPECTED")
            anomalies[#anomalies + 1] = tag .. " " .. status
        end
        return
    end

    if class == "put" then
        if status == 201 or status == 204 then
            written[#written + 1] = key
            count("put " .. status)
            return
        end
    elseif class == "get" then
        if status == 200 then
            if body == body_for(key) then
                count("get 200 (body intact)")
            else
                count("get 200 BODY DIFFERS")
                anomalies[#anomalies + 1] = tag .. " body differs"
            end
            return
        end
    elseif expect_code[class] then
        if status >= 200 and status < 300 then
            count(class .. " " .. status .. " ALLOWED")
            anomalies[#anomalies + 1] = tag .. " allowed"
            return
        end
        if status == 403 and code == expect_code[class] then
            count(class .. " 403 " .. code)
            return
        end
    end

    count(class .. " " .. status .. " " .. code .. " UNEXPECTED")
    anomalies[#anomalies + 1] = tag .. " " .. status .. " " .. code
end

function done(summary, latency, requests)
    local total, all, keys, bad = {}, {}, 0, {}
    local out = io.open(os.getenv("SOAK_DIR") .. "/written.txt", "w")
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get("counts")) do
            total[k] = (total[k] or 0) + v
        end
        for _, key in ipairs(t:get("written")) do
            out:write(key, "\n")
            keys = keys + 1
        end
        for _, a in ipairs(t:get("anomalies")) do bad[#bad + 1] = a end
    end
    out:close()
    for k in pairs(total) do all[#all + 1] = k end
    table.sort(all)
    local e = summary.errors
    io.write(string.format("requests served: %d in %.1f s (%.0f/s); "
        .. "socket errors: connect %d, read %d, write %d, timeout %d\n",
        summary.requests, summary.duration / 1e6,
        summary.requests / (summary.duration / 1e6),
        e.connect, e.read, e.write, e.timeout))
    io.write(string.format("latency: mean %.2f ms, p99 %.2f ms, max %.2f ms\n",
        latency.mean / 1000, latency:percentile(99) / 1000,
        latency.max / 1000))
    io.write("answers by class:\n")
    for _, k in ipairs(all) do
        io.write(string.format("  %-48s %d\n", k, total[k]))
    end
    io.write(string.format("unexpected answers: %d\n", #bad))
    for i = 1, math.min(#bad, 20) do io.write("  ", bad[i], "\n") end
    io.write(string.format("objects written (PUT answered 2xx): %d\n", keys))
end
LUA

# ---------------------------------------------------------------------
# run

GW_PID=
STORE_PID=
cleanup() {
    for f in "$W/gw/logs/nginx.pid" "$W/store/logs/nginx.pid"; do
        [ -f "$f" ] && kill -QUIT "$(cat "$f")" 2>/dev/null || true
    done
}
trap cleanup EXIT INT TERM

start_store() {
    "$NGINX" -p "$W/store/" -c "$W/store/nginx.conf" -e "$W/store/logs/error.log"
}

kill_store() {
    # the store's master and its worker, by pid: a crash, not a shutdown
    m=$(cat "$W/store/logs/nginx.pid")
    kids=$(ps -o pid= --ppid "$m" || true)
    kill -KILL "$m" $kids 2>/dev/null || true
    rm -f "$W/store/logs/nginx.pid"
}

gw_workers() {
    ps -o pid=,rss= --ppid "$(cat "$W/gw/logs/nginx.pid")" 2>/dev/null || true
}

reload_gw() {
    kill -HUP "$(cat "$W/gw/logs/nginx.pid")"
}

rotate() {
    # a new issuing key first; the old ones keep verifying
    n=$1
    (umask 077; "$STSCTL" keygen --kid "soak$n" > "$W/keys.new")
    cat "$W/keys" >> "$W/keys.new"
    mv "$W/keys.new" "$W/keys"
    reload_gw
    echo "  $(elapsed)s keyring rotated (issuing key soak$n, $(wc -l < "$W/keys") keys), gateway reloaded"
}

START=$(date +%s)
elapsed() { echo $(( $(date +%s) - START )); }

start_store
"$NGINX" -t -q -p "$W/gw/" -c "$W/gw/nginx.conf" -e "$W/gw/logs/error.log"
"$NGINX" -p "$W/gw/" -c "$W/gw/nginx.conf" -e "$W/gw/logs/error.log"
sleep 0.5

echo "soak: $SECS s, wrk $THREADS threads / $CONNS connections;" \
     "gateway 127.0.0.1:$GP (2 workers, $(basename "$NGINX") + module)," \
     "store 127.0.0.1:$SP (nginx WebDAV)"

START=$(date +%s)
SOAK_DIR=$W wrk -t "$THREADS" -c "$CONNS" -d "${SECS}s" --timeout 5s \
    -s "$W/soak.lua" "http://127.0.0.1:$GP/" > "$W/wrk.out" 2>&1 &
WRK=$!

# the fault schedule, in seconds from the start
at() { t=$1; while [ "$(elapsed)" -lt "$t" ]; do sample; sleep 1; done; }
sample() { gw_workers | sed "s/^/$(elapsed) /" >> "$W/rss.txt"; }

echo "events:"
at $((SECS * 15 / 100)); rotate 1
at $((SECS * 25 / 100)); kill_store; echo "  $(elapsed)s store killed (SIGKILL)"
at $((SECS * 32 / 100)); start_store; echo "  $(elapsed)s store restarted"
at $((SECS * 42 / 100)); rotate 2
at $((SECS * 50 / 100)); kill_store; echo "  $(elapsed)s store killed (SIGKILL)"
at $((SECS * 55 / 100)); start_store; echo "  $(elapsed)s store restarted"
STEADY=$((SECS * 65 / 100))
at "$STEADY"
echo "  $(elapsed)s steady from here: RSS window starts"
while kill -0 $WRK 2>/dev/null; do sample; sleep 1; done
wait $WRK || { cat "$W/wrk.out"; echo "soak: wrk failed"; exit 1; }

sed -n '/^requests served/,$p' "$W/wrk.out"

# ---------------------------------------------------------------------
# the checks

fail=0

crashes=$(grep -c 'exited on signal' "$W/gw/logs/error.log" || true)
alerts=$(grep -c '\[alert\]' "$W/gw/logs/error.log" || true)
emerg=$(grep -c '\[emerg\]' "$W/gw/logs/error.log" || true)
echo "worker crashes (\"exited on signal\"): $crashes; [alert]: $alerts; [emerg]: $emerg"
[ "$crashes" = 0 ] && [ "$alerts" = 0 ] && [ "$emerg" = 0 ] || fail=1

unexpected=$(sed -n 's/^unexpected answers: //p' "$W/wrk.out")
[ "$unexpected" = 0 ] || fail=1

# RSS of the workers alive through the steady window: first and last
# sample of each pid at or after $STEADY
rss=$(awk -v from="$STEADY" -v max="$RSS_MAX" '
    $1 >= from { if (!($2 in first)) first[$2] = $3; last[$2] = $3;
                 if ($1 > lastt[$2]) lastt[$2] = $1; if (!($2 in ft)) ft[$2] = $1 }
    END {
        bad = 0
        for (p in first) {
            if (lastt[p] - ft[p] < 3) continue
            d = last[p] - first[p]
            printf "  worker %s: %d KiB at %ds -> %d KiB at %ds (%+d KiB)\n",
                   p, first[p], ft[p], last[p], lastt[p], d
            if (d > max) bad = 1
        }
        exit bad
    }' "$W/rss.txt") || fail=1
echo "worker RSS over the steady window (limit +$RSS_MAX KiB):"
echo "$rss"

# every object written, read back through the gateway, and every file
# at the store, compared with what was sent
perl -MHTTP::Tiny -MDigest::SHA=hmac_sha1 -MMIME::Base64 -MPOSIX=strftime -e '
    my ($dir, $port) = @ARGV;
    open my $c, "<", "$dir/valid.json" or die;
    local $/; my $j = <$c>; close $c;
    my ($id) = $j =~ /"AccessKeyId": "([^"]+)"/;
    my ($secret) = $j =~ /"AccessKeySecret": "([^"]+)"/;
    my ($tok) = $j =~ /"SecurityToken": "([^"]+)"/;
    sub body_for {
        my ($key) = @_;
        my $n = 0;
        $n = ($n * 31 + ord $_) % 1000003 for split //, $key;
        my $len = 200 + $n % 3800;
        my $unit = "$key|";
        return substr($unit x (int($len / length $unit) + 1), 0, $len);
    }
    open my $w, "<", "$dir/written.txt" or die;
    my %written = map { chomp; ($_ => 1) } split /\n/, <$w> // "";
    my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 10);
    my ($ok, $bad, $missing) = (0, 0, 0);
    for my $key (sort keys %written) {
        my $path = "/demo-bucket/$key";
        my $date = strftime("%a, %d %b %Y %H:%M:%S GMT", gmtime);
        my $sts = "GET\n\n\n$date\nx-oss-security-token:$tok\n$path";
        my $sig = encode_base64(hmac_sha1($sts, $secret), "");
        my $r = $http->get("http://127.0.0.1:$port$path", { headers => {
            Date => $date, "x-oss-security-token" => $tok,
            Authorization => "OSS $id:$sig" } });
        if ($r->{status} == 200 && $r->{content} eq body_for($key)) {
            $ok++;
        } elsif ($r->{status} == 404) {
            $missing++;
        } else {
            $bad++;
            print "  $key: $r->{status}\n" if $bad <= 10;
        }
    }
    my ($files, $intact) = (0, 0);
    for my $f (glob "$dir/store/data/demo-bucket/soak/*") {
        $files++;
        (my $key = $f) =~ s{^.*/demo-bucket/}{};
        open my $fh, "<", $f or next;
        binmode $fh;
        my $data = <$fh> // "";
        $intact++ if $data eq body_for($key);
    }
    printf "objects written: %d; read back intact through the gateway: %d; "
         . "differing: %d; missing: %d\n", scalar keys %written, $ok, $bad,
           $missing;
    printf "files at the store: %d, intact: %d\n", $files, $intact;
    exit(($bad || $missing || $files != $intact || !$ok) ? 1 : 0);
' "$W" "$GP" || fail=1

# the first key dropped: its tokens are refused from the reload on
head -n -1 "$W/keys" > "$W/keys.new"
mv "$W/keys.new" "$W/keys"
chmod 600 "$W/keys"
reload_gw
sleep 1
code=$(perl -MHTTP::Tiny -MDigest::SHA=hmac_sha1 -MMIME::Base64 -MPOSIX=strftime -e '
    my ($dir, $port) = @ARGV;
    open my $c, "<", "$dir/valid.json" or die; local $/; my $j = <$c>;
    my ($id) = $j =~ /"AccessKeyId": "([^"]+)"/;
    my ($secret) = $j =~ /"AccessKeySecret": "([^"]+)"/;
    my ($tok) = $j =~ /"SecurityToken": "([^"]+)"/;
    my $path = "/demo-bucket/soak/x";
    my $date = strftime("%a, %d %b %Y %H:%M:%S GMT", gmtime);
    my $sig = encode_base64(hmac_sha1("GET\n\n\n$date\nx-oss-security-token:$tok\n$path", $secret), "");
    my $r = HTTP::Tiny->new->get("http://127.0.0.1:$port$path", { headers => {
        Date => $date, "x-oss-security-token" => $tok,
        Authorization => "OSS $id:$sig" } });
    my ($code) = $r->{content} =~ m{<Code>([^<]+)</Code>};
    print "$r->{status} ", $code // "", "\n";
' "$W" "$GP")
echo "first key dropped, gateway reloaded: a token it sealed gets $code"
[ "$code" = "403 InvalidSecurityToken" ] || fail=1

crashes=$(grep -c 'exited on signal' "$W/gw/logs/error.log" || true)
[ "$crashes" = 0 ] || fail=1

if [ $fail = 0 ]; then
    echo "RESULT: PASS"
else
    echo "RESULT: FAIL (logs in $W)"
fi
exit $fail
