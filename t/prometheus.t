# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# pbxdial-status in the Prometheus text format (?format=prometheus, or a
# scraper's Accept), read back by a strict parser of the exposition format and
# by promtool (Debian's prometheus package) where it is installed; and the last
# failure of each PBX step on the JSON, text and HTML pages.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET POST);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempfile);
use PbxDial::Test qw(sim json_of);

plan tests => 35;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my @alice = (username => '40', password => 's3cret');
my $TYPE = qr{^text/plain; version=0\.0\.4; charset=utf-8$};

# A strict reader of the text format: families (HELP, TYPE once, before their
# samples), sample names, label syntax and escapes, values, no series twice,
# counters named _total, histogram buckets cumulative up to +Inf == _count.
sub parse_prom {
    my $text = shift;
    my (%fam, %series, @err, $cur);
    my $name_re  = qr/[a-zA-Z_:][a-zA-Z0-9_:]*/;
    my $value_re = qr/(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)/;
    push @err, 'does not end with a newline' unless $text =~ /\n\z/;
    my $n = 0;
    for my $line (split /\n/, $text) {
        $n++;
        if ($line =~ /^# HELP ($name_re) (.*)$/) {
            push @err, "line $n: HELP of $1 twice" if $fam{$1}{help}++;
            push @err, "line $n: a bad escape in HELP" if $2 =~ /\\[^\\n]/;
            $cur = $1;
        } elsif ($line =~ /^# TYPE ($name_re) (counter|gauge|histogram|summary|untyped)$/) {
            push @err, "line $n: TYPE of $1 twice or without its HELP" if $fam{$1}{type} || !$fam{$1}{help};
            push @err, "line $n: TYPE after samples of $1" if $fam{$1}{samples};
            $fam{$1}{type} = $2;
            push @err, "line $n: counter $1 not named _total" if $2 eq 'counter' && $1 !~ /_total$/;
        } elsif ($line =~ /^($name_re)(?:\{(.*)\})? ($value_re)$/) {
            my ($name, $labels, $value) = ($1, $2 // '', $3);
            my $base = $name;
            $base =~ s/_(bucket|sum|count)$// if !$fam{$name} && $fam{ $name =~ s/_(bucket|sum|count)$//r };
            push @err, "line $n: sample $name outside its family $cur" unless defined $cur && $base eq $cur;
            my %l;
            my $rest = $labels;
            while (length $rest) {
                $rest =~ s/^($name_re)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)// or do { push @err, "line $n: labels '$labels'"; last };
                push @err, "line $n: label $1 twice" if exists $l{$1};
                $l{$1} = $2;
            }
            my $key = $name . '{' . join(',', map {"$_=$l{$_}"} sort keys %l) . '}';
            push @err, "line $n: series $key twice" if $series{$key}++;
            $fam{$base}{samples}++;
            push @{ $fam{$base}{list} }, [$name, \%l, $value];
        } else {
            push @err, "line $n: not in the format: '$line'";
        }
    }
    for my $f (grep { ($fam{$_}{type} // '') eq 'histogram' } keys %fam) {
        my @b = grep { $_->[0] eq "${f}_bucket" } @{ $fam{$f}{list} };
        my ($count) = map { $_->[2] } grep { $_->[0] eq "${f}_count" } @{ $fam{$f}{list} };
        my $prev = -1; my $prev_le = -1;
        for (@b) {
            my $le = $_->[1]{le} eq '+Inf' ? 9**9**9 : $_->[1]{le};
            push @err, "$f: le not increasing at $_->[1]{le}" if $le <= $prev_le;
            push @err, "$f: buckets not cumulative at le=$_->[1]{le}" if $_->[2] < $prev;
            ($prev, $prev_le) = ($_->[2], $le);
        }
        push @err, "$f: no +Inf bucket" unless @b && $b[-1][1]{le} eq '+Inf';
        push @err, "$f: +Inf bucket ($prev) is not _count (" . ($count // 'none') . ')' unless defined $count && $prev == $count;
    }
    return (\%fam, \@err);
}

sub value_of {
    my ($fam, $name, %want) = @_;
    my $base = $name;
    $base =~ s/_(bucket|sum|count)$// unless $fam->{$name};
    for my $s (@{ $fam->{$base}{list} // [] }) {
        next unless $s->[0] eq $name;
        next if grep { ($s->[1]{$_} // '') ne $want{$_} } keys %want;
        return $s->[2];
    }
    return undef;
}

sub scrape { my $res = GET('/pbxdial-status?format=prometheus', @_); return ($res, parse_prom($res->content)) }

my ($res, $before, $err) = scrape();
ok t_cmp($res->code, 200, '?format=prometheus: 200');
ok t_cmp($res->header('Content-Type'), $TYPE, 'the text format\'s content type, version 0.0.4');
ok t_cmp(join('; ', @$err), '', 'the strict parser finds nothing wrong');
ok t_cmp(scalar(keys %$before) >= 10 ? 'families' : 'few', 'families', 'metric families: ' . join(' ', sort keys %$before));

# activity: three tokens, two calls, a refusal by policy, a PBX fault on the
# third-party login, which is also the last failure of that step
my $t0 = time;
GET('/rest/pbxlogin', @alice) for 1 .. 3;
GET('/remote_call.htm?dest=0123', @alice) for 1 .. 2;
GET('/remote_call.htm?dest=0900123', @alice);
$sim->fault(path => '/rest/system/session', match => '"3rd"', kind => 'status', status => 500, count => 1);
my $failed = GET('/rest/pbxlogin', @alice);
$sim->clear_faults;
$sim->hangup_all;
# a failed login where PbxDialFailureLimit counts it in PbxDialCache (a user of its own)
GET('/tenant/throttled/remote_call.htm?dest=0123', username => 'promprobe', password => 'wrong');
ok t_cmp($failed->code, 502, 'the PBX fault answers 502');

(my $res2, my $after, $err) = scrape();
ok t_cmp(join('; ', @$err), '', 'after activity: the strict parser finds nothing wrong');
my $d = sub { my ($name, %l) = @_; (value_of($after, $name, %l) // 0) - (value_of($before, $name, %l) // 0) };
ok t_cmp($d->('pbxdial_events_total', event => 'logins'), 3, 'pbxdial_events_total{event="logins"} +3');
ok t_cmp($d->('pbxdial_events_total', event => 'calls'), 2, 'pbxdial_events_total{event="calls"} +2');
ok t_cmp($d->('pbxdial_refused_total', reason => 'number_not_allowed'), 1, 'refused by policy +1');
ok t_cmp($d->('pbxdial_responses_total', handler => 'login', code => '2xx'), 3, 'login answers 2xx +3');
ok t_cmp($d->('pbxdial_responses_total', handler => 'login', code => '5xx'), 1, 'login answers 5xx +1');
ok t_cmp($d->('pbxdial_responses_total', handler => 'call', code => '2xx'), 2, 'call answers 2xx +2');
ok t_cmp($d->('pbxdial_responses_total', handler => 'call', code => '4xx'), 1, 'call answers 4xx +1 (the refusal)');
ok t_cmp($d->('pbxdial_pbx_operations_total', step => 'login_3rd', result => 'error'), 1, 'login_3rd errors +1');
ok t_cmp($d->('pbxdial_pbx_operations_total', step => 'login_3rd', result => 'ok') >= 3 ? 'ok' : 'few', 'ok', 'login_3rd successes counted');
ok t_cmp($d->('pbxdial_pbx_operations_total', step => 'remote_call', result => 'ok'), 2, 'remote_call successes +2');
my $when = value_of($after, 'pbxdial_pbx_last_error_timestamp_seconds', step => 'login_3rd', error => 'HTTP error');
ok t_cmp(defined $when && $when >= $t0 - 1 && $when <= time + 1 ? 'now' : ($when // 'none'), 'now', 'login_3rd: the last failure, its kind and time');
ok t_cmp($d->('pbxdial_pbx_errors_total', kind => 'HTTP error'), 1, 'pbxdial_pbx_errors_total{kind="HTTP error"} +1');
my $count = $d->('pbxdial_pbx_request_duration_seconds_count');
ok t_cmp($count >= 8 ? 'counted' : $count, 'counted', "PBX exchanges in the histogram (+$count)");
ok t_cmp($d->('pbxdial_pbx_request_duration_seconds_sum') > 0 ? 'positive' : 'zero', 'positive', 'the histogram\'s _sum grows');
my $cache_ok = $d->('pbxdial_cache_operations_total', result => 'ok') + $d->('pbxdial_cache_operations_total', result => 'miss');
ok t_cmp($cache_ok > 0 ? 'counted' : 'none', 'counted', "PbxDialCache operations counted (+$cache_ok ok or miss)");
ok t_cmp(value_of($after, 'pbxdial_start_time_seconds') <= $t0 ? 'before' : 'after', 'before', 'pbxdial_start_time_seconds');

# promtool, Prometheus' own linter, where it is installed (setup.sh test installs it)
SKIP: {
    my $promtool = -x '/usr/bin/promtool' ? '/usr/bin/promtool' : undef;
    if (!$promtool) {
        ok 0, 'promtool is installed (apt-get install prometheus)';
        last SKIP;
    }
    my ($fh, $file) = tempfile(UNLINK => 1);
    print {$fh} $res2->content;
    close $fh;
    my $out = `$promtool check metrics < $file 2>&1`;
    ok t_cmp("exit $? $out", 'exit 0 ', 'promtool check metrics: no error, no lint warning');
}

# a scraper's Accept header, without the query
my $scraper = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,'
            . 'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
ok t_cmp(GET('/pbxdial-status', Accept => $scraper)->header('Content-Type'), $TYPE, "Prometheus' own Accept gets the text format");
ok t_cmp(GET('/pbxdial-status', Accept => 'text/plain;version=0.0.4')->header('Content-Type'), $TYPE, 'Accept: text/plain;version=0.0.4 gets it');
ok t_cmp(GET('/pbxdial-status', Accept => 'text/html,*/*')->header('Content-Type'), qr{^text/html}, 'a browser still gets the page');
ok t_cmp(GET('/pbxdial-status?format=nonsense')->code, 400, 'an unknown ?format= is a 400');
my $post = POST('/pbxdial-status?format=prometheus', content => '');
ok t_cmp($post->code, 405, 'POST: 405');
ok t_cmp(GET('/pbxdial-status?format=prometheus')->header('Cache-Control') // '', qr/no-store/, 'not cached');

# the last failure of each step, on the other views
my $j = json_of(GET('/pbxdial-status?json'));
my $step = $j->{pbx_steps}{login_3rd} // {};
ok t_cmp($step->{last_error} // 'none', 'HTTP error', 'JSON: pbx_steps.login_3rd.last_error');
ok t_cmp($step->{last_status} // 0, 500, 'JSON: its HTTP status');
ok t_cmp(($step->{last_error_time} // 0) >= $t0 - 1 ? 'now' : 'old', 'now', 'JSON: its time');
ok t_cmp(GET('/pbxdial-status?auto')->content, qr/^pbx_step_login_3rd_last_error: HTTP error \(500\) at \d+$/m,
         '?auto: the last failure of login_3rd');
ok t_cmp(GET('/pbxdial-status')->content, qr{login_3rd.*HTTP error}s, 'the HTML page names the step and the failure');
my @odd = grep { my $x = $j->{pbx_steps}{$_}; ($x->{failed} ? 1 : 0) != (exists $x->{last_error} ? 1 : 0) } keys %{ $j->{pbx_steps} // {} };
ok t_cmp(scalar(keys %{ $j->{pbx_steps} // {} }) == 5 && !@odd ? 'consistent' : "@odd", 'consistent',
         'five steps; a last error exactly where a step has failed');
