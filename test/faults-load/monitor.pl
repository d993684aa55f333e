#!/usr/bin/perl
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Runs beside the load generator of test/faults-load/run, until it exits
# (--watch PID) or --max-seconds have passed. Every second:
#  - the RSS of each httpd child (children of --httpd-pid) and the number of
#    access log lines so far, one line to --samples:
#      SECONDS LINES TOTAL_KB PID:KB PID:KB ...
#  - the TCP connections to --count-port (the good PBX), from /proc/net/tcp,
#    and the PBX requests in its log (--sim-a-log), one line to --conn-out:
#      SECONDS REQUESTS CONNECTIONS_SEEN CONNECTIONS_OPEN_NOW
#    (connections seen: distinct client ports in any state, TIME_WAIT
#    included, so a lower bound: a port reused within the run counts once);
#  - once --threads files done.* are in --done-dir (each wrk thread has had
#    its share), wrk gets SIGINT: its main thread would sleep out -d.
# In a child process (the simulators can be slow to answer under load):
#  - every --toggle seconds, the next fault of the cycle on simulator B
#    (--sim-b, its plain HTTP control URL), logged to --faults-log;
#  - every 3 s, the calls on simulator A to numbers that start with
#    --forbidden-prefix (links that must never dial) are counted, then the
#    calls and request logs of both simulators are cleared, so that their
#    state stays small. The count goes to --forbidden-out at the end.
use strict;
use warnings;
use Getopt::Long;
use HTTP::Tiny;
use JSON::PP qw(decode_json);
use Time::HiRes qw(time sleep);

my %o = ('max-seconds' => 420, toggle => 1.5, threads => 0);
GetOptions(\%o, 'httpd-pid=i', 'access-log=s', 'watch=i', 'sim-a=s', 'sim-b=s', 'samples=s',
           'faults-log=s', 'max-seconds=i', 'toggle=f', 'done-dir=s', 'threads=i',
           'forbidden-prefix=s', 'forbidden-out=s', 'count-port=i', 'sim-a-log=s', 'conn-out=s')
    && $o{'httpd-pid'} && $o{'access-log'} && $o{watch} && $o{samples} or die "usage: see the header\n";

my $http = HTTP::Tiny->new(timeout => 2);

# client ports of connections to --count-port (remote side), any state
# (and how many are ESTABLISHED now)
my %conn_ports;
sub count_connections {
    return 0 unless $o{'count-port'};
    my $want = sprintf '%04X', $o{'count-port'};
    my $established = 0;
    open my $fh, '<', '/proc/net/tcp' or return 0;
    while (<$fh>) {
        my (undef, $local, $remote, $state) = split;
        next unless $remote && $remote =~ /:$want$/;
        $conn_ports{$local} = 1;
        $established++ if $state eq '01';
    }
    return $established;
}
my @cycle = (
    {kind => '500'}, {kind => 'garbage'}, {kind => 'false'}, {kind => 'status', status => 404},
    {kind => 'delay', seconds => 5}, {kind => 'refuse'}, {kind => 'hang'}, {kind => 'empty'},
    {kind => 'status', status => 503}, undef,    # undef: no fault for a while
    {kind => '500', path => '/remote_call.htm'}, {kind => 'delay', seconds => 5, path => '/remote_call.htm'},
    {kind => 'refuse', path => '/remote_call.htm'},
);

