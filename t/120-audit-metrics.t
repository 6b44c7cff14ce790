# Operability: the audit log of conf/audit-log.conf writes one JSON line
# per decision (parsed here), and sts_status serves the counters in the
# Prometheus text format, summed across requests.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use JSON::PP;

repeat_each(1);
no_shuffle();
no_root_location();

our $rw = sts_issue(session_name => 'audit-me');

# the audit log_format, as shipped in conf/
open my $fh, '<', "$ENV{TEST_NGINX_STS_DATA}/../../conf/audit-log.conf"
    or die "conf/audit-log.conf: $!";
our $AuditFormat = join '', grep { !/^\s*#/ } <$fh>;
close $fh;

our $HttpConfig = "    sts_keys \$TEST_NGINX_STS_KEYS;\n" . $AuditFormat;

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        access_log $TEST_NGINX_SERVER_ROOT/logs/audit.log sts_audit;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        access_log off;
        return 200 "stored\n";
    }

    location = /_audit {
        access_log off;
        default_type text/plain;
        alias $TEST_NGINX_SERVER_ROOT/logs/audit.log;
    }

    location = /metrics {
        access_log off;
        sts_status;
    }
_EOC_

# blocks with an "audit_json" section: the log read back by their last
# request must be valid JSON, one object a line, with no secret or token
add_response_body_check(sub {
    my ($block, $body, $req_idx, $rep, $dry_run) = @_;
    return unless defined $block->audit_json;
    my $last = ref $block->request ? $#{ $block->request } : 0;
    return unless $req_idx == $last;
    my @lines = eval { map { decode_json($_) } grep { length }
                       split /\n/, $body };
    my $want = $block->audit_json;
    $want =~ s/\s+\z//;
    my ($field, $value) = split /=/, $want, 2;
    ok(!$@ && @lines == 1 && $lines[0]{$field} eq $value
       && index($body, $::rw->{token}) < 0
       && index($body, $::rw->{secret}) < 0,
       $block->name . " - audit line is valid JSON with $field")
        or diag("audit log: $body $@");
});

# the audit_json check: one, after a block's last request
sts_plan(per_response => sub {
    my ($block, $i) = @_;
    return defined $block->audit_json && $i == sts_responses($block) - 1;
});
run_tests();

__DATA__

=== TEST 1: one JSON line per decision, with who, what and why
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /other-bucket/b.txt", "GET /demo-bucket/c.txt",
 "GET /_audit"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/a.txt'),
 ::sts_sign($::rw, 'GET', '/other-bucket/b.txt'),
 "", ""]
--- error_code eval
[200, 403, 403, 200]
--- response_body_like eval
[qr/stored/, qr/AccessDenied/, qr/AccessDenied/,
 qr/\A(?:\{[^\n]*\}\n){3}\z/]
--- no_error_log
[crit]



=== TEST 2: the audit lines parse and say what happened
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /other-bucket/b.txt", "GET /_audit"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/a.txt'),
 ::sts_sign($::rw, 'GET', '/other-bucket/b.txt'), ""]
--- error_code eval
[200, 403, 200]
--- response_body_like eval
[qr/stored/, qr/AccessDenied/,
 qr/"decision":"allow","error_code":"","auth_type":"v1","access_key_id":"STS\.\w+","role_arn":"acs:ram::1234567890123456:role\/app","session_name":"audit-me".*"api":"GetObject","action":"oss:GetObject","resource":"acs:oss:\*:\*:demo-bucket\/a\.txt".*\n.*"status":403,"decision":"implicit-deny","error_code":"AccessDenied"/s]



=== TEST 3: JSON lines are valid JSON, and hold no secret or token
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a%22b%5Cc.txt", "GET /_audit"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/a%22b%5Cc.txt'), ""]
--- response_body_like eval
[qr/stored/, qr/"object":"a\\"b\\\\c\.txt"/]
--- audit_json
object=a"b\c.txt



=== TEST 4: sts_status: Prometheus counters summed over requests
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/b.txt", "GET /other-bucket/c.txt",
 "GET /demo-bucket/d.txt", "GET /metrics"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/a.txt'),
 ::sts_sign($::rw, 'GET', '/demo-bucket/b.txt'),
 ::sts_sign($::rw, 'GET', '/other-bucket/c.txt'),
 "", ""]
--- error_code eval
[200, 200, 403, 403, 200]
--- response_headers eval
["", "", "", "", "Content-Type: text/plain; version=0.0.4; charset=utf-8"]
--- response_body_like eval
[qr/stored/, qr/stored/, qr/AccessDenied/, qr/AccessDenied/,
 qr/# TYPE nginx_sts_decisions_total counter\nnginx_sts_decisions_total\{decision="allow"\} 2\nnginx_sts_decisions_total\{decision="deny"\} 0\nnginx_sts_decisions_total\{decision="implicit-deny"\} 1\nnginx_sts_decisions_total\{decision="error"\} 1\n.*nginx_sts_errors_total\{code="AccessDenied"\} 2\n.*nginx_sts_auth_total\{type="v1"\} 3\n.*nginx_sts_token_cache_total\{result="hit"\} 2\nnginx_sts_token_cache_total\{result="miss"\} 1\n/s]
