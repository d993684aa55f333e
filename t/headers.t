# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Every answer the module writes itself (result pages, error pages, JSON,
# the status page, the confirmation page) carries the confirmation page's
# lock-down: it cannot be framed (X-Frame-Options DENY, CSP frame-ancestors
# 'none'), loads and runs nothing (default-src 'none'), posts forms only to
# this site, and is never cached.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET POST HEAD);
use Apache::TestUtil qw(t_cmp);
use PbxDial::Test qw(sim);

plan tests => 19;

my $CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my @alice = (username => '40', password => 's3cret');
my @json = (Accept => 'application/json');

# "status type: XFO | CSP | Cache-Control", one string so a failure shows all of it
sub locked {
    my $res = shift;
    my ($type) = split /;/, $res->header('Content-Type') // '-';
    return join ' | ', $res->code . " $type", map { $res->header($_) // '(none)' }
        qw(X-Frame-Options Content-Security-Policy Cache-Control);
}
sub want { my ($code, $type) = @_; "$code $type | DENY | $CSP | no-store" }

# --- results
ok t_cmp(locked(GET('/remote_call.htm?dest=0123', @alice)), want(200, 'text/html'), 'call placed: the HTML result page');
$sim->hangup_all;
ok t_cmp(locked(GET('/remote_call.htm?dest=0123', @alice, @json)), want(200, 'application/json'), 'call placed: the JSON result');
$sim->hangup_all;
ok t_cmp(locked(GET('/rest/pbxlogin', @alice)), want(200, 'application/json'), '/rest/pbxlogin: the session answer');

# --- errors, HTML and JSON
ok t_cmp(locked(GET('/remote_call.htm?dest=12ab', @alice)), want(400, 'text/html'), 'bad number: the HTML error page');
ok t_cmp(locked(GET('/remote_call.htm?dest=12ab', @alice, @json)), want(400, 'application/json'), 'bad number: the JSON error');
ok t_cmp(locked(GET('/remote_call.htm?dest=0900123', @alice)), want(403, 'text/html'), 'policy: the HTML error page');
ok t_cmp(locked(GET('/remote_call.htm?user=41%40example.com&dest=0123', @alice)), want(403, 'text/html'),
         'another extension: the HTML error page');
$sim->fault(path => '/remote_call.htm', kind => '500', count => 1);
ok t_cmp(locked(GET('/remote_call.htm?dest=0123', @alice)), want(502, 'text/html'), 'the PBX refuses: the HTML error page');
$sim->fault(path => '/rest/system/session', kind => '500', count => 1);
ok t_cmp(locked(GET('/rest/pbxlogin', @alice)), want(502, 'application/json'), 'the PBX refuses: /rest/pbxlogin\'s JSON error');
$sim->clear_faults;
ok t_cmp(locked(Apache::TestRequest::PUT('/remote_call.htm?dest=0123', @alice, content => 'x')), want(405, 'text/html'),
         'PUT on a link: the 405 page');
ok t_cmp(locked(HEAD('/remote_call.htm?dest=0123', @alice)), want(405, 'text/html'), 'HEAD on a link (never dials)');
ok t_cmp(locked(Apache::TestRequest::PUT('/rest/pbxlogin', @alice, content => 'x')), want(405, 'application/json'),
         'PUT on /rest/pbxlogin: the JSON 405');

# --- the confirmation page (cross-site type-1 link) and its refused POST keep theirs
ok t_cmp(locked(GET('/remote_call.htm?dest=0123', @alice, 'Sec-Fetch-Site' => 'cross-site')), want(200, 'text/html'),
         'the confirmation page');
ok t_cmp(locked(POST('/remote_call.htm?dest=0123', @alice, 'Sec-Fetch-Site' => 'same-origin', content => 'token=1.x.y')),
         want(403, 'text/html'), 'a confirmation with a forged token: the HTML error page');
ok t_cmp(scalar @{ $sim->calls_of('40@example.com') }, 0, 'and no call from any of those');

# --- the status page, in its three forms; and Apache's own 405 page for it
ok t_cmp(locked(GET('/pbxdial-status')), want(200, 'text/html'), 'the status page');
ok t_cmp(locked(GET('/pbxdial-status?auto')), want(200, 'text/plain'), 'the status page ?auto');
ok t_cmp(locked(GET('/pbxdial-status?json')), want(200, 'application/json'), 'the status page ?json');
ok t_cmp(locked(POST('/pbxdial-status', content => 'x')), want(405, 'text/html'), 'POST on the status page: 405');
