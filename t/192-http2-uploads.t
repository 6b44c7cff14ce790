# Uploads over HTTP/2 (h2c, prior knowledge, with curl): a PostObject is
# decided at its file part, as over HTTP/1.1, while the frames go on
# arriving: a refused form is answered before its file is received; an
# allowed one is stored whole.  A PutObject's hash is checked as its
# frames stream.  The gateway listens on a second, HTTP/2 port of the
# test server; each block's checks run curl against it once the block's
# HTTP/1.1 request has been answered.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use IO::Socket::INET;
use Digest::SHA ();

repeat_each(1);
no_shuffle();
no_root_location();

# a free port for the HTTP/2 listener
my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1:0')
    or die "no port: $!\n";
$ENV{TEST_NGINX_H2_PORT} = $s->sockport;
close $s;

our $rw = sts_issue(role_policy => ['api']);
our $lim = sts_issue(role_policy => ['api'], session_policy => 'upload-limit');

my $tmp = "$ENV{TEST_NGINX_STS_DATA}/../tmp";

# a file of $n bytes
sub file_of {
    my ($name, $n) = @_;
    my $f = "$tmp/h2-$$-$name";
    open my $fh, '>', $f or die "$f: $!\n";
    print $fh join('', map { sprintf("%07d,", $_) } 1 .. int($n / 8));
    close $fh;
    return $f;
}

# curl over HTTP/2: "status request_bytes_sent\nbody"
sub h2 {
    my (@args) = @_;
    my $out = `curl -sS --http2-prior-knowledge -o - -w '\\n%{http_code} %{http_version}' @args 2>&1`;
    return $out;
}

# the form of sts_post_form as curl -F arguments (the file last)
sub form_args {
    my ($c, $key, $file, %o) = @_;
    my ($ct, $body) = sts_post_form($c, key => $key, %o);
    my @args;
    while ($body =~ /name="([^"]+)"\r\n\r\n([^\r]*)\r\n/g) {
        push @args, '-F', "'$1=$2'";
    }
    push @args, '-F', "'file=\@$file;type=application/octet-stream'";
    return join ' ', @args;
}

our $Big = file_of('big', 5 * 1024 * 1024);
our $Small = file_of('small', 2000);

add_response_body_check(sub {
    my ($block, $body, $idx) = @_;
    my $name = $block->name;
    return if $idx;
    my $port = $ENV{TEST_NGINX_H2_PORT};
    my $base = "http://127.0.0.1:$port";

    if ($name =~ /TEST 1:/) {
        # a form for a key outside the credential's, with a 5 MiB file
        my $out = h2(form_args($::rw, 'secret/x.bin', $::Big),
                     "$base/demo-bucket/");
        # nginx answers, then resets the stream (NO_ERROR) that is still
        # sending; curl may drop the answer then (error 92): the access
        # log says what was answered, and after how many bytes
        like($out, qr{(?:<Code>AccessDenied</Code>.*\n403 2|\(92\).*\n000 0)\z}s,
             "$name - refused over HTTP/2");

    } elsif ($name =~ /TEST 2:/) {
        for my $f (['h2.bin', $::Small], ['h2-big.bin', $::Big]) {
            my $out = h2(form_args($::rw, "photos/$f->[0]", $f->[1]),
                         "$base/demo-bucket/");
            like($out, qr{\n201 2\z}, "$name - $f->[0] stored over HTTP/2");
            my $got = `curl -s http://127.0.0.1:$ENV{TEST_NGINX_SERVER_PORT}/_store/demo-bucket/photos/$f->[0]`;
            open my $fh, '<', $f->[1] or die;
            local $/;
            ok($got eq <$fh>, "$name - $f->[0]: the file part, byte for byte");
        }

    } elsif ($name =~ /TEST 3:/) {
        # the session caps uploads at 100 bytes: the file goes over
        my $out = h2(form_args($::lim, 'photos/h2-cap.bin', $::Big),
                     "$base/demo-bucket/");
        like($out, qr{(?:<Code>EntityTooLarge</Code>.*\n400 2|\(92\).*\n000 0)\z}s,
             "$name - over the cap over HTTP/2");

    } elsif ($name =~ /TEST 4:/) {
        my $data = 'hello over h2';
        for my $case (['h2-ok.bin', Digest::SHA::sha256_hex($data), 201],
                      ['h2-bad.bin', Digest::SHA::sha256_hex('x'), 400])
        {
            my ($key, $hash, $want) = @$case;
            my $h = ::sts_sign($::rw, 'PUT', "/demo-bucket/$key", '--v4',
                               '--region', 'cn-hangzhou', '--content-type',
                               'text/plain', '--header',
                               "x-oss-content-sha256:$hash");
            my @hdr = map { ('-H', "'$_'") } split /\n/, $h;
            my $out = h2(@hdr, '-X', 'PUT', '--data-binary', "'$data'",
                         "$base/demo-bucket/$key");
            like($out, qr{\n$want 2\z}, "$name - $key: $want");
        }
        my $got = `curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$ENV{TEST_NGINX_SERVER_PORT}/_store/demo-bucket/h2-bad.bin`;
        is($got, '404', "$name - nothing stored for the wrong hash");
    }
});

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    log_format h2 '$request_method $uri $status $server_protocol '
                  'request_length=$request_length';

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        root $TEST_NGINX_SERVER_ROOT/html;
        client_max_body_size 10m;

        location / {
            if ($request_method = POST) {
                return 200 "store: POST $request_uri\n";
            }

            dav_methods PUT;
            create_full_put_path on;
        }
    }
