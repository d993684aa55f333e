# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The same-origin websocket's upgrade itself: the module acts only on a
# websocket upgrade that mod_proxy forwards, sends the PBX nothing of the
# browser's but an allow-list of headers and its own session cookie, never
# lets the PBX set a cookie in the browser, and reuses the extension's
# cached PBX session (replacing one the PBX refuses). Also: httpd -t warns
# about an http: PbxDialPublicServer.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use HTTP::Response;
use IO::Socket::INET;
use MIME::Base64 qw(encode_base64);
use PbxDial::Test qw(sim json_of error_log_mark error_log_since in_vhost free_port httpd_root httpd_start suite_modules);

plan tests => 46;

my $sim = sim();
$sim->clear_faults;
my $alice = 'Basic ' . encode_base64('alice:s3cret', '');
my @upgrade = (Upgrade => 'websocket', Connection => 'Upgrade',
               'Sec-WebSocket-Key' => 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version' => '13');

# One raw HTTP/1.x exchange on a fresh connection (a client of our own: we
# need the handshake's response headers, and requests no library sends).
# Reads the head and, unless 101, the body. {status, head, body}.
sub raw {
    my ($hostport, %o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 10) or die "connect $hostport: $!";
    my $req = ($o{method} // 'GET') . " $o{path} " . ($o{proto} // 'HTTP/1.1') . "\r\nHost: $hostport\r\n";
    my @h = @{ $o{headers} // [] };
    while (my ($k, $v) = splice @h, 0, 2) { $req .= "$k: $v\r\n" }
    print {$s} $req, "\r\n", $o{body} // '';
    my $buf = '';
    while ($buf !~ /\r\n\r\n/) { my $n = sysread $s, $buf, 4096, length $buf; last unless $n }
    my ($head, $body) = split /\r\n\r\n/, $buf, 2;
    $head //= '';
    $body //= '';
    my ($status) = $head =~ m{^HTTP/\S+ (\d{3})};
    if (($status // 0) != 101) {
        my ($len) = $head =~ /^Content-Length: (\d+)/mi;
        while (defined $len && length $body < $len) { my $n = sysread $s, $body, 4096, length $body; last unless $n }
    }
    close $s;
    return {status => $status // 0, head => $head, body => $body};
}
my $hostport = Apache::TestRequest::hostport();
# (the server of in_vhost, when in one)
sub ws { raw(Apache::TestRequest::hostport(), path => '/wsu/websocket', @_) }
sub pbx_asked { scalar @{ $sim->requests } }

# --- 1. only a websocket upgrade that mod_proxy forwards
$sim->clear_requests;
my $r = ws(headers => [Authorization => $alice, Connection => 'close']);
ok t_cmp($r->{status}, 400, 'plain GET to the websocket location: 400');
ok t_cmp($r->{body}, qr/only accepts websocket upgrades/, '... saying that the location only accepts websocket upgrades');
$r = ws(headers => [Authorization => $alice, Accept => 'application/json', Connection => 'close']);
ok t_cmp(json_of(HTTP::Response->new(200, '', [], $r->{body}))->{error} // '', 'not_websocket', 'as JSON for scripts');
$r = ws(method => 'POST', headers => [Authorization => $alice, @upgrade, 'Content-Length' => 0]);
ok t_cmp("$r->{status} " . (($r->{head} =~ /^Allow: (.*?)\r?$/mi)[0] // '-'), '405 GET', 'POST: 405, Allow: GET');
$r = ws(proto => 'HTTP/1.0', headers => [Authorization => $alice, @upgrade]);
ok t_cmp($r->{status}, 400, 'HTTP/1.0 upgrade: 400');
$r = ws(headers => [Authorization => $alice, @upgrade[2 .. 7], Upgrade => 'h2c', Connection => 'Upgrade']);
ok t_cmp($r->{status}, 400, 'Upgrade: h2c: 400');
$r = ws(headers => [Authorization => $alice, Upgrade => 'websocket', Connection => 'keep-alive', @upgrade[4 .. 7]]);
ok t_cmp($r->{status}, 400, 'Upgrade: websocket without Connection: upgrade: 400');
$r = ws(headers => [Authorization => $alice, @upgrade[0 .. 3], 'Sec-WebSocket-Version' => 13]);
ok t_cmp($r->{status}, 400, 'no Sec-WebSocket-Key: 400');
$r = ws(headers => [Authorization => $alice, @upgrade, 'Content-Length' => 5], body => "\x81\x03abc");
ok t_cmp($r->{status}, 400, 'an upgrade with a body (frames smuggled before the 101): 400');
$r = ws(headers => [Authorization => $alice, @upgrade, 'Transfer-Encoding' => 'chunked'], body => "0\r\n\r\n");
ok t_cmp($r->{status}, 400, '... or a chunked one: 400');
ok t_cmp(pbx_asked(), 0, 'none of them asked the PBX anything');

# inner location that inherits PbxDialWebSocket On but is not proxied
$r = raw($hostport, path => '/wsu/websocket/static/x', headers => [Authorization => $alice, @upgrade]);
ok t_cmp($r->{status}, 404, 'inner location not proxied (ProxyPass !): left alone (404, not the websocket)');
# an internal redirect into the websocket location (ErrorDocument)
$r = raw($hostport, path => '/wsu/redirect/missing', headers => [Authorization => $alice, @upgrade]);
ok t_cmp($r->{status} == 101 ? 'upgraded' : 'not upgraded', 'not upgraded', 'an ErrorDocument that is the websocket: no upgrade');
ok t_cmp(pbx_asked(), 0, 'and the PBX was not asked (main upgraded it through the error document)');

# a subrequest (mod_include, a private httpd): main let mod_proxy send the
# browser's Authorization and cookies to the PBX
my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $dir = tempdir('pbxdial-wsu-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my @load = suite_modules();
my $port = free_port();
my $sr = "$dir/srv";
my $head = httpd_root($sr, $port);
mkdir "$sr/htdocs"; chmod 0755, "$sr/htdocs";
{ open my $fh, '>', "$sr/htdocs/page.shtml" or die $!; print {$fh} "before <!--#include virtual=\"/ws\" --> after\n" }
chmod 0644, "$sr/htdocs/page.shtml";
{
    open my $fh, '>', "$sr/httpd.conf" or die $!;
    print {$fh} $head, @load, "LoadModule include_module /usr/lib/apache2/modules/mod_include.so\n",
        "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
        "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\nPbxDialSessionLifetime Off\n",
        "DocumentRoot $sr/htdocs\n<Directory $sr/htdocs>\n Options +Includes\n SetOutputFilter INCLUDES\n Require all granted\n</Directory>\n",
        "<Location /ws>\n ProxyPass $ENV{PBXDIAL_SIM_URL}/websocket upgrade=websocket\n AuthType Basic\n AuthName CRM\n",
        " AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n PbxDialDomain example.com\n PbxDialExtension 41\n",
        " PbxDialWebSocket On\n</Location>\n";
}
httpd_start($sr, $port);
$sim->clear_requests;
$r = raw("127.0.0.1:$port", path => '/page.shtml', proto => 'HTTP/1.0',
         headers => [Authorization => $alice, Cookie => 'crm=crm-secret', Connection => 'close']);
ok t_cmp($r->{body}, qr/^before .* after$/s, 'a page that includes the websocket location is served');
ok t_cmp(pbx_asked(), 0, 'the subrequest sent nothing to the PBX (no Authorization, no cookie, no login)');

# --- 2. allow-listed headers
$sim->clear_requests;
$r = ws(headers => [Authorization => $alice, @upgrade, 'User-Agent' => 'wsupgrade.t',
                    'OIDC_CLAIM_email' => 'alice@example.com', 'OIDC_access_token' => 'eyJ.access.token',
                    'X-Api-Key' => 'crm-api-key', Cookie => 'crm=crm-secret', 'X-Forwarded-For' => '6.6.6.6',
                    'Sec-WebSocket-Extensions' => 'permessage-deflate', 'X-Remote-User' => 'admin']);
ok t_cmp($r->{status}, 101, 'websocket upgrade through Apache: 101');
my ($up) = @{ $sim->requests(path => '/websocket') };
my $h = $up->{headers} // {};
for my $name (qw(oidc_claim_email oidc_access_token x-api-key authorization sec-websocket-extensions x-remote-user)) {
    ok t_cmp(exists $h->{$name} ? "forwarded: $h->{$name}" : 'dropped', 'dropped', "$name does not reach the PBX");
}
ok t_cmp($h->{cookie} // '', qr/^session=[A-Za-z0-9]+$/, 'Cookie: only the module\'s session');
ok t_cmp($h->{'x-forwarded-for'} // '', '127.0.0.1', 'X-Forwarded-For: what mod_proxy adds, not what the client claimed');
ok t_cmp($h->{'user-agent'} // '', 'wsupgrade.t', 'User-Agent passes');
my %allowed = map { $_ => 1 } qw(host upgrade connection sec-websocket-key sec-websocket-version sec-websocket-protocol
                                 user-agent cookie x-forwarded-for x-forwarded-host x-forwarded-server);
ok t_cmp(join(',', grep { !$allowed{$_} } sort keys %$h), '', 'the PBX saw the allow-list and mod_proxy\'s X-Forwarded-* only');
ok t_cmp(($up->{params}{user} // '') . '@' . ($up->{params}{domain} // ''), '41@example.com', 'as the mapped extension');

# --- 3. no cookie from the PBX reaches the browser
$sim->fault(path => '/websocket', kind => 'set_cookie', count => 1);
my ($sim_hostport) = $ENV{PBXDIAL_SIM_URL} =~ m{//([^/]+)};
my $direct = raw($sim_hostport, path => '/websocket', headers => [Connection => 'close']);
ok t_cmp($direct->{head}, qr/^Set-Cookie: session=sim-set-cookie/mi, 'the simulator\'s set_cookie fault does set a cookie');
$sim->fault(path => '/websocket', kind => 'set_cookie', count => 1);
$r = ws(headers => [Authorization => $alice, @upgrade]);
ok t_cmp($r->{status}, 101, 'upgrade whose 101 sets a cookie: 101');
ok t_cmp($r->{head} =~ /^Set-Cookie/mi ? 'Set-Cookie sent' : 'none', 'none', 'the browser\'s handshake answer carries no Set-Cookie');
ok t_cmp($r->{head}, qr/^Sec-WebSocket-Accept: /mi, '... and is still a websocket handshake');
$sim->clear_faults;

# --- 4. one PBX session per extension, reused; replaced when the PBX refuses it
sub logins { scalar grep { ($_->{body} // '') =~ /"name":"3rd"/ } @{ $sim->requests(path => '/rest/system/session') } }
sub cookies { map { $_->{headers}{cookie} // '' } @{ $sim->requests(path => '/websocket') } }
$sim->clear_requests;
my @st = in_vhost(pbx_wsu => sub { map { ws(headers => [Authorization => $alice, @upgrade])->{status} } 1 .. 2 });
ok t_cmp("@st", '101 101', 'two websockets of one extension (PbxDialSessionLifetime 900)');
my @c = cookies();
ok t_cmp(logins(), 1, 'one PBX login for both: the second reuses the session');
ok t_cmp(@c == 2 && $c[0] eq $c[1] ? 'same' : "@c", 'same', 'both upgrades carry the same session');
my $mark = error_log_mark();
$sim->fault(path => '/websocket', kind => 'status', status => 401, count => 1);
$r = in_vhost(pbx_wsu => sub { ws(headers => [Authorization => $alice, @upgrade]) });
ok t_cmp($r->{status}, 401, 'the PBX refuses the cached session: that upgrade fails');
ok t_cmp(error_log_since($mark), qr/PBXDIAL0724: PBX refused the cached session of 41\@example\.com/, 'logged');
$r = in_vhost(pbx_wsu => sub { ws(headers => [Authorization => $alice, @upgrade]) });
@c = cookies();
ok t_cmp($r->{status}, 101, 'the next websocket: 101');
ok t_cmp(logins(), 2, '... with a new PBX login');
ok t_cmp($c[-1] ne $c[0] ? 'new' : 'old', 'new', '... and a new session');
$r = in_vhost(pbx_wsu => sub { ws(headers => [Authorization => $alice, @upgrade]) });
ok t_cmp($r->{status} . ' ' . logins(), '101 2', 'which is reused in turn');

# --- 5. httpd -t warns about an http: PbxDialPublicServer
my $httpd = Apache::Test::vars('httpd');
sub check_config {
    my $body = shift;
    my $conf = "$dir/t.conf";
    my $head = join '', "ServerRoot $dir\nServerName localhost\nListen 127.0.0.1:1\nPidFile $dir/pid\n",
        "ErrorLog $dir/t_error_log\nDefaultRuntimeDir $dir\n",
        grep({ /^LoadModule (mpm_event|authz_core|socache_shmcb)_module/ } @load),
        "LoadModule pbxdial_module $top/mod_pbxdial.so\nPbxDialServer https://pbx.example.com\n";
    open my $fh, '>', $conf or die $!;
    print {$fh} $head, $body;
    close $fh;
    my $out = `'$httpd' -t -d '$dir' -f '$conf' 2>&1`;
    return ($? >> 8, $out, ($head =~ tr/\n//) + 1);
}
my ($rc, $out, $line) = check_config("PbxDialPublicServer http://pbx.example.com:8080\n"
                                     . "<VirtualHost 127.0.0.1:1>\n</VirtualHost>\n");
ok t_cmp($rc, 0, 'http: PbxDialPublicServer: httpd -t still passes (a warning, not an error)');
ok t_cmp($out, qr/PBXDIAL1040: PbxDialPublicServer http:\/\/pbx\.example\.com:8080 on line $line of \Q$dir\E\/t\.conf/,
         'warns, naming the file and line');
ok t_cmp($out, qr/write the PBX's https:\/\/ address instead.*same-origin mode/, 'and says what to write instead');
ok t_cmp(scalar(() = $out =~ /PBXDIAL1040/g), 1, 'once, however many virtual hosts inherit it');
($rc, $out) = check_config("PbxDialPublicServer https://pbx.example.com\n");
ok t_cmp(($out =~ /PBXDIAL1040/ ? 'warned' : 'quiet') . " $rc", 'quiet 0', 'https: no warning');
