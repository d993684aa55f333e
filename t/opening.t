# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The opening the four handlers share (src/httpd/handler_open.c): a method a
# handler does not answer gets the same 405 everywhere, with an Allow that
# names exactly what it answers, in the voice of the handler (a page, or
# JSON for scripts and for /rest/pbxlogin), counted on the status page; a
# location without Apache authentication is refused and logged.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET POST PUT HEAD);
use Apache::TestUtil qw(t_cmp);
use PbxDial::Test qw(sim json_of error_log_mark error_log_since);

plan tests => 22;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my @alice = (username => '40', password => 's3cret');
my @json = (Accept => 'application/json');

# "status type Allow error message", one string so a failure shows all of it
sub refusal {
    my $res = shift;
    my ($type) = split /;/, $res->header('Content-Type') // '-';
    my $j = $type eq 'application/json' ? json_of($res) : {};
    return join ' | ', $res->code . " $type", $res->header('Allow') // '(no Allow)',
        $j->{error} // '-', $j->{message} // '-';
}

my $before = json_of(GET('/pbxdial-status?json'));
my $mark = error_log_mark();

# --- a method a handler does not answer: one 405, Allow exact
ok t_cmp(refusal(PUT('/remote_call.htm?dest=0123', @alice, @json, content => 'x')),
         '405 application/json | GET, POST | method_not_allowed | Use GET or POST here.', 'call, PUT: JSON 405');
ok t_cmp(refusal(HEAD('/remote_call.htm?dest=0123', @alice)),
         '405 text/html | GET, POST | - | -', 'call, HEAD: 405 page (a HEAD never dials)');
ok t_cmp(refusal(PUT('/rest/pbxlogin', @alice, content => 'x')),
         '405 application/json | GET, POST | method_not_allowed | Use GET or POST here.', 'login, PUT: JSON 405');
ok t_cmp(refusal(HEAD('/rest/pbxlogin', @alice)),
         '405 application/json | GET, POST | - | -', 'login, HEAD: 405 (JSON head, no body)');
ok t_cmp(refusal(POST('/js/callback.js', @json, content => 'x')),
         '405 application/json | GET, HEAD | method_not_allowed | Use GET or HEAD here.', 'script, POST: JSON 405');
my $res = POST('/js/callback.js', content => 'x');
ok t_cmp(refusal($res), '405 text/html | GET, HEAD | - | -', 'script, POST: the 405 page');
ok t_cmp($res->content, qr/Use GET or HEAD here\./, '... saying what to use');
ok t_cmp($res->header('Cache-Control') // '', 'no-store', '... not cached');
ok t_cmp(refusal(POST('/pbxdial-status', @json, content => 'x')),
         '405 application/json | GET, HEAD | method_not_allowed | Use GET or HEAD here.', 'status, POST: JSON 405');
ok t_cmp(refusal(PUT('/pbxdial-status', content => 'x')),
         '405 text/html | GET, HEAD | - | -', 'status, PUT: the 405 page');

# --- and what each handler answers still works
ok t_cmp(HEAD('/js/callback.js')->code, 200, 'script, HEAD: 200');
ok t_cmp(HEAD('/pbxdial-status')->code, 200, 'status, HEAD: 200');
ok t_cmp(GET('/pbxdial-status?json')->code, 200, 'status, GET: 200');
ok t_cmp(POST('/rest/pbxlogin', @alice, content => 'ignored=1')->code, 200, 'login, POST with a body: 200 (the body is discarded)');
ok t_cmp(scalar @{ $sim->calls_of('40@example.com') }, 0, 'no call from any refusal');

# --- the call logs each refused attempt once, the opening's included
my $log = error_log_since($mark);
ok t_cmp($log, qr/PBXDIAL0601: click-to-dial: user "40" extension - dest - link type 0: 405 method_not_allowed/,
         'call: the per-attempt line for a 405');

# --- refusals are counted by reason on the status page
my $after = json_of(GET('/pbxdial-status?json'));
ok t_cmp(($after->{refused}{method_not_allowed} // 0) - ($before->{refused}{method_not_allowed} // 0), 8,
         'every 405 counted as method_not_allowed');

# --- a location without Apache authentication: refused, the admin told why
$mark = error_log_mark();
ok t_cmp(refusal(GET('/open/pbxlogin')),
         '403 application/json | (no Allow) | not_authenticated | This location must be protected by Apache authentication.',
         'login without Apache authentication: 403 not_authenticated');
ok t_cmp(error_log_since($mark), qr/PBXDIAL0101: \/open\/pbxlogin is served without an authenticated user; .*Require valid-user/,
         'logged with what to add');
ok t_cmp(refusal(PUT('/open/pbxlogin', content => 'x')),
         '405 application/json | GET, POST | method_not_allowed | Use GET or POST here.', 'the method is checked first');
$after = json_of(GET('/pbxdial-status?json'));
ok t_cmp(($after->{refused}{not_authenticated} // 0) - ($before->{refused}{not_authenticated} // 0), 1,
         'not_authenticated counted');
ok t_cmp(GET('/open/pbxlogin', @json)->header('Cache-Control') // '', 'no-store', 'not_authenticated: not cached');
