# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# /remote_call.htm (pbxdial-call): the four link types end to end against the
# PBX simulator, the dial policy, PBX faults, and secrets kept out of the logs.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET HEAD POST);
use Apache::TestUtil qw(t_cmp);
use Digest::MD5 qw(md5_hex);
use PbxDial::Test qw(sim json_of error_log_mark error_log_since timed in_vhost);

plan tests => 197;

my $sim = sim();
my @alice = (username => '40', password => 's3cret');
my @json = (Accept => 'application/json');
my %secrets = ('s3cret' => 1, 'alice-link' => 1, 'alice-pbx' => 1, 'bob:link' => 1, 'wrong-pw' => 1);

sub enc { my $s = shift; $s =~ s/([^A-Za-z0-9\-._~])/sprintf '%%%02X', ord $1/ge; $s }
sub qs { my @kv = @_; my @p; while (my ($k, $v) = splice @kv, 0, 2) { push @p, "$k=" . enc($v) } join '&', @p }

# A type-2 link: md5(user password dest time [duration]), as Vodia defines it.
sub signed {
    my (%a) = @_;
    my $pw = delete $a{password};
    my $t = $a{time} // time;
    my $auth = md5_hex($a{user} . $pw . $a{dest} . $t . ($a{duration} // ''));
    $secrets{$auth} = 1;
    return qs(user => $a{user}, extension => 'true', dest => $a{dest}, time => $t,
              (defined $a{duration} ? (duration => $a{duration}) : ()), auth => $auth,
              ($a{connect} ? (connect => 'true') : ()));
}

# The calls the simulated phone of $ext shows (then hung up, for the next test).
sub calls_on {
    my $ext = shift // '40@example.com';
    my $calls = $sim->calls_of($ext);
    $sim->hangup_all;
    return $calls;
}

sub called {
    my ($res, $dest, $press1, $name, $ext) = @_;
    my $calls = calls_on($ext);
    ok t_cmp($res->code, 200, "$name: 200");
    ok t_cmp(scalar(@$calls) . ' ' . ($calls->[0]{'to-number'} // '-'), "1 $dest", "$name: the phone of " . ($ext // '40@example.com') . " calls $dest");
    ok t_cmp($calls->[0]{prompt} // '-', $press1 ? 'press1' : '', "$name: " . ($press1 ? 'press 1 to connect' : 'connected without press 1'));
}

sub refused {
    my ($res, $status, $code, $name) = @_;
    my $j = json_of($res);
    ok t_cmp($res->code, $status, "$name: $status");
    ok t_cmp($j->{error} // '', $code, "$name: $code");
    ok t_cmp(scalar @{ calls_on() }, 0, "$name: no call placed");
    return $j;
}

$sim->clear_faults;
$sim->hangup_all;

# --- type 1: Apache's own Basic challenge
ok t_cmp(GET('/remote_call.htm?dest=0123456789')->code, 401, 'type 1 without login: challenge');
my $res = GET '/remote_call.htm?dest=0123456789', @alice;
called($res, '0123456789', 1, 'type 1');
ok t_cmp($res->header('Content-Type'), qr{^text/html}, 'type 1: an HTML page for people');
ok t_cmp($res->content, qr{<title>Calling 0123456789</title>}, 'type 1: the page says what happened');
ok t_cmp($res->header('Cache-Control'), 'no-store', 'type 1: no-store');
$res = GET '/remote_call.htm?dest=0123456789', @alice, @json;
ok t_cmp($res->content, qr/^\{"status":"calling","from":"40\@example\.com","dest":"0123456789"\}\s*$/, 'type 1: JSON when asked');
calls_on();
called(GET('/remote_call.htm?user=40%40example.com&dest=0123456789', @alice), '0123456789', 1, 'type 1, user ext@domain');
called(GET('/remote_call.htm?user=40@example.com&dest=0123456789', @alice), '0123456789', 1, 'type 1, raw @');
called(GET('/remote_call.htm?user=40&dest=0123456789', @alice), '0123456789', 1, 'type 1, bare ext + PbxDialDomain');
refused(GET('/remote_call.htm?user=41&dest=0123456789', @alice, @json), 403, 'user_mismatch', 'type 1, link for another extension');
refused(GET('/remote_call.htm?user=40%40other.com&dest=0123456789', @alice, @json), 403, 'user_mismatch', 'type 1, same ext, other domain');
called(GET('/remote_call.htm?dest=0123456789&connect=true', @alice), '0123456789', 0, 'type 4 (connect=true)');
refused(GET('/strict/remote_call.htm?dest=0123456789&connect=true', @alice, @json), 403, 'connect_refused', 'connect=true with PbxDialConnect Off');

# --- dest
refused(GET('/remote_call.htm', @alice, @json), 400, 'missing_dest', 'no dest');
refused(GET('/remote_call.htm?dest=', @alice, @json), 400, 'missing_dest', 'empty dest');
my $j = refused(GET('/remote_call.htm?dest=01a23', @alice, @json), 400, 'bad_dest', 'letters');
ok t_cmp($j->{message}, qr/'a' at position 3/, 'letters: the message names the character');
$res = GET '/remote_call.htm?dest=%3Cscript%3Ealert(1)%3C/script%3E', @alice;
ok t_cmp($res->code, 400, '<script> in dest: 400');
ok t_cmp($res->content !~ /<script/i ? 'escaped' : 'echoed', 'escaped', '<script> in dest: never echoed as markup');
refused(GET('/remote_call.htm?dest=012%2234', @alice, @json), 400, 'bad_dest', 'quote in dest');
called(GET('/remote_call.htm?dest=' . enc('+49 (30) 123-45/67.8'), @alice), '+493012345678', 1, 'formatted number normalised');
called(GET('/remote_call.htm?dest=+4930123', @alice), '+4930123', 1, 'raw + kept (not a space)');
refused(GET('/remote_call.htm?dest=1&dest=2', @alice, @json), 400, 'bad_query', 'dest given twice');

# --- policy
$j = refused(GET('/remote_call.htm?dest=0900123456', @alice, @json), 403, 'number_not_allowed', 'PbxDialDeny');
ok t_cmp($j->{message}, qr/number not allowed/, 'deny: message');
refused(GET('/remote_call.htm?dest=%2B1900555', @alice, @json), 403, 'number_not_allowed', 'second deny pattern');
refused(GET('/strict/remote_call.htm?dest=%2B4930123', @alice, @json), 403, 'number_not_allowed', 'PbxDialAllow: no pattern matches');
called(GET('/strict/remote_call.htm?dest=0301234', @alice), '0301234', 1, 'PbxDialAllow: matching number');

# --- methods
$res = POST '/remote_call.htm?dest=0123', @alice, content => '';
ok t_cmp($res->code, 403, 'POST without a confirmation token: 403 (POST only confirms)');
ok t_cmp(HEAD('/remote_call.htm?dest=0123', @alice)->code, 405, 'HEAD: 405 (a HEAD must not dial)');

# --- type 2: signed links, no login needed
my $now = time;
called(GET('/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '0123456789')), '0123456789', 1, 'type 2');
called(GET('/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '0123456789', duration => 60)), '0123456789', 1, 'type 2 with duration');
called(GET('/remote_call.htm?' . signed(user => '41@example.com', password => 'bob:link', dest => '0555')), '0555', 1, 'type 2, ext@domain, colon in password', '41@example.com');
called(GET('/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '0123', connect => 1)), '0123', 0, 'type 2 + connect=true');
called(GET('/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '0123 456', time => $now)), '0123456', 1, 'type 2 signs dest as sent');
refused(GET('/remote_call.htm?' . signed(user => '40', password => 'wrong-pw', dest => '0123'), @json), 403, 'link_bad_signature', 'type 2, wrong hash');
my $unknown = refused(GET('/remote_call.htm?' . signed(user => '47', password => 'wrong-pw', dest => '0123'), @json), 403, 'link_bad_signature', 'type 2, unknown user');
my $wrong = json_of(GET('/remote_call.htm?' . signed(user => '40', password => 'wrong-pw', dest => '0123'), @json));
ok t_cmp($unknown->{message}, $wrong->{message}, 'unknown user and wrong hash read the same');
# the window (default lifetime 7200 s; /strict has 100 s); ±1 s around the limit
called(GET('/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '01', time => time - 7199)), '01', 1, 'type 2, 1 s inside the lifetime');
refused(GET('/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '01', time => time - 7201), @json), 403, 'link_expired', 'type 2, 1 s past the lifetime');
called(GET('/strict/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '01', time => time - 99)), '01', 1, 'PbxDialLinkLifetime 100: 99 s old');
refused(GET('/strict/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '01', time => time - 101), @json), 403, 'link_expired', 'PbxDialLinkLifetime 100: 101 s old');
refused(GET('/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '01', time => time - 12, duration => 10), @json), 403, 'link_expired', 'duration shorter than the lifetime');
refused(GET('/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '01', time => time - 7201, duration => 86400), @json), 403, 'link_expired', 'duration longer than the lifetime: lifetime wins');
called(GET('/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '01', time => time + 299)), '01', 1, 'type 2, 299 s in the future');
refused(GET('/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '01', time => time + 302), @json), 403, 'link_future', 'type 2, 302 s in the future');
refused(GET('/remote_call.htm?user=40&extension=true&dest=01&time=x&auth=abc', @json), 400, 'link_malformed', 'type 2, malformed');
refused(GET('/signed/remote_call.htm?dest=0123', @json), 403, 'link_unauthenticated', 'signed-only location, no auth');
called(GET('/signed/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '0123')), '0123', 1, 'signed-only location, signed link');

# --- type 3: auth=user:password, checked by the authn providers
called(GET('/remote_call.htm?user=40%40example.com&dest=0123&auth=40%3As3cret'), '0123', 1, 'type 3');
called(GET('/remote_call.htm?dest=0123&auth=40:s3cret'), '0123', 1, 'type 3, raw colon');
called(GET('/remote_call.htm?dest=0123&auth=41%40example.com%3As3cret'), '0123', 1, 'type 3, ext@domain login', '41@example.com');
$wrong = refused(GET('/remote_call.htm?dest=0123&auth=40%3Awrong-pw', @json), 403, 'link_bad_password', 'type 3, wrong password');
$unknown = refused(GET('/remote_call.htm?dest=0123&auth=47%3Awrong-pw', @json), 403, 'link_bad_password', 'type 3, unknown user');
ok t_cmp($unknown->{message}, $wrong->{message}, 'type 3: unknown user and wrong password read the same');
refused(GET('/remote_call.htm?user=41&dest=0123&auth=40%3As3cret', @json), 403, 'user_mismatch', 'type 3, link for another extension');
$res = GET '/remote_call.htm?dest=0123&auth=40%3Awrong-pw';
ok t_cmp($res->content, qr{<title>Wrong user name or password</title>}, 'type 3 failure: a page that says which');

# --- the `pbx` authn provider: PBX extension passwords
$sim->clear_requests;
called(GET('/pbxauth/remote_call.htm?dest=0123', username => '40', password => 'alice-pbx'), '0123', 1, 'AuthBasicProvider pbx');
my ($auth) = grep { ($_->{body} // '') =~ /"auth"/ } @{ $sim->requests(path => '/rest/system/session') };
ok t_cmp($auth->{body} // '', qr/"value":"40\@example\.com \Q@{[md5_hex('alice-pbx')]}\E"/, 'pbx provider sends USER md5hex(PASSWORD)');
ok t_cmp(scalar(grep { $_->{method} eq 'DELETE' } @{ $sim->requests(path => '/rest/system/session') }) >= 1 ? 'logged out' : 'left open', 'logged out', 'pbx provider logs its session out');
ok t_cmp(GET('/pbxauth/remote_call.htm?dest=0123', username => '40', password => 'wrong-pw')->code, 401, 'AuthBasicProvider pbx, wrong password: 401');
called(GET('/pbxauth/remote_call.htm?dest=0123&auth=40%40example.com%3Aalice-pbx'), '0123', 1, 'PbxDialAuthProvider pbx (type 3)');
refused(GET('/pbxauth/remote_call.htm?dest=0123&auth=40%40example.com%3Awrong-pw', @json), 403, 'link_bad_password', 'PbxDialAuthProvider pbx, wrong password');

# --- PBX faults while placing the call
for my $f ([{path => '/remote_call.htm', kind => '500'}, 502, 'pbx_error', 'remote_call.htm 500'],
           [{path => '/rest/system/session', kind => 'false'}, 502, 'pbx_admin_refused', 'admin refused'],
           [{path => '/rest/system/session', kind => 'refuse'}, 502, 'pbx_unreachable', 'connection closed']) {
    my ($fault, $status, $code, $name) = @$f;
    $sim->clear_faults;
    $sim->fault(%$fault);
    refused(GET('/remote_call.htm?dest=0123', @alice, @json), $status, $code, "PBX fault: $name");
}
$sim->clear_faults;
$sim->fault(path => '/remote_call.htm', kind => 'delay', seconds => 6);
my ($r, $secs) = timed(sub { GET '/remote_call.htm?dest=0123', @alice, @json });
ok t_cmp($r->code, 504, 'PBX slower than PbxDialTimeout: 504');
ok t_cmp($secs < 3.0 ? 'in time' : sprintf('%.2f s', $secs), 'in time', 'answered within timeout + 1 s');
$sim->clear_faults;
$sim->hangup_all;
$res = in_vhost(pbx_refused => sub { GET '/remote_call.htm?dest=0123', @alice });
ok t_cmp($res->code, 502, 'PBX unreachable: 502');
ok t_cmp($res->content, qr{<title>The PBX cannot be reached</title>}, 'PBX unreachable: the page says so');

# --- the pbx provider behind mod_authn_socache: the second login is not asked of the PBX
$sim->clear_requests;
called(GET('/cached/remote_call.htm?dest=0123', username => '40', password => 'alice-pbx'), '0123', 1, 'socache + pbx, first login');
called(GET('/cached/remote_call.htm?dest=0124', username => '40', password => 'alice-pbx'), '0124', 1, 'socache + pbx, second login');
my @auths = grep { ($_->{body} // '') =~ /"name":"auth"/ } @{ $sim->requests(path => '/rest/system/session') };
ok t_cmp(scalar @auths, 1, 'mod_authn_socache: the PBX checked the password once');
ok t_cmp(GET('/cached/remote_call.htm?dest=0123', username => '40', password => 'wrong-pw')->code, 401, 'socache + pbx, wrong password: 401');

# --- mod_auth_form with AuthFormProvider pbx
$res = POST '/form/login', content => 'httpd_username=40&httpd_password=alice-pbx';
ok t_cmp($res->code, qr/^30[23]$/, 'form login with the PBX password: redirect');
my ($cookie) = ($res->header('Set-Cookie') // '') =~ /^(crmsession=[^;]*)/;
ok t_cmp(defined $cookie ? 'session cookie' : 'none', 'session cookie', 'form login sets the session cookie');
called(GET('/form/remote_call.htm?dest=0777', Cookie => $cookie // ''), '0777', 1, 'AuthFormProvider pbx: logged-in user dials');
$res = POST '/form/login', content => 'httpd_username=40&httpd_password=wrong-pw';
($cookie) = ($res->header('Set-Cookie') // '') =~ /^(crmsession=[^;]*)/;
refused(GET('/form/remote_call.htm?dest=0777', Cookie => $cookie // '', @json), 401, '', 'form login with a wrong password: not logged in');

# --- pbxdial-link mints links that the module accepts
my $top = $ENV{PBXDIAL_TOP};
my $base = 'http://' . Apache::TestRequest::hostport() . '/remote_call.htm';
my $link = `printf 'alice-link\n' | '$top/pbxdial-link' --base '$base' --user 40 --dest '0123 456' --lifetime 600`;
chomp $link;
ok t_cmp($link, qr{^\Q$base\E\?user=40&extension=true&dest=0123456&time=\d+&duration=600&auth=[0-9a-f]{32}$}, 'pbxdial-link prints a signed link');
my ($path) = $link =~ m{^http://[^/]+(/.*)$};
$secrets{$1} = 1 if $link =~ /auth=([0-9a-f]{32})/;
called(GET($path // '/'), '0123456', 1, 'a link from pbxdial-link dials');
my $err = `'$top/pbxdial-link' --base '$base' --user 40 --dest 'abc' --password-file /dev/null 2>&1`;
ok t_cmp($? >> 8, qr/^[12]$/, 'pbxdial-link refuses bad input with a non-zero exit');

# --- LogLevel pbxdial:debug (the trace8 vhost) traces the decisions and PBX calls, without secrets
{
    my $m = error_log_mark();
    in_vhost(pbx_trace => sub { GET '/remote_call.htm?dest=0123', @alice });
    $sim->hangup_all;
    my $t = error_log_since($m);
    ok t_cmp($t, qr/PBXDIAL0205: user "40" is extension 40\@example\.com/, 'debug: the mapping');
    ok t_cmp($t, qr/PBXDIAL0610: link type 0: 40\@example\.com may dial 0123/, 'debug: the decision');
    ok t_cmp($t, qr/PBXDIAL0150: PBX POST \/rest\/system\/session: 200 in \d+ ms/, 'debug: each PBX request with its time');
    ok t_cmp($t, qr/PBXDIAL0150: PBX GET \/remote_call\.htm: 200 in \d+ ms/, 'debug: the call request, without its query');
}

# --- no secret in any log, even at LogLevel trace8
my $mark = error_log_mark();
in_vhost(pbx_trace => sub {
    GET '/remote_call.htm?dest=0123&auth=40%3As3cret';
    GET '/remote_call.htm?dest=0123&auth=40:s3cret';
    GET '/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '0123');
    GET '/remote_call.htm?dest=0123&AUTH=40%3As3cret';
    GET '/remote_call.htm?dest=0123&%61uth=40%3As3cret';
    GET '/remote_call.htm?dest=0123', @alice;
    GET '/pbxauth/remote_call.htm?dest=0123&auth=40%40example.com%3Aalice-pbx';
});
$sim->hangup_all;
ok t_cmp(error_log_since($mark), qr/trace8|trace\d/, 'the trace8 vhost did log at trace level');
my $logs = error_log_since(0);
my $access = do { open my $fh, '<', Apache::Test::vars('t_logs') . '/access_log' or die $!; local $/; <$fh> };
ok t_cmp($access, qr{GET /remote_call\.htm\?dest=0123&auth=\*\*\* HTTP}, 'access log shows auth=***');
my @leaks = grep { index($logs, $_) >= 0 || index($access, $_) >= 0 } sort keys %secrets;
ok t_cmp("@leaks", '', 'no password or link hash in the access or error log (' . scalar(keys %secrets) . ' secrets checked)');
ok t_cmp(error_log_since(0), qr/PBXDIAL0601: click-to-dial: user "40" extension 40\@example\.com dest 0123456789 link type 0: 200 calling/, 'one info line per attempt');
