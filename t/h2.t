# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The module on an HTTPS site with HTTP/2 (Protocols h2 http/1.1, mod_ssl +
# mod_http2), as a modern CRM runs it, with real h2 clients: curl --http2 for
# /rest/pbxlogin, remote_call.htm (and its confirmation page and POST),
# callback.js (200, then 304 by ETag and by date) and the answers' headers;
# node's http2 client for the same-origin websocket over RFC 8441 extended
# CONNECT (H2WebSockets on): the handshake reaches the PBX as the module's
# (session cookie, no browser credentials, no PBX Set-Cookie back), and the
# dial policy reads the frames: a denied make-call never reaches the PBX and
# the browser is told why, an allowed one goes out rebuilt. Every answer is
# checked to have come over HTTP/2.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use JSON::PP qw(decode_json encode_json);
use PbxDial::Test qw(sim free_port httpd_root httpd_start suite_modules);

plan tests => 42;

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $moddir = `apxs -q LIBEXECDIR`; chomp $moddir;
my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my $ALICE = '40@example.com';

my $dir = tempdir('pbxdial-h2-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;

# --- a private HTTPS server with HTTP/2, its certificate made now
my $port = free_port();
my $sr = "$dir/httpd";
my $head = httpd_root($sr, $port, loglevel => 'info pbxdial:debug');
system("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
       . "-keyout $dir/key.pem -out $dir/cert.pem 2>/dev/null") == 0 or die "openssl req failed\n";
chmod 0644, "$dir/cert.pem";
my $auth = "AuthType Basic\n AuthName CRM\n AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n"
         . " PbxDialDomain example.com\n";
open my $fh, '>', "$sr/httpd.conf" or die $!;
print {$fh} $head, suite_modules(),
    "LoadModule ssl_module $moddir/mod_ssl.so\nLoadModule http2_module $moddir/mod_http2.so\n",
    "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
    "DocumentRoot $sr\nSSLEngine on\nSSLCertificateFile $dir/cert.pem\nSSLCertificateKeyFile $dir/key.pem\n",
    "Protocols h2 http/1.1\nH2WebSockets on\nLogLevel http2:debug\n",
    "PbxDialServer $ENV{PBXDIAL_SIM_TLS_URL}\nPbxDialCAFile $ENV{PBXDIAL_SIM_CA}\nPbxDialAdmin admin adminpw\n",
    "PbxDialTimeout 2\nPbxDialSessionLifetime Off\n",
    "<Location /js/callback.js>\n SetHandler pbxdial-script\n</Location>\n",
    "<Location /rest/pbxlogin>\n SetHandler pbxdial-login\n $auth</Location>\n",
    "<Location /remote_call.htm>\n SetHandler pbxdial-call\n $auth PbxDialDeny ^0900\n</Location>\n",
    "<Location /pbx/websocket>\n ProxyPass $ENV{PBXDIAL_SIM_URL}/websocket upgrade=websocket\n $auth",
    " PbxDialWebSocket On\n PbxDialDeny ^0900\n</Location>\n";
close $fh;
httpd_start($sr, $port);
my $base = "https://127.0.0.1:$port";
my $errlog = "$sr/logs/error_log";
sub log_mark { -s $errlog // 0 }
sub log_since { open my $l, '<', $errlog or return ''; seek $l, shift, 0; local $/; <$l> // '' }

# --- curl --http2: {proto, status, h => {lower-case name => value}, body}
sub h2 {
    my ($path, @args) = @_;
    my $out = `curl --http2 -sv --max-time 10 --cacert $dir/cert.pem -o $dir/body @args '$base$path' 2>&1`;
    my %r = (proto => '', status => 0, h => {}, body => '');
    $r{alpn} = $out =~ /ALPN: server accepted h2/ ? 'h2' : 'not h2';
    for (split /\r?\n/, $out) {
        if (/^< (HTTP\/[\d.]+) (\d+)/) { @r{qw(proto status)} = ($1, $2); $r{h} = {} }
        elsif (/^< ([\w-]+): (.*)/) { $r{h}{lc $1} = $2 }
    }
    $r{body} = do { local (@ARGV, $/) = "$dir/body"; <> } // '' if -e "$dir/body";
    unlink "$dir/body";
    return \%r;
}
my @alice = ('-u', '40:s3cret');
my @direct = ('-H', "'Sec-Fetch-Site: none'");
my @own = ('-H', "'Sec-Fetch-Site: same-origin'", '-H', "'Origin: $base'");

# --- /rest/pbxlogin: a token, no-store, over h2
my $r = h2('/rest/pbxlogin', @alice, @own);
ok t_cmp("$r->{alpn} $r->{proto} $r->{status}", 'h2 HTTP/2 200', '/rest/pbxlogin: 200 over HTTP/2 (ALPN h2)');
my $j = eval { decode_json($r->{body}) } // {};
ok t_cmp(join(' ', map { "$_=" . ($j->{$_} // '') } qw(user domain server)),
         "user=40 domain=example.com server=$ENV{PBXDIAL_SIM_TLS_URL}", '... the token JSON names the extension and PBX');
ok t_cmp($j->{session} // '', qr/^\w{8,}$/, '... with a PBX session token');
ok t_cmp($r->{h}{'cache-control'} // '', 'no-store', '... Cache-Control: no-store');
ok t_cmp(($r->{h}{'content-type'} // '') . ' ' . ($r->{h}{'x-content-type-options'} // ''),
         qr{^application/json.* nosniff$}, '... JSON, nosniff');
ok t_cmp(join(',', grep { /^(connection|upgrade|keep-alive|transfer-encoding)$/ } keys %{ $r->{h} }) || 'none',
         'none', '... no HTTP/1.1 connection headers in the h2 answer');
$r = h2('/rest/pbxlogin', @alice, '-H', "'Sec-Fetch-Site: cross-site'");
ok t_cmp("$r->{proto} $r->{status} " . ((eval { decode_json($r->{body}) } // {})->{error} // ''),
         'HTTP/2 403 cross_site', '... cross-site over h2: 403 cross_site');
$r = h2('/rest/pbxlogin', @own);
ok t_cmp("$r->{proto} $r->{status}", 'HTTP/2 401', '... no login: 401');

# --- remote_call.htm: the call reaches the simulator
$sim->clear_requests;
$r = h2('/remote_call.htm?dest=030%201234-5', @alice, @direct);
ok t_cmp("$r->{proto} $r->{status}", 'HTTP/2 200', 'remote_call.htm over HTTP/2: 200');
ok t_cmp(join(',', map { $_->{'to-number'} } @{ $sim->calls_of($ALICE) }), '03012345', '... the PBX places the call');
ok t_cmp($r->{h}{'cache-control'} // '', 'no-store', '... Cache-Control: no-store');
$sim->hangup_all;
$r = h2('/remote_call.htm?dest=0900123', @alice, @direct, '-H', "'Accept: application/json'");
ok t_cmp("$r->{proto} $r->{status} " . ((eval { decode_json($r->{body}) } // {})->{error} // ''),
         'HTTP/2 403 number_not_allowed', '... a denied number: 403 number_not_allowed');
ok t_cmp(scalar @{ $sim->calls_of($ALICE) }, 0, '... and no call');

# --- the confirmation page and its POST
$r = h2('/remote_call.htm?dest=0301111', @alice, '-H', "'Sec-Fetch-Site: cross-site'");
ok t_cmp("$r->{proto} $r->{status}", 'HTTP/2 200', 'a link from another site over h2: 200 ...');
ok t_cmp($r->{body}, qr{<title>Confirm the call</title>}, '... the confirmation page');
ok t_cmp(($r->{h}{'cache-control'} // '') . ' ' . ($r->{h}{'x-frame-options'} // ''), 'no-store DENY',
         '... no-store, not framed');
ok t_cmp($r->{h}{'content-security-policy'} // '', qr/frame-ancestors 'none'/, "... CSP frame-ancestors 'none'");
ok t_cmp(scalar @{ $sim->calls_of($ALICE) }, 0, '... no call yet');
my ($token) = $r->{body} =~ /name="token" value="([^"]+)"/;
$r = h2('/remote_call.htm?dest=0301111', @alice, @own, '--data-urlencode', "'token=" . ($token // '') . "'");
ok t_cmp("$r->{proto} $r->{status}", 'HTTP/2 200', 'the confirmation POST over h2: 200');
ok t_cmp(join(',', map { $_->{'to-number'} } @{ $sim->calls_of($ALICE) }), '0301111', '... the call is placed');
$sim->hangup_all;
$r = h2('/remote_call.htm?dest=0301111', @alice, @own, '--data-urlencode', "'token=" . ($token // '') . "'");
ok t_cmp("$r->{proto} $r->{status} " . scalar @{ $sim->calls_of($ALICE) }, 'HTTP/2 403 0',
         '... the same POST again: 403, no call');

# --- callback.js: 200, then 304 by ETag and by date
$r = h2('/js/callback.js');
ok t_cmp("$r->{proto} $r->{status}", 'HTTP/2 200', 'callback.js over h2: 200');
ok t_cmp($r->{body}, qr/pbxcall/, '... the script');
my ($etag, $lm) = ($r->{h}{etag} // '', $r->{h}{'last-modified'} // '');
ok t_cmp("$etag|$lm", qr/^"\w+"\|.+GMT$/, '... with an ETag and Last-Modified');
$r = h2('/js/callback.js', '-H', "'If-None-Match: $etag'");
ok t_cmp("$r->{proto} $r->{status} " . length $r->{body}, 'HTTP/2 304 0', '... If-None-Match: 304, no body');
ok t_cmp($r->{h}{etag} // '', $etag, '... the 304 names the same ETag');
$r = h2('/js/callback.js', '-H', "'If-Modified-Since: $lm'");
ok t_cmp("$r->{proto} $r->{status}", 'HTTP/2 304', '... If-Modified-Since: 304');
$r = h2('/js/callback.js', '-H', "'If-None-Match: \"other\"'");
ok t_cmp("$r->{proto} $r->{status}", 'HTTP/2 200', '... another ETag: 200');

# --- the same-origin websocket over HTTP/2 (RFC 8441), with node's http2 client
my $client = "$dir/h2ws.mjs";
open $fh, '>', $client or die $!;
print {$fh} <<'JS';
// node h2ws.mjs URL USER:PASS MESSAGES_JSON [plain|DROP_URL]: one extended CONNECT (or a plain GET),
// the given text messages as masked frames; with DROP_URL, POSTs an abrupt drop of the PBX's sockets
// there once the first frame came back, and reports how long the stream outlived it (dropped_ms).
// Prints {settings, status, headers, frames, error, dropped_ms} as JSON.
import http2 from 'node:http2';
import { randomBytes } from 'node:crypto';
const [url, cred, msgs, opt] = process.argv.slice(2);
const plain = opt === 'plain';
const drop = opt && opt !== 'plain' ? opt : '';
let dropped;
const u = new URL(url);
const out = { frames: [] };
const done = () => { console.log(JSON.stringify(out)); process.exit(0); };
const client = http2.connect(u.origin, { rejectUnauthorized: false });
client.on('error', (e) => { out.error = e.message; done(); });
client.on('remoteSettings', (s) => {
  out.settings = !!s.enableConnectProtocol;
  const h = { ':path': u.pathname + u.search, ':authority': u.host, origin: u.origin,
    authorization: 'Basic ' + Buffer.from(cred).toString('base64'), 'sec-websocket-version': '13' };
  if (!plain) Object.assign(h, { ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'https' });
  const st = client.request(h, plain ? { endStream: true } : {});
  st.on('response', (hd) => {
    out.status = hd[':status'];
    out.headers = hd;
    if (out.status !== 200) return;
    for (const m of JSON.parse(msgs)) {
      const p = Buffer.from(m); const k = randomBytes(4);
      const len = p.length < 126 ? [0x80 | p.length] : [0x80 | 126, p.length >> 8, p.length & 255];
      st.write(Buffer.concat([Buffer.from([0x81, ...len]), k, Buffer.from(p.map((b, i) => b ^ k[i % 4]))]));
    }
  });
  let buf = Buffer.alloc(0);
  st.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (out.status === 200 && buf.length >= 2) {
      let len = buf[1] & 127, off = 2;
      if (len === 126) { if (buf.length < 4) break; len = buf.readUInt16BE(2); off = 4; }
      if (buf.length < off + len) break;
      out.frames.push([buf[0] & 15, buf.subarray(off, off + len).toString()]);
      if (drop && !dropped) {
        dropped = Date.now();
        fetch(drop, { method: 'POST', body: '{"abrupt":true}' }).catch((e) => { out.error = e.message; });
      }
      buf = buf.subarray(off + len);
    }
  });
  st.on('error', (e) => { out.error = e.message; });
  st.on('close', () => { if (dropped) out.dropped_ms = Date.now() - dropped; done(); });
  setTimeout(() => { st.close(); done(); }, 2500);
});
setTimeout(done, 8000);
JS
close $fh;
sub ws_h2 {
    my ($msgs, %o) = @_;
    my $json = encode_json($msgs);
    $json =~ s/'/'\\''/g;
    my $res = `node $client '$base/pbx/websocket?user=41&session=forged' '$o{cred}' '$json' $o{plain}`;
    return eval { decode_json($res) } // {error => "no JSON from node: $res"};
}
my %alice = (cred => '40:s3cret', plain => '');
# (plain: 'plain' for a GET, or the simulator's URL to drop the PBX's side)

$sim->clear_requests;
$sim->clear_ws_messages;
$sim->fault(path => '/websocket', kind => 'set_cookie');
my $mark = log_mark();
my $w = ws_h2(['{"action":"get-calls"}', '{"action":"make-call","to":"0900 123456"}',
               '{"action":"make-call","to":"030 1234-5","from":"41"}'], %alice);
$sim->clear_faults;
ok t_cmp($w->{settings} ? 'offered' : 'not offered', 'offered', 'H2WebSockets on: the server offers extended CONNECT');
ok t_cmp($w->{status} // $w->{error} // 'none', 200, 'websocket over HTTP/2: 200 (the PBX said 101)');
ok t_cmp(join(',', grep { /cookie/ } keys %{ $w->{headers} // {} }) || 'none', 'none',
         '... the PBX\'s Set-Cookie does not reach the browser');
my @texts = map { eval { decode_json($_->[1]) } // {} } grep { $_->[0] == 1 } @{ $w->{frames} };
ok t_cmp((grep { ($_->{action} // '') eq 'call-state' } @texts) ? 'answered' : 'no answer', 'answered',
         '... get-calls answered by the PBX through the tunnel');
my ($refusal) = grep { ($_->{action} // '') eq 'pbxdial-refused' } @texts;
ok t_cmp(($refusal->{error} // '') . ' ' . ($refusal->{to} // ''), 'number_not_allowed 0900 123456',
         '... a denied make-call: the browser is told why');
my $sent = [map { $_->{text} } @{ $sim->ws_messages(ext => $ALICE) }];
ok t_cmp(join(' | ', @$sent), '{"action":"get-calls"} | {"action":"make-call","to":"03012345"}',
         '... the PBX got get-calls and the allowed call rebuilt, never the denied one');
ok t_cmp(join(',', map { $_->{'to-number'} } @{ $sim->calls_of($ALICE) }), '03012345',
         '... one call, to the allowed number, on the user\'s own extension');
$sim->hangup_all;
my ($up) = grep { $_->{path} eq '/websocket' } @{ $sim->requests };
ok t_cmp(join(' ', map { "$_=" . ($up->{params}{$_} // '') } qw(user domain session)), 'user=40 domain=example.com session=',
         '... the upgrade the PBX got: the user\'s extension, whatever the browser asked for');
ok t_cmp(join(',', sort grep { /^(authorization|origin|transfer-encoding|cookie)$/ } keys %{ $up->{headers} // {} }),
         'cookie', '... with the module\'s session cookie and none of the browser\'s credentials');
my $log = log_since($mark);
ok t_cmp(($log =~ /PBXDIAL1006: websocket make-call to 0900123456 refused/ ? 'refused ' : '')
         . ($log =~ /PBXDIAL1004: websocket make-call to 03012345 .* passed/ ? 'passed' : ''),
         'refused passed', '... the error log has the refusal and the call');

$w = ws_h2([], %alice, plain => 'plain');
ok t_cmp($w->{status} // $w->{error} // 'none', 400, 'a plain h2 GET of the websocket: 400, the PBX is not asked');
$w = ws_h2(['{"action":"get-calls"}'], %alice, cred => '40:wrong');
ok t_cmp($w->{status} // $w->{error} // 'none', 401, 'websocket over h2 without a valid login: 401');

# The PBX drops the websocket: over HTTP/2 the tunnel cannot half-close the
# browser's side, so the module makes it end both ways (proxy-nohalfclose);
# without that the stream outlives the PBX's socket until a timeout.
$w = ws_h2(['{"action":"get-calls"}'], %alice, plain => "$ENV{PBXDIAL_SIM_URL}/_sim/ws-drop");
ok t_cmp(scalar(@{ $w->{frames} }) ? 'answered' : ($w->{error} // 'no frame'), 'answered', 'another websocket over h2: answered');
ok t_cmp(defined $w->{dropped_ms} && $w->{dropped_ms} < 1500 ? 'ended' : 'still open ' . ($w->{dropped_ms} // ''), 'ended',
         sprintf('... the PBX drops it: the h2 stream ends at once (%s ms)', $w->{dropped_ms} // 'never'));
