# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# pbxdial-status: counters shared by all children, as HTML, text and JSON.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use PbxDial::Test qw(sim json_of);

plan tests => 17;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my @alice = (username => '40', password => 's3cret');

my $before = json_of(GET('/pbxdial-status?json'));
ok t_cmp(exists $before->{calls} && exists $before->{logins} ? 'counters' : 'none', 'counters', 'JSON has the counters');

# activity spread over requests (and so over children and threads)
GET('/rest/pbxlogin', @alice) for 1 .. 3;
GET('/remote_call.htm?dest=0123', @alice) for 1 .. 2;
GET('/remote_call.htm?dest=0900123', @alice);                         # policy
GET('/remote_call.htm?dest=12ab', @alice);                            # bad dest
$sim->fault(path => '/rest/system/session', kind => '500', count => 1);
GET('/rest/pbxlogin', @alice);                                        # PBX error
$sim->clear_faults;
$sim->hangup_all;

my $after = json_of(GET('/pbxdial-status?json'));
ok t_cmp($after->{logins} - $before->{logins}, 3, 'logins counted');
ok t_cmp($after->{calls} - $before->{calls}, 2, 'calls counted');
ok t_cmp(($after->{refused}{number_not_allowed} // 0) - ($before->{refused}{number_not_allowed} // 0), 1, 'refused by policy counted');
ok t_cmp(($after->{refused}{bad_dest} // 0) - ($before->{refused}{bad_dest} // 0), 1, 'refused bad number counted');
ok t_cmp(($after->{pbx_errors}{'HTTP error'} // 0) - ($before->{pbx_errors}{'HTTP error'} // 0), 1, 'PBX errors counted by kind');
ok t_cmp($after->{pbx_requests} - $before->{pbx_requests} >= 8 ? 'counted' : 'missing', 'counted', 'PBX requests counted');
my $lat = $after->{pbx_latency_ms} // {};
# percentiles come from histogram buckets, the max is measured: a bucket's
# bound once showed p99 5.5 above max 5; now none passes the max
ok t_cmp(($lat->{p50} // 0) > 0 && $lat->{p50} <= $lat->{p90} && $lat->{p90} <= $lat->{p99}
         && $lat->{p99} <= ($lat->{max} // 0) ? 'ordered' : 'wrong',
         'ordered', "latency percentiles (p50 $lat->{p50}, p90 $lat->{p90}, p99 $lat->{p99}, max $lat->{max} ms)");

my $res = GET('/pbxdial-status?auto');
ok t_cmp($res->header('Content-Type'), qr{^text/plain}, '?auto is text');
ok t_cmp($res->content, qr/^calls: \d+$/m, '?auto: "calls: N"');
ok t_cmp($res->content, qr/^pbx_latency_p99_ms: [\d.]+$/m, '?auto: latency');
my ($p99) = $res->content =~ /^pbx_latency_p99_ms: ([\d.]+)$/m;
my ($max) = $res->content =~ /^pbx_latency_max_ms: ([\d.]+)$/m;
ok t_cmp(defined $p99 && defined $max && $p99 <= $max ? 'within' : 'above', 'within',
         '?auto: p99 (' . ($p99 // '?') . ') is not above the max (' . ($max // '?') . ') as printed');
# event MPM and Debian's libcurl (threaded resolver): one transfer thread per child
ok t_cmp($res->content, qr/^pbx_transfer_thread: 1$/m, '?auto: PBX transfers run on the child\'s transfer thread');
ok t_cmp($after->{pbx_transfer_thread} ? 'thread' : 'workers', 'thread', 'JSON: pbx_transfer_thread');
$res = GET('/pbxdial-status');
ok t_cmp($res->header('Content-Type'), qr{^text/html}, 'plain GET: an HTML page');
ok t_cmp($res->content, qr{<h1>mod_pbxdial status</h1>}, 'the page');
ok t_cmp(GET('/pbxdial-status', Accept => 'application/json')->header('Content-Type'), qr{^application/json}, 'Accept: application/json gets JSON');
