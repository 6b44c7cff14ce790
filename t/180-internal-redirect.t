# The gateway's per-request state survives nginx's internal redirects:
# when nginx answers an error itself (a streamed body cut at the
# policies' limit, a body over client_max_body_size) and error_page sends
# it to sts_error_document, or an allowed request goes on to a named
# location, the identity, the decision, the token's expiry and the
# request id are still known.  The access phase does not decide again in
# the new location, the metrics count the request once, and a presigned
# URL's use is counted once.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use IO::Socket::INET;
use JSON::PP;

repeat_each(1);
no_shuffle();
no_root_location();
check_accum_error_log();

# the session policy "upload-limit" caps uploads at 100 bytes
our $lim = sts_issue(role_policy => ['api'], session_policy => 'upload-limit',
                     session_name => 'capped');
our $rw = sts_issue(role_policy => ['api'], session_name => 'plain');

sub put {
    my ($c, $key, @args) = @_;
    return ::sts_sign($c, 'PUT', "/demo-bucket/$key", @args);
}

sub url { my $u = ::sts_sign(@_); chomp $u; $u }

# a chunked body of $n bytes, in chunks of $size
sub chunked {
    my ($n, $size) = @_;
    my $data = 'c' x $n;
    return join('', map { sprintf("%x\r\n%s\r\n", length, $_) }
                    unpack("(a$size)*", $data)) . "0\r\n\r\n";
}

# the audit log_format, as shipped in conf/
open my $fh, '<', "$ENV{TEST_NGINX_STS_DATA}/../../conf/audit-log.conf"
    or die "conf/audit-log.conf: $!";
our $AuditFormat = join '', grep { !/^\s*#/ } <$fh>;
close $fh;

our $HttpConfig = <<'_EOC_' . $AuditFormat;
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_presign_uses_zone 1m;

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        root $TEST_NGINX_SERVER_ROOT/html;
        client_max_body_size 10m;
        access_log off;

        location / {
            dav_methods PUT;
            create_full_put_path on;
        }
    }
_EOC_

# sts_auth for the whole server: the error location inherits it, so the
# access phase runs there again after the redirect
our $Config = <<'_EOC_';
    sts_auth on;
    sts_addressing path;
    access_log $TEST_NGINX_SERVER_ROOT/logs/audit.log sts_audit;

    location / {
        client_max_body_size 1k;
        proxy_http_version 1.1;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        proxy_intercept_errors on;
        error_page 400 403 413 500 502 /_oss_error;
        error_page 404 = @fallback;
    }

    location @fallback {
        add_header X-Kept "$sts_decision $sts_action $sts_session_name" always;
        rewrite ^ /fallback.txt break;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }

    location = /_oss_error {
        internal;
        sts_error_document;
    }

    location = /_audit {
        sts_auth off;
        access_log off;
        default_type text/plain;
        alias $TEST_NGINX_SERVER_ROOT/logs/audit.log;
    }

    location = /metrics {
        sts_auth off;
        access_log off;
        sts_status;
    }
_EOC_

# the same with sts_auth only where the store is: the error location
# runs no access phase of its own
our $LocConfig = $Config =~ s/^    sts_auth on;\n//mr
                         =~ s/(location \/ \{\n)/$1        sts_auth on;\n/r;

# the body streamed to the store as it arrives
our $Streaming = $Config =~ s/proxy_http_version 1.1;/proxy_http_version 1.1;
        proxy_request_buffering off;/r;

# single-use presigned URLs, sent on by error_page or rewrite
our $UsesConfig = <<'_EOC_';
    sts_auth on;
    sts_addressing path;
    sts_presign_max_uses 1;
    access_log $TEST_NGINX_SERVER_ROOT/logs/audit.log sts_audit;

    location / {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_missing$uri;
        proxy_intercept_errors on;
        error_page 404 = @fallback;
    }

    location /demo-bucket/uri/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_missing$uri;
        proxy_intercept_errors on;
        error_page 404 = /demo-bucket/fallback/$uri;
    }

    location /demo-bucket/fallback/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$uri;
    }

    location @fallback {
        rewrite ^ /_backend/named$uri break;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT;
    }

    location /demo-bucket/moved/ {
        rewrite ^/demo-bucket/moved/(.*)$ /demo-bucket/landed/$1 last;
    }

    location /demo-bucket/landed/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$uri;
    }

    location /_missing/ {
        sts_auth off;
        access_log off;
        return 404;
    }

    location /_backend/ {
        sts_auth off;
        access_log off;
        return 200 "backend: $uri\n";
    }

    location = /_audit {
        sts_auth off;
        access_log off;
        default_type text/plain;
        alias $TEST_NGINX_SERVER_ROOT/logs/audit.log;
    }

    location = /metrics {
        sts_auth off;
        access_log off;
        sts_status;
    }
