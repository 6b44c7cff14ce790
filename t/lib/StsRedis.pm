package StsRedis;

# Helpers for the fleet suites: Redis servers started from Debian's
# redis-server on free loopback ports (one, or a cluster), a small RESP
# client to look into them, and a second gateway: another nginx with its
# own configuration, workers and shared memory, sharing only the Redis.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Path qw(make_path remove_tree);
use File::Spec;
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(sleep time);
use Exporter 'import';

our @EXPORT = qw(free_port redis_start redis_stop redis_cmd redis_wait
                 gateway_start gateway_stop gateway_get http_get_port
                 cluster_start cluster_stop);

my $root = abs_path(File::Spec->catdir((File::Spec->splitpath(__FILE__))[1],
                                       '..', '..'));
my $tmp = "$root/t/tmp";
my @children;

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or die "no free port: $!\n";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# one command, its reply decoded (an error as "ERR ..." prefixed with '-')
sub redis_cmd {
    my ($port, @args) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Timeout => 2)
        or return undef;
    my $req = '*' . scalar(@args) . "\r\n";
    $req .= '$' . length($_) . "\r\n$_\r\n" for @args;
    print $s $req;
    my $r = _read_reply($s);
    close $s;
    return $r;
}

sub _read_reply {
    my ($s) = @_;
    my $line = <$s>;
    return undef unless defined $line;
    $line =~ s/\r\n$//;
    my ($t, $v) = (substr($line, 0, 1), substr($line, 1));
    return $v if $t eq '+' || $t eq ':';
    return "-$v" if $t eq '-';
    if ($t eq '$') {
        return undef if $v < 0;
        my $data = '';
        while (length($data) < $v + 2) {
            my $n = read($s, $data, $v + 2 - length($data), length $data);
            last unless $n;
        }
        return substr($data, 0, $v);
    }
    if ($t eq '*') {
        return [] if $v <= 0;
        return [map { _read_reply($s) } 1 .. $v];
    }
    return undef;
}

sub redis_wait {
    my ($port, $secs) = @_;
    my $deadline = time + ($secs // 5);
    while (time < $deadline) {
        my $r = redis_cmd($port, 'PING');
        return 1 if defined $r && !ref $r && $r eq 'PONG';
        sleep 0.05;
    }
    return 0;
}

# redis_start(port => N, args => [...]): a redis-server in the foreground
# of a child process, its data nowhere
sub redis_start {
    my (%o) = @_;
    my $port = $o{port} // free_port();
    my $dir = "$tmp/redis-$$-$port";
    make_path($dir);
    my $pid = fork();
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        open STDOUT, '>', "$dir/redis.log";
        open STDERR, '>&', \*STDOUT;
        no warnings 'exec';
        exec 'redis-server', '--port', $port, '--bind', '127.0.0.1',
             '--save', '', '--appendonly', 'no', '--dir', $dir,
             '--daemonize', 'no', @{ $o{args} || [] };
        POSIX::_exit(127);
    }
    push @children, $pid;
    redis_wait($port) or die "redis-server on $port did not start\n";
    return { pid => $pid, port => $port, dir => $dir };
}

sub redis_stop {
    my ($r, $sig) = @_;
    return unless $r && $r->{pid};
    kill 'CONT', $r->{pid};
    kill $sig // 'KILL', $r->{pid};
    waitpid $r->{pid}, 0;
    @children = grep { $_ != $r->{pid} } @children;
    delete $r->{pid};
}

# three masters on loopback, slots spread by redis-cli
sub cluster_start {
    my @nodes;
    for (1 .. 3) {
        my $port = free_port();
        push @nodes, redis_start(port => $port,
            args => ['--cluster-enabled', 'yes',
                     '--cluster-config-file', "nodes-$port.conf",
                     '--cluster-node-timeout', '2000']);
    }
    my $cmd = 'redis-cli --cluster create '
              . join(' ', map { "127.0.0.1:$_->{port}" } @nodes)
              . ' --cluster-yes 2>&1';
    my $out = `$cmd`;
    die "cluster create failed: $out\n" if $? != 0;
    my $deadline = time + 10;
    while (time < $deadline) {
        my $ok = 1;
        for my $n (@nodes) {
            my $info = redis_cmd($n->{port}, 'CLUSTER', 'INFO') // '';
            $ok = 0 unless $info =~ /cluster_state:ok/;
        }
        return \@nodes if $ok;
        sleep 0.1;
    }
    die "the cluster did not come up\n";
}

