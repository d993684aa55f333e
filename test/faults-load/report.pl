#!/usr/bin/perl
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The figures of the load phase of test/faults-load/run, from the access log
# (class and status of each answer), the RSS samples of monitor.pl, wrk's
# summary and the error log. Prints tables; exits 1 when a check failed.
use strict;
use warnings;
use Getopt::Long;

my %o = (skip => 0, 'warmup' => 0.25, 'slope-limit' => 100, forbidden => []);
GetOptions(\%o, 'access-log=s', 'skip=i', 'classes=s', 'samples=s', 'after=s', 'wrk=s', 'error-log=s',
           'requests=i', 'seconds=f', 'faults-log=s', 'forbidden=s@', 'conn=s', 'brief', 'limit=i', 'label=s', 'warmup=f', 'slope-limit=i') or die "bad arguments\n";
my @fail;

# --- classes and their intended statuses
my (@order, %allowed, %what);
open my $cf, '<', $o{classes} or die "$o{classes}: $!\n";
while (<$cf>) {
    chomp;
    my ($name, $set, undef, $what) = split /\t/;
    push @order, $name;
    $allowed{$name} = {map { $_ => 1 } split /,/, $set};
    $what{$name} = $what;
}

# --- the access log: class status micros vhost "request"
my (%n, %st, %maxus, %bad_example);
my ($total, $outside, $unknown) = (0, 0, 0);
open my $al, '<', $o{'access-log'} or die "$o{'access-log'}: $!\n";
while (<$al>) {
    next if $. <= $o{skip};
    last if $o{limit} && $. > $o{limit};
    my ($class, $status, $us) = split / /;
    $total++;
    unless (exists $allowed{$class}) { $unknown++; $outside++; $bad_example{'?'} //= $_; next }
    $n{$class}++;
    $st{$class}{$status}++;
    $maxus{$class} = $us if $us > ($maxus{$class} // 0);
    unless ($allowed{$class}{$status}) { $outside++; $bad_example{$class} //= $_ }
}
if ($o{brief}) {     # one line: how many answers, how many outside their class's set
    my %bad;
    for my $c (@order) {
        $bad{"$c:$_"} = $st{$c}{$_} for grep { !$allowed{$c}{$_} } keys %{$st{$c} // {}};
    }
    printf "%s: %d answers, %d outside the intended set%s\n", $o{label} // 'run', $total, $outside,
        %bad ? ' (' . join(', ', map { "$_ x$bad{$_}" } sort keys %bad) . ')' : '';
    exit 0;
}
print "\nanswers by class (from the access log):\n";
my $fmt = "%-17s %6s  %-28s %-16s %7s %9s\n";
printf $fmt, 'class', 'count', 'statuses', 'intended', 'outside', 'max ms';
printf $fmt, '-' x 17, '-' x 6, '-' x 28, '-' x 16, '-' x 7, '-' x 9;
for my $c (@order) {
    my $s = join ' ', map { "$_:$st{$c}{$_}" } sort keys %{$st{$c} // {}};
    my $out = 0;
    $out += $st{$c}{$_} for grep { !$allowed{$c}{$_} } keys %{$st{$c} // {}};
    printf $fmt, $c, $n{$c} // 0, $s || '-', join(',', sort keys %{$allowed{$c}}), $out,
        sprintf('%.0f', ($maxus{$c} // 0) / 1000);
}
printf $fmt, 'unknown class', $unknown, '', '', $unknown, '' if $unknown;
for my $c (sort keys %bad_example) { print "  first answer outside the set ($c): $bad_example{$c}" }

# --- wrk
my %w;
if (open my $wf, '<', $o{wrk}) { while (<$wf>) { $w{$1} = $2 if /^(WRK_\w+)=(\S+)/ } }
my $sockerr = 0;
$sockerr += $w{$_} // 0 for qw(WRK_ERR_CONNECT WRK_ERR_READ WRK_ERR_WRITE WRK_ERR_TIMEOUT);

# --- error log
my ($crash, %kinds, @crash_lines, @severe) = (0);
if (open my $el, '<', $o{'error-log'}) {
    while (<$el>) {
        if (/exit signal|child pid \d+ exit|AH00052|AH00051|Segmentation fault|Aborted|double free|corrupted/i) {
            $crash++;
            push @crash_lines, $_ if @crash_lines < 5;
        }
        push @severe, $_ if /\[(?:[\w]+:)?(?:crit|alert|emerg)\]/ && @severe < 5;
        my ($mod, $lvl) = /\[(?:(\w+):)?(\w+)\] \[pid/;
        my ($id) = /\b(PBXDIAL\d{4}|AH\d{5})\b/;
        $kinds{sprintf '%s:%s %s', $mod // 'core', $lvl // '?', $id // '(no id)'}++ if $lvl;
    }
}

# PBX requests and connections to the good PBX, sampled with the RSS:
# SECONDS REQUESTS CONNECTIONS_OPENED CONNECTIONS_OPEN_NOW
my (@conn, %open_at);
if ($o{conn} && open my $cf2, '<', $o{conn}) {
    while (<$cf2>) { my @f = split; next unless @f == 4; push @conn, [@f]; $open_at{$f[0]} = $f[3] }
}

# --- RSS samples: SECONDS LINES TOTAL_KB PID:KB...
my @s;
if (open my $sf, '<', $o{samples}) {
    while (<$sf>) {
        my ($t, $lines, $sum, @k) = split;
        next unless defined $sum;
        push @s, {t => $t, done => $lines - $o{skip}, sum => $sum, kids => {map { split /:/ } @k}};
    }
}
my $warm_at = int($o{requests} * $o{warmup});
my ($warm) = grep { $_->{done} >= $warm_at } @s;
my $end = $s[-1];
my %after = map { split /:/ } split ' ', ($o{after} // '');
print "\nRSS of the httpd children (KiB), sampled every second:\n";
my @pids = sort { $a <=> $b } keys %{$end ? $end->{kids} : {}};
printf "%-28s %8s %s %18s\n", 'point', 'total', join(' ', map { sprintf '%10s', "pid $_" } @pids),
    'open PBX conns (A)';
my @points = $s[0] ? (['start of load', $s[0]]) : ();
for my $pct (25, 50, 75) {
    my ($p) = grep { $_->{done} >= $o{requests} * $pct / 100 } @s;
    push @points, [sprintf('%d%% (%d answers)', $pct, $p->{done}), $p] if $p;
}
push @points, [sprintf('end (%d answers)', $end->{done}), $end] if $end;
for my $p (@points) {
    printf "%-28s %8d %s %18s\n", $p->[0], $p->[1]{sum}, join(' ', map { sprintf '%10s', $p->[1]{kids}{$_} // '-' } @pids),
        $open_at{$p->[1]{t}} // '-';
}
if (%after) {
    my $sum = 0;
    $sum += $_ for values %after;
    printf "%-28s %8d %s\n", '3 s after the load', $sum, join(' ', map { sprintf '%10s', $after{$_} // '-' } @pids);
}
# growth after warm-up, and the trend of the second half: the least-squares
# slope of the total RSS against the answers, in bytes per request (a leak
# grows linearly; pools and allocator arenas that fill up level off)
my ($growth, $slope);
if ($warm && $end) {
    $growth = $end->{sum} - $warm->{sum};
    my $per = ($end->{done} - $warm->{done}) > 0 ? $growth * 1024 / ($end->{done} - $warm->{done}) : 0;
    printf "growth after warm-up (%d%% = %d answers) to the end: %+d KiB (%.1f%%), %+.1f bytes per request\n",
        $o{warmup} * 100, $warm->{done}, $growth, 100 * $growth / ($warm->{sum} || 1), $per;
    my $half = $o{requests} / 2;
    my @late = grep { $_->{done} >= $half } @s;
    if (@late >= 5 && $late[-1]{done} > $late[0]{done}) {
        my ($n, $sx, $sy, $sxx, $sxy) = (scalar @late, 0, 0, 0, 0);
        for (@late) { $sx += $_->{done}; $sy += $_->{sum}; $sxx += $_->{done} ** 2; $sxy += $_->{done} * $_->{sum} }
        my $den = $n * $sxx - $sx ** 2;
        $slope = $den ? 1024 * ($n * $sxy - $sx * $sy) / $den : 0;
        printf "trend of the second half (%d samples, %d to %d answers): %+.1f bytes per request\n",
            $n, $late[0]{done}, $late[-1]{done}, $slope;
    }
}
my %first = map { $_ => 1 } keys %{$s[0] ? $s[0]{kids} : {}};
my %last  = map { $_ => 1 } keys %{$end ? $end->{kids} : {}};
my @gone = grep { !$last{$_} } sort keys %first;
my @new  = grep { !$first{$_} } sort keys %last;

# --- faults switched during the load
my $toggles = 0;
if ($o{'faults-log'} && open my $ff, '<', $o{'faults-log'}) { $toggles++ while <$ff> }

# --- calls that cross-site links must not have placed
my %fb;
for my $f (@{$o{forbidden}}) {
    open my $fb, '<', $f or do { $fb{MISSING}++; next };
    while (<$fb>) {
        next unless /^(\w+)=(.*)$/;
        my ($k, $v) = ($1, $2);
        if ($k eq 'FORBIDDEN_CALLS') { $fb{$k} = ($fb{$k} // 0) + $v }
        elsif ($k eq 'FORBIDDEN_EXAMPLES') { $v =~ s/'//g; $fb{$k} = join ' ', grep { length } $fb{$k} // '', $v }
        else { $fb{$k} = $v }
    }
}
delete $fb{FORBIDDEN_CALLS} if $fb{MISSING};


# --- summary
my $rps = $o{seconds} > 0 ? $total / $o{seconds} : 0;
print "\nerror log, by module, level and message id:\n";
printf "  %6d  %s\n", $kinds{$_}, $_ for sort { $kinds{$b} <=> $kinds{$a} || $a cmp $b } keys %kinds;
print "  crash line: $_" for @crash_lines;
print "  severe: $_" for @severe;

print "\nload figures:\n";
my $chk = sub {
    my ($ok, $label, $value) = @_;
    printf "  %-52s %-24s %s\n", $label, $value, $ok ? 'OK' : 'FAIL';
    push @fail, $label unless $ok;
};
$chk->($total >= $o{requests}, 'answers logged (at least the requests asked)', "$total / $o{requests}");
$chk->($crash == 0, 'crashed children ("exit signal" in the error log)', $crash);
$chk->(!@gone && !@new, 'children replaced during the load', scalar(@gone) + scalar(@new)
       . (@gone ? " (gone: @gone)" : '') . (@new ? " (new: @new)" : ''));
$chk->($outside == 0, 'statuses outside the intended set', $outside);
$chk->(($fb{FORBIDDEN_CALLS} // -1) == 0, 'calls placed by cross-site links (dest 0777...)',
       ($fb{FORBIDDEN_CALLS} // 'not counted') . ($fb{FORBIDDEN_CALLS} ? " e.g. $fb{FORBIDDEN_EXAMPLES}" : ''));
$chk->($sockerr == 0, 'socket errors (connect, read, write, timeout)',
       join('/', map { $w{$_} // '?' } qw(WRK_ERR_CONNECT WRK_ERR_READ WRK_ERR_WRITE WRK_ERR_TIMEOUT)));
$chk->($toggles >= 3, 'PBX faults switched on simulator B', $toggles);
if (defined $slope) {
    $chk->($slope <= $o{'slope-limit'}, "RSS trend, second half (limit $o{'slope-limit'} B/request)",
           sprintf('%+.0f B/request', $slope));
} else {
    $chk->(0, 'RSS trend, second half', 'too few samples');
}
if (@conn) {
    my ($c0, $c1) = ($conn[0], $conn[-1]);
    my ($cw) = $warm ? (grep { $_->[0] >= $warm->{t} } @conn) : ();
    $cw //= $c0;
    printf "  %-52s %-24s\n", 'good PBX (simulator A): requests / new connections',
        sprintf('%d / %d (%.1f requests a connection)', $c1->[1] - $c0->[1], $c1->[2] - $c0->[2],
                ($c1->[1] - $c0->[1]) / (($c1->[2] - $c0->[2]) || 1));
    printf "  %-52s %-24s\n", '  of which after warm-up (25%)',
        sprintf('%d / %d (%.1f requests a connection)', $c1->[1] - $cw->[1], $c1->[2] - $cw->[2],
                ($c1->[1] - $cw->[1]) / (($c1->[2] - $cw->[2]) || 1));
}
printf "  %-52s %-24s\n", 'requests/s (answers / wall time of the load)', sprintf('%.0f (%d in %.1f s)', $rps, $total, $o{seconds});
printf "  %-52s %-24s\n", "requests/s (wrk's own count)", sprintf('%.0f', ($w{WRK_REQUESTS} // 0) / ($w{WRK_SECONDS} || 1));
exit(@fail ? 1 : 0);
