# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# /rest/pbxlogin (pbxdial-login) against the PBX simulator over TLS.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET POST PUT HEAD);
use Apache::TestUtil qw(t_cmp);
use MIME::Base64 qw(encode_base64);
use JSON::PP ();
use HTTP::Tiny;
use PbxDial::Test qw(sim json_of error_log_mark error_log_since timed in_vhost);

plan tests => 104;

my $sim = sim();
my @auth = (username => '40', password => 's3cret');
my @tokens;

sub last_login_request {
    my $reqs = $sim->requests(path => '/rest/system/session');
    return $reqs->[-1] // {};
}

sub error_is {
    my ($res, $status, $code, $name) = @_;
    my $j = json_of($res);
    ok t_cmp($res->code, $status, "$name: status");
    ok t_cmp($j->{error}, $code, "$name: error code");
    ok t_cmp($res->header('Cache-Control'), 'no-store', "$name: no-store");
    return $j;
}

# --- success: the exact JSON, and what the PBX saw
$sim->clear_faults;
$sim->clear_requests;
my $mark = error_log_mark();
my $res = GET '/rest/pbxlogin', @auth;
my $j = json_of($res);
ok t_cmp($res->code, 200, 'login: 200');
ok t_cmp($res->header('Content-Type'), qr{^application/json}, 'login: JSON');
ok t_cmp($res->header('Cache-Control'), 'no-store', 'login: no-store');
ok t_cmp(join(',', sort keys %$j), 'domain,server,session,user', 'login: exactly session, server, user, domain');
ok t_cmp($j->{user}, '40', 'login: user is the extension');
ok t_cmp($j->{domain}, 'example.com', 'login: domain');
ok t_cmp($j->{server}, $ENV{PBXDIAL_SIM_TLS_URL}, 'login: server derived from PbxDialServer');
ok t_cmp($j->{session}, qr/^[a-z0-9]{20}$/, 'login: token from the PBX');
push @tokens, $j->{session};

my $req = last_login_request();
ok t_cmp($req->{method}, 'POST', 'PBX saw POST');
ok t_cmp($req->{headers}{authorization}, 'Basic ' . encode_base64('admin:adminpw', ''), 'PBX saw the admin Basic header');
ok t_cmp($req->{headers}{'content-type'}, qr{^application/json}, 'PBX saw a JSON content type');
my $body = eval { JSON::PP::decode_json($req->{body}) } || {};
ok t_cmp(JSON::PP->new->canonical->encode($body), '{"domain":"example.com","name":"3rd","username":"40"}',
         'PBX saw the 3rd-party login body');

# the token is real: the PBX accepts it once
my $act = HTTP::Tiny->new(verify_SSL => 0)->post("$ENV{PBXDIAL_SIM_URL}/rest/system/session",
    {content => JSON::PP::encode_json({name => 'session', value => $j->{session}})});
