#!/usr/bin/perl
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Runs the PBX simulator (sim/pbxdial-sim, unchanged) with cheaper TLS
# handshakes, for the load phase of test/faults-load/run:
#   sim.pl PATH/TO/pbxdial-sim ARGS...
# Mojo makes a new IO::Socket::SSL context for every accepted TLS connection,
# and IO::Socket::SSL loads the system's whole CA bundle into every new context
# when no CA is given: ~10x fewer handshakes per second (about 12/s instead of
# 130/s here on a busy core), and under a 64-way load the simulator's accept
# queue then outgrows any PBX timeout. The simulator never asks for client
# certificates, so an empty CA list changes nothing else.
use strict;
use warnings;
use IO::Socket::SSL;

IO::Socket::SSL::set_server_defaults(SSL_ca => []);
my $sim = shift @ARGV or die "usage: sim.pl PATH/TO/pbxdial-sim ARGS...\n";
$0 = $sim;              # FindBin (the simulator's lib path) and its messages
my $rv = do $sim;
die "sim.pl: $sim: $@" if $@;
die "sim.pl: $sim: $!\n" unless defined $rv || !$!;
