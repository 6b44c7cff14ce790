# The multipart grace window: an InitiateMultipartUpload allowed with a
# token records the UploadId the store answers (a stub upstream here);
# once the token has expired, UploadPart, Complete, ListParts (and Abort,
# the policy permitting) of that upload, by that token, on that key, are
# still accepted for sts_multipart_grace; everything else expires on time.
#
# Tokens are issued to expire a few seconds into the block, so each
# scenario runs between two requests of a block, with its own client.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

use Digest::SHA ();
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(sleep time);

if ($ENV{TEST_NGINX_USE_VALGRIND}) {
    plan skip_all => 'several workers need a master process, which '
                     . 'valgrind runs do not have';
}

repeat_each(1);
no_shuffle();
no_root_location();
master_on();
workers(2);

our $UploadId = '0004B9894A22E5B1888A1E29F8236E2D';

our $Config = <<'_EOC_';
    sts_auth on;

    location /demo-bucket/ {
        sts_multipart_grace 30m;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /demo-bucket/short/ {
        sts_multipart_grace 1s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /demo-bucket/nograce/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        sts_auth off;
        default_type application/xml;
        if ($args = uploads) {
            return 200 '<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult>
  <Bucket>demo-bucket</Bucket>
  <Key>$uri</Key>
  <UploadId>0004B9894A22E5B1888A1E29F8236E2D</UploadId>
</InitiateMultipartUploadResult>
';
        }
        return 200 "backend: $request_method $request_uri\n";
    }

    location = /metrics {
        sts_auth off;
        sts_status;
    }
_EOC_

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_multipart_grace_zone 64k;
_EOC_

our $Expired = qr{<Code>SecurityTokenExpired</Code>\s*<Message>The security token you provided has expired\.</Message>};

# ---------------------------------------------------------------------

# V1 header signature made here: stsctl once per request is too slow
# for the hundreds of Initiates that fill a table
sub fast_sign {
    my ($c, $method, $target) = @_;
    my $date = POSIX::strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime);
    my $sts = "$method\n\n\n$date\nx-oss-security-token:$c->{token}\n"
              . $target;
    my $sig = Digest::SHA::hmac_sha1_base64($sts, $c->{secret});
    $sig .= '=' while length($sig) % 4;
    return "Date: $date\nx-oss-security-token: $c->{token}\n"
           . "Authorization: OSS $c->{id}:$sig\n";
}

sub call {
    my ($c, $method, $target, $fast) = @_;
    my $h = $fast ? fast_sign($c, $method, $target)
                  : ::sts_sign($c, $method, $target);
    $h =~ s/\r?\n/\r\n/g;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => server_port_for_client(),
                                  Timeout => 3)
        or die "connect: $!\n";
    print $s "$method $target HTTP/1.0\r\nHost: localhost\r\n$h"
             . "Content-Length: 0\r\n\r\n";
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($status) = $resp =~ m{^HTTP/1\.\d (\d{3})};
    my (undef, $body) = split /\r\n\r\n/, $resp, 2;
    return ($status // 0, $body // '');
}

sub expect {
    my ($what, $c, $method, $target, $status, $body) = @_;
    my ($st, $b) = call($c, $method, $target);
    is($st, $status, "$what: $status");
    like($b, $body, "$what: body") if $body;
}

# a token that expires $in seconds from now
sub short_token {
    my ($in, $name) = @_;
    my $now = int(time);
    my $c = sts_issue(session_name => $name, duration => 900,
                      issued_at => $now + $in - 900);
    $c->{expires} = $now + $in;
    return $c;
}

sub errlog_all {
    open my $fh, '<', server_root() . "/logs/error.log" or return '';
    local $/;
    my $text = <$fh> // '';
    close $fh;
    return $text;
}

sub metric {
    my ($result) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => server_port_for_client())
        or die "connect: $!\n";
    print $s "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    my $text = <$s> // '';
    my ($n) = $text =~ /^nginx_sts_multipart_grace_total\{result="\Q$result\E"\} (\d+)$/m;
    return $n;
}

my $id = $UploadId;
my $part = "?partNumber=1&uploadId=$id";

our $FullUploads = 200;

