# OSS-exact error documents: the whole body, tampering with each signed
# part, and nginx's own refusals rendered as OSS XML through
# sts_error_document.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(2);
no_shuffle();
no_root_location();

our $rw = sts_issue();
our $other = sts_issue();

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
_EOC_

our $Config = <<'_EOC_';
    error_page 400 404 405 408 413 414 494 500 501 502 503 504 505 /_oss_error;
    location / {
        sts_auth on;
        client_max_body_size 16;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /down/ {
        sts_auth on;
        proxy_pass http://127.0.0.1:1;
    }

    location /_backend/ {
        return 200 "backend: $request_method $request_uri\n";
    }

    location = /_oss_error {
        internal;
        sts_error_document;
    }
_EOC_

sub tamper {
    my ($h, $name, $value) = @_;
    $h =~ s/^(\Q$name\E): .*$/$1: $value/mi or $h .= "$name: $value\n";
    return $h;
}

sts_plan();
run_tests();

__DATA__

=== TEST 1: the whole error document, byte for byte
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/a.txt
--- error_code: 403
--- response_headers_like
Content-Type: application/xml
x-oss-request-id: [0-9A-F]{24}
--- response_body_like eval
qr{\A<\?xml version="1\.0" encoding="UTF-8"\?>
<Error>
  <Code>AccessDenied</Code>
  <Message>Anonymous access is forbidden for this operation\.</Message>
  <RequestId>[0-9A-F]{24}</RequestId>
  <HostId>localhost</HostId>
</Error>
\z}



=== TEST 2: the method changed after signing
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
DELETE /demo-bucket/a.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/a.txt')
--- error_code: 403
--- response_body_like eval
qr{<Code>SignatureDoesNotMatch</Code>.*<StringToSign>DELETE\n}s



=== TEST 3: a signed x-oss-meta header changed after signing
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/a.txt
hello
--- more_headers eval
::tamper(::sts_sign($::rw, 'PUT', '/demo-bucket/a.txt',
                    '--header', 'x-oss-meta-owner:alice'),
         'x-oss-meta-owner', 'mallory')
--- error_code: 403
--- response_body_like eval
qr{<Code>SignatureDoesNotMatch</Code>.*x-oss-meta-owner:mallory\n}s



=== TEST 4: an x-oss header added after signing
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/a.txt
hello
--- more_headers eval
::sts_sign($::rw, 'PUT', '/demo-bucket/a.txt') . "x-oss-object-acl: public-read\n"
--- error_code: 403
--- response_body_like: <Code>SignatureDoesNotMatch</Code>



=== TEST 5: the Content-Type changed after signing
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/a.txt
hello
--- more_headers eval
::tamper(::sts_sign($::rw, 'PUT', '/demo-bucket/a.txt',
                    '--content-type', 'text/plain'),
         'Content-Type', 'text/html')
--- error_code: 403
--- response_body_like: <Code>SignatureDoesNotMatch</Code>



=== TEST 6: the Date changed by a second, within the skew
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/a.txt
--- more_headers eval
my $t = time();
my $h = ::sts_sign($::rw, 'GET', '/demo-bucket/a.txt', '--date', $t);
my @d = gmtime($t + 1);
my @wd = qw(Sun Mon Tue Wed Thu Fri Sat);
my @mo = qw(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec);
::tamper($h, 'Date', sprintf("%s, %02d %s %04d %02d:%02d:%02d GMT",
         $wd[$d[6]], $d[3], $mo[$d[4]], $d[5] + 1900, $d[2], $d[1], $d[0]))
--- error_code: 403
--- response_body_like: <Code>SignatureDoesNotMatch</Code>



=== TEST 7: signed with the secret of another token
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/a.txt
--- more_headers eval
::sts_sign({ %$::rw, secret => $::other->{secret} }, 'GET', '/demo-bucket/a.txt')
--- error_code: 403
--- response_body_like: <Code>SignatureDoesNotMatch</Code>



=== TEST 8: no Date at all
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/a.txt
--- more_headers eval
my $h = ::sts_sign($::rw, 'GET', '/demo-bucket/a.txt');
$h =~ s/^Date: .*\n//m;
$h
--- error_code: 403
--- response_body_like eval
qr{<Code>AccessDenied</Code>\s*<Message>OSS authentication requires a valid Date\.</Message>}



=== TEST 9: x-oss-date wins over Date
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/a.txt
--- more_headers eval
my $t = time();
my @d = gmtime($t);
my @wd = qw(Sun Mon Tue Wed Thu Fri Sat);
my @mo = qw(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec);
my $date = sprintf("%s, %02d %s %04d %02d:%02d:%02d GMT",
         $wd[$d[6]], $d[3], $mo[$d[4]], $d[5] + 1900, $d[2], $d[1], $d[0]);
my $h = ::sts_sign($::rw, 'GET', '/demo-bucket/a.txt', '--header', "x-oss-date:$date");
::tamper($h, 'Date', 'Mon, 01 Jan 2001 00:00:00 GMT')
--- response_body
backend: GET /_backend/demo-bucket/a.txt



=== TEST 10: a token in the query that differs from the header's
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"GET /demo-bucket/a.txt?security-token=$::other->{token}"
--- more_headers eval
::sts_sign($::rw, 'GET', "/demo-bucket/a.txt?security-token=$::other->{token}")
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>



=== TEST 11: headers larger than nginx accepts: OSS XML, not HTML
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/a.txt
--- more_headers eval
"x-oss-security-token: STS1." . ("A" x 9000) . "\n"
--- error_code: 400
--- response_body_like eval
qr{\A<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error>\n  <Code>InvalidArgument</Code>}



=== TEST 12: a body over client_max_body_size: OSS EntityTooLarge
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/big.bin
0123456789012345678901234567890123456789
--- more_headers eval
::sts_sign($::rw, 'PUT', '/demo-bucket/big.bin')
--- error_code: 400
--- response_body_like: <Code>EntityTooLarge</Code>



=== TEST 13: a backend that is down: OSS InternalError 502
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /down/a.txt
--- more_headers eval
::sts_sign(::sts_issue(role_policy => ['read-only']), 'GET', '/down/a.txt')
--- error_code: 502
--- response_body_like: <Code>InternalError</Code>



=== TEST 14: a malformed request line: OSS XML
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- raw_request eval
"GET /demo-bucket/a b c HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>



=== TEST 15: a refused presigned URL: its signature and token stay out of the error log
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- log_level: info
--- request eval
my $u = ::sts_sign($::rw, 'GET', '/other-bucket/a.txt', '--presign', 600);
$u =~ s/\n$//;
"GET $u"
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr{sts: GetObject AccessDenied for "STS\.\w+": ImplicitDeny, request id [0-9A-F]{24}, client: 127\.0\.0\.1, host: "localhost", request: "GET /other-bucket/a\.txt\?\.\.\."}
--- no_error_log eval
['Signature=', 'security-token=', $::rw->{token}]



=== TEST 16: an unknown Transfer-Encoding (nginx's 501): OSS InvalidArgument 400
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- raw_request eval
"PUT /demo-bucket/a.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\nabc"
--- error_code: 400
--- response_headers_like
Content-Type: application/xml
--- response_body_like eval
qr{\A<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error>\n  <Code>InvalidArgument</Code>\n  <Message>The Transfer-Encoding of the request is not supported\.</Message>}



=== TEST 17: an HTTP/2.0 request line (nginx's 505): OSS InvalidArgument 400
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- raw_request eval
"GET /demo-bucket/a.txt HTTP/2.0\r\nHost: localhost\r\nConnection: close\r\n\r\n"
--- error_code: 400
--- response_headers_like
Content-Type: application/xml
--- response_body_like eval
qr{\A<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error>\n  <Code>InvalidArgument</Code>\n  <Message>The HTTP version of the request is not supported\.</Message>}