_EOC_

our $Config = <<'_EOC_';
    listen 127.0.0.1:$TEST_NGINX_H2_PORT http2;
    error_page 400 403 413 /_oss_error;
    access_log logs/h2.log h2;

    location / {
        sts_auth on;
        sts_addressing path;
        sts_region cn-hangzhou;
        sts_backend s3;
        proxy_http_version 1.1;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }

    location = /_oss_error { internal; sts_error_document; }

    location /_store/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
    }

    location = /__h2log {
        default_type text/plain;
        alias logs/h2.log;
    }
_EOC_

# the checks above, by block: TEST 1 one, TEST 2 four, TEST 3 one, TEST 4
# three; the refusals they make over HTTP/2 log at the error level, so
# blocks 1, 3 and 4 look for [alert] and [crit] only
our %H2Checks = (1 => 1, 2 => 4, 3 => 1, 4 => 3);
for my $block (Test::Base::blocks()) {
    my ($n) = $block->name =~ /TEST (\d+):/;
    $block->set_value('no_error_log', "[alert]\n[crit]")
        if $n != 2 && !defined $block->no_error_log;
}
sts_plan(per_response => sub {
    my ($block, $i) = @_;
    my ($n) = $block->name =~ /TEST (\d+):/;
    return $i == 0 ? $H2Checks{$n} // 0 : 0;
});
run_tests();

__DATA__

=== TEST 1: HTTP/2: a refused form is answered at its file part, not after its file
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /__h2log", "GET /__h2log"]
--- response_body_like eval
[qr/\A\z/,
 qr{^POST /demo-bucket/ 403 HTTP/2\.0 request_length=(\d{1,6})\n}m]



=== TEST 2: HTTP/2: allowed forms, small and large, are stored whole
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /__h2log
--- response_body_like: \A\z



=== TEST 3: HTTP/2: a form whose file goes over the credential's cap is cut
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /__h2log", "GET /__h2log"]
--- response_body_like eval
[qr/\A\z/,
 qr{^POST /demo-bucket/ 400 HTTP/2\.0 request_length=(\d{1,6})\n}m]



=== TEST 4: HTTP/2: a PutObject's hash is checked as its frames stream
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /__h2log
--- response_body_like: \A\z
