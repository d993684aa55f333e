# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Same-origin mode: /rest/pbxlogin hands out no token, and the PBX websocket
# proxied through Apache (mod_proxy, upgrade=websocket) gets the user's PBX
# session from the module, never the browser's cookies or credentials.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use PbxDial::Test qw(sim json_of error_log_mark error_log_since ws_session);

plan tests => 17;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my $hostport = Apache::TestRequest::hostport();

# --- the login answer names the websocket and carries no PBX token
my $res = GET '/so/pbxlogin', username => 'alice', password => 's3cret';
my $j = json_of($res);
ok t_cmp($res->code, 200, 'same-origin login: 200');
ok t_cmp(join(',', sort keys %$j), 'domain,user,websocket', 'only websocket, user, domain: no session, no server');
ok t_cmp("$j->{websocket} $j->{user}\@$j->{domain}", '/so/websocket 40@example.com', 'the path and alice\'s extension');

# Opens the websocket as the browser would, claiming extension 41 and forged
# cookies; optionally places a call and waits for the PBX to report it.
sub ws {
    my (%o) = @_;
    return ws_session("ws://$o{user}\@$hostport/so/websocket?domain=evil.example&user=41",
        headers => {Cookie => 'session=browser-forged; crm=crm-secret', ($o{origin} ? (Origin => $o{origin}) : ())},
        ($o{to} ? (send => [{action => 'make-call', to => $o{to}}],
                   until => sub { ($_[0]{action} // '') eq 'call-state' && @{ $_[0]{calls} // [] } }) : ()));
}

$sim->clear_requests;
my $mark = error_log_mark();
my $r = ws(user => 'alice:s3cret', to => '0123456789');
ok t_cmp($r->{status}, 101, 'websocket through Apache: 101 Switching Protocols');
my ($state) = grep { ($_->{action} // '') eq 'call-state' && @{ $_->{calls} } } @{ $r->{messages} };
ok t_cmp($state->{calls}[0]{'to-number'} // '', '0123456789', 'make-call over the proxied socket: the PBX reports the call');
my $calls = $sim->calls_of('40@example.com');
ok t_cmp(scalar(@$calls) . ' ' . ($calls->[0]{'to-number'} // '-'), '1 0123456789', 'the call is on alice\'s extension 40');
ok t_cmp(scalar @{ $sim->calls_of('41@example.com') }, 0, 'not on extension 41, which the browser asked for');
$sim->hangup_all;

my ($up) = grep { $_->{path} eq '/websocket' } @{ $sim->requests };
my $cookie = $up->{headers}{cookie} // '';
ok t_cmp($cookie, qr/^session=[A-Za-z0-9]+$/, 'the PBX saw only the session cookie the module made');
ok t_cmp(index($cookie, 'browser-forged') < 0 && index($cookie, 'crm-secret') < 0 ? 'dropped' : 'forwarded',
         'dropped', 'the browser\'s cookies never reach the PBX');
ok t_cmp(exists $up->{headers}{authorization} ? 'forwarded' : 'dropped', 'dropped', 'the site password (Authorization) never reaches the PBX');
ok t_cmp(($up->{query} // '') . ' ' . ($up->{params}{user} // '') . '@' . ($up->{params}{domain} // ''),
         qr/ 40\@example\.com$/, 'the query names the mapped extension and domain');
my @act = grep { ($_->{body} // '') =~ /"name":"session"/ } @{ $sim->requests(path => '/rest/system/session') };
ok t_cmp(scalar @act, 1, 'the token was activated server-side');
ok t_cmp(error_log_since($mark), qr/PBXDIAL0705: PBX websocket for 40\@example\.com/, 'logged at info');

# --- refusals
$r = ws(user => 'alice:wrong');
ok t_cmp($r->{status}, 401, 'wrong password: 401, no upgrade');
$r = ws(user => 'alice:s3cret', origin => 'https://evil.example');
ok t_cmp($r->{status}, 403, 'cross-site Origin: 403 (no websocket hijacking)');
$r = ws(user => 'alice:s3cret', origin => "http://$hostport");
ok t_cmp($r->{status}, 101, 'own Origin: 101');
$sim->fault(path => '/rest/system/session', kind => 'false');
$r = ws(user => 'alice:s3cret');
$sim->clear_faults;
ok t_cmp($r->{status}, 502, 'PBX refuses the admin: 502, no upgrade');