_EOC_

# a DeleteMultipleObjects body over client_max_body_size (1k)
our $many = sts_delete_xml(map { "public/key-$_.txt" } 1 .. 60);

our $TooLarge = qr{^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error>\s*<Code>EntityTooLarge</Code>\s*<Message>[^<]+</Message>\s*<RequestId>[0-9A-F]{24}</RequestId>};
our $UsedUp = qr{<Code>AccessDenied</Code>\s*<Message>The presigned URL has already been used the maximum number of times\.</Message>};

# a body sent chunked, in chunks of $size
sub chunked_of {
    my ($data, $size) = @_;
    return join('', map { sprintf("%x\r\n%s\r\n", length, $_) }
                    unpack("(a$size)*", $data)) . "0\r\n\r\n";
}

# the audit log read back: one JSON object a line
sub audit {
    my ($body) = @_;
    return map { decode_json($_) } grep { length } split /\n/, $body;
}

# a raw request on its own connection: status, headers, body
sub raw {
    my ($req) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => server_port_for_client(),
                                  Timeout => 5)
        or die "connect: $!\n";
    print $s $req;
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($head, $body) = split /\r\n\r\n/, $resp, 2;
    my ($status) = ($head // '') =~ m{^HTTP/1\.\d (\d{3})};
    return ($status // 0, $head // '', $body // '');
}

# the x-oss-request-id of an error page is the one the audit line logs
our %after = (
    'the request id of the error page is the logged one' => sub {
        my $path = '/demo-bucket/rid.bin';
        my $h = ::put($::lim, 'rid.bin') . "Transfer-Encoding: chunked\n";
        $h .= "Host: localhost\n" unless $h =~ /^Host:/mi;
        $h =~ s/\r?\n/\r\n/g;
        my ($st, $head, $body) = raw("PUT $path HTTP/1.1\r\n"
                                     . "Connection: close\r\n$h\r\n"
                                     . ::chunked(150, 50));
        is($st, 400, 'rid: refused');
        like($body, $::TooLarge, 'rid: EntityTooLarge');
        my ($rid) = $head =~ /^x-oss-request-id: ([0-9A-F]{24})\r?$/mi;
        my ($doc) = $body =~ m{<RequestId>([0-9A-F]{24})</RequestId>};
        ok(defined $rid && defined $doc && $rid eq $doc,
           'rid: the header and the document agree');
        (undef, undef, $body) = raw("GET /_audit HTTP/1.0\r\n"
                                    . "Host: localhost\r\n\r\n");
        my @l = grep { $_->{object} eq 'rid.bin' } audit($body);
        is(scalar @l, 1, 'rid: one audit line for the upload');
        is($l[0]{oss_request_id}, $rid, 'rid: the audit line names it');
        is($l[0]{error_code}, 'EntityTooLarge', 'rid: and its code');
    },
);

add_response_body_check(sub {
    my ($block, $body, $i, $rep, $dry) = @_;
    return if $dry || $i != 0;
    for my $name (keys %after) {
        $after{$name}->() if index($block->name, $name) >= 0;
    }
});

# the %after steps: rid 6
sts_plan(extra => 6);
run_tests();

__DATA__

=== TEST 1: a chunked upload cut at the policies' limit: the state survives
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/cut.bin\n" . ::chunked(150, 50),
 "GET /_audit", "GET /metrics"]
--- more_headers eval
[::put($::lim, 'cut.bin') . "Transfer-Encoding: chunked", "", ""]
--- error_code eval
[400, 200, 200]
--- response_headers_like eval
["x-sts-token-expires-in: (?:3[0-5]\\d\\d|3600)\nx-oss-request-id: [0-9A-F]{24}",
 "", ""]
--- response_body_like eval
[$::TooLarge,
 qr/\A\{[^\n]*"status":400,"decision":"allow","error_code":"EntityTooLarge","auth_type":"v1","access_key_id":"\Q$::lim->{id}\E","role_arn":"[^"]+","session_name":"capped"[^\n]*"api":"PutObject","action":"oss:PutObject","resource":"acs:oss:\*:\*:demo-bucket\/cut\.bin"[^\n]*"oss_request_id":"[0-9A-F]{24}"[^\n]*\}\n\z/,
 qr/^nginx_sts_decisions_total\{decision="allow"\} 1$/m
 . qr/.*^nginx_sts_decisions_total\{decision="error"\} 0$/ms
 . qr/.*^nginx_sts_errors_total\{code="EntityTooLarge"\} 1$/ms
 . qr/.*^nginx_sts_refusals_total\{reason="body_cut"\} 1$/ms]
