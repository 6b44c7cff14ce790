# Self-test of the Test::Nginx::Socket scaffold against plain nginx (no
# module loaded): each section, filter and preamble function the t/*.t
# files rely on, with repeat_each(2) and an exact plan.
#
#   prove -I t/lib t/000-runner.t

use Test::Nginx::Socket;
use List::Util qw(sum);

$ENV{TEST_NGINX_GREETING} ||= 'howdy';
$ENV{TEST_NGINX_NOFILE}   ||= 1024;

repeat_each(2);
env_to_nginx('TEST_NGINX_GREETING');

# Blocks without any log section get "--- no_error_log: [error]".
add_block_preprocessor(sub {
    my $block = shift;
    if (!defined $block->error_log && !defined $block->no_error_log) {
        $block->set_value('no_error_log', '[error]');
    }
});

# "--- body_length: N": one more assertion per response.
add_response_body_check(sub {
    my ($block, $body, $req_idx, $rep_idx) = @_;
    my $want = $block->body_length;
    return unless defined $want;
    is(length($body // ''), $want,
       $block->name . " - body length (req $req_idx)");
});

# Assertions per repetition, by block.  The error log sections are
# checked after every response, and must_die counts one assertion.
my @per_block = (
    3,      # 1: status, body, no_error_log
    3,      # 2: status, body, no_error_log
    3,      # 3: status, body_like, no_error_log
    9,      # 4: status, 6 headers, body, no_error_log
    12,     # 5: 4 requests x (status, body, no_error_log)
    5,      # 6: status, header, body, body_length, no_error_log
    10,     # 7: 2 requests x (status, 2 headers, body, no_error_log)
    3,      # 8: status, body, no_error_log
    4,      # 9: status, header, body, no_error_log
    4,      # 10: status, header, body, no_error_log
    3,      # 11: die, error_log, no_error_log
    6,      # 12: status, grep_error_log, 2 error_log, 2 no_error_log
    7,      # 13: 2 requests x (status, body, no_error_log), headers_like
    2,      # 14: error_log, no_error_log
    4,      # 15: status, body, 2 no_error_log
    5,      # 16: status_like, 2 headers_like, body_like, no_error_log
    4,      # 17: status, body, body_length, no_error_log
    9,      # 18: 3 responses x (status, body, no_error_log)
    3,      # 19: status, body_like, no_error_log
    3,      # 21: status, body, no_error_log (20 is skipped)
);

plan tests => repeat_each() * sum(@per_block);

run_tests();

__DATA__

=== TEST 1: sanity
--- config
    location = /t {
        return 200 "hello\n";
    }
--- request
GET /t
--- response_body
hello
--- error_code: 200
--- no_error_log
[error]



=== TEST 2: $TEST_NGINX_* in main_config, http_config and config
--- main_config
worker_rlimit_nofile $TEST_NGINX_NOFILE;
--- http_config
    map $uri $greeting {
        default "$TEST_NGINX_GREETING";
    }
--- config
    location = /t {
        return 200 "$greeting from $TEST_NGINX_SERVER_PORT\n";
    }
--- request
GET /t
--- response_body
howdy from $ServerPort



=== TEST 3: layout of the generated nginx.conf
--- main_config
# main_config marker
--- http_config
    # http_config marker
--- post_main_config
# post_main_config marker
--- config
    location = /conf {
        alias $TEST_NGINX_SERVER_ROOT/conf/nginx.conf;
    }
--- request
GET /conf
--- response_body_like eval
qr|
    \A(?=.*^\s*env\s+TEST_NGINX_GREETING;$)
    (?=.*^\s*error_log\s+\S+/logs/error\.log\s+debug;$)
    .* ^(?:load_module\s+\S+;\s+)*\#\s+main_config\s+marker$
    .* ^http\s+\{
    .* \#\s+http_config\s+marker$
    .* server\s+\{\s+listen\s+\d+;
    .* location\s+=\s+/conf\s+\{
    .* location\s+/\s+\{
    .* ^\#\s+post_main_config\s+marker$
    .* ^events\s+\{[^}]*\bworker_connections\s+64;
|smx



=== TEST 4: response_headers
--- config
    location = /t {
        add_header X-Foo bar;
        add_header X-Port $server_port;
        return 200 "hello\n";
    }
--- request
GET /t
--- response_headers
X-Foo: bar
X-Port: $ServerPort
Content-Type: text/plain
Content-Length: 6
! X-Missing
X-Also-Missing:
--- response_body
hello



=== TEST 5: request arrays with more_headers, error_code and body arrays
--- config
    location = /echo {
        return 200 "$request_method $host $http_x_a\n";
    }
    location = /gone {
        return 404 "gone\n";
    }
--- request eval
["GET /echo", "GET /gone", "HEAD /echo", "GET /echo HTTP/1.0"]
--- more_headers eval
["X-A: 1", "X-A: 2", "X-A: 3", "X-A: 4\nHost: example.com"]
--- error_code eval
[200, 404, 200, 200]
--- response_body eval
["GET localhost 1\n", "gone\n", "", "GET example.com 4\n"]



=== TEST 6: POST body with Content-Length, proxied to the same server
--- config
    location = /body {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/len;
        add_header X-Body "[$request_body]" always;
    }
    location = /len {
        return 200 "len=$http_content_length\n";
    }
--- request
POST /body

    hello world
--- response_headers
X-Body: [hello world]
--- response_body
len=11
--- body_length: 7



=== TEST 7: chunked and connection-delimited response bodies
--- config
    location = /chunked {
        sub_filter_types text/plain;
        sub_filter_once off;
        sub_filter a b;
        return 200 "banana\n";
    }
--- request eval
["GET /chunked", "GET /chunked HTTP/1.0"]
--- response_headers eval
["Transfer-Encoding: chunked\n! Content-Length",
 "! Transfer-Encoding\n! Content-Length"]
--- response_body eval
["bbnbnb\n", "bbnbnb\n"]



=== TEST 8: raw_request in separate writes
--- config
    location = /t {
        return 200 "raw\n";
    }
--- raw_request eval
["GET /t HTTP/1.0\r\n", "Host: localhost\r\n\r\n"]
--- response_body
raw



=== TEST 9: raw_request sent as written
--- config
    location = /t {
        return 200 "raw\n";
    }
--- raw_request eval
"GET /t HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
--- response_headers
Connection: close
--- response_body
raw



=== TEST 10: one request in several writes
--- config
    location = /body {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/len;
        add_header X-Body "[$request_body]" always;
    }
    location = /len {
        return 200 "len=$http_content_length\n";
    }
--- request eval
[["POST /body\n", "hel", "lo"]]
--- response_headers
X-Body: [hello]
--- response_body
len=5



=== TEST 11: must_die with its exit code and the startup error
--- config
    location = /t {
        no_such_directive on;
    }
--- must_die: 1
--- error_log
unknown directive "no_such_directive"
--- no_error_log
[alert]



=== TEST 12: error_log arrays with qr//, grep_error_log
--- config
    location = /unused {
        return 204;
    }
--- request
GET /missing.html
--- error_code: 404
--- error_log eval
[qr{open\(\) "[^"]*/html/missing\.html" failed}, "No such file or directory"]
--- no_error_log
[alert]
[emerg]
--- grep_error_log: No such file or directory
--- grep_error_log_out
No such file or directory



=== TEST 13: user_files under the default root location
--- config
    location = /unused {
        return 204;
    }
--- user_files
>>> index.html
hi there
>>> sub/a.txt 202001020304
A
--- request eval
["GET /", "GET /sub/a.txt"]
--- response_headers_like eval
["", "Last-Modified: \\w{3}, \\d\\d \\w{3} 20(?:19|20) [\\d:]{8} GMT"]
--- response_body eval
["hi there\n", "A\n"]



=== TEST 14: timeout, abort, ignore_response and wait
--- config
    location = /slow {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/len;
    }
    location = /len {
        return 200 "len=$http_content_length\n";
    }
--- raw_request eval
"POST /slow HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nabc"
--- timeout: 300ms
--- abort
--- ignore_response
--- wait: 0.1
--- error_log
client prematurely closed connection
--- no_error_log
[alert]



=== TEST 15: log_level
--- config
    location = /t {
        return 200 "quiet\n";
    }
--- log_level: warn
--- request
GET /t
--- response_body
quiet
--- no_error_log
[debug]
[info]



=== TEST 16: error_code_like, response_body_like, response_headers_like
--- config
    location = /teapot {
        return 418 "short and stout";
    }
--- request
GET /teapot
--- error_code_like: ^4\d\d$
--- response_body_like: ^short and \w+$
--- response_headers_like
Server: nginx(/[\d.]+)?
Date: \w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT



=== TEST 17: chomp filter and comment lines in the request
--- config
    location = /t {
        return 200 "no newline";
    }
--- request
# comments and blank lines before the request line are skipped

GET /t
--- response_body chomp
no newline
--- body_length: 10



=== TEST 18: pipelined_requests
--- config
    location = /a {
        return 200 "a\n";
    }
    location = /b {
        return 201 "bb\n";
    }
--- pipelined_requests eval
["GET /a", "GET /b", "HEAD /a"]
--- error_code eval
[200, 201, 200]
--- response_body eval
["a\n", "bb\n", ""]



=== TEST 19: $TEST_NGINX_RAND_PORT_1 is one free port for the whole block
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            return 200 "backend $server_port\n";
        }
    }
--- config
    location = /t {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
    }
--- request
GET /t
--- response_body_like: ^backend \d+$



=== TEST 20: SKIP: never runs
--- SKIP
--- config
    location = /t {
        return 500;
    }
--- request
GET /t
--- response_body
this block must not run



=== TEST 21: LAST ends the list of blocks
--- config
    location = /t {
        return 200 "last\n";
    }
--- request
GET /t
--- response_body
last
--- LAST



=== TEST 22: after LAST: never runs
--- config
    location = /t {
        return 500;
    }
--- request
GET /t
--- response_body
this block must not run
