#!/usr/bin/perl
# The dependency check of "make test": everything the tests and "make run"
# use must come from a Debian package that tools/deps.sh installs, so that
# a fresh Debian 12 passes after tools/deps.sh and a machine's leftovers
# (a module from CPAN, a package installed by hand) cannot hide a missing
# one.  TAP.
#
#   Perl      every module a .t or .pm under t/ uses or requires: its file
#             in Debian's Perl directories (not /usr/local), owned (dpkg -S)
#             by perl's own packages or by a package of deps.sh
#   Python    every module the Python in the .t files imports: perl's rule,
#             with python3's own packages
#   commands  every external command the test and run scripts call: found
#             on PATH, owned (dpkg -S, along its symlinks) by a package of
#             deps.sh or an Essential or required one; and no script calls
#             one this list misses
#   node      every package a script requires is in its folder's
#             package.json, pinned, and locked in package-lock.json; an
#             installed node_modules holds exactly the locked versions
#   itself    run against a copy of deps.sh without libhttp-date-perl and
#             curl, the check must fail on HTTP::Date and curl
#
# STS_DEPS_SH selects the deps.sh to read (default tools/deps.sh).
#
#   prove t/deps/check.t

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Find;
use File::Temp qw(tempdir);
use JSON::PP;
use Test::More;

my $root = abs_path(dirname(abs_path($0)) . '/../..');
chdir $root or die "$root: $!\n";

my $deps_sh = $ENV{STS_DEPS_SH} || "$root/tools/deps.sh";

# ---------------------------------------------------------------------
# the packages deps.sh names: its PKGS and NODE_PKGS

sub read_file {
    my ($f) = @_;
    open my $fh, '<', $f or die "$f: $!\n";
    local $/;
    return scalar <$fh>;
}

my %named;
{
    my $text = read_file($deps_sh);
    for my $var (qw(PKGS NODE_PKGS)) {
        $text =~ /^$var="([^"]*)"/m
            or BAIL_OUT("$deps_sh: no $var=\"...\" list");
        $named{$_} = 1 for split ' ', $1;
    }
}
ok(scalar(keys %named) > 10, "deps.sh names " . scalar(keys %named)
   . " packages");

# ---------------------------------------------------------------------
# dpkg

# the names dpkg may know PATH by: PATH, its directories' symlinks
# resolved (/usr/share/perl/5.36 is 5.36.0), and the other side of
# Debian's merged /usr (dpkg knows /bin/sh, PATH says /usr/bin/sh)
sub aliases {
    my ($path) = @_;
    my %a = ($path => 1);
    my $d = abs_path(dirname($path));
    $a{"$d/" . (split m{/}, $path)[-1]} = 1 if defined $d;
    for my $p (keys %a) {
        if ($p =~ m{^/usr(/(?:s?bin|lib\w*)/.*)$}) {
            $a{$1} = 1;
        } elsif ($p =~ m{^(/(?:s?bin|lib\w*)/.*)$}) {
            $a{"/usr$1"} = 1;
        }
    }
    return sort keys %a;
}