sub cluster_stop {
    my ($nodes) = @_;
    redis_stop($_) for @$nodes;
}

# gateway_start($name, $http_conf): another nginx on a free port; in
# $http_conf, GATEWAY_PORT is its port
sub gateway_start {
    my ($name, $conf) = @_;
    my $port = free_port();
    my $dir = "$tmp/gateway-$$-$name";
    remove_tree($dir);
    make_path("$dir/logs", "$dir/conf");
    # as under Test::Nginx: set but empty is an nginx with the module
    # compiled in (make asan), so nothing is loaded
    my $module = $ENV{TEST_NGINX_LOAD_MODULES}
                 // "$root/build/ngx_http_sts_module.so";
    my $load = join '', map { "load_module $_;\n" } split ' ', $module;
    my $nginx = $ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx';
    $conf =~ s/GATEWAY_PORT/$port/g;
    open my $fh, '>', "$dir/conf/nginx.conf" or die "$dir: $!\n";
    print $fh <<"_EOC_";
${load}daemon off;
master_process on;
worker_processes 2;
error_log $dir/logs/error.log info;
pid $dir/logs/nginx.pid;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
$conf
}
_EOC_
    close $fh;
    my $pid = fork();
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        open STDOUT, '>', "$dir/logs/stdout";
        open STDERR, '>&', \*STDOUT;
        no warnings 'exec';
        exec $nginx, '-p', $dir, '-c', "$dir/conf/nginx.conf";
        POSIX::_exit(127);
    }
    push @children, $pid;
    my $deadline = time + 5;
    while (time < $deadline) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $port, Timeout => 1);
        if ($s) {
            close $s;
            return { pid => $pid, port => $port, dir => $dir };
        }
        sleep 0.05;
    }
    die "gateway $name did not start: "
        . `cat $dir/logs/stdout $dir/logs/error.log 2>/dev/null` . "\n";
}

sub gateway_stop {
    my ($g) = @_;
    return unless $g && $g->{pid};
    kill 'QUIT', $g->{pid};
    waitpid $g->{pid}, 0;
    @children = grep { $_ != $g->{pid} } @children;
    delete $g->{pid};
}

# GET or a raw request to a port: (status, body, headers)
sub http_get_port {
    my ($port, $target, $headers, $method, $body) = @_;
    $method //= 'GET';
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Timeout => 5)
        or die "connect $port: $!\n";
    my $req = "$method $target HTTP/1.0\r\nHost: localhost\r\n"
              . ($headers // '');
    if (defined $body) {
        $req .= "Content-Type: application/x-www-form-urlencoded\r\n"
                . "Content-Length: " . length($body) . "\r\n\r\n$body";
    } else {
        $req .= "\r\n";
    }
    print $s $req;
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($status) = $resp =~ m{^HTTP/1\.\d (\d{3})};
    my ($head, $b) = split /\r\n\r\n/, $resp, 2;
    return ($status // 0, $b // '', $head // '');
}

sub gateway_get { my ($g, @rest) = @_; return http_get_port($g->{port}, @rest) }

END {
    my $status = $?;
    for my $pid (@children) {
        kill 'CONT', $pid;
        kill 'TERM', $pid;
    }
    my $deadline = time + 3;
    for my $pid (@children) {
        while (waitpid($pid, POSIX::WNOHANG()) == 0) {
            if (time > $deadline) {
                kill 'KILL', $pid;
                waitpid $pid, 0;
                last;
            }
            sleep 0.02;
        }
    }
    $? = $status;
}

1;
