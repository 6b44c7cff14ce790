package StsPlan;

# The test plan of an nginx-sts Test::Nginx suite, counted from its
# blocks the way Test::Nginx::Socket counts its assertions (OpenResty's
# and the in-tree one alike), so that a check that stops running changes
# the count and fails the file; and the default error-log check of every
# block that names none.
#
#   sts_plan(per_response => sub { my ($block, $i) = @_; N },
#            per_block => sub { my ($block) = @_; N },
#            extra => N);
#
# per_response: the assertions the file's add_response_body_check hooks
# make for response $i of a block; per_block: more per repetition of a
# block; extra: assertions made once, outside the blocks.  Call it after
# spec_string() and the hooks, before run_tests().
#
# STS_PLAN_DEBUG=1 prints the count after each block.
#
# A block without error_log and no_error_log gets, before anything is
# counted or run, "no_error_log: [error]" when every response it expects
# is below 400, and "[alert]" and "[crit]" otherwise: the module logs a
# refused request at the error level, with its code and reason.

use strict;
use warnings;

use Exporter 'import';

our @EXPORT = qw(sts_plan sts_responses sts_expected_code sts_pick);

# the number of responses a block expects
sub sts_responses {
    my ($block) = @_;
    for my $section (qw(pipelined_requests request)) {
        my $v = $block->$section;
        next unless defined $v;
        return ref $v eq 'ARRAY' ? scalar @$v : 1;
    }
    return 1;
}

sub sts_pick { return pick(@_) }

sub pick {
    my ($v, $i) = @_;
    return ref $v eq 'ARRAY' ? $v->[$i] : $v;
}

# the status response $i of a block expects: error_code's, "like" for
# error_code_like, else 200
sub sts_expected_code {
    my ($block, $i) = @_;
    return 'like' if defined pick(scalar $block->error_code_like, $i);
    my $code = pick(scalar $block->error_code, $i) // 200;
    $code =~ s/^\s+|\s+$//g;
    return $code;
}

# a log section's patterns, as both runners split them
sub patterns {
    my ($v) = @_;
    return 0 unless defined $v;
    return 1 if ref $v eq 'Regexp';
    return scalar grep { defined } @$v if ref $v eq 'ARRAY';
    return scalar grep { length } split /\n+/, $v;
}

# the header names of a response_headers(_like) value
sub header_names {
    my ($v) = @_;
    return 0 unless defined $v;
    my %names;
    for my $line (split /\n/, $v) {
        $line =~ s/^\s+|\s+$//g;
        next unless length $line;
        $line =~ s/^!\s*//;
        my ($name) = split /\s*:\s*/, $line, 2;
        $names{$name} = 1;
    }
    return scalar keys %names;
}

sub default_logs {
    my ($block) = @_;
    return if defined $block->error_log || defined $block->no_error_log
              || defined $block->must_die;
    my @codes = map { sts_expected_code($block, $_) }
                0 .. sts_responses($block) - 1;
    if (grep { $_ eq 'like' || $_ >= 400 } @codes) {
        $block->set_value('no_error_log', "[alert]\n[crit]");
    } else {
        $block->set_value('no_error_log', '[error]');
    }
}

sub sts_plan {
    my (%o) = @_;
    my $n = 0;

    for my $block (Test::Base::blocks()) {
        default_logs($block);

        my $logs = patterns($block->error_log)
                   + patterns($block->no_error_log);

        if (defined $block->must_die) {
            $n += 1 + $logs;
            next;
        }

        for my $i (0 .. sts_responses($block) - 1) {
            $n += $logs + (defined $block->grep_error_log ? 1 : 0);
            next if defined $block->ignore_response;

            $n += 1;                                    # the status
            for my $kind (qw(like unlike)) {
                my $s = "raw_response_headers_$kind";
                $n += 1 if defined pick(scalar $block->$s, $i);
            }
            my $h = pick(scalar $block->response_headers, $i);
            $n += defined $h ? header_names($h)
                  : header_names(pick(scalar $block->response_headers_like, $i));
            $n += 1 if defined pick(scalar $block->response_body, $i)
                       || defined pick(scalar $block->response_body_like, $i);
            $n += $o{per_response}->($block, $i) if $o{per_response};
        }
        $n += $o{per_block}->($block) if $o{per_block};
        print STDERR "PLAN ", $block->name, " $n\n" if $ENV{STS_PLAN_DEBUG};
    }

    my $tests = Test::Nginx::Socket::repeat_each() * $n + ($o{extra} // 0);
    Test::More::plan(tests => $tests);
    return $tests;
}

1;