ok t_cmp($act->{status}, 200, 'token activates on the PBX');
ok t_cmp($act->{headers}{'set-cookie'} // '', qr/^session=/, 'activation sets the session cookie');
ok t_cmp(error_log_since($mark), qr/PBXDIAL0105: PBX session issued for 40\@example\.com/, 'success logged at info');

$res = POST '/rest/pbxlogin', @auth, content => '';
ok t_cmp($res->code, 200, 'POST works too');
push @tokens, json_of($res)->{session} // '';

# --- methods
$res = PUT '/rest/pbxlogin', @auth, content => 'x';
error_is($res, 405, 'method_not_allowed', 'PUT');
ok t_cmp($res->header('Allow'), 'GET, POST', 'PUT: Allow header');
$res = HEAD '/rest/pbxlogin', @auth;
ok t_cmp($res->code, 405, 'HEAD: 405 (no token minted for nothing)');

# --- who may ask
ok t_cmp(GET('/rest/pbxlogin')->code, 401, 'no credentials: Apache challenges');
$mark = error_log_mark();
$res = GET '/open/pbxlogin';
error_is($res, 403, 'not_authenticated', 'unprotected location');
ok t_cmp(error_log_since($mark), qr/PBXDIAL0101: .*Require valid-user/, 'log tells the admin to add Require valid-user');

$res = GET '/rest/pbxlogin', @auth, 'Sec-Fetch-Site' => 'cross-site';
error_is($res, 403, 'cross_site', 'Sec-Fetch-Site: cross-site');
$res = GET '/rest/pbxlogin', @auth, 'Origin' => 'https://evil.example';
error_is($res, 403, 'cross_site', 'foreign Origin');
$res = GET '/rest/pbxlogin', @auth, 'Origin' => 'null';
ok t_cmp($res->code, 403, 'Origin: null refused');
my $own = 'http://' . Apache::TestRequest::hostport();
$res = GET '/rest/pbxlogin', @auth, 'Origin' => $own, 'Sec-Fetch-Site' => 'same-origin';
ok t_cmp($res->code, 200, "own Origin ($own) accepted");
push @tokens, json_of($res)->{session} // '';

# --- mapping
$res = GET '/rest/pbxlogin', username => 'alice', password => 's3cret';
$j = error_is($res, 403, 'unknown_extension', 'login that is no extension');
ok t_cmp($j->{message}, 'extension not known to the PBX', 'PBX 404: message');

$res = GET '/attr/pbxlogin', username => 'alice', password => 's3cret';
ok t_cmp($res->code, 200, 'extension from an attribute (env) expression');
ok t_cmp(json_of($res)->{user}, '40', 'attribute mapped alice to 40');
push @tokens, json_of($res)->{session} // '';
$res = GET '/attr/pbxlogin', username => 'mallory', password => 's3cret';
$j = error_is($res, 403, 'no_extension', 'empty mapping');
ok t_cmp($j->{message}, qr/PbxDialExtension/, 'empty mapping names the directive');
$res = GET '/badmap/pbxlogin', @auth;
$j = error_is($res, 403, 'no_extension', 'malformed mapping');
ok t_cmp($j->{message}, qr/PbxDialExtension/, 'malformed mapping names the directive');
$res = GET '/nodomain/pbxlogin', @auth;
$j = error_is($res, 403, 'no_extension', 'no domain');
ok t_cmp($j->{message}, qr/PbxDialDomain/, 'missing domain names PbxDialDomain');
$res = GET '/nodomain/pbxlogin', username => '41@example.com', password => 's3cret';
$j = json_of($res);
ok t_cmp($res->code, 200, 'ext@domain login needs no PbxDialDomain');
ok t_cmp("$j->{user}|$j->{domain}", '41|example.com', 'ext@domain split');
push @tokens, $j->{session} // '';

# PbxDialUserMap, consulted before PbxDialExtension (default: the login)
$res = GET '/umap/pbxlogin', username => 'alice', password => 's3cret';
ok t_cmp(json_of($res)->{user}, '40', 'user map: alice -> 40');
push @tokens, json_of($res)->{session} // '';
$res = GET '/umap/pbxlogin', @auth;
ok t_cmp(json_of($res)->{user}, '40', 'user map: unmapped login falls back to the login');
push @tokens, json_of($res)->{session} // '';

# --- PbxDialPublicServer, plain HTTP to the PBX
$sim->clear_requests;
$res = in_vhost(pbx_public => sub { GET '/rest/pbxlogin', @auth });
ok t_cmp($res->code, 200, 'public server vhost: 200');
ok t_cmp(json_of($res)->{server}, 'pbx.example.com:8443', 'server = PbxDialPublicServer');
push @tokens, json_of($res)->{session} // '';
ok t_cmp(scalar @{ $sim->requests(path => '/rest/system/session') }, 1, 'one PBX request per login');

# --- PBX failures
$mark = error_log_mark();
$res = in_vhost(pbx_badadmin => sub { GET '/rest/pbxlogin', @auth });
$j = error_is($res, 502, 'pbx_admin_refused', 'wrong admin password');
ok t_cmp($j->{message}, 'PBX refused the admin credentials', 'false: message');

$res = in_vhost(pbx_refused => sub { GET '/rest/pbxlogin', @auth });
error_is($res, 502, 'pbx_unreachable', 'connection refused');
ok t_cmp(error_log_since($mark), qr/PBXDIAL0104: .*unreachable: .*(Could not connect|Couldn't connect|refused)/i,
         'refused: curl error text in the log');

$res = in_vhost(pbx_untrusted => sub { GET '/rest/pbxlogin', @auth });
error_is($res, 502, 'pbx_tls', 'untrusted certificate');
ok t_cmp(error_log_since($mark), qr/PBXDIAL0104: .*TLS failure: .*certificate/i, 'TLS: reason in the log');

my %faults = (
    '500'     => [{kind => '500'}, 502, 'pbx_error'],
    'garbage' => [{kind => 'garbage'}, 502, 'pbx_bad_reply'],
    'false'   => [{kind => 'false'}, 502, 'pbx_admin_refused'],
    'empty'   => [{kind => 'empty'}, 502, 'pbx_bad_reply'],
    '404'     => [{kind => 'status', status => 404}, 403, 'unknown_extension'],
    '503'     => [{kind => 'status', status => 503}, 502, 'pbx_error'],
    'refuse'  => [{kind => 'refuse'}, 502, 'pbx_unreachable'],
);
for my $name (sort keys %faults) {
    my ($fault, $status, $code) = @{ $faults{$name} };
    $sim->clear_faults;
    $sim->fault(path => '/rest/system/session', %$fault);
    error_is(GET('/rest/pbxlogin', @auth), $status, $code, "PBX fault $name");
}
$sim->clear_faults;
$mark = error_log_mark();
$res = GET '/rest/pbxlogin', @auth;
ok t_cmp($res->code, 200, 'after faults: works again');
push @tokens, json_of($res)->{session} // '';

for my $kind (qw(delay hang)) {
    $sim->clear_faults;
    $sim->fault(path => '/rest/system/session', kind => $kind, seconds => 6);
    my ($r, $secs) = timed(sub { GET '/rest/pbxlogin', @auth });
    error_is($r, 504, 'pbx_timeout', "PBX $kind past PbxDialTimeout 2");
    ok t_cmp($secs < 3.0 ? 'within timeout + 1 s' : sprintf('took %.2f s', $secs), 'within timeout + 1 s',
             "$kind: answered within timeout + 1 s");
}
$sim->clear_faults;

# --- no secret in the error log
my $log = error_log_since(0);
ok t_cmp(index($log, 'adminpw'), -1, 'admin password not in the error log');
ok t_cmp(index($log, encode_base64('admin:adminpw', '')), -1, 'admin Basic credentials not in the error log');
my @leaked = grep { length && index($log, $_) >= 0 } @tokens;
ok t_cmp(scalar @leaked, 0, 'no issued token in the error log (' . scalar(@tokens) . ' checked)');
