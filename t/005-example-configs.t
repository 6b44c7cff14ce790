# The example configurations in conf/ load: each one, as a user copies it,
# passes "nginx -t" with the freshly built module, without a warning.
# Only what must differ on a test machine is changed, each change named
# below and checked to apply: /etc/nginx/sts/ and /etc/nginx/tls/ become a
# scratch directory holding a keyring (stsctl keygen, mode 0600), the
# example RAM directory, credentials files and a certificate;
# /var/log/nginx/ becomes a log directory there; each listen address a
# free port on 127.0.0.1 (nginx -t binds them).  The snippets go into
# http{} as their comments say; demo.conf.in is filled in as tools/run.sh
# does.
#
#   prove -I t/lib t/005-example-configs.t

use strict;
use warnings;
use Test::More;
use File::Path qw(make_path remove_tree);
use File::Copy qw(copy);
use Cwd qw(abs_path);
use IO::Socket::INET;
use List::Util qw(sum0);
use StsTest;

my $nginx = $ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx';
# as under Test::Nginx: TEST_NGINX_LOAD_MODULES set but empty is an nginx
# with the module compiled in (make asan), so nothing is loaded
my $module = $ENV{TEST_NGINX_LOAD_MODULES} // 'build/ngx_http_sts_module.so';
my $stsctl = $ENV{TEST_NGINX_STSCTL} || 'build/stsctl';
my $load = join '', map { 'load_module ' . abs_path($_) . ";\n" }
                    split ' ', $module;

my $root = abs_path('.');
my $dir = "$root/t/tmp/examples-$$";

remove_tree($dir);
make_path("$dir/sts", "$dir/tls", "$dir/log", "$dir/temp", { mode => 0700 });

sub slurp {
    my ($file) = @_;
    open my $fh, '<', $file or die "$file: $!\n";
    local $/;
    return <$fh>;
}

sub spew {
    my ($file, $text, $mode) = @_;
    open my $fh, '>', $file or die "$file: $!\n";
    print $fh $text;
    close $fh;
    chmod $mode, $file;
}

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, ReuseAddr => 1)
        or die "no free port: $!\n";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# What /etc/nginx/sts/ and /etc/nginx/tls/ hold on the user's machine,
# made as the examples' comments say

my $keygen = `"$stsctl" keygen`;
die "stsctl keygen failed\n" if $? != 0;
spew("$dir/sts/keys", $keygen, 0600);

copy('conf/directory.example.json', "$dir/sts/directory.json")
    or die "directory.example.json: $!\n";
chmod 0600, "$dir/sts/directory.json";

# fleet.conf: the password of its Redis
spew("$dir/sts/redis.pw", "ExampleRedisPassword\n", 0600);

for my $name (qw(oss-key.json minio-key.json)) {
    spew("$dir/sts/$name",
         qq({"AccessKeyId": "LTAI5tExampleGateway01", ) .
         qq("AccessKeySecret": "ExampleGatewaySecret000000000000"}\n), 0600);
}

system("openssl req -x509 -newkey rsa:2048 -nodes -days 2"
       . " -subj /CN=example.com -keyout '$dir/tls/cert.key'"
       . " -out '$dir/tls/cert.pem' 2>/dev/null") == 0
    or die "openssl req failed\n";

for my $name (qw(oss-gw upload sts-internal)) {
    copy("$dir/tls/cert.pem", "$dir/tls/$name.pem") or die;
    copy("$dir/tls/cert.key", "$dir/tls/$name.key") or die;
    chmod 0600, "$dir/tls/$name.key";
}

# The examples, and what the user adds around them: the http{} lines
# before and after the included file

my %around = (
    'audit-log.conf' => [ '', <<"END" ],
    server {
        listen 127.0.0.1:${\ free_port()};
        access_log $dir/log/sts-audit.log sts_audit;
    }
END
    'presign-uses-and-grace.conf' => [ "sts_keys $dir/sts/keys;\n", '' ],
    'fleet.conf' => [ "sts_keys $dir/sts/keys;\n"
                      . "sts_directory $dir/sts/directory.json;\n", '' ],
);

my @examples = sort grep { !/\.in\z/ } map { s{^conf/}{}r } glob 'conf/*.conf';

# first each example as the test runs it, then the plan: one check that
# conf/ holds them, per example 1 + one per file it names + 4 (check),
# and 7 + 1 + 4 for demo.conf.in

my @cases;