sub control {
    my ($base, $method, $path, $body) = @_;
    return unless $base;
    my $r = $http->request($method, "$base$path",
                           $body ? {content => $body, headers => {'Content-Type' => 'application/json'}} : {});
    return $r->{success} ? ($r->{content} // 1) : undef;
}

# calls on a simulator whose number starts with the forbidden prefix
my ($forbidden, @forbidden_seen) = (0);
sub count_forbidden {
    my ($base) = @_;
    return unless $base && defined $o{'forbidden-prefix'};
    my $body = control($base, 'GET', '/_sim/calls') or return;
    my $table = eval { decode_json($body) } or return;
    for my $calls (values %$table) {
        for my $c (@{$calls // []}) {
            next unless index($c->{'to-number'} // $c->{to} // '', $o{'forbidden-prefix'}) == 0;
            $forbidden++;
            push @forbidden_seen, $c->{'to-number'} // $c->{to} if @forbidden_seen < 5;
        }
    }
}

sub children {
    my @kids;
    opendir my $d, '/proc' or return;
    for my $pid (grep { /^\d+$/ } readdir $d) {
        open my $fh, '<', "/proc/$pid/status" or next;
        my ($ppid, $rss) = (0, 0);
        while (<$fh>) { $ppid = $1 if /^PPid:\s+(\d+)/; $rss = $1 if /^VmRSS:\s+(\d+)/ }
        push @kids, [$pid, $rss] if $ppid == $o{'httpd-pid'};
    }
    return sort { $a->[0] <=> $b->[0] } @kids;
}

# PBX requests simulator A has logged so far (its log has one line a request)
my ($sim_requests, $sim_offset) = (0, 0);
sub count_sim_requests {
    return 0 unless $o{'sim-a-log'};
    open my $fh, '<', $o{'sim-a-log'} or return $sim_requests;
    seek $fh, $sim_offset, 0;
    while (my $l = <$fh>) {
        last unless $l =~ /\n$/;
        $sim_offset += length $l;
        $sim_requests++ if $l =~ m{^pbxdial-sim: \w+ /(?:rest/|remote_call)};
    }
    return $sim_requests;
}

my ($lines, $offset) = (0, 0);
sub count_lines {
    open my $fh, '<', $o{'access-log'} or return $lines;
    seek $fh, $offset, 0;
    while (read $fh, my $buf, 1 << 16) { $lines += ($buf =~ tr/\n//); $offset += length $buf }
    return $lines;
}

open my $samples, '>', $o{samples} or die "$o{samples}: $!\n";
open my $conn, '>', ($o{'conn-out'} // '/dev/null') or die "conn out: $!\n";
$conn->autoflush(1);
open my $flog, '>', ($o{'faults-log'} // '/dev/null') or die "faults log: $!\n";
$samples->autoflush(1);
$flog->autoflush(1);

my $t0 = time;

# The simulators can be slow to answer under load: their control requests run
# in a child process, so that the samples keep their one-second pace.
my $controller = fork // die "monitor: fork: $!\n";
if ($controller == 0) {
    my ($next_toggle, $next_clean, $i) = (0, 3, 0);
    while (kill 0, $o{watch}) {
        my $t = time - $t0;
        last if $t > $o{'max-seconds'};
        if ($o{'sim-b'} && $t >= $next_toggle) {
            my $f = $cycle[$i++ % @cycle];
            control($o{'sim-b'}, 'DELETE', '/_sim/fault');
            if ($f) {
                my %f = (path => '/rest/system/session', %$f);
                my $json = '{' . join(',', map { $f{$_} =~ /^\d+$/ ? qq("$_":$f{$_}) : qq("$_":"$f{$_}") } sort keys %f) . '}';
                control($o{'sim-b'}, 'POST', '/_sim/fault', $json);
                printf {$flog} "%.1f %s %s\n", time - $t0, $f{path}, join(' ', map { "$_=$f{$_}" } grep { $_ ne 'path' } sort keys %f);
            } else {
                printf {$flog} "%.1f none\n", time - $t0;
            }
            $next_toggle = $t + $o{toggle};
        }
        if ($t >= $next_clean) {
            count_forbidden($o{'sim-a'});
            for my $sim (grep { $_ } $o{'sim-a'}, $o{'sim-b'}) {
                control($sim, 'DELETE', '/_sim/calls');
                control($sim, 'DELETE', '/_sim/requests');
            }
            $next_clean = $t + 3;
        }
        sleep 0.2;
    }
    control($o{'sim-b'}, 'DELETE', '/_sim/fault');
    count_forbidden($o{'sim-a'});
    if ($o{'forbidden-out'} && open my $fo, '>', "$o{'forbidden-out'}.part") {
        print {$fo} "FORBIDDEN_CALLS=$forbidden\nFORBIDDEN_EXAMPLES='@forbidden_seen'\n";
    }
    exit 0;
}

my $next_sample = 0;
while (1) {
    my $t = time - $t0;
    my $alive = kill 0, $o{watch};
    if ($t >= $next_sample || !$alive) {
        my @k = children();
        my $sum = 0;
        $sum += $_->[1] for @k;
        my $established = count_connections();
        printf {$conn} "%.1f %d %d %d\n", $t, count_sim_requests(), scalar keys %conn_ports, $established;
        printf {$samples} "%.1f %d %d %s\n", $t, count_lines(), $sum, join(' ', map { "$_->[0]:$_->[1]" } @k);
        $next_sample += 1;
        $next_sample = $t + 1 if $next_sample < $t;
    }
    last if !$alive;
    if ($t > $o{'max-seconds'}) {     # should not happen: wrk has its own -d
        print STDERR "monitor: the load ran past $o{'max-seconds'} s; stopping wrk\n";
        kill 'INT', $o{watch};
        sleep 5;
        kill 'KILL', $o{watch} if kill 0, $o{watch};
        last;
    }
    if ($o{'done-dir'} && $o{threads} && !$o{interrupted}) {
        my @done = glob "$o{'done-dir'}/done.*";
        if (@done >= $o{threads}) { kill 'INT', $o{watch}; $o{interrupted} = 1 }
    }
    sleep 0.2;
}
waitpid $controller, 0;
if ($o{'forbidden-out'}) {
    my $part = "$o{'forbidden-out'}.part";
    open my $in, '<', $part or die "monitor: the controller left no $part\n";
    open my $fo, '>', $o{'forbidden-out'} or die "monitor: $o{'forbidden-out'}: $!\n";
    print {$fo} <$in>;
    print {$fo} "PBX_CONNECTIONS=" . scalar(keys %conn_ports) . "\n";
    unlink $part;
}
