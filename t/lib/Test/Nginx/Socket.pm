package Test::Nginx::Socket;

# A small in-tree implementation of the Test::Nginx::Socket test scaffold
# for nginx C modules, built on Test::Base.  It implements the subset of
# sections, functions and environment variables described in
# t/lib/Test/Nginx/README, with the same grammar, the same order of the
# parts of nginx.conf and the same assertion counts, so that the t/*.t
# files run unchanged under either this file or the full scaffold.
#
# Per block: the server root is wiped, conf/nginx.conf and the user files
# are written, nginx is started in the foreground as a child of this
# process (daemon off), the requests are sent repeat_each() times over
# plain sockets, every response is checked along with the error log it
# caused, and nginx is stopped again.

use strict;
use warnings;

use Test::Base -base;

use Cwd ();
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use File::Spec;
use IO::Handle;
use IO::Select;
use IO::Socket::INET;
use List::Util qw(shuffle);
use POSIX ();
use Test::LongString;
use Time::HiRes qw(sleep time);

our $VERSION = '0.01';

our @EXPORT = qw(
    run_tests repeat_each no_shuffle log_level workers master_on master_off
    worker_connections no_long_string no_root_location
    check_accum_error_log env_to_nginx add_block_preprocessor
    add_response_body_check add_cleanup_handler html_dir server_root
    server_port server_port_for_client is_str bail_out
    $ServerPort $ServerPortForClient $ServRoot
);

# ---------------------------------------------------------------------
# Settings (environment first, then the preamble's function calls)
# ---------------------------------------------------------------------

my $Cwd = Cwd::getcwd();

our $RepeatEach        = 1;
our $NoShuffle         = $ENV{TEST_NGINX_NO_SHUFFLE} ? 1 : 0;
our $LogLevel          = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $Workers           = 1;
our $MasterOn          = 0;
our $WorkerConnections = 64;
our $NoLongString      = 0;
our $NoRootLocation    = 0;
our $CheckAccumErrLog  = 0;
our $Timeout           = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $TestNginxSleep    = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $UseValgrind       = $ENV{TEST_NGINX_USE_VALGRIND} ? 1 : 0;
our $NginxBinary       = _find_nginx();

our $ServerPort = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT}
                  || 1984;
our $ServRoot   = $ENV{TEST_NGINX_SERVROOT} || 't/servroot';

if ($ENV{TEST_NGINX_RANDOMIZE}) {
    # A private port and server root, so that "prove -jN" can run
    # several test files at once.
    $ServerPort = _free_port();
    $ServRoot   = "t/servroot_$ServerPort";
}

# The port requests go to; a randomized server port wins over
# TEST_NGINX_PORT.
our $ServerPortForClient = $ENV{TEST_NGINX_CLIENT_PORT}
    || ($ENV{TEST_NGINX_RANDOMIZE} ? undef : $ENV{TEST_NGINX_PORT})
    || $ServerPort;

$ServRoot = _abs_path($ServRoot);

my $HtmlDir    = "$ServRoot/html";
my $ConfDir    = "$ServRoot/conf";
my $LogDir     = "$ServRoot/logs";
my $ConfFile   = "$ConfDir/nginx.conf";
my $ErrLogFile = "$LogDir/error.log";
my $AccLogFile = "$LogDir/access.log";
my $PidFile    = "$LogDir/nginx.pid";
my $StderrFile = "$LogDir/stderr.log";

# Exported for configs that proxy to themselves or name files in servroot.
$ENV{TEST_NGINX_SERVER_PORT} = $ServerPort;
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;

my @EnvToNginx;
my @BlockPreprocessors;
my @ResponseBodyChecks;
my @CleanupHandlers;

# Run-time state.
my $NginxPid;          # the nginx we started and have not reaped yet
my $NginxOwner;        # name of the block that started it
my $LastExitStatus;    # wait status of the last nginx reaped
my $ErrLogPos = 0;     # where the last error log check stopped
my %RandPorts;         # TEST_NGINX_RAND_PORT_<n> values of this block
my $PrevConfig;        # the last "--- config" seen
my %NginxInfo;         # version and build flags, from "nginx -V"

# ---------------------------------------------------------------------
# Preamble functions
# ---------------------------------------------------------------------

sub repeat_each {
    $RepeatEach = shift if @_;
    return $RepeatEach;
}

sub no_shuffle            { $NoShuffle = 1 }
sub no_long_string        { $NoLongString = 1 }
sub no_root_location      { $NoRootLocation = 1 }
sub check_accum_error_log { $CheckAccumErrLog = 1 }
sub master_on             { $MasterOn = 1 }
sub master_off            { $MasterOn = 0 }

sub log_level {
    $LogLevel = shift if @_;
    return $LogLevel;
}

sub workers {
    $Workers = shift if @_;
    return $Workers;
}

sub worker_connections {
    $WorkerConnections = shift if @_;
    return $WorkerConnections;
}

# env_to_nginx('FOO', 'BAR=baz') emits "env FOO;" and "env BAR=baz;".
sub env_to_nginx { push @EnvToNginx, @_ }

sub add_block_preprocessor  { push @BlockPreprocessors, @_ }
# add_response_body_check(sub { ($block, $body, $req_idx, $rep, $dry_run) })
sub add_response_body_check { push @ResponseBodyChecks, @_ }
sub add_cleanup_handler     { push @CleanupHandlers, @_ }

sub html_dir               { $HtmlDir }
sub server_root            { $ServRoot }
sub server_port            { $ServerPort }
sub server_port_for_client { $ServerPortForClient }

# is_str($got, $expected, $name): is() for strings, like() for qr//.
sub is_str {
    my ($got, $expected, $name) = @_;
    if (ref $expected eq 'Regexp') {
        return like($got, $expected, $name);
    }
    return is($got, $expected, $name);
}

sub bail_out {
    _stop_nginx(1);
    Test::More::BAIL_OUT(@_);
}

# ---------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------