for my $name (@examples) {
    my $text = slurp("conf/$name");

    # the only changes: the paths and the listen addresses

    for my $from ('/etc/nginx/sts/', '/etc/nginx/tls/', '/var/log/nginx/') {
        my $to = $from =~ s{^/etc/nginx/(\w+)/}{$dir/$1/}r
                       =~ s{^/var/log/nginx/}{$dir/log/}r;
        $text =~ s{\Q$from\E}{$to}g;
    }

    my %ports;
    $text =~ s{^(\s*listen\s+)(\S+?)(?=[\s;])}
              {$1 . '127.0.0.1:' . ($ports{$2} //= free_port())}meg;

    my $code = $text =~ s/#.*//gr;
    my @files = $code =~ m{\Q$dir\E/(?:sts|tls)/[\w.-]+}g;

    push @cases, [ $name, $text, $code, \@files ];
}

# demo.conf.in's variables: MODULE, USER, RUNTIME and these ports
my @demo_ports = qw(PORT STORE_PORT WEB_PORT STS_PORT STS_TLS_PORT APP_PORT);

plan tests => 1 + sum0(map { 1 + @{ $_->[3] } + 4 } @cases)
              + 3 + @demo_ports + 1 + 4 + 1;

ok(@examples >= 8, "conf/ holds the examples (@examples)");

# the README's "Scaling out" shows conf/fleet.conf's lines, as they are
{
    my ($snippet) = slurp('README.md')
        =~ /^## Scaling out\n.*?^```nginx\n(.*?)^```$/ms;
    ok(defined $snippet && length $snippet
       && index(slurp('conf/fleet.conf'), $snippet) >= 0,
       'README: the Scaling out example is conf/fleet.conf\'s, which is '
       . 'loaded below');
}

for my $case (@cases) {
    my ($name, $text, $code, $files) = @$case;
    my $test = "$dir/$name";

    unlike($code, qr{/etc/nginx/|/var/log/nginx/},
           "$name: no path outside the scratch directory is left");

    for my $f (@$files) {
        ok(-f $f, "$name: $f exists");
    }

    spew($test, $text, 0644);

    my ($before, $after) = @{ $around{$name} || [ '', '' ] };

    my $conf = <<"END";
${load}pid $dir/nginx.pid;
error_log $dir/log/error.log;
events {}
http {
    access_log $dir/log/access.log;
    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;
$before
    include $test;
$after
}
END

    check($name, $conf);
}

# demo.conf.in as tools/run.sh fills it in, with its files in a runtime
# directory

{
    my $rt = "$dir/demo";
    make_path("$rt/logs", "$rt/tmp", "$rt/tls", "$rt/www", { mode => 0700 });
    spew("$rt/keys", $keygen, 0600);
    my $secret = '0123456789abcdef0123456789abcdef01234567';
    spew("$rt/directory.json",
         slurp('tools/demo/directory.json') =~ s/\@APPSERVER_SECRET\@/$secret/r,
         0600);
    spew("$rt/s3rver-credentials.json",
         qq({"AccessKeyId": "S3RVER", "AccessKeySecret": "S3RVER"}\n), 0600);
    copy("$dir/tls/cert.pem", "$rt/tls/sts.pem") or die;
    copy("$dir/tls/cert.key", "$rt/tls/sts.key") or die;
    chmod 0600, "$rt/tls/sts.key";
    copy('conf/audit-log.conf', "$rt/audit-log.conf") or die;

    my %vars = (
        MODULE => join(' ', map { abs_path($_) } split ' ', $module),
        USER => $> == 0 ? 'user root;' : '',
        RUNTIME => $rt,
        map { $_ => free_port() } @demo_ports,
    );

    my $text = slurp('conf/demo.conf.in');

    for my $v (sort keys %vars) {
        like($text, qr/\@$v\@/, "demo.conf.in: \@$v\@ is there to fill in");
        # a module compiled in: no load_module line
        $text =~ s/^load_module \@MODULE\@;\n//m if $v eq 'MODULE' && !$vars{$v};
        $text =~ s/\@$v\@/$vars{$v}/g;
    }

    unlike($text =~ s/#.*//gr, qr/\@[A-Z_]+\@/,
           'demo.conf.in: every @VAR@ filled in');

    check('demo.conf.in', $text);
}

remove_tree($dir) if Test::More->builder->is_passing;



# nginx -t on one configuration: exit 0, both lines of success, nothing
# logged at warn or above (on stderr or in the error log)

sub check {
    my ($name, $conf) = @_;

    my $file = "$dir/load-$name";
    spew($file, $conf, 0644);
    unlink "$dir/log/error.log";

    my $out = `"$nginx" -t -p "$dir/" -c "$file" -e "$dir/log/error.log" 2>&1`;
    my $rc = $? >> 8;
    my $log = -f "$dir/log/error.log" ? slurp("$dir/log/error.log") : '';

    is($rc, 0, "$name: nginx -t exits 0") or diag($out);
    like($out, qr/syntax is ok/, "$name: syntax is ok");
    like($out, qr/test is successful/, "$name: test is successful");
    unlike($out . $log, qr/\[(?:warn|error|crit|alert|emerg)\]/,
           "$name: no [warn] or worse");
}