# owners_of(PATH...): dpkg-query -S once for all (it reads every file
# list each time), remembered
my %owned;
sub owners_of {
    my @ask = grep { !exists $owned{$_} } map { aliases($_) } @_;
    return unless @ask;
    $owned{$_} = [] for @ask;
    my $pid = open(my $fh, '-|') // die "fork: $!\n";
    unless ($pid) {
        open STDERR, '>', '/dev/null';
        exec 'dpkg-query', '-S', @ask or exit 127;
    }
    while (my $line = <$fh>) {
        chomp $line;
        next if $line =~ /^diversion /;
        next unless $line =~ /^(.+?): (\/.*)$/ && exists $owned{$2};
        my ($pkgs, $p) = ($1, $2);
        push @{ $owned{$p} }, map { (my $k = $_) =~ s/:.*//; $k }
            split /,\s*/, $pkgs;
    }
    close $fh;
}

# owners(PATH): the packages dpkg says own PATH
sub owners {
    my ($path) = @_;
    owners_of($path);
    my %own = map { $_ => 1 } map { @{ $owned{$_} } } aliases($path);
    return sort keys %own;
}

my %essential;
sub essential {
    my ($pkg) = @_;
    unless (exists $essential{$pkg}) {
        my $f = `dpkg-query -W -f='\${Essential} \${Priority}' '$pkg' \
                 2>/dev/null`;
        $essential{$pkg} = $f =~ /^yes |\brequired$/ ? 1 : 0;
    }
    return $essential{$pkg};
}

# ---------------------------------------------------------------------
# Perl modules

my (@t_files, @pm_files);
find({ no_chdir => 1, wanted => sub {
    if (-d $_ && m{/(?:node_modules|servroot[^/]*|tmp)$}) {
        $File::Find::prune = 1;
        return;
    }
    push @t_files, $_ if /\.t$/ && -f $_;
    push @pm_files, $_ if /\.pm$/ && -f $_;
} }, 't');
@t_files = sort @t_files;
@pm_files = sort @pm_files;

my %modules;    # module => first file using it
for my $f (@t_files, @pm_files) {
    open my $fh, '<', $f or die "$f: $!\n";
    while (my $line = <$fh>) {
        next unless $line =~ /^\s*(?:use|require)\s+([A-Za-z_][\w:]*)/;
        my $m = $1;
        $modules{$m} //= $f;
    }
    close $fh;
}

# the tests' own modules, under t/
my %local;
for my $f (@pm_files) {
    (my $m = $f) =~ s{^t/(?:[^/]+/)*?lib/}{} or next;
    $m =~ s{\.pm$}{};
    $m =~ s{/}{::}g;
    $local{$m} = 1;
}

my ($pv) = sprintf('%vd', $^V) =~ /^(\d+\.\d+)/;
my %perl_core = map { $_ => 1 }
    ('perl-base', "perl-modules-$pv", "libperl$pv", 'perl');

# Debian's Perl directories: @INC without /usr/local, ".", t/
my @inc = grep { m{^/} && !m{^/usr/local/} && !m{^\Q$root\E} && -d $_ }
    @INC;

ok(scalar(keys %modules) > 5, 'the .t and .pm files under t/ use '
   . scalar(keys %modules) . ' modules');

my %module_file;
for my $m (keys %modules) {
    (my $rel = "$m.pm") =~ s{::}{/}g;
    ($module_file{$m}) = grep { -f $_ } map { "$_/$rel" } @inc;
}
owners_of(grep { defined } values %module_file);

for my $m (sort keys %modules) {
    next if $local{$m};
    my $file = $module_file{$m};
    unless ($file) {
        fail("Perl module $m ($modules{$m}): not installed in Debian's Perl"
             . " directories (run tools/deps.sh)");
        next;
    }
    my @own = owners($file);
    my @ok = grep { $perl_core{$_} || $named{$_} } @own;
    ok(@ok, "Perl module $m: $file from "
       . (@own ? join(', ', @own) : 'no Debian package')
       . (@ok ? '' : ", which deps.sh does not name"))
        or diag("used by $modules{$m}");
}

# ---------------------------------------------------------------------
# Python modules (the Python embedded in .t files)

my %pymods;
for my $f (@t_files) {
    open my $fh, '<', $f or die "$f: $!\n";
    while (my $line = <$fh>) {
        if ($line =~ /^import\s+([\w.]+(?:\s*,\s*[\w.]+)*)\s*$/) {
            $pymods{(split /\./)[0]} //= $f for split /\s*,\s*/, $1;
        } elsif ($line =~ /^from\s+([\w]+)[\w.]*\s+import\s/) {
            $pymods{$1} //= $f;
        }
    }
    close $fh;
}

if (%pymods) {
    my ($py) = grep { -x $_ } '/usr/bin/python3';
    ok($py, 'python3 for the Python in ' . join(', ',
       sort { $a cmp $b } keys %{{ map { $_ => 1 } values %pymods }}));
    my ($pyv) = $py
        ? `$py -c 'import sys; print("%d.%d" % sys.version_info[:2])'`
        =~ /^(\d+\.\d+)/ : ('');
    my %py_core = map { $_ => 1 } ("libpython$pyv-minimal",
        "libpython$pyv-stdlib", "python$pyv-minimal", "python$pyv");
    for my $m (sort keys %pymods) {
        my $origin = $py ? `$py -I -c 'import importlib.util, sys
s = importlib.util.find_spec(sys.argv[1])
print(s.origin if s else "")' '$m' 2>/dev/null` : '';
        chomp $origin;
        if ($origin =~ /^(?:built-in|frozen)$/) {
            pass("Python module $m: $origin in python3");
            next;
        }
        unless ($origin =~ m{^/} && $origin !~ m{^/usr/local/}) {
            fail("Python module $m ($pymods{$m}): not installed from a"
                 . " Debian package (run tools/deps.sh)");
            next;
        }
        my @own = owners($origin);
        my @ok = grep { $py_core{$_} || $named{$_} } @own;
        ok(@ok, "Python module $m: $origin from "
           . (@own ? join(', ', @own) : 'no Debian package')
           . (@ok ? '' : ", which deps.sh does not name"));
    }
}

# ---------------------------------------------------------------------
# commands

# What the scripts of "make test" and "make run" call (sudo only where
# deps.sh is not run as root: it must be there already).
my %commands = (
    # Makefile: all, unit, lint, deps, test, run
    make => 'Makefile', cc => 'Makefile', ar => 'Makefile',
    bash => 'Makefile', 'dpkg-buildflags' => 'Makefile',
    cp => 'Makefile', mkdir => 'Makefile', rm => 'Makefile',
    sed => 'Makefile', tail => 'Makefile', prove => 'Makefile',
    sh => 'Makefile',
    # tools/deps.sh, .ci/run
    'dpkg-query' => 'tools/deps.sh', grep => 'tools/deps.sh',
    id => 'tools/deps.sh', 'apt-get' => 'tools/deps.sh',
    # tools/lint.sh
    git => 'tools/lint.sh', awk => 'tools/lint.sh', sort => 'tools/lint.sh',
    wc => 'tools/lint.sh', perl => 'tools/lint.sh',
    # tools/run.sh, tools/oss-curl, t/run-all.sh, t/e2e
    dirname => 'tools/run.sh', basename => 'tools/run.sh',
    cat => 'tools/run.sh', chmod => 'tools/run.sh',
    sleep => 'tools/run.sh', nohup => 'tools/run.sh',
    curl => 'tools/run.sh', openssl => 'tools/run.sh',
    nginx => 'tools/run.sh', node => 'tools/run.sh', npm => 'tools/run.sh',
    chromium => 't/e2e/browser.test.js',
    # the .t files and their helpers
    python3 => 't/110-bad-input.t',
    'redis-server' => 't/lib/StsRedis.pm', 'redis-cli' => 't/lib/StsRedis.pm',
);

# the programs the scripts and tests name by their path, not by PATH
my %fixed = (
    nginx => '/usr/sbin/nginx',         # NGINX, TEST_NGINX_BINARY
    python3 => '/usr/bin/python3',      # t/110-bad-input.t
    chromium => '/usr/bin/chromium',    # CHROMIUM, browser.test.js
);

my @scripts = ('Makefile', '.ci/run', 'tools/deps.sh', 'tools/lint.sh',
    'tools/run.sh', 'tools/oss-curl', 't/run-all.sh', 't/e2e/run.sh',
    't/e2e/start-nginx.sh');

# shell words that are no commands
my %shell = map { $_ => 1 } qw(
    if then else elif fi for while until do done case esac in function
    cd echo printf set export exit return shift read test true false kill
    wait local trap eval exec command break continue umask unset pwd
    sudo SUDO . : [ ! { } ( ) time);

# command_words(TEXT, FUNCTIONS): the words in command position of shell
# TEXT (comments and here-documents dropped)
sub command_words {
    my ($text, $funcs) = @_;
    my @lines = split /\n/, $text;
    my ($out, $heredoc) = ('', undef);
    for my $l (@lines) {
        if (defined $heredoc) {
            undef $heredoc if $l =~ /^\s*\Q$heredoc\E\s*$/;
            next;
        }
        $heredoc = $1 if $l =~ /<<-?\s*['"]?(\w+)['"]?/;
        $l =~ s/(^|\s)#.*//;
        $out .= "$l\n";
    }
    $out =~ s/\\\n/ /g;
    # a list in a string over several lines (deps.sh's PKGS)
    $out =~ s/(\w+=)"[^"]*\n[^"]*"/$1""/g;
    my @words;
    for my $seg (split /\n|;|&&|\|\||\||\$\(|`|\(|\{|\bthen\b|\bdo\b|\belse\b/,
                 $out)
    {
        my @w = split ' ', $seg;
        shift @w while @w && ($w[0] =~ /^\w+=/
            || $w[0] =~ /^(?:!|exec|nohup|command|\$SUDO|sudo|-?@)$/);
        next unless @w;
        my $c = $w[0];
        $c =~ s/^[@-]+//;
        next unless $c =~ /^[a-z][\w.+-]*$/;
        next if $shell{$c} || $funcs->{$c};
        push @words, $c;
    }
    return @words;
}

my %called;     # command => script
for my $s (@scripts) {
    my $text = read_file($s);
    my %funcs = map { $_ => 1 } $text =~ /^(\w+)\(\)\s*\{/mg;
    if ($s eq 'Makefile') {
        # the recipes of every rule but fuzzing, benchmarks, the sanitized
        # suite, install, packaging and clean
        my ($rule, $recipes) = ('', '');
        for my $l (split /\n/, $text) {
            if ($l =~ /^([^\t#\s][^=]*?):(?!=)/) {
                $rule = $1;
                next;
            }
            next unless $l =~ s/^\t//;
            next if $rule =~ /fuzz|bench|asan|install|deb|clean|stop/;
            $l =~ s/\$\((?:CC)\)/cc/g;
            $l =~ s/\$\((?:MAKE)\)/make/g;
            $l =~ s/\$\$\(/\$(/g;
            $l =~ s/\$\([A-Z_]+\)/\$VAR/g;
            $l =~ s/\$\((?:dir|notdir|abspath|basename|patsubst|wildcard
                          |sort)\s[^)]*\)/\$VAR/gx;
            $recipes .= "$l\n";
        }
        $text = $recipes . join("\n", $text =~ /\$\(shell ([^)]*)\)/g);
    }
    $called{$_} //= $s for command_words($text, \%funcs);
}

# the programs the Perl tests and helpers start: exec and system with a
# program name, and commands kept in a $cmd string
for my $f (sort(glob('t/*.t'), glob('t/cli/*.t'), glob('t/lint/*.t'),
                glob('t/lib/*.pm')))
{
    my $text = read_file($f);
    for my $c ($text =~ /\b(?:exec|system)\s*\(?\s*['"]([a-z][\w.+-]*)/g,
               $text =~ /\$cmd\s*=\s*['"]([a-z][\w.+-]*)\s/g)
    {
        $called{$c} //= $f;
    }
}

for my $c (sort keys %called) {
    next if $commands{$c};
    # only what PATH knows as a program (awk's own words are no commands)
    next unless grep { -x "$_/$c" && !-d "$_/$c" }
        grep { m{^/} } split /:/, $ENV{PATH};
    fail("command $c ($called{$c}) is not in this check's list");
}

my %command_path;
for my $c (keys %commands) {
    ($command_path{$c}) = $fixed{$c} ? grep { -x $_ } $fixed{$c}
        : grep { -x $_ && !-d $_ } map { "$_/$c" }
              grep { m{^/} } split /:/, $ENV{PATH};
}

# the path and every link it goes through (alternatives, usr-merge)
sub hops {
    my ($path) = @_;
    my @hops = ($path);
    my $p = $path;
    for (1 .. 10) {
        my $t = readlink $p;
        last unless defined $t;
        $t = dirname($p) . "/$t" unless $t =~ m{^/};
        push @hops, $t;
        $p = $t;
    }
    my $real = abs_path($path);
    push @hops, $real if defined $real;
    return @hops;
}
owners_of(map { hops($_) } grep { defined } values %command_path);

for my $c (sort keys %commands) {
    my $path = $command_path{$c};
    unless ($path) {
        fail("command $c ($commands{$c}): "
             . ($fixed{$c} ? "no $fixed{$c}" : 'not on PATH')
             . ' (run tools/deps.sh)');
        next;
    }
    # the package of the first file on the way that has one: the one
    # that puts the command there (a symlink's, not its target's only)
    my ($first) = grep { my @o = owners($_); @o } hops($path);
    my @own = $first ? sort(owners($first)) : ();
    my @ok = grep { $named{$_} || essential($_) } @own;
    ok(@ok, "command $c: $path from "
       . (@own ? join(', ', @own) : 'no Debian package')
       . (@ok ? '' : ', which deps.sh does not name and is not Essential'
                     . ' or required'));
}

# ---------------------------------------------------------------------
# node packages

my $json = JSON::PP->new;
my %js = (
    't/e2e'              => [glob('t/e2e/*.js'), glob('t/e2e/lib/*.js')],
    'examples/appserver' => [glob('examples/appserver/*.js')],
    'tools/demo'         => [],
);

for my $dir (sort keys %js) {
    my $pj = $json->decode(read_file("$dir/package.json"));
    my $lockf = "$dir/package-lock.json";
    unless (-f $lockf) {
        fail("$dir: no package-lock.json");
        next;
    }
    my $lock = $json->decode(read_file($lockf));
    my $deps = $pj->{dependencies} || {};
    is_deeply($lock->{packages}{''}{dependencies} || {}, $deps,
              "$dir: package-lock.json locks package.json's dependencies");
    for my $n (sort keys %$deps) {
        my $locked = $lock->{packages}{"node_modules/$n"};
        ok($deps->{$n} =~ /^\d+\.\d+\.\d+$/ && $locked
           && $locked->{version} eq $deps->{$n},
           "$dir: $n pinned to $deps->{$n} and locked"
           . ($locked ? " at $locked->{version}" : ' (not in the lock)'));
    }

    my %req;
    for my $f (@{ $js{$dir} }) {
        my $text = read_file($f);
        while ($text =~ /\brequire\(\s*'([^']+)'\s*\)/g) {
            my $m = $1;
            next if $m =~ m{^(?:node:|\.)};
            $m =~ s{^((?:\@[^/]+/)?[^/]+).*}{$1};
            $req{$m} //= $f;
        }
    }
    for my $m (sort keys %req) {
        ok($deps->{$m}, "$dir: $m ($req{$m}) is a dependency in"
           . " package.json");
    }

    # a node_modules left from another lock would be used as it is
    if (-d "$dir/node_modules") {
        my @bad;
        for my $k (sort keys %{ $lock->{packages} }) {
            next unless $k =~ m{^node_modules/};
            my $want = $lock->{packages}{$k}{version} // next;
            my $f = "$dir/$k/package.json";
            next if !-f $f && $lock->{packages}{$k}{optional};
            my $have = -f $f ? ($json->decode(read_file($f))->{version}
                                // '') : 'missing';
            push @bad, "$k $have (locked $want)" if $have ne $want;
        }
        ok(!@bad, "$dir/node_modules: the locked versions"
           . (@bad ? ' (npm ci in ' . $dir . ')' : ''))
            or diag(join("\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)]));
    }
}

# make run starts s3rver and ali-oss's browser build from tools/demo, the
# end-to-end suite from t/e2e: the same versions
{
    my $demo = $json->decode(read_file('tools/demo/package.json'));
    my $e2e = $json->decode(read_file('t/e2e/package.json'));
    for my $n (sort keys %{ $demo->{dependencies} }) {
        is($e2e->{dependencies}{$n} // 'none', $demo->{dependencies}{$n},
           "t/e2e and tools/demo: the same $n");
    }
}

# ---------------------------------------------------------------------
# itself: without libhttp-date-perl and curl in deps.sh, it must fail

unless ($ENV{STS_DEPS_SELFTEST}) {
    my $tmp = tempdir('sts-deps-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $copy = "$tmp/deps.sh";
    my $text = read_file($deps_sh);
    my $n = ($text =~ s/(^PKGS="[^"]*)/
        (my $p = $1) =~ s{\s(?:libhttp-date-perl|curl)(?=\s)}{}g; $p/mse);
    open my $fh, '>', $copy or die "$copy: $!\n";
    print $fh $text;
    close $fh;

    local $ENV{STS_DEPS_SH} = $copy;
    local $ENV{STS_DEPS_SELFTEST} = 1;
    my $out = `"$^X" "$0" 2>&1`;
    my $rc = $? >> 8;
    ok($n && $rc != 0, "self-test: a deps.sh without libhttp-date-perl"
       . " and curl fails the check (exit $rc)");
    like($out, qr/^not\ ok\ \d+\ -\ Perl\ module\ HTTP::Date:\ .*
                  \ from\ libhttp-date-perl,\ which\ deps\.sh\ does\ not
                  \ name$/mx,
         'self-test: HTTP::Date is reported');
    like($out, qr/^not\ ok\ \d+\ -\ command\ curl:\ .*\ from\ curl,
                  \ which\ deps\.sh\ does\ not\ name/mx,
         'self-test: curl is reported');
    my @fails = $out =~ /^not ok/mg;
    is(scalar @fails, 2, 'self-test: nothing else fails')
        or diag(join "\n", grep { /^not ok/ } split /\n/, $out);
}

done_testing();