sub run_tests {
    _check_binary();

    local $SIG{INT}  = sub { die "interrupted\n" };
    local $SIG{TERM} = sub { die "terminated\n" };

    _kill_stale_nginx();

    my @blocks = blocks();
    @blocks = shuffle(@blocks) unless $NoShuffle;

    for my $block (@blocks) {
        # Test descriptions name the script too: "t/foo.t TEST 1: ...".
        $block->set_value('name', "$0 " . $block->name);
        $_->($block) for @BlockPreprocessors;
        _run_block($block);
    }

    _stop_nginx() unless $ENV{TEST_NGINX_NO_CLEAN};
    $_->() for @CleanupHandlers;
    return if $ENV{TEST_NGINX_NO_CLEAN};

    # A randomized server root is private to this run: drop it unless
    # something failed and it is worth a look.
    remove_tree($ServRoot)
        if $ENV{TEST_NGINX_RANDOMIZE} && Test::More->builder->is_passing;
}

sub _run_block {
    my ($block) = @_;
    my $name = _test_name($block);

    %RandPorts = ();
    $ErrLogPos = 0;

    # A block without a config reuses the previous block's one.
    my $config = _sect($block, 'config');
    if (defined $config) {
        $PrevConfig = $config;
    } else {
        $config = $PrevConfig // '';
    }

    my %conf = (config => $config);
    for my $part (qw(main_config http_config post_main_config)) {
        $conf{$part} = _sect($block, $part) // '';
    }
    for my $part (keys %conf) {
        $conf{$part} = _expand_env($conf{$part}, $name, $part);
    }

    _stop_nginx();
    _prepare_servroot($block);
    _write_config($block, \%conf);

    my $must_die = defined _sect($block, 'must_die');

    for my $rep (0 .. $RepeatEach - 1) {
        if ($must_die) {
            _run_must_die($block, $rep);
            next;
        }

        if ($NginxPid && waitpid($NginxPid, POSIX::WNOHANG()) == $NginxPid) {
            # It died during the previous repetition: say so, restart.
            $LastExitStatus = $?;
            undef $NginxPid;
            fail("$name - nginx exited unexpectedly ("
                 . _status_str($LastExitStatus) . ")");
        }

        if (!$NginxPid && !_start_nginx($block)) {
            return;
        }

        # "--- init": Perl code run once nginx is up, before the first
        # request (its package is not main: name things fully)
        my $init = _sect($block, 'init');
        if ($rep == 0 && defined $init) {
            eval $init;
            bail_out("$name - init failed: $@") if $@;
        }

        _run_requests($block, $rep);
    }

    _stop_nginx() unless $ENV{TEST_NGINX_NO_CLEAN};
}

# ---------------------------------------------------------------------
# Server root and nginx.conf
# ---------------------------------------------------------------------

sub _prepare_servroot {
    my ($block) = @_;

    if (-e $ServRoot) {
        # Refuse to wipe a directory that was not made by a test run.
        opendir my $dh, $ServRoot or die "cannot open $ServRoot: $!\n";
        my @entries = grep { !/^\.\.?$/ } readdir $dh;
        closedir $dh;
        if (@entries && !-e $ConfFile) {
            die "refusing to clean $ServRoot: no conf/nginx.conf in it, "
                . "so it does not look like a test server root\n";
        }
        remove_tree($ServRoot);
    }

    make_path($ConfDir, $HtmlDir, $LogDir, { mode => 0755 });
    chmod 0755, $ServRoot, $ConfDir, $HtmlDir, $LogDir;

    _write_user_files($block);
}

