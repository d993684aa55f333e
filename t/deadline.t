# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# PbxDialTimeout (2 s in the test server) is the budget of a whole request,
# not of each PBX exchange: with a PBX that takes 1.5 s for every step, a
# call (login, activation, call), /rest/pbxlogin behind the `pbx` provider
# (login, logout, then the third-party login) and a call behind the `pbx`
# provider each answer 504 within the timeout plus a second, and once the
# budget is spent nothing more is sent to the PBX.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use MIME::Base64 qw(encode_base64);
use PbxDial::Test qw(sim json_of error_log_mark error_log_since timed);

plan tests => 13;

my $sim = sim();
my @json = (Accept => 'application/json');
# sent with the first request: a 401 round trip would count in the time
sub basic { (Authorization => 'Basic ' . encode_base64(join(':', @_), '')) }

sub slow_pbx {
    $sim->clear_faults;
    $sim->fault(path => $_, kind => 'delay', seconds => 1.5) for '/rest/system/session', '/remote_call.htm';
    $sim->clear_requests;
    $sim->hangup_all;
}

sub in_time { my $s = shift; $s < 3.0 ? 'in time' : sprintf('%.2f s', $s) }

# the simulator still answers the requests that timed out: let it finish
sub settle { sleep 2; $sim->clear_faults; $sim->hangup_all }

# the first request of a fresh server pays for its children starting: not ours to time
GET '/index.html';

# --- a call: 3rd-party login (1.5 s), activation (the 0.5 s left): 504
slow_pbx();
my ($res, $secs) = timed(sub { GET '/remote_call.htm?dest=0123', basic('40', 's3cret'), @json });
ok t_cmp($res->code, 504, 'call, every PBX step 1.5 s, PbxDialTimeout 2: 504');
ok t_cmp(json_of($res)->{error} // '', 'pbx_timeout', '... pbx_timeout');
ok t_cmp(in_time($secs), 'in time', 'answered within the timeout + 1 s');
my @calls = grep { $_->{path} eq '/remote_call.htm' } @{ $sim->requests };
ok t_cmp(scalar @calls, 0, 'remote_call.htm was never sent: no time was left for it');
settle();

# --- /rest/pbxlogin behind AuthBasicProvider pbx: user login (1.5 s),
# logout (0.5 s left, times out), then no time for the third-party login
slow_pbx();
my $mark = error_log_mark();
($res, $secs) = timed(sub { GET '/deadline/pbxlogin', basic('40', 'alice-pbx') });
ok t_cmp($res->code, 504, '/rest/pbxlogin after the pbx provider used the budget: 504');
ok t_cmp(json_of($res)->{error} // '', 'pbx_timeout', '... pbx_timeout');
ok t_cmp(in_time($secs), 'in time', 'answered within the timeout + 1 s');
my @third = grep { $_->{method} eq 'POST' } @{ $sim->requests(path => '/rest/system/session') };
ok t_cmp(scalar @third, 0, 'the third-party login was not sent');
ok t_cmp(error_log_since($mark), qr/no time left of PbxDialTimeout for this request; nothing sent/,
         'the error log says why');
settle();

# --- a call behind the pbx provider: the same budget for authn and call
slow_pbx();
($res, $secs) = timed(sub { GET '/pbxauth/remote_call.htm?dest=0123', basic('40', 'alice-pbx'), @json });
ok t_cmp($res->code, 504, 'call behind AuthBasicProvider pbx: 504');
ok t_cmp(in_time($secs), 'in time', 'answered within the timeout + 1 s');
settle();

# --- a PBX within the budget still works
$sim->clear_faults;
$sim->fault(path => $_, kind => 'delay', seconds => 0.3) for '/rest/system/session', '/remote_call.htm';
($res, $secs) = timed(sub { GET '/remote_call.htm?dest=0123', basic('40', 's3cret'), @json });
ok t_cmp($res->code, 200, 'three steps of 0.3 s fit in 2 s: 200');
ok t_cmp(scalar @{ $sim->calls_of('40@example.com') }, 1, '... and the call is placed');
$sim->clear_faults;
$sim->hangup_all;