--- error_log eval
qr/\[error\].*sts: PutObject EntityTooLarge for "\Q$::lim->{id}\E": body over the policies' limit of 100 bytes/
--- no_error_log
[alert]
[crit]



=== TEST 2: the same without sts_auth in the error location
--- http_config eval: $::HttpConfig
--- config eval: $::LocConfig
--- request eval
["PUT /demo-bucket/cut2.bin\n" . ::chunked(150, 50),
 "GET /_audit", "GET /metrics"]
--- more_headers eval
[::put($::lim, 'cut2.bin') . "Transfer-Encoding: chunked", "", ""]
--- error_code eval
[400, 200, 200]
--- response_headers_like eval
["x-sts-token-expires-in: (?:3[0-5]\\d\\d|3600)", "", ""]
--- response_body_like eval
[$::TooLarge,
 qr/\A\{[^\n]*"status":400,"decision":"allow","error_code":"EntityTooLarge"[^\n]*"access_key_id":"\Q$::lim->{id}\E"[^\n]*"action":"oss:PutObject"[^\n]*\}\n\z/,
 qr/^nginx_sts_decisions_total\{decision="allow"\} 1$/m
 . qr/.*^nginx_sts_errors_total\{code="EntityTooLarge"\} 1$/ms]
--- no_error_log
[alert]
[crit]



=== TEST 3: streamed to the store: cut, EntityTooLarge with the token's headers
--- http_config eval: $::HttpConfig
--- config eval: $::Streaming
--- request eval
[["PUT /demo-bucket/s-cut.bin\n" . substr(::chunked(150, 10), 0, 60),
  substr(::chunked(150, 10), 60)],
 "GET /_audit", "GET /metrics", "GET /demo-bucket/s-cut.bin"]
--- more_headers eval
[::put($::lim, 's-cut.bin') . "Transfer-Encoding: chunked", "", "",
 ::sts_sign($::lim, 'GET', '/demo-bucket/s-cut.bin')]
--- error_code eval
[400, 200, 200, 200]
--- response_headers_like eval
["x-sts-token-expires-in: (?:3[0-5]\\d\\d|3600)", "", "", "X-Kept: allow oss:GetObject capped"]
--- response_body_like eval
[$::TooLarge,
 qr/\A\{[^\n]*"status":400,"decision":"allow","error_code":"EntityTooLarge"[^\n]*"access_key_id":"\Q$::lim->{id}\E"[^\n]*\}\n\z/,
 qr/^nginx_sts_decisions_total\{decision="allow"\} 1$/m
 . qr/.*^nginx_sts_errors_total\{code="EntityTooLarge"\} 1$/ms
 . qr/.*^nginx_sts_refusals_total\{reason="body_cut"\} 1$/ms,
 qr/\Afallback\n\z/]
--- user_files
>>> fallback.txt
fallback
--- no_error_log
[alert]
[crit]



=== TEST 4: over client_max_body_size with a valid token: EntityTooLarge, the token's headers
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/big.bin\n" . ::chunked(3000, 500),
 "GET /_audit", "GET /metrics"]
--- more_headers eval
[::put($::rw, 'big.bin') . "Transfer-Encoding: chunked", "", ""]
--- error_code eval
[400, 200, 200]
--- response_headers_like eval
["x-sts-token-expires-in: (?:3[0-5]\\d\\d|3600)", "", ""]
--- response_body_like eval
[$::TooLarge,
 qr/\A\{[^\n]*"status":400,"decision":"allow","error_code":"EntityTooLarge","auth_type":"v1","access_key_id":"\Q$::rw->{id}\E"[^\n]*"session_name":"plain"[^\n]*"action":"oss:PutObject"[^\n]*\}\n\z/,
 qr/^nginx_sts_decisions_total\{decision="allow"\} 1$/m
 . qr/.*^nginx_sts_errors_total\{code="EntityTooLarge"\} 1$/ms]
--- error_log
client intended to send too large chunked body
--- no_error_log
[alert]
[crit]



=== TEST 5: error_page 404 = @fallback: an allowed request keeps its variables
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/missing.txt", "GET /_audit", "GET /metrics"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/missing.txt'), "", ""]
--- error_code eval
[200, 200, 200]
--- response_headers_like eval
["X-Kept: allow oss:GetObject plain\nx-sts-token-expires-in: (?:3[0-5]\\d\\d|3600)",
 "", ""]