# "--- user_files" holds ">>> path [YYYYMMDDhhmm]" headers, each followed
# by that file's content, or (eval) an array of [path, content, mtime].
sub _write_user_files {
    my ($block) = @_;
    my $spec = _sect($block, 'user_files');
    return unless defined $spec;

    my @files;
    if (ref $spec eq 'ARRAY') {
        @files = map { [@$_] } @$spec;
    } else {
        my @parts = split /^>>>[ \t]+/m, $spec;
        my $lead = shift @parts;
        die _test_name($block) . ": user_files must start with \">>> name\"\n"
            if $lead =~ /\S/;
        for my $part (@parts) {
            my ($head, $content) = split /\n/, $part, 2;
            my ($path, $date) = split ' ', $head;
            push @files, [$path, $content // '', $date];
        }
    }

    for my $file (@files) {
        my ($path, $content, $date) = @$file;
        die _test_name($block) . ": bad user file name \"$path\"\n"
            if $path =~ m{(?:^|/)\.\.(?:/|$)} || $path =~ m{^/};
        my $full = "$HtmlDir/$path";
        make_path(dirname($full), { mode => 0755 });
        open my $fh, '>', $full or die "cannot write $full: $!\n";
        binmode $fh;
        print $fh $content;
        close $fh;
        if (defined $date) {
            my $mtime = _parse_date($date);
            utime $mtime, $mtime, $full;
        }
    }
}

# YYYYMMDDhhmm[ss] in local time, or seconds since the epoch.
sub _parse_date {
    my ($date) = @_;
    if ($date =~ /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?$/) {
        return POSIX::mktime($6 // 0, $5, $4, $3, $2 - 1, $1 - 1900);
    }
    return $date if $date =~ /^\d+$/;
    die "bad user file date \"$date\"\n";
}

# nginx.conf in the full scaffold's layout, so that a config that works
# under one works under the other: the load_module lines on one line with
# main_config, the server listening on the bare port (all addresses), the
# test's config between "Begin/End test case config" comments, events{}
# after post_main_config, "user root" last when run as root.
sub _write_config {
    my ($block, $conf) = @_;
    my $level = _sect($block, 'log_level') // $LogLevel;
    $level =~ s/^\s+|\s+$//g;
    my $master = $MasterOn && !$UseValgrind;
    my $server_name = _sect($block, 'server_name') // 'localhost';
    $server_name =~ s/^\s+|\s+$//g;
    $server_name =~ s/([\\'])/\\$1/g;

    my @mods = map { "load_module " . _abs_path($_) . ";" }
               split ' ', $ENV{TEST_NGINX_LOAD_MODULES} // '';
    my $main = join ' ', @mods, $conf->{main_config};

    my @temp = ("client_body_temp_path $ServRoot/client_body_temp;");
    for my $kind (qw(proxy fastcgi scgi uwsgi)) {
        next if $NginxInfo{configure}
                && $NginxInfo{configure} =~ /--without-http_${kind}_module/;
        push @temp, "${kind}_temp_path $ServRoot/${kind}_temp;";
    }
    @temp = grep { my ($d) = /^(\w+)/; $conf->{http_config} !~ /\b$d\b/ }
            @temp;

    my @out = ("# generated by Test::Nginx::Socket for " . $block->name,
               "worker_processes  $Workers;",
               "daemon off;",
               "master_process " . ($master ? 'on' : 'off') . ";",
               "error_log $ErrLogFile $level;",
               "pid       $PidFile;");
    push @out, "env " . (/\s/ ? "'$_'" : $_) . ";" for @EnvToNginx;

    push @out, "",
               $main,
               "",
               "http {",
               "    access_log $AccLogFile; @temp",
               "",
               "    default_type text/plain;",
               "    keepalive_timeout  68000ms;",
               "",
               $conf->{http_config},
               "    server {",
               "        listen          $ServerPort;",
               "        server_name     '$server_name';",
               "        client_max_body_size 30M;",
               "",
               "        # Begin test case config...",
               $conf->{config},
               "        # End test case config.",
               "";
    push @out, "        location / {",
               "            root $HtmlDir;",
               "            index index.html index.htm;",
               "        }"
        unless $NoRootLocation;
    push @out, "    }",
               "}",
               "",
               $conf->{post_main_config},
               "",
               "events {",
               "    accept_mutex off;",
               "",
               "    worker_connections  $WorkerConnections;",
               "}";

    # Workers started by root switch to "nobody", who may not reach the
    # server root.
    push @out, "user root;" if $> == 0;

    open my $fh, '>', $ConfFile or die "cannot write $ConfFile: $!\n";
    print $fh map { my $l = $_; $l =~ s/\n?\z/\n/; $l } @out;
    close $fh;
}

# Replaces $TEST_NGINX_* with the environment's values; an unset variable
# aborts the run, except TEST_NGINX_RAND_PORT_<n>, which becomes a free
# port that stays the same for the whole block.
sub _expand_env {
    my ($text, $name, $what) = @_;
    return $text if !defined $text || ref $text;
    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{_env_value($1, $name, $what)}ge;
    return $text;
}

sub _env_value {
    my ($var, $name, $what) = @_;
    return $ENV{$var} if defined $ENV{$var};
    if ($var =~ /^TEST_NGINX_RAND_PORT_\d+$/) {
        return $RandPorts{$var} //= _free_port();
    }
    die "$name: environment variable $var is not set "
        . "(used in \"--- $what\")\n";
}

# ---------------------------------------------------------------------
# nginx processes
# ---------------------------------------------------------------------

sub _find_nginx {
    return $ENV{TEST_NGINX_BINARY} if $ENV{TEST_NGINX_BINARY};
    for my $dir (split /:/, $ENV{PATH} // '') {
        my $file = "$dir/nginx";
        return $file if -f $file && -x _;
    }
    return '/usr/sbin/nginx';
}

sub _check_binary {
    die "nginx binary $NginxBinary not found or not executable "
        . "(set TEST_NGINX_BINARY)\n"
        unless -f $NginxBinary && -x _;

    return if %NginxInfo;
    my $out = `"$NginxBinary" -V 2>&1`;
    ($NginxInfo{version}) = $out =~ m{version: \S+?/(\d+\.\d+\.\d+)};
    ($NginxInfo{configure}) = $out =~ /^configure arguments:(.*)$/m;
    $NginxInfo{version} //= '0.0.0';
}

sub _version_ge {
    my ($want) = @_;
    my @have = split /\./, $NginxInfo{version};
    my @need = split /\./, $want;
    for my $i (0 .. 2) {
        return $have[$i] > $need[$i] if $have[$i] != $need[$i];
    }
    return 1;
}

sub _spawn_nginx {
    my ($block) = @_;

    my @cmd = ($NginxBinary, '-p', "$ServRoot/", '-c', $ConfFile);

    # Send the messages logged before the config is read (such as
    # config errors) to error.log too, as a default build does.
    push @cmd, '-e', $ErrLogFile if _version_ge('1.19.5');

    if ($UseValgrind) {
        my @vg = ('valgrind', '-q', '--leak-check=full',
                  '--show-possibly-lost=no', '--num-callers=50');
        push @vg, "--suppressions=$Cwd/valgrind.suppress"
            if -f "$Cwd/valgrind.suppress";
        unshift @cmd, @vg;
    }

    STDOUT->flush;
    STDERR->flush;

    my $pid = fork;
    die "fork failed: $!\n" unless defined $pid;

    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $StderrFile;
        open STDERR, '>&', \*STDOUT;
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        print STDERR "cannot run $cmd[0]: $!\n";
        POSIX::_exit(127);
    }

    $NginxPid = $pid;
    $NginxOwner = _test_name($block);
}

# Waits until nginx has written its pid file (its sockets are listening
# by then) or has exited.  Returns "ready", "exited" or "timeout".
sub _wait_nginx {
    my $limit = $UseValgrind ? 60 : 3;
    my $deadline = time + $limit;

    while (1) {
        if (waitpid($NginxPid, POSIX::WNOHANG()) == $NginxPid) {
            $LastExitStatus = $?;
            undef $NginxPid;
            return 'exited';
        }
        if (open my $fh, '<', $PidFile) {
            my $pid = <$fh> // '';
            close $fh;
            return 'ready' if $pid =~ /^\s*(\d+)/ && $1 == $NginxPid;
        }
        return 'timeout' if time > $deadline;
        sleep 0.005;
    }
}

sub _start_nginx {
    my ($block) = @_;
    my $name = _test_name($block);

    _spawn_nginx($block);
    my $state = _wait_nginx();
    return 1 if $state eq 'ready';

    if ($state eq 'exited') {
        fail("$name - nginx failed to start ("
             . _status_str($LastExitStatus) . ")");
    } else {
        fail("$name - nginx did not start within the time limit");
        _stop_nginx(1);
    }
    my ($lines) = _read_lines($ErrLogFile, 0);
    my ($more) = _read_lines($StderrFile, 0);
    diag(join "\n", "error.log and stderr:", @$lines, @$more);
    return 0;
}

# Stops the nginx we started (QUIT, then TERM, then KILL) and reaps it;
# reports a crash unless $quiet.
sub _stop_nginx {
    my ($quiet) = @_;
    return unless $NginxPid;

    my $pid = $NginxPid;
    my $owner = $NginxOwner;
    undef $NginxPid;

    my ($status, $crashed);
    my $r = waitpid($pid, POSIX::WNOHANG());
    if ($r == $pid) {
        $status = $?;
        $crashed = "exited unexpectedly";
    } elsif ($r < 0) {
        return;
    } else {
        SIGNAL:
        for my $sig (qw(QUIT TERM KILL)) {
            kill $sig, $pid;
            my $deadline = time + ($UseValgrind ? 30 : 5);
            while (time < $deadline) {
                if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
                    $status = $?;
                    last SIGNAL;
                }
                sleep 0.005;
            }
            diag("$owner - nginx did not exit on SIG$sig") unless $quiet;
        }
        $crashed = "crashed" if defined $status && ($status & 127)
                                && ($status & 127) != 15
                                && ($status & 127) != 9;
    }

    $LastExitStatus = $status;

    if ($crashed && !$quiet) {
        fail("$owner - nginx $crashed (" . _status_str($status) . ")");
        my ($lines) = _read_lines($StderrFile, 0);
        diag(join "\n", "stderr:", @$lines) if @$lines;
    }

    if ($UseValgrind && !$quiet) {
        my ($lines) = _read_lines($StderrFile, 0);
        my @vg = grep { /^==\d+==/ } @$lines;
        diag(join "\n", "$owner - valgrind:", @vg) if @vg;
    }
}

sub _status_str {
    my ($status) = @_;
    return 'unknown status' unless defined $status;
    return 'signal ' . ($status & 127) if $status & 127;
    return 'exit code ' . ($status >> 8);
}

# An nginx left running by an earlier run (TEST_NGINX_NO_CLEAN, or a run
# that was killed) still holds the port: stop it first.
sub _kill_stale_nginx {
    open my $fh, '<', $PidFile or return;
    my $pid = <$fh> // '';
    close $fh;
    return unless $pid =~ /^\s*(\d+)/;
    $pid = $1;
    return if $pid <= 1 || !kill 0, $pid;

    if (open my $cmd, '<', "/proc/$pid/cmdline") {
        my $line = <$cmd> // '';
        return unless $line =~ /nginx/;
    }

    for my $sig (qw(QUIT TERM KILL)) {
        kill $sig, $pid;
        for (1 .. 200) {
            return unless kill 0, $pid;
            sleep 0.01;
        }
    }
}

sub _free_port {
    my $sock = IO::Socket::INET->new(
        Listen    => 1,
        LocalAddr => '127.0.0.1',
        LocalPort => 0,
        Proto     => 'tcp',
        ReuseAddr => 1,
    ) or die "cannot find a free port: $@\n";
    my $port = $sock->sockport;
    close $sock;
    return $port;
}

# ---------------------------------------------------------------------
# must_die
# ---------------------------------------------------------------------

sub _run_must_die {
    my ($block, $rep) = @_;
    my $name = _test_name($block);

    my $err_pos = -s $ErrLogFile // 0;
    my $stderr_pos = -s $StderrFile // 0;

    _spawn_nginx($block);
    my $state = _wait_nginx();

    if ($state eq 'ready') {
        # It may still die while initializing: give it a moment.
        my $deadline = time + 0.3;
        while (time < $deadline) {
            if (waitpid($NginxPid, POSIX::WNOHANG()) == $NginxPid) {
                $LastExitStatus = $?;
                undef $NginxPid;
                $state = 'exited';
                last;
            }
            sleep 0.01;
        }
    }

    # One assertion: it died (with the given exit code, if any).
    my $code = 0;
    if ($state eq 'exited') {
        $code = $LastExitStatus & 127 ? 128 + ($LastExitStatus & 127)
                                      : $LastExitStatus >> 8;
    } else {
        diag("$name - nginx must die but it does not; killing it");
        _stop_nginx(1);
    }

    my $want = _sect($block, 'must_die');
    $want =~ s/\s+//g;
    if ($want =~ /^\d+$/) {
        is($code, $want, "$name - die with the expected exit code");
    } else {
        isnt($code, 0, "$name - die as expected");
    }

    # What it said before dying: error.log, or stderr when it never
    # got to open the log.
    my ($lines) = _read_lines($ErrLogFile, $err_pos);
    if (!@$lines) {
        ($lines) = _read_lines($StderrFile, $stderr_pos);
    }
    _check_error_log($block, $rep, $lines);
}

# ---------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------

sub _run_requests {
    my ($block, $rep) = @_;
    my $name = _test_name($block);

    my $timeout = _parse_timeout(_sect($block, 'timeout')) // $Timeout;
    my $abort = defined _sect($block, 'abort');

    my $wait = _parse_timeout(_sect($block, 'wait'));

    my @exchanges = _build_exchanges($block);
    my $count = 0;
    $count += @{ $_->{methods} } for @exchanges;

    # Several requests need one expectation each.
    if ($count > 1) {
        for my $section (qw(error_code error_code_like response_headers
                            response_headers_like response_body
                            response_body_like))
        {
            my $value = _sect($block, $section);
            next if !defined $value || ref $value eq 'ARRAY';
            bail_out("$name - You asked for many requests, the expected "
                     . "results should be arrays as well.");
        }
    }

    # Every response is checked, then the error log written since the
    # previous check.
    my $idx = 0;
    for my $x (@exchanges) {
        my $res = _exchange($x, $timeout);

        if ($res->{error}) {
            diag("$name - $res->{error}");
        }
        if ($res->{timed_out} && !$abort) {
            fail("ERROR: client socket timed out - $name");
        }

        sleep $wait if $wait;
        sleep 3 * $TestNginxSleep;

        for my $k (0 .. $#{ $x->{methods} }) {
            my $resp = $res->{responses}[$k]
                       // { headers => [], body => undef };
            _check_response($block, $resp, $idx++, $rep);

            my ($lines, $pos) = _read_lines($ErrLogFile,
                                    $CheckAccumErrLog ? 0 : $ErrLogPos);
            $ErrLogPos = $pos;
            _check_error_log($block, $rep, $lines);
        }
    }
}

# One exchange is one connection: its raw bytes (as separate writes) and
# the methods of the requests whose responses it expects.
sub _build_exchanges {
    my ($block) = @_;
    my $name = _test_name($block);

    my $delay = _sect($block, 'raw_request_middle_delay') // $TestNginxSleep;

    my $pipelined = _sect($block, 'pipelined_requests');
    if (defined $pipelined) {
        bail_out("$name - pipelined_requests needs an array (use eval)")
            unless ref $pipelined eq 'ARRAY';
        my (@raw, @methods);
        for my $i (0 .. $#$pipelined) {
            my $req = _build_request($block, $pipelined->[$i], $i,
                                     $i < $#$pipelined ? 'keep-alive'
                                                       : 'close', 1);
            push @raw, join '', @{ $req->{pieces} };
            push @methods, $req->{method};
        }
        return { pieces => [join '', @raw], methods => \@methods };
    }

    my $raw = _sect($block, 'raw_request');
    if (defined $raw) {
        my @pieces = ref $raw eq 'ARRAY' ? @$raw : ($raw);
        my ($method) = join('', @pieces) =~ /^\s*(\S+)/;
        return { pieces => \@pieces, methods => [$method // 'GET'],
                 delay => $delay };
    }

    my $request = _sect($block, 'request');
    bail_out("$name - no \"--- request\" section") unless defined $request;

    my @requests = ref $request eq 'ARRAY' ? @$request : ($request);
    my @exchanges;
    for my $i (0 .. $#requests) {
        my $req = _build_request($block, $requests[$i], $i, 'close');
        push @exchanges, { pieces => $req->{pieces},
                           methods => [$req->{method}],
                           delay => $delay };
    }
    return @exchanges;
}

# Turns one "--- request" value ("METHOD [URI [HTTP/x.y]]" and an
# optional body; an array of strings means separate writes) into raw
# HTTP with Host, Connection and Content-Length added.
sub _build_request {
    my ($block, $req, $idx, $connection, $expand) = @_;
    my $name = _test_name($block);

    # $TEST_NGINX_* is replaced in pipelined_requests only, as the full
    # scaffold does
    my @parts = ref $req eq 'ARRAY' ? @$req : ($req);
    @parts = map { $expand ? _expand_env($_ // '', $name, 'request')
                           : $_ // '' } @parts;
    my $text = join '', @parts;

    # Where the writes were split, as offsets into $text.
    my (@cuts, $off);
    $off = 0;
    for my $part (@parts[0 .. $#parts - 1]) {
        $off += length $part;
        push @cuts, $off;
    }

    # Leading blank and "#" lines are skipped.
    my $skip = 0;
    if ($text =~ /\A((?:[ \t]*(?:#[^\n]*)?\n)+)/) {
        $skip = length $1;
    }
    my $rest = substr $text, $skip;
    my ($first, $body) = $rest =~ /\A([^\n]*)(?:\n(.*))?\z/s;
    my $body_off = $skip + length($first) + (defined $body ? 1 : 0);
    $body //= '';
    my $has_body = length $body;

    $first =~ s/^\s+|\s+$//g;
    my @words = split /\s+/, $first;
    my $method = @words ? shift @words : 'GET';
    my $proto = @words && $words[-1] =~ m{^HTTP/}i ? pop @words
                                                   : 'HTTP/1.1';
    my $uri = @words ? join(' ', @words) : '/';

    # Headers: the defaults, then "--- more_headers".
    my $more = _pick(_sect($block, 'more_headers'), $idx);
    $more //= '';
    my (@headers, %have);
    for my $line (split /\n/, $more) {
        next if $line =~ /^\s*(?:#.*)?$/;
        $line =~ s/^\s+|\s+$//g;
        if ($line =~ /^([^:\s]+)\s*:\s*(.*)$/) {
            $have{lc $1} = $2;
            push @headers, "$1: $2";
        } else {
            push @headers, $line;
        }
    }
    my $chunked = ($have{'transfer-encoding'} // '') =~ /chunked/i;

    # The body is sent whitespace-trimmed, except a chunked one, which
    # must keep its final CRLFs.
    unless ($chunked) {
        if ($body =~ s/\A(\s+)//) {
            $body_off += length $1;
        }
        $body =~ s/\s+\z//;
    }

    unshift @headers, "Connection: $connection"
        unless exists $have{connection};
    unshift @headers, "Host: localhost" unless exists $have{host};
    # Content-Length when something follows the request line, even
    # blanks (then 0), as the full scaffold does: a PUT or POST without
    # a body has none unless the test gives it
    if (!$chunked && !exists $have{'content-length'} && $has_body) {
        push @headers, "Content-Length: " . length $body;
    }

    my $head;
    if ($proto =~ m{^HTTP/0\.9$}i) {
        $head = "$method $uri\r\n";
        $body = '';
    } else {
        $head = "$method $uri $proto\r\n"
                . join('', map { "$_\r\n" } @headers) . "\r\n";
    }
    my $raw = $head . $body;

    # Split $raw where the writes were split: cuts inside the body keep
    # their place relative to it, cuts in the request line keep theirs.
    my @raw_cuts;
    for my $cut (@cuts) {
        my $at;
        if ($cut >= $body_off) {
            $at = length($head) + $cut - $body_off;
        } else {
            $at = $cut - $skip;
            $at = 0 if $at < 0;
            my $line_end = index $raw, "\r\n";
            $at = $line_end if $at > $line_end;
        }
        $at = length $raw if $at > length $raw;
        push @raw_cuts, $at if $at > 0 && $at < length $raw;
    }
    my %seen;
    @raw_cuts = grep { !$seen{$_}++ } sort { $a <=> $b } @raw_cuts;

    my (@pieces, $prev);
    $prev = 0;
    for my $at (@raw_cuts, length $raw) {
        push @pieces, substr($raw, $prev, $at - $prev);
        $prev = $at;
    }

    return { pieces => \@pieces, method => uc $method };
}

# ---------------------------------------------------------------------
# HTTP client
# ---------------------------------------------------------------------

# Sends an exchange and reads the responses.  $timeout bounds each wait
# for the socket, not the whole exchange.
sub _exchange {
    my ($x, $timeout) = @_;
    local $SIG{PIPE} = 'IGNORE';

    my %res = (responses => [], timed_out => 0);

    my $sock = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1',
        PeerPort => $ServerPortForClient,
        Proto    => 'tcp',
        Timeout  => $timeout,
    );
    if (!$sock) {
        $res{error} = "cannot connect to 127.0.0.1:$ServerPortForClient: "
                      . ($@ || $!);
        return \%res;
    }
    $sock->blocking(0);
    my $sel = IO::Select->new($sock);

    my @pieces = @{ $x->{pieces} };
    WRITE:
    for my $i (0 .. $#pieces) {
        my $data = $pieces[$i];
        while (length $data) {
            if (!$sel->can_write($timeout)) {
                $res{timed_out} = 1;
                last WRITE;
            }
            my $n = syswrite $sock, $data;
            if (!defined $n) {
                next if $!{EAGAIN} || $!{EINTR};
                last WRITE;         # closed early: read what it said
            }
            substr $data, 0, $n, '';
        }
        sleep $x->{delay} if $i < $#pieces && $x->{delay};
    }

    # Read until nginx closes the connection, as the full scaffold does:
    # a response that is complete but followed by an open connection
    # (nginx lingering to discard a body) is a timeout too.
    my $buf = '';
    while (!$res{timed_out}) {
        if (!$sel->can_read($timeout)) {
            $res{timed_out} = 1;
            last;
        }
        my $n = sysread $sock, my $chunk, 65536;
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EINTR};
            last;                   # reset by peer
        }
        last if $n == 0;
        $buf .= $chunk;
    }
    close $sock;

    ($res{responses}) = _parse_responses($buf, $x->{methods}, 1);
    return \%res;
}

# Parses the responses to @$methods out of $buf.  Returns the responses
# found so far and whether all of them are complete; with $eof set, an
# incomplete last response is returned as far as it got.
sub _parse_responses {
    my ($buf, $methods, $eof) = @_;
    my @responses;
    my $pos = 0;
    for my $method (@$methods) {
        my $resp;
        ($resp, $pos) = _parse_response($buf, $pos, $method, $eof);
        push @responses, $resp;
        return (\@responses, 0) unless $resp->{complete};
    }
    return (\@responses, 1);
}

sub _parse_response {
    my ($buf, $pos, $method, $eof) = @_;

    while (1) {
        my %r = (complete => 0, headers => [], body => '');
        my $left = length($buf) - $pos;

        if ($left > 0 && index('HTTP/', substr($buf, $pos, 5)) != 0) {
            # No status line (HTTP/0.9): all of it is the body.
            $r{body} = substr $buf, $pos;
            $r{complete} = $eof;
            return (\%r, length $buf);
        }

        my ($end, $sep) = (index($buf, "\r\n\r\n", $pos), 4);
        my $lf = index $buf, "\n\n", $pos;
        ($end, $sep) = ($lf, 2) if $lf >= 0 && ($end < 0 || $lf < $end);

        my $head = $end >= 0 ? substr($buf, $pos, $end - $pos)
                             : substr($buf, $pos);
        _parse_head($head, \%r);
        $r{raw_headers} = "$head\r\n" if $end >= 0;
        if ($end < 0) {
            return (\%r, length $buf);
        }
        $pos = $end + $sep;

        my $status = $r{status} // 0;
        next if $status >= 100 && $status < 200 && $status != 101;

        my $te = _header(\%r, 'Transfer-Encoding') // '';
        my $cl = _header(\%r, 'Content-Length');

        if ($method eq 'HEAD' || $status == 204 || $status == 304
            || $status == 101)
        {
            $r{complete} = 1;

        } elsif ($te =~ /chunked/i) {
            my ($body, $new_pos, $complete, $err) = _dechunk($buf, $pos);
            $r{body} = $body;
            $r{complete} = $complete || ($err ? $eof : 0);
            $r{error} = $err;
            $pos = $new_pos;

        } elsif (defined $cl && $cl =~ /^\s*(\d+)\s*$/) {
            my $len = $1;
            $r{body} = substr $buf, $pos, $len;
            $r{complete} = length($r{body}) == $len;
            $pos += length $r{body};

        } else {
            # Delimited by the end of the connection.
            $r{body} = substr $buf, $pos;
            $r{complete} = $eof;
            $pos = length $buf;
        }

        return (\%r, $pos);
    }
}

sub _parse_head {
    my ($head, $r) = @_;
    my @lines = split /\r?\n/, $head;
    my $status_line = shift @lines // '';
    if ($status_line =~ m{^HTTP/\d+(?:\.\d+)?\s+(\d{3})(?:\s+(.*))?$}) {
        $r->{status} = $1;
        $r->{reason} = $2 // '';
    }
    for my $line (@lines) {
        if ($line =~ /^[ \t]+(.*)$/ && @{ $r->{headers} }) {
            $r->{headers}[-1][1] .= " $1";
        } elsif ($line =~ /^([^:]+):[ \t]*(.*?)[ \t]*$/) {
            push @{ $r->{headers} }, [$1, $2];
        }
    }
}

# Decodes a chunked body starting at $pos.  Returns the data decoded so
# far, the position after it, whether the last chunk was seen, and an
# error for a malformed body.
sub _dechunk {
    my ($buf, $pos) = @_;
    my $body = '';

    while (1) {
        my $eol = index $buf, "\n", $pos;
        return ($body, $pos, 0) if $eol < 0;
        my $line = substr $buf, $pos, $eol - $pos;
        $line =~ s/\r\z//;
        if ($line !~ /^\s*([0-9a-fA-F]+)\s*(?:;.*)?$/) {
            return ($body, $pos, 0, "bad chunk size line \"$line\"");
        }
        my $size = hex $1;
        my $p = $eol + 1;

        if ($size == 0) {
            # Trailers, up to an empty line.
            while (1) {
                my $e = index $buf, "\n", $p;
                return ($body, $pos, 0) if $e < 0;
                my $trailer = substr $buf, $p, $e - $p;
                $p = $e + 1;
                return ($body, $p, 1) if $trailer =~ /^\r?$/;
            }
        }

        return ($body . substr($buf, $p), $pos, 0)
            if length($buf) < $p + $size + 2;
        $body .= substr $buf, $p, $size;
        $p += $size;
        if (substr($buf, $p, 2) eq "\r\n") {
            $p += 2;
        } elsif (substr($buf, $p, 1) eq "\n") {
            $p += 1;
        } else {
            return ($body, $p, 0, "no CRLF after a chunk of $size bytes");
        }
        $pos = $p;
    }
}

# The value of a response header (several are joined with ", "), or
# undef when it is absent.
sub _header {
    my ($r, $name) = @_;
    my @values = map { $_->[1] }
                 grep { lc $_->[0] eq lc $name } @{ $r->{headers} };
    return @values ? join(', ', @values) : undef;
}

# ---------------------------------------------------------------------
# Assertions
# ---------------------------------------------------------------------

sub _check_response {
    my ($block, $r, $i, $rep) = @_;
    my $name = _test_name($block);

    return if defined _sect($block, 'ignore_response');

    diag("$name - malformed chunked body: $r->{error}") if $r->{error};

    # Status: error_code_like, else error_code, else 200.
    my $code_like = _pick(_sect($block, 'error_code_like'), $i);
    if (defined $code_like) {
        my $re = ref $code_like eq 'Regexp' ? $code_like : qr/$code_like/;
        like($r->{status} // '', $re, "$name - status code ok");
    } else {
        my $code = _pick(_sect($block, 'error_code'), $i) // 200;
        $code =~ s/^\s+|\s+$//g;
        is($r->{status} // '', $code, "$name - status code ok");
    }

    # raw_response_headers_like/unlike: one regex each (/s) on the status
    # line and the header lines, as received
    for my $kind (qw(like unlike)) {
        my $re = _pick(_sect($block, "raw_response_headers_$kind"), $i);
        next unless defined $re;
        my $raw = $r->{raw_headers} // '';
        if ($kind eq 'like') {
            like($raw, qr/$re/s, "$name - raw resp headers like");
        } else {
            unlike($raw, qr/$re/s, "$name - raw resp headers unlike");
        }
    }

    # response_headers: "Name: value" (absent counts as empty) or
    # "! Name" (must be absent); one assertion per line.  A name given
    # twice stops the run: the full scaffold checks only the last line.
    my $headers = _pick(_sect($block, 'response_headers'), $i);
    my %seen;
    if (defined $headers) {
        for my $line (split /\n/, $headers) {
            next unless $line =~ /\S/;
            bail_out("$name - header $1 named twice in response_headers")
                if $line =~ /^\s*!?\s*([^:\s]+)/ && $seen{$1}++;
            if ($line =~ /^\s*!\s*(\S+?)\s*$/) {
                my $got = _header($r, $1);
                ok(!defined $got,
                   "$name - header $1 not present in the raw headers")
                    or diag("got: $1: $got");
            } elsif ($line =~ /^\s*([^:\s]+)\s*:\s*(.*?)\s*$/) {
                my ($hdr, $want) = ($1, _expand_port($2));
                is(_header($r, $hdr) // '', $want, "$name - header $hdr ok");
            } else {
                fail("$name - bad response_headers line \"$line\"");
            }
        }
    }

    # response_headers_like: "Name: regex", anchored.  The full scaffold
    # ignores it in a block that has response_headers too: such a block
    # stops the run here rather than pass checks that never ran there.
    my $headers_like = _pick(_sect($block, 'response_headers_like'), $i);
    bail_out("$name - response_headers_like is ignored when the block "
             . "has response_headers: use one of them")
        if defined $headers_like && defined _sect($block, 'response_headers');
    if (defined $headers_like) {
        for my $line (split /\n/, $headers_like) {
            next unless $line =~ /\S/;
            bail_out("$name - header $1 named twice in response_headers_like")
                if $line =~ /^\s*([^:\s]+)/ && $seen{$1}++;
            if ($line =~ /^\s*([^:\s]+)\s*:\s*(.*?)\s*$/) {
                my ($hdr, $pat) = ($1, _expand_port($2));
                like(_header($r, $hdr) // '', qr/^(?:$pat)$/,
                     "$name - header $hdr like ok");
            } else {
                fail("$name - bad response_headers_like line \"$line\"");
            }
        }
    }

    # Body.
    my $tag = "(repeated req $rep, req $i)";
    my $body = _pick(_sect($block, 'response_body'), $i);
    my $body_like = _pick(_sect($block, 'response_body_like'), $i);
    if (defined $body) {
        my $test = "$name - response_body - response is expected $tag";
        if (ref $body eq 'Regexp') {
            like($r->{body}, $body, $test);
        } elsif ($NoLongString) {
            is($r->{body}, _expand_port($body), $test);
        } else {
            is_string($r->{body}, _expand_port($body), $test);
        }
    } elsif (defined $body_like) {
        my $re = ref $body_like eq 'Regexp'
                 ? $body_like : qr/${\ _expand_port($body_like)}/s;
        # The description shows the body, on one line.
        (my $got = $r->{body} // '') =~ s/\s+/ /g;
        $got =~ s/^ | $//g;
        like($r->{body}, $re,
             "$name - response_body_like - response is expected ($got)");
    }

    for my $check (@ResponseBodyChecks) {
        $check->($block, $r->{body}, $i, $rep, 0);
    }
}

# error_log: every pattern must match a line; no_error_log: none may.
sub _check_error_log {
    my ($block, $rep, $lines) = @_;
    my $name = _test_name($block);

    my $grep = _sect($block, 'grep_error_log');
    if (defined $grep) {
        my $want = _pick(_sect($block, 'grep_error_log_out'), $rep) // '';
        $grep =~ s/\n\z// unless ref $grep;
        my $got = '';
        for my $line (@$lines) {
            if (ref $grep eq 'Regexp') {
                while ($line =~ /$grep/g) {
                    $got .= substr($line, $-[0], $+[0] - $-[0]) . "\n";
                }
            } else {
                my $p = 0;
                while ((my $at = index $line, $grep, $p) >= 0) {
                    $got .= "$grep\n";
                    $p = $at + length $grep;
                }
            }
        }
        is_str($got, $want, "$name - grep_error_log_out (req $rep)");
    }

    my @want = _patterns(_sect($block, 'error_log'));
    my @deny = _patterns(_sect($block, 'no_error_log'));

    for my $pat (@want) {
        my $found = grep { _match($_, $pat) } @$lines;
        ok($found, sprintf '%s - pattern "%s" %s a line in error.log '
                           . '(req %d)', $name, $pat,
                           $found ? 'matches' : 'should match', $rep);
    }

    for my $pat (@deny) {
        my @bad = grep { _match($_, $pat) } @$lines;
        if (!@bad) {
            pass(sprintf '%s - pattern "%s" does not match a line in '
                         . 'error.log (req %d)', $name, $pat, $rep);
        }
        for my $line (@bad) {
            fail(sprintf '%s - pattern "%s" should not match any line in '
                         . 'error.log but matches line "%s" (req %d)',
                         $name, $pat, $line, $rep);
        }
    }

    for my $line (@$lines) {
        if ($line =~ /\bAssertion .* failed/) {
            fail("$name - assertion failure logged: $line");
        } elsif ($line =~ /\[(?:alert|crit|emerg)\]/
                 && !grep { _match($line, $_) } @want, @deny)
        {
            diag("WARNING: $name - $line");
        }
    }
}

# A log section's patterns: eval arrays and qr// as given, text one per
# non-empty line.
sub _patterns {
    my ($spec) = @_;
    return () unless defined $spec;
    return ($spec) if ref $spec eq 'Regexp';
    if (ref $spec eq 'ARRAY') {
        # a pattern is a string or a qr//: anything else would match
        # nothing, and a no_error_log would pass without looking
        my @bad = grep { ref && ref ne 'Regexp' } @$spec;
        bail_out("bad error log pattern @bad: a string or a qr// only")
            if @bad;
        return grep { defined } @$spec;
    }
    return grep { length } split /\n/, $spec;
}

sub _match {
    my ($line, $pat) = @_;
    return $line =~ $pat if ref $pat eq 'Regexp';
    return index($line, $pat) >= 0;
}

# ---------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------

# A block's name in test descriptions.
sub _test_name {
    my ($block) = @_;
    return $block->name;
}

# A block's section in scalar context (undef when the block has none).
sub _sect {
    my ($block, $section) = @_;
    my $value = $block->$section;
    return $value;
}

# The $i-th value of an array-valued section, or the value itself.
sub _pick {
    my ($value, $i) = @_;
    return ref $value eq 'ARRAY' ? $value->[$i] : $value;
}

sub _expand_port {
    my ($s) = @_;
    return $s unless defined $s;
    $s =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
    $s =~ s/\$ServerPort\b/$ServerPort/g;
    return $s;
}

# "1.5", "2s" or "50ms", in seconds.
sub _parse_timeout {
    my ($t) = @_;
    return undef unless defined $t;
    $t =~ s/^\s+|\s+$//g;
    return $1 / 1000 if $t =~ /^(\d+(?:\.\d*)?)ms$/;
    return $1 if $t =~ /^(\d+(?:\.\d*)?)s?$/;
    die "bad time value \"$t\"\n";
}

# The lines of $file from byte $from on, and the position after them.
sub _read_lines {
    my ($file, $from) = @_;
    open my $fh, '<', $file or return ([], $from);
    binmode $fh;
    seek $fh, $from, 0;
    local $/;
    my $data = <$fh> // '';
    close $fh;
    return ([split /\r?\n/, $data], $from + length $data);
}

sub _abs_path {
    my ($path) = @_;
    return $path if File::Spec->file_name_is_absolute($path);
    return File::Spec->catfile($Cwd, $path);
}

END {
    # Do not leave nginx running when the test script stops early.
    local $?;
    _stop_nginx(1) unless $ENV{TEST_NGINX_NO_CLEAN};
}

1;
__END__

=head1 NAME

Test::Nginx::Socket - in-tree subset of the nginx module test scaffold

=head1 SYNOPSIS

    use Test::Nginx::Socket;

    repeat_each(2);
    plan tests => repeat_each() * (blocks() * 3);
    run_tests();

    __DATA__

    === TEST 1: sanity
    --- config
        location = /t { return 200 "hello\n"; }
    --- request
    GET /t
    --- response_body
    hello
    --- no_error_log
    [error]

=head1 DESCRIPTION

See t/lib/Test/Nginx/README for the sections, functions and environment
variables implemented.

=cut
