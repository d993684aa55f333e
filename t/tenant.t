# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The tenant is pinned by the server (PbxDialDomain), never by the request:
# every way a name reaches the module (Basic user, user map, PbxDialExtension,
# signed and password links, user= parameters, the websocket, the `pbx` authn
# provider) with an @domain of another tenant is refused before the PBX hears
# of that tenant. Also: the `pbx` provider is throttled (PbxDialFailureLimit)
# before it asks the PBX, and fails closed when the cache cannot count.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use Digest::MD5 qw(md5_hex);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use JSON::PP ();
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(time sleep);
use PbxDial::Test qw(sim json_of error_log_mark error_log_since ws_session free_port
                     httpd_root httpd_start httpd_stop suite_modules cache_key_file window_ahead);

plan tests => 102;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my @json = (Accept => 'application/json');
# type-1 requests from the site itself (no cross-site confirmation page)
my @own = ('Sec-Fetch-Site' => 'same-origin');
my $hostport = Apache::TestRequest::hostport();
my $encoder = JSON::PP->new->canonical;

sub enc { my $s = shift; $s =~ s/([^A-Za-z0-9\-._~])/sprintf '%%%02X', ord $1/ge; $s }
sub signed {
    my ($user, $pw, $dest) = @_;
    my $t = int time;
    return 'user=' . enc($user) . "&extension=true&dest=$dest&time=$t&auth=" . md5_hex($user . $pw . $dest . $t);
}

