# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Connections to the PBX are reused across requests (keep-alive, pooled
# curl handles, shared TLS sessions), and a PBX restart is survived.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use PbxDial::Test qw(sim json_of in_vhost);
use PbxDial::Sim;

plan tests => 7;

my $sim = sim();
$sim->clear_faults;
$sim->clear_requests;
my @auth = (username => '40', password => 's3cret');

my $n = 30;
my $ok = grep { GET('/rest/pbxlogin', @auth)->code == 200 } 1 .. $n;
ok t_cmp($ok, $n, "$n logins succeed");
my $reqs = $sim->requests(path => '/rest/system/session');
my %conns = map { ($_->{peer} // 'none') => 1 } @$reqs;
my $threads = 2 * 8;    # at most this many children x threads of the test server
ok t_cmp(scalar(@$reqs), $n, 'the PBX saw every request');
ok t_cmp(scalar(keys %conns) <= $threads ? 'reused' : 'new connection each time',
         'reused', sprintf('%d requests on %d connections (at most one per httpd thread)', scalar(@$reqs), scalar keys %conns));

# A PBX restart under pooled connections: while it is down requests fail fast
# (502, not a hang); once it is back, the dead pooled connections are noticed
# and replaced, and every request succeeds again.
my $port = $ENV{PBXDIAL_SIM2_PORT} or die "run through t/TEST\n";
my $pbx = PbxDial::Sim->start(http_port => $port);
my $before = grep { in_vhost(pbx_restart => sub { GET('/rest/pbxlogin', @auth) })->code == 200 } 1 .. 10;
ok t_cmp($before, 10, 'the second PBX answers (10 logins)');
my %peers = map { ($_->{peer} // '') => 1 } @{ $pbx->requests(path => '/rest/system/session') };
$pbx->stop;
my $down = in_vhost(pbx_restart => sub { GET('/rest/pbxlogin', @auth) })->code;
ok t_cmp($down, 502, 'PBX down: 502 at once');
$pbx = PbxDial::Sim->start(http_port => $port);
my $after = grep { in_vhost(pbx_restart => sub { GET('/rest/pbxlogin', @auth) })->code == 200 } 1 .. 10;
ok t_cmp($after, 10, 'PBX restarted: all 10 logins succeed over new connections');
ok t_cmp(scalar(keys %peers) < 10 ? 'reused' : 'not reused', 'reused', 'connections were reused before the restart');
$pbx->stop;