--- response_body_like eval
[qr/\Afallback\n\z/,
 qr/\A\{[^\n]*"status":200,"decision":"allow","error_code":"","auth_type":"v1","access_key_id":"\Q$::rw->{id}\E"[^\n]*"session_name":"plain"[^\n]*"api":"GetObject","action":"oss:GetObject","resource":"acs:oss:\*:\*:demo-bucket\/missing\.txt"[^\n]*\}\n\z/,
 qr/^nginx_sts_decisions_total\{decision="allow"\} 1$/m
 . qr/.*^nginx_sts_auth_total\{type="v1"\} 1$/ms]
--- user_files
>>> fallback.txt
fallback
--- no_error_log
[alert]
[crit]



=== TEST 6: a request refused at the gateway is not authorised again by a redirect
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /other-bucket/missing.txt", "GET /_audit"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/other-bucket/missing.txt'), ""]
--- error_code eval
[403, 200]
--- response_body_like eval
[qr{<Code>AccessDenied</Code>},
 qr/\A\{[^\n]*"status":403,"decision":"implicit-deny","error_code":"AccessDenied"[^\n]*\}\n\z/]
--- user_files
>>> fallback.txt
fallback
--- no_error_log
[alert]
[crit]



=== TEST 7: the request id of the error page is the logged one
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /metrics
--- error_code: 200
--- no_error_log
[alert]
[crit]



=== TEST 8: a single-use presigned URL sent on by error_page = @fallback counts one use
--- http_config eval: $::HttpConfig
--- config eval: $::UsesConfig
--- request eval
my $u = ::url($::rw, 'GET', '/demo-bucket/once.txt', '--presign', 600);
["GET $u", "GET $u", "GET /_audit"]
--- error_code eval
[200, 403, 200]
--- response_body_like eval
[qr{\Abackend: /_backend/named/demo-bucket/once\.txt\n\z}, $::UsedUp,
 qr/\A\{[^\n]*"status":200,"decision":"allow"[^\n]*"action":"oss:GetObject"[^\n]*\}\n\{[^\n]*"status":403,"decision":"error","error_code":"AccessDenied"[^\n]*\}\n\z/]
--- no_error_log
[alert]
[crit]



=== TEST 9: a single-use presigned URL sent on by error_page to a URI counts one use
--- http_config eval: $::HttpConfig
--- config eval: $::UsesConfig
--- request eval
my $u = ::url($::rw, 'GET', '/demo-bucket/uri/once.txt', '--presign', 600);
["GET $u", "GET $u"]
--- error_code eval
[200, 403]
--- response_body_like eval
[qr{\Abackend: /_backend/demo-bucket/fallback/demo-bucket/uri/once\.txt\n\z},
 $::UsedUp]
--- no_error_log
[alert]
[crit]



=== TEST 10: a single-use presigned URL rewritten (rewrite ... last) counts one use
--- http_config eval: $::HttpConfig
--- config eval: $::UsesConfig
--- request eval
my $u = ::url($::rw, 'GET', '/demo-bucket/moved/once.txt', '--presign', 600);
["GET $u", "GET $u"]
--- error_code eval
[200, 403]
--- response_body_like eval
[qr{\Abackend: /_backend/demo-bucket/landed/once\.txt\n\z}, $::UsedUp]
--- no_error_log
[alert]
[crit]



=== TEST 11: a body the decision waits for, over client_max_body_size: EntityTooLarge, decision error
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
[["POST /demo-bucket/?delete\n" . substr(::chunked_of($::many, 400), 0, 300),
  substr(::chunked_of($::many, 400), 300)],
 "GET /_audit", "GET /metrics"]
--- more_headers eval
[::sts_sign($::rw, 'POST', '/demo-bucket/?delete',
            '--content-md5', ::sts_content_md5($::many),
            '--content-type', 'application/xml')
 . "Transfer-Encoding: chunked", "", ""]
--- error_code eval
[400, 200, 200]
--- response_headers_like eval
["x-sts-token-expires-in: (?:3[0-5]\\d\\d|3600)", "", ""]
--- response_body_like eval
[$::TooLarge,
 qr/\A\{[^\n]*"status":400,"decision":"error","error_code":"EntityTooLarge","auth_type":"v1","access_key_id":"\Q$::rw->{id}\E"[^\n]*"session_name":"plain"[^\n]*\}\n\z/,
 qr/^nginx_sts_decisions_total\{decision="allow"\} 0$/m
 . qr/.*^nginx_sts_decisions_total\{decision="error"\} 1$/ms
 . qr/.*^nginx_sts_errors_total\{code="EntityTooLarge"\} 1$/ms]
--- error_log
client intended to send too large chunked body
--- no_error_log
[alert]
[crit]