our %after = (
    'a full table' => sub {
        my $t = short_token(6, 'grace-full');
        my (%seen, $unrecorded);

        # every key is an entry: the 32k table holds fewer than these
        for my $i (1 .. $FullUploads) {
            my ($st, $b) = call($t, 'POST', "/demo-bucket/f$i.bin?uploads",
                                1);
            $seen{$st}++;
        }
        is($seen{200}, $FullUploads, 'full: every Initiate succeeds');

        my $full = metric('table_full');
        my $recorded = metric('recorded');
        ok($full > 0, "full: $full uploads not recorded for lack of room");
        is($full + $recorded, $FullUploads, 'full: recorded or counted');

        my ($log) = errlog_all();
        my @lines = $log =~ /(\[error\].*is full.*)/g;
        is(scalar @lines, 1, 'full: logged once at error level');
        like($lines[0] // '', qr/"sts_multipart_grace_zone" is full/,
             'full: the log names the directive');

        sleep 0.1 while time < $t->{expires} + 1;

        # the first uploads were recorded, the last ones were not
        expect('full: a recorded upload has its grace', $t, 'PUT',
               "/demo-bucket/f1.bin$part", 200);
        expect('full: an unrecorded upload has none', $t, 'PUT',
               "/demo-bucket/f$FullUploads.bin$part", 403, $Expired);
    },

    'one token fills only its share' => sub {
        my $t = short_token(6, 'grace-share');
        my $t2 = short_token(6, 'grace-share-2');
        my %seen;

        for my $i (1 .. $FullUploads) {
            my ($st, $b) = call($t, 'POST', "/demo-bucket/s$i.bin?uploads",
                                1);
            $seen{$st}++;
        }
        is($seen{200}, $FullUploads, 'share: every Initiate succeeds');

        my $over = metric('key_share_full');
        my $recorded = metric('recorded');
        ok($over && $over > 0 && $recorded >= 10 && $recorded < 100,
           "share: $recorded uploads recorded, " . ($over // 0)
           . " over the token's share");

        # another token's upload is still recorded
        expect('share: another token initiates', $t2, 'POST',
               '/demo-bucket/other.bin?uploads', 200);
        is(metric('recorded'), $recorded + 1,
           'share: another token is recorded');
        is(metric('table_full'), 0, 'share: the table is not full');

        my ($log) = errlog_all();
        my @lines = $log =~ /(\[error\].*holds its share.*)/g;
        is(scalar @lines, 1, 'share: logged once at error level');
        like($lines[0] // '', qr/"\Q$t->{id}\E" holds its share of the table of "sts_multipart_grace_zone"/,
             'share: the log names the AccessKeyId and the directive');

        sleep 0.1 while time < $t->{expires} + 1;

        expect('share: the other token has its grace', $t2, 'PUT',
               "/demo-bucket/other.bin$part", 200);
        expect('share: a recorded upload has its grace', $t, 'PUT',
               "/demo-bucket/s1.bin$part", 200);
        expect('share: one over the share has none', $t, 'PUT',
               "/demo-bucket/s$FullUploads.bin$part", 403, $Expired);
    },

    'inside and outside the window' => sub {
        my $t = short_token(6, 'grace-a');
        my $t2 = short_token(6, 'grace-b');

        expect('initiate', $t, 'POST', '/demo-bucket/big.bin?uploads', 200,
               qr{<UploadId>\Q$id\E</UploadId>});
        expect('initiate, short grace', $t, 'POST',
               '/demo-bucket/short/big.bin?uploads', 200);
        expect('initiate, no grace', $t, 'POST',
               '/demo-bucket/nograce/big.bin?uploads', 200);
        expect('initiate, another token', $t2, 'POST',
               '/demo-bucket/t2.bin?uploads', 200);
        expect('part while valid', $t, 'PUT', "/demo-bucket/big.bin$part",
               200, qr{^backend: PUT /_backend/demo-bucket/big\.bin\?});

        # the tokens expire; the short grace (1 s) passes too
        sleep 0.1 while time < $t->{expires} + 2.5;

        expect('inside: UploadPart', $t, 'PUT', "/demo-bucket/big.bin$part",
               200, qr{^backend: PUT /_backend/demo-bucket/big\.bin\?partNumber=1&uploadId=\Q$id\E\n$});
        expect('inside: ListParts, still under the policy', $t, 'GET',
               "/demo-bucket/big.bin?uploadId=$id", 403,
               qr{<Code>AccessDenied</Code>\s*<Message>Access denied by authorizer's policy\.</Message>});
        expect('inside: CompleteMultipartUpload', $t, 'POST',
               "/demo-bucket/big.bin?uploadId=$id", 200);
        expect('inside: Abort, still under the policy', $t, 'DELETE',
               "/demo-bucket/big.bin?uploadId=$id", 403,
               qr{<Code>AccessDenied</Code>\s*<Message>Access denied by authorizer's policy\.</Message>});

        expect('another upload id', $t, 'PUT',
               "/demo-bucket/big.bin?partNumber=1&uploadId=0004B9894A22E5B1888A1E29F8236E2E",
               403, $Expired);
        expect('another key', $t, 'PUT', "/demo-bucket/other.bin$part",
               403, $Expired);
        expect('another token', $t2, 'PUT', "/demo-bucket/big.bin$part",
               403, $Expired);
        expect('the other token on its own upload', $t2, 'PUT',
               "/demo-bucket/t2.bin$part", 200);
        expect('everything else expires on time: GetObject', $t, 'GET',
               '/demo-bucket/big.bin', 403, $Expired);
        expect('everything else expires on time: Initiate', $t, 'POST',
               '/demo-bucket/big.bin?uploads', 403, $Expired);
        expect('everything else expires on time: PutObject', $t, 'PUT',
               '/demo-bucket/big.bin', 403, $Expired);

        expect('outside the window', $t, 'PUT',
               "/demo-bucket/short/big.bin$part", 403, $Expired);
        expect('grace off (the default)', $t, 'PUT',
               "/demo-bucket/nograce/big.bin$part", 403, $Expired);

        # two Initiates of $t where a grace applies and one of $t2; five
        # calls let through the expiry (two then denied by the policy);
        # three inside the window on an upload the table does not hold
        # for the token (past the window the token does not even open)
        is(metric('recorded'), 3, 'metrics: uploads recorded');
        is(metric('allowed'), 5, 'metrics: calls allowed in grace');
        is(metric('refused'), 3, 'metrics: calls refused');
        is(metric('not_recorded'), 0, 'metrics: nothing lost');
    },
);

add_response_body_check(sub {
    my ($block, $body, $i, $rep, $dry) = @_;
    return if $dry;
    for my $name (keys %after) {
        $after{$name}->() if index($block->name, $name) >= 0;
    }
});

# the assertions of the %after steps (54 in all)
sts_plan(extra => 54);
run_tests();

__DATA__

=== TEST 1: inside and outside the window, other uploads, other tokens
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /metrics
--- response_body_like
nginx_sts_multipart_grace_total\{result="recorded"\} 0
--- no_error_log
[alert]
[crit]



=== TEST 2: an Initiate refused by the policy records nothing
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/x.bin?uploads", "POST /other-bucket/x.bin?uploads",
 "GET /metrics"]
--- more_headers eval
my $c = ::sts_issue(session_name => 'grace-c');
[::sts_sign($c, 'POST', '/demo-bucket/x.bin?uploads'),
 ::sts_sign($c, 'POST', '/other-bucket/x.bin?uploads'), ""]
--- error_code eval
[200, 403, 200]
--- response_body_like eval
[qr{<UploadId>0004B9894A22E5B1888A1E29F8236E2D</UploadId>},
 qr{<Code>AccessDenied</Code>},
 qr{nginx_sts_multipart_grace_total\{result="recorded"\} 1\n}]



=== TEST 3: a full table: the Initiate succeeds, without grace
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_multipart_grace_zone 32k max_per_key=1000;
--- config eval: $::Config
--- request
GET /metrics
--- response_body_like
nginx_sts_multipart_grace_total\{result="table_full"\} 0
--- no_error_log
[alert]
[crit]



=== TEST 4: sts_multipart_grace needs the zone
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location / {
        sts_auth on;
        sts_multipart_grace 30m;
    }
--- must_die
--- error_log
"sts_multipart_grace" requires "sts_multipart_grace_zone" or "sts_state_use grace" at the http level



=== TEST 5: the grace is bounded (12h)
--- http_config eval: $::HttpConfig
--- config
    location / {
        sts_auth on;
        sts_multipart_grace 13h;
    }
--- must_die
--- error_log
invalid value "13h": a time from 1s to 12h, or "off"



=== TEST 6: one token fills only its share of the table, others recorded
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_multipart_grace_zone 32k;
--- config eval: $::Config
--- request
GET /metrics
--- response_body_like
nginx_sts_multipart_grace_total\{result="recorded"\} 0
--- no_error_log
[alert]
[crit]
