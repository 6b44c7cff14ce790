#!/usr/bin/perl
#
# Documentation checks, run by tools/lint.sh:
#
#   1. every "*.md" a file of src/, t/ or tools/ cites exists in the
#      repository; where a "doc/<file>.md" citation names a section
#      ("doc/protocol.md 7, row 29", "doc/protocol.md 1.4-1.6",
#      "doc/design.md, \"Backend connectors\""), that file has a heading
#      with the number or the name (and section 7 a table row 29);
#   2. every relative link of README.md, HACKING.md and doc/*.md points
#      to a file of the repository and, with "#anchor", to a heading of
#      that file.
#
# Prints one line per fault, exits 1 if there is any.

use strict;
use warnings;

my $bad = 0;
my %cache;

sub fault { print "$_[0]\n"; $bad = 1; }

sub lines_of {
    my ($f) = @_;
    return $cache{$f} if $cache{$f};
    open(my $fh, '<', $f) or return [];
    my @l = <$fh>;
    close($fh);
    return $cache{$f} = \@l;
}

# headings of a markdown file: [level, text]
sub headings {
    my ($f) = @_;
    my (@h, $fence);
    for my $l (@{ lines_of($f) }) {
        if ($l =~ /^\s*```/) { $fence = !$fence; next; }
        next if $fence;
        push @h, [length($1), $2] if $l =~ /^(#{1,6})\s+(.*?)\s*#*\s*$/;
    }
    return @h;
}

# GitHub's anchors: lower case, punctuation dropped, spaces to '-'
sub anchors {
    my ($f) = @_;
    my (%seen, %a);
    for my $h (headings($f)) {
        my $s = lc $h->[1];
        $s =~ s/`//g;
        $s =~ s/\[([^\]]*)\]\([^)]*\)/$1/g;
        $s =~ s/[^\w\- ]//g;
        $s =~ s/ /-/g;
        my $n = $seen{$s}++;
        $a{$n ? "$s-$n" : $s} = 1;
    }
    return \%a;
}

# the lines of section |num| of |f| (up to the next heading of its level)
sub section {
    my ($f, $num) = @_;
    my (@out, $in, $lvl, $fence);
    for my $l (@{ lines_of($f) }) {
        if ($l =~ /^\s*```/) { $fence = !$fence; }
        if (!$fence && $l =~ /^(#{1,6})\s+(\S+)/) {
            my ($hl, $w) = (length($1), $2);
            $w =~ s/\.$//;
            if ($in && $hl <= $lvl) { last; }
            if (!$in && $w eq $num) { $in = 1; $lvl = $hl; next; }
        }
        push @out, $l if $in;
    }
    return $in ? \@out : undef;
}

sub expand {
    my ($from, $to) = @_;
    return ($from) unless defined $to;
    my @a = split /\./, $from;
    my @b = split /\./, $to;
    return ($from, $to) if @a != @b
        || join('.', @a[0 .. $#a - 1]) ne join('.', @b[0 .. $#b - 1])
        || $a[-1] > $b[-1];
    my $p = @a > 1 ? join('.', @a[0 .. $#a - 1]) . '.' : '';
    return map { "$p$_" } $a[-1] .. $b[-1];
}

# 1. citations in src/, t/, tools/

my @files = grep { !m{^t/fuzz/corpus/} && -f $_ && -T $_ }
            split /\n/, `git ls-files src t tools`;

for my $f (@files) {
    my $text = join('', @{ lines_of($f) });
    my $dir = $f =~ m{^(.*)/} ? $1 : '.';

    while ($text =~ m{(?<![\w./-])((?:[\w.-]+/)*[\w-]+\.md)\b}g) {
        my ($cited, $pos) = ($1, pos($text));
        my $line = 1 + (() = substr($text, 0, $pos) =~ /\n/g);
        my $where = "$f:$line";

        my $target = -f $cited ? $cited
                   : -f "$dir/$cited" ? "$dir/$cited" : undef;
        if (!defined $target) {
            fault("$where: cites $cited, which is not in the repository");
            next;
        }
        next unless $cited =~ m{^doc/};

        # what follows, over comment continuation lines
        my $rest = substr($text, $pos, 300);
        $rest =~ s{\n[ \t]*(?:\*|//|#)?[ \t]*}{ }g;
        $rest =~ s/\\"/"/g;

        if ($rest =~ /^\s*,\s*"([^"]+)"/) {
            my $name = $1;
            fault("$where: $cited has no heading \"$name\"")
                unless grep { index($_->[1], $name) >= 0 } headings($target);
            next;
        }

        my $n = qr/\d+(?:\.\d+)*/;
        next unless $rest =~ /^\s*(?:sections?\s+)?($n(?:\s*-\s*$n)?
                               (?:\s*(?:,|and)\s*$n(?:\s*-\s*$n)?)*)
                               (\s*,\s*row\s+(\d+))?/x;
        my ($list, $row) = ($1, $3);
        my @nums;
        while ($list =~ /($n)(?:\s*-\s*($n))?/g) {
            push @nums, expand($1, $2);
        }
        for my $num (@nums) {
            my $sec = section($target, $num);
            if (!$sec) {
                fault("$where: $cited has no section $num");
                next;
            }
            if (defined $row && !grep { /^\|\s*\Q$row\E\s*\|/ } @$sec) {
                fault("$where: $cited section $num has no row $row");
            }
        }
    }
}

# 2. relative links of the documentation

my @docs = grep { -f $_ } ('README.md', 'HACKING.md',
                           split /\n/, `git ls-files 'doc/*.md'`);
push @docs, grep { -f $_ } glob('doc/*.md');
my %uniq;
@docs = grep { !$uniq{$_}++ } @docs;

for my $f (@docs) {
    my $dir = $f =~ m{^(.*)/} ? $1 : '.';
    my ($n, $fence) = (0, 0);
    for my $l (@{ lines_of($f) }) {
        $n++;
        if ($l =~ /^\s*```/) { $fence = !$fence; next; }
        next if $fence;
        (my $s = $l) =~ s/`[^`]*`//g;
        while ($s =~ /\]\(([^)\s]+)\)/g) {
            my $link = $1;
            next if $link =~ m{^[a-z]+:}i;
            my ($path, $anchor) = $link =~ /^([^#]*)(?:#(.*))?$/;
            my $target = $path eq '' ? $f : "$dir/$path";
            $target =~ s{^\./}{};
            if (!-e $target) {
                fault("$f:$n: link to $link: no such file");
                next;
            }
            next unless defined $anchor && $anchor ne '';
            if ($target !~ /\.md$/) {
                fault("$f:$n: link to $link: an anchor in a non-markdown file");
                next;
            }
            fault("$f:$n: link to $link: no such heading")
                unless anchors($target)->{$anchor};
        }
    }
}

print "docs: citations and links resolve\n" unless $bad;
exit $bad;