# What the PBX heard since the last clear_requests, as text.
sub pbx_heard { join "\n", map { $encoder->encode($_) } @{ $sim->requests } }
sub pbx_logins { scalar grep { ($_->{body} // '') =~ /"name":"auth"/ } @{ $sim->requests(path => '/rest/system/session') } }

# One attack: status, error code (JSON), no call anywhere, and the PBX never
# heard of other.com.
sub refused {
    my ($name, $status, $code, $req) = @_;
    $sim->clear_requests;
    my $res = $req->();
    ok t_cmp($res->code, $status, "$name: $status");
    ok t_cmp(json_of($res)->{error} // '', $code, "$name: $code") if defined $code;
    ok t_cmp(pbx_heard() =~ /other\.com/i ? 'asked about other.com' : 'not asked', 'not asked',
             "$name: the PBX was never asked about other.com");
    my $calls = $sim->calls;
    ok t_cmp(scalar(map { @$_ } values %$calls), 0, "$name: no call placed");
    $sim->hangup_all;
    return $res;
}

# --- /rest/pbxlogin: an Apache user named 40@other.com, where PbxDialDomain is example.com
my $mark = error_log_mark();
refused('pbxlogin as Apache user 40@other.com', 403, 'no_extension',
        sub { GET '/rest/pbxlogin', @json, username => '40@other.com', password => 's3cret' });
ok t_cmp(error_log_since($mark), qr/PBXDIAL0207: .*"40\@other\.com" is in PBX tenant other\.com, but PbxDialDomain pins \/rest\/pbxlogin to tenant example\.com/,
         'the log names both tenants');
# what the attacker sends next: the same tenant spelt differently is the same tenant...
$sim->clear_requests;
my $res = GET '/rest/pbxlogin', @json, username => '40@EXAMPLE.COM.', password => 's3cret';
ok t_cmp($res->code, 200, '40@EXAMPLE.COM. is example.com (case-insensitive, root dot): 200');
ok t_cmp(join('|', map { json_of($res)->{$_} // '' } qw(user domain)), '40|example.com', '...as 40@example.com');
my $bodies = join "\n", map { $_->{body} // '' } @{ $sim->requests };
ok t_cmp($bodies =~ /"domain":"example\.com"/ && $bodies !~ /EXAMPLE|example\.com\./ ? 'canonical' : $bodies,
         'canonical', '...and the PBX is asked with the canonical domain only');
# ...and one @ too many is no extension at all
refused('pbxlogin as 40@other.com@example.com', 403, 'no_extension',
        sub { GET '/rest/pbxlogin', @json, username => '40@other.com@example.com', password => 's3cret' });

# --- mappings that name another tenant
refused('PbxDialUserMap carol -> 40@other.com', 403, 'no_extension',
        sub { GET '/umap/pbxlogin', @json, username => 'carol', password => 's3cret' });
refused('PbxDialExtension "%{REMOTE_USER}@other.com"', 403, 'no_extension',
        sub { GET '/tenant/ext/pbxlogin', @json, username => '40', password => 's3cret' });
# PbxDialDomain set but empty: refused, not the @domain of the name (fail closed)
$mark = error_log_mark();
refused('PbxDialDomain empty for the request, user 41@example.com', 403, 'no_extension',
        sub { GET '/tenant/empty/pbxlogin', @json, username => '41@example.com', password => 's3cret' });
ok t_cmp(error_log_since($mark), qr/PBXDIAL0206: PbxDialDomain .* gives no valid PBX domain/, 'empty PbxDialDomain: logged');
# PbxDialDomain unset: an admin's ext@domain mapping still works (multi-tenant by configuration)
$res = GET '/nodomain/pbxlogin', @json, username => '41@example.com', password => 's3cret';
ok t_cmp($res->code, 200, 'no PbxDialDomain: ext@domain from the mapping still works');

# --- the websocket fixup: a user that maps to another tenant gets no PBX session
$sim->clear_requests;
my $ws = ws_session("ws://carol:s3cret\@$hostport/so/websocket?domain=other.com&user=40");
ok t_cmp($ws->{status}, 403, 'websocket for carol (-> 40@other.com): 403, no upgrade');
ok t_cmp(pbx_heard() =~ /other\.com/i ? 'asked' : 'not asked', 'not asked', 'websocket: the PBX never heard of other.com');
ok t_cmp(scalar grep({ $_->{path} eq '/websocket' } @{ $sim->requests }), 0, 'websocket: nothing proxied to the PBX');

# --- type 1: Basic login and user= parameters
$mark = error_log_mark();
refused('type 1 as Apache user 40@other.com', 403, 'wrong_tenant',
        sub { GET '/remote_call.htm?dest=0123', @json, @own, username => '40@other.com', password => 's3cret' });
refused('type 1, user=40%40other.com', 403, 'user_mismatch',
        sub { GET '/remote_call.htm?dest=0123&user=40%40other.com', @json, @own, username => '40', password => 's3cret' });
ok t_cmp(error_log_since($mark), qr/PBXDIAL0207: link parameter user "40\@other\.com" is in PBX tenant other\.com, but PbxDialDomain pins \/remote_call\.htm to tenant example\.com/,
         'user= of another tenant: the log names both tenants');
refused('type 1, user=40%40OTHER.COM.', 403, 'user_mismatch',
        sub { GET '/remote_call.htm?dest=0123&user=40%40OTHER.COM.', @json, @own, username => '40', password => 's3cret' });
refused('type 1, user=40%2540other.com (double-encoded)', 403, 'user_mismatch',
        sub { GET '/remote_call.htm?dest=0123&user=40%2540other.com', @json, @own, username => '40', password => 's3cret' });
refused('type 1, user=40%40other.com%40example.com', 403, 'user_mismatch',
        sub { GET '/remote_call.htm?dest=0123&user=40%40other.com%40example.com', @json, @own, username => '40', password => 's3cret' });
$res = GET '/remote_call.htm?dest=0124&user=40%40Example.Com', @json, @own, username => '40', password => 's3cret';
ok t_cmp($res->code . ' ' . scalar @{ $sim->calls_of('40@example.com') }, '200 1', 'type 1, user=40@Example.Com is the own tenant: dials');
$sim->hangup_all;

# --- type 3: auth=40@other.com:password
refused('type 3, auth=40%40other.com%3As3cret (file provider)', 403, 'wrong_tenant',
        sub { GET '/remote_call.htm?dest=0123&auth=40%40other.com%3As3cret', @json });
refused('type 3 through the pbx provider, auth=40@other.com', 403, 'link_bad_password',
        sub { GET '/pbxauth/remote_call.htm?dest=0123&auth=40%40other.com%3Aalice-pbx', @json });
refused('type 3 through the pbx provider, auth=40%2540other.com', 403, 'link_bad_password',
        sub { GET '/pbxauth/remote_call.htm?dest=0123&auth=40%2540other.com%3Aalice-pbx', @json });

# --- type 2: signed links act in the tenant of the location that verifies them
refused('type 2, user=40@other.com (a valid signature)', 403, 'wrong_tenant',
        sub { GET '/signed/remote_call.htm?' . signed('40@other.com', 'other-link', '0123'), @json });
my $link = signed('40', 'alice-link', '0125');
$res = GET "/signed/remote_call.htm?$link", @json;
ok t_cmp($res->code . ' ' . scalar @{ $sim->calls_of('40@example.com') }, '200 1',
         'type 2, user=40 at a location of example.com: a call on 40@example.com');
$sim->hangup_all;
$sim->clear_requests;
$res = GET "/tenant/other/remote_call.htm?$link", @json;
my ($third) = grep { ($_->{body} // '') =~ /"name":"3rd"/ } @{ $sim->requests(path => '/rest/system/session') };
ok t_cmp($third->{body} // '', qr/"domain":"other\.com"/, 'the same link at a location of other.com acts in other.com (the hash has no domain)');
ok t_cmp(scalar @{ $sim->calls_of('40@example.com') }, 0, '...and never in example.com');
$sim->hangup_all;

# --- the pbx provider: only users of the location's tenant
refused('AuthBasicProvider pbx, user 40@other.com', 401, undef,
        sub { GET '/pbxauth/remote_call.htm?dest=0123', @json, @own, username => '40@other.com', password => 'alice-pbx' });
refused('AuthBasicProvider pbx, user 40@OTHER.COM.', 401, undef,
        sub { GET '/pbxauth/remote_call.htm?dest=0123', @json, @own, username => '40@OTHER.COM.', password => 'alice-pbx' });
refused('AuthBasicProvider pbx, user 40%40other.com', 401, undef,
        sub { GET '/pbxauth/remote_call.htm?dest=0123', @json, @own, username => '40%40other.com', password => 'alice-pbx' });
refused('AuthBasicProvider pbx, user 40@other.com@example.com', 401, undef,
        sub { GET '/pbxauth/remote_call.htm?dest=0123', @json, @own, username => '40@other.com@example.com', password => 'alice-pbx' });
$sim->clear_requests;
$res = GET '/pbxauth/remote_call.htm?dest=0126', @json, @own, username => '40@EXAMPLE.COM.', password => 'alice-pbx';
ok t_cmp($res->code, 200, 'AuthBasicProvider pbx, user 40@EXAMPLE.COM.: the own tenant, 200');
my ($login) = grep { ($_->{body} // '') =~ /"name":"auth"/ } @{ $sim->requests(path => '/rest/system/session') };
ok t_cmp($login->{body} // '', qr/"value":"40\@example\.com /, '...checked as 40@example.com');
$sim->hangup_all;
$mark = error_log_mark();
refused('AuthBasicProvider pbx without PbxDialDomain', 500, undef,
        sub { GET '/tenant/nodomain/remote_call.htm?dest=0123', @json, @own, username => '40@example.com', password => 'alice-pbx' });
ok t_cmp(error_log_since($mark), qr/PBXDIAL0407: .*set PbxDialDomain/, 'the log tells the admin to set PbxDialDomain');
ok t_cmp(scalar @{ $sim->requests }, 0, 'no PBX request without a pinned tenant');

# --- mod_authn_socache: the entry is stored under the identity checked (ext@domain)
$sim->clear_requests;
$res = GET '/cached/remote_call.htm?dest=0127', @own, username => '41', password => 'bob-pbx';
ok t_cmp($res->code, 200, 'socache + pbx: 41 logs in');
$res = GET '/cached/remote_call.htm?dest=0128', @own, username => '41@example.com', password => 'bob-pbx';
ok t_cmp($res->code, 200, 'socache + pbx: 41@example.com logs in');
ok t_cmp(pbx_logins(), 1, 'the second, as 41@example.com, found the entry stored under ext@domain: one PBX check');
$sim->hangup_all;

# --- point 9: the pbx provider is throttled (PbxDialFailureLimit 3 13) before it asks the PBX.
window_ahead(13, 7);
$sim->clear_requests;
my @codes = map { GET('/tenant/throttled/remote_call.htm?dest=0129', @own, username => '41', password => "wrong$_")->code } 1 .. 12;
ok t_cmp(join(' ', @codes), join(' ', ('401') x 12), 'a dozen wrong passwords: 401 each');
ok t_cmp(pbx_logins(), 3, 'the PBX was asked only 3 times (PbxDialFailureLimit 3)');
$sim->clear_requests;
$res = GET '/tenant/throttled/remote_call.htm?dest=0129', @own, username => '41', password => 'bob-pbx';
ok t_cmp($res->code, 401, 'then even the right password: 401 (no oracle for guesses)');
ok t_cmp($res->header('Retry-After') // '', qr/^\d+$/, 'with Retry-After');
$res = GET '/tenant/throttled/remote_call.htm?dest=0129', @own, username => '41@EXAMPLE.COM.', password => 'bob-pbx';
ok t_cmp($res->code, 401, 'another spelling of the same user: 401');
ok t_cmp(pbx_logins() . ' ' . scalar @{ $sim->calls_of('41@example.com') }, '0 0', 'throttled attempts ask the PBX nothing and dial nothing');

# --- fail closed: a private httpd whose PbxDialCache (memcached) is not running
my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $moddir = `apxs -q LIBEXECDIR`; chomp $moddir;
my $dir = tempdir('pbxdial-tenant-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my @load = suite_modules();
my $key = cache_key_file($dir);    # memcache needs PbxDialCacheKey
# apr_memcache reports a server it has marked dead as "not found" (see the
# notes): each case gets a fresh server, whose first cache read fails.
sub nocache_httpd {
    my $name = shift;
    my $port = free_port();
    my $sr = "$dir/$name";
    my $head = httpd_root($sr, $port);
    my $dead = free_port();
    open my $fh, '>', "$sr/httpd.conf" or die $!;
    print {$fh} $head, @load,
        "LoadModule socache_memcache_module $moddir/mod_socache_memcache.so\n",
        "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
        "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\nPbxDialCache memcache:127.0.0.1:$dead\n",
        "PbxDialCacheKey file:$key\nPbxDialSessionLifetime Off\n",
        "<Location /pbx/remote_call.htm>\n SetHandler pbxdial-call\n AuthType Basic\n AuthName PBX\n",
        " AuthBasicProvider pbx\n Require valid-user\n PbxDialDomain example.com\n PbxDialFailureLimit 3 60\n</Location>\n",
        "<Location /remote_call.htm>\n SetHandler pbxdial-call\n Require valid-user\n PbxDialDomain example.com\n",
        " AuthUserFile $top/t/conf/htpasswd\n PbxDialFailureLimit 3 60\n</Location>\n";
    close $fh;
    return (httpd_start($sr, $port), $sr);
}
sub slurp { my $f = shift; open my $lf, '<', $f or die "$f: $!"; local $/; <$lf> }
my $http = HTTP::Tiny->new(timeout => 10);
$sim->clear_requests;
my ($base, $sr) = nocache_httpd('provider');
my $r = $http->get("$base/pbx/remote_call.htm?dest=0130",
                   {headers => {Authorization => 'Basic ' . encode_base64('41:bob-pbx', ''), @own}});
ok t_cmp($r->{status}, 500, 'cache down: the pbx provider refuses (AUTH_GENERAL_ERROR, 500), not let through');
httpd_stop($sr);
my $log = slurp("$sr/logs/error_log");
($base, $sr) = nocache_httpd('link');
$r = $http->get("$base/remote_call.htm?dest=0130&auth=41%40example.com%3As3cret", {headers => {@json}});
ok t_cmp($r->{status}, 503, 'cache down: a password link is refused with 503');
httpd_stop($sr);
$log .= slurp("$sr/logs/error_log");
ok t_cmp(pbx_logins() . ' ' . scalar @{ $sim->calls_of('41@example.com') }, '0 0', 'cache down: no PBX check, no call');
ok t_cmp(scalar(() = $log =~ /PBXDIAL0950: .*cannot tell how many logins failed/g), 2, 'cache down: both logged');
$sim->hangup_all;
