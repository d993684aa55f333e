#!/usr/bin/perl
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Two dead PBXs on loopback for test/faults-load/run:
#  - a black hole: a listening socket that accepts every connection, reads
#    whatever comes and never answers (the client can only time out);
#  - a refusing port: a socket bound but never listening, held for the whole
#    run so that nobody else takes the port and a connect gets RST at once.
# Writes "BLACKHOLE_PORT=N\nREFUSED_PORT=M\n" to the ready file, then serves
# until SIGTERM, until --parent is gone, or --max-seconds have passed.
#   blackhole.pl --ready-file F [--parent PID] [--max-seconds S]
use strict;
use warnings;
use Getopt::Long;
use IO::Select;
use IO::Socket::INET;
use Socket qw(SOL_SOCKET SO_REUSEADDR);

my %o = ('max-seconds' => 900);
GetOptions(\%o, 'ready-file=s', 'parent=i', 'max-seconds=i') && $o{'ready-file'}
    or die "usage: blackhole.pl --ready-file F [--parent PID] [--max-seconds S]\n";

my $hole = IO::Socket::INET->new(Listen => 1024, LocalAddr => '127.0.0.1', LocalPort => 0,
                                 Proto => 'tcp', ReuseAddr => 1, Blocking => 0)
    or die "blackhole: listen: $!\n";
my $closed = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp')
    or die "blackhole: bind: $!\n";    # bound, never listening: connect() is refused

my $tmp = "$o{'ready-file'}.tmp$$";
open my $fh, '>', $tmp or die "blackhole: $tmp: $!\n";
printf $fh "BLACKHOLE_PORT=%d\nREFUSED_PORT=%d\n", $hole->sockport, $closed->sockport;
close $fh;
rename $tmp, $o{'ready-file'} or die "blackhole: rename: $!\n";

my $stop = 0;
$SIG{TERM} = $SIG{INT} = sub { $stop = 1 };
my $sel = IO::Select->new($hole);
my $end = time + $o{'max-seconds'};
my ($accepted, $open) = (0, 0);
while (!$stop && time < $end) {
    last if $o{parent} && !kill 0, $o{parent};
    for my $s ($sel->can_read(0.5)) {
        if ($s == $hole) {
            while (my $c = $hole->accept) { $c->blocking(0); $sel->add($c); $accepted++; $open++ }
            next;
        }
        my $n = sysread $s, my $buf, 65536;
        next if !defined $n && ($!{EAGAIN} || $!{EWOULDBLOCK});
        if (!$n) { $sel->remove($s); close $s; $open-- }    # the client gave up
    }
}
print STDERR "blackhole: accepted $accepted connections, $open still open at exit\n";
