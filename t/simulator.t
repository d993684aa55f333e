# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Self-test of the PBX simulator over real sockets:
#   t/TEST t/simulator.t   (or: prove -I sim/lib t/simulator.t)
use strict;
use warnings;

use Test::More;
use Digest::MD5 qw(md5_hex);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use MIME::Base64 qw(encode_base64);
use Mojo::IOLoop;
use Mojo::JSON qw(decode_json encode_json);
use Mojo::UserAgent;
use Time::HiRes qw(time);

use PbxDial::Sim;

my $dir = tempdir(CLEANUP => 1);
my $t0  = time;
my $sim = PbxDial::Sim->start(tls => 1, dir => $dir, connect_delay => 1, token_ttl => 1);
ok $sim->pid, 'simulator started (pid ' . $sim->pid . ')';
like $sim->url,     qr{^http://127\.0\.0\.1:\d+$},  'http url';
like $sim->tls_url, qr{^https://127\.0\.0\.1:\d+$}, 'https url';
is((stat $dir)[2] & 07777,          0755, 'dir is 0755');
is((stat $sim->ca_file)[2] & 0004, 0004, 'CA file readable by others');

my $S       = $sim->tls_url;
my $SESSION = "$S/rest/system/session";
my $ADMIN   = {Authorization => 'Basic ' . encode_base64('admin:adminpw', '')};

# The client verifies the simulator's certificate against the CA file.
my $ua = Mojo::UserAgent->new(ca => $sim->ca_file, request_timeout => 5);
$ua->cookie_jar->ignore(sub {1});    # cookies are sent explicitly below

sub third_party {
  my %body = (name => '3rd', domain => 'example.com', username => '40', @_);
  return $ua->post($SESSION => $ADMIN => json => \%body)->result;
}

sub token { decode_json(third_party(@_)->body) }

sub activate {
  my $tok = shift;
  return $ua->post($SESSION => encode_json({name => 'session', value => $tok}))->result;
}

sub sid_of { ($_[0]->headers->set_cookie // '') =~ /^session=([a-z0-9]{20}); Path=\/$/ ? $1 : undef }

subtest 'listeners and Server header' => sub {
  my $res = $ua->get("$S/_sim/sessions")->result;
  is $res->code,                        200,        'https control answers';
  is $res->headers->server,             'PBX/70.1', 'Server: PBX/<version>';
  is $ua->get($sim->url . '/nowhere')->result->code, 404, 'plain http answers (404)';
};

subtest '3rd-party login' => sub {
  my $res = third_party();
  is $res->code, 200, 'good admin: 200';
  is $res->headers->content_type, 'application/json', 'application/json';
  like $res->body, qr/^"[a-z0-9]{20}"$/, 'body is a JSON string token';

  $res = $ua->post($SESSION => {Authorization => 'Basic ' . encode_base64('admin:wrong', '')} =>
      json => {name => '3rd', domain => 'example.com', username => '40'})->result;
  is $res->code, 200,     'bad admin: 200';
  is $res->body, 'false', 'bad admin: body false';

  $res = $ua->post($SESSION => json => {name => '3rd', domain => 'example.com', username => '40'})->result;
  is $res->code, 401, 'no auth: 401';
  is $res->headers->www_authenticate, 'Basic realm="PBX"', 'no auth: Basic challenge';

  is third_party(username => '49')->code,               404, 'unknown extension: 404';
  is third_party(domain   => 'nowhere.example')->code, 404, 'unknown domain: 404';
  is $ua->put($SESSION => $ADMIN => json => {name => '3rd', domain => 'example.com', username => '40'})->result->code,
    405, 'PUT: 405';
  like third_party(admin => \1)->body, qr/^"[a-z0-9]{20}"$/, 'admin session token';
};

subtest 'token activation and session' => sub {
  my $tok = token();
  my $res = activate($tok);
  is $res->code, 200,  'activation: 200';
  is $res->body, '{}', 'activation: body {}';
  my $sid = sid_of($res);
  ok $sid, 'Set-Cookie: session=<20 chars>; Path=/ (no SameSite)' or diag $res->headers->set_cookie;

  $res = activate($tok);
  is $res->code, 403,     'token is single use: 403';
  is $res->body, 'false', 'single use: body false';
  is activate('nosuchtoken0000000000')->code, 403, 'unknown token: 403';

  my $old = token();
  select undef, undef, undef, 1.3;    # token_ttl is 1 s in this test
  is activate($old)->code, 403, 'expired token: 403';

  $res = $ua->get($SESSION => {Cookie => "session=$sid"})->result;
  is $res->code, 200, 'GET session with cookie: 200';
  is_deeply [@{$res->json}{qw(type cuser cdomain)}], ['user', '40', 'example.com'], 'session info';
  is $ua->get($SESSION)->result->code, 401, 'GET session without cookie: 401';

  my ($listed) = grep { $_->{id} eq $sid } @{$sim->sessions->{list}};
  is_deeply $listed, {id => $sid, type => 'user', ext => '40', domain => 'example.com'}, '/_sim/sessions lists it';

  is $ua->delete($SESSION => {Cookie => "session=$sid"})->result->body, 'true', 'DELETE: true';
  is $ua->get($SESSION => {Cookie => "session=$sid"})->result->code, 401, 'session gone after logout';
};

subtest 'password login (auth)' => sub {
  my $res = $ua->put($SESSION => json => {name => 'auth', value => '40 ' . md5_hex('alice-pbx')})->result;
  is $res->code, 200, 'auth: 200';
  like $res->body, qr/^"[a-z0-9]{20}"$/, 'auth: 22-byte JSON string';
  my $sid = decode_json($res->body);
  is $ua->get($SESSION => {Cookie => "session=$sid"})->result->json->{cuser}, '40', 'id works as session cookie';

  $res = $ua->post($SESSION => json => {name => 'auth', value => '41@example.com ' . md5_hex('bob-pbx')})->result;
  like $res->body, qr/^"[a-z0-9]{20}"$/, 'auth with ext@domain, via POST';
  $res = $ua->put($SESSION => json => {name => 'auth', value => '40 ' . md5_hex('wrong')})->result;
  is $res->body, '""', 'bad password: "" (auth_failure empty)';
};

subtest 'CORS' => sub {
  my $res = $ua->build_tx(OPTIONS => $SESSION => {Origin => 'https://crm.example.com'});
  is $ua->start($res)->result->code, 403, 'OPTIONS preflight: 403';

  # A browser's simple request: text/plain body, Origin header.
  $res = $ua->post($SESSION => {Origin => 'https://crm.example.com', 'Content-Type' => 'text/plain'} =>
      encode_json({name => 'session', value => token()}))->result;
  is $res->code, 200, 'text/plain JSON body accepted';
  is $res->headers->header('Access-Control-Allow-Origin'),      'https://crm.example.com', 'Origin reflected';
  is $res->headers->header('Access-Control-Allow-Credentials'), 'true',                    'credentials allowed';
  ok sid_of($res), 'cookie set';
};

subtest 'remote_call.htm' => sub {
  $sim->hangup_all;
  my $rc = "$S/remote_call.htm";

  my $res = $ua->get($rc => form => {user => '40@example.com', dest => '100', auth => '40@example.com:alice-pbx'})->result;
  is $res->code, 200, 'type 3: 200';
  is $res->headers->content_type,  'text/html',          'type 3: text/html';
  is $res->headers->cache_control, 'no-cache, no-store', 'type 3: no-cache, no-store';
  like $res->body, qr/^<\?xml.*<html xmlns/s, 'XHTML page';
  is $ua->get($rc => form => {user => '40', dest => '101', auth => '40:alice-pbx', connect => 'true'})->result->code,
    200, 'type 3 with bare ext and connect=true: 200';
  is $ua->get($rc => form => {user => '40', dest => '102', auth => '40:wrong'})->result->code, 403, 'bad password: 403';

  my $t = int time;
  my %l2 = (user => '41', extension => 'true', dest => '200', time => $t, duration => 3600);
  $l2{auth} = md5_hex('41' . 'bob-pbx' . '200' . $t . '3600');
  is $ua->get($rc => form => \%l2)->result->code, 200, 'type 2 with duration: 200';
  my %old = (user => '41', extension => 'true', dest => '201', time => $t, auth => md5_hex("41bob-pbx201$t"));
  is $ua->get($rc => form => \%old)->result->code, 200, 'type 2 without duration: 200';
  is $ua->get($rc => form => {%l2, dest => '299'})->result->code, 403, 'type 2 hash mismatch: 403';
  my $then = $t - 4000;
  is $ua->get($rc => form => {%l2, time => $then, auth => md5_hex("41bob-pbx200${then}3600")})->result->code, 403,
    'type 2 expired: 403';

  $res = $ua->get($rc => form => {user => '42@example.com', dest => '300'})->result;
  is $res->code, 401, 'type 1: 401';
  is $res->headers->www_authenticate, 'Basic realm="example.com"', 'type 1: Basic realm=<domain>';
  my $basic = {Authorization => 'Basic ' . encode_base64('42@example.com:carol-pbx', '')};
  is $ua->get($rc => $basic => form => {user => '42@example.com', dest => '300'})->result->code, 200,
    'type 1 answered: 200';
  $basic = {Authorization => 'Basic ' . encode_base64('42:nope', '')};
  is $ua->get($rc => $basic => form => {user => '42', dest => '301'})->result->code, 401, 'type 1 wrong: 401 again';

  my $sid = sid_of(activate(token(username => '42')));
  is $ua->get($rc => {Cookie => "session=$sid"} => form => {dest => '302', connect => 'true'})->result->code, 200,
    'session link: 200';
  is $ua->get($rc => {Cookie => "session=$sid"})->result->code, 400, 'missing dest: 400';

  my $calls = $sim->calls;
  is_deeply [map { $_->{'to-number'} } @{$calls->{'40@example.com'}}], [100, 101], 'calls of 40';
  is_deeply [map { $_->{'to-number'} } @{$calls->{'41@example.com'}}], [200, 201], 'calls of 41';
  is_deeply [map { $_->{'to-number'} } @{$calls->{'42@example.com'}}], [300, 302], 'calls of 42';
  my ($c100, $c101) = @{$calls->{'40@example.com'}};
  is_deeply [@$c100{qw(from to from-number state callstate prompt direction)}],
    ['40', '100', '40', 'alerting', 'alerting', 'press1', 'out'], 'call fields, press1 prompt';
  is $c101->{prompt}, '', 'connect=true: no prompt';
  ok $sim->wait_until(sub { !grep { $_->{state} ne 'connected' } map {@$_} values %{$_[0]->calls} }, 3),
    'all calls connected after connect_delay';
  $sim->hangup_all;
  is_deeply [map {@$_} values %{$sim->calls}], [], 'hangup_all';
};

# ----------------------------------------------------------------- websocket

# Run the event loop until $cond is true or $timeout seconds passed.
sub run_until {
  my ($cond, $timeout) = @_;
  my $end = time + ($timeout // 3);
  Mojo::IOLoop->one_tick until $cond->() || time > $end;
  return $cond->();
}

# Open a websocket; returns {code, tx, msgs => [...], closed => close code}.
sub ws_open {
  my ($query, $headers) = @_;
  my $w = {msgs => []};
  $ua->websocket(
    "wss://127.0.0.1:" . Mojo::URL->new($S)->port . "/websocket?$query" => $headers // {} => sub {
      my (undef, $tx) = @_;
      $w->{code} = $tx->res->code // 0;
      return $w->{done} = 1 unless $tx->is_websocket;
      $w->{tx} = $tx;
      $tx->on(json   => sub { push @{$w->{msgs}}, $_[1] });
      $tx->on(frame  => sub { $w->{close_frames}++ if $_[1][4] == 8 });
      $tx->on(finish => sub { $w->{closed} = $_[1] // -1 });
      $w->{done} = 1;
    }
  );
  run_until(sub { $w->{done} }, 5);
  return $w;
}

# Wait for a call-state message satisfying $cond (given the calls array).
sub ws_wait {
  my ($w, $cond, $timeout) = @_;
  my $found;
  run_until(
    sub {
      while (my $m = shift @{$w->{msgs}}) {
        next unless ($m->{action} // '') eq 'call-state';
        return $found = $m if $cond->($m->{calls});
      }
      return 0;
    },
    $timeout
  );
  return $found;
}

subtest 'websocket' => sub {
  my $sid = sid_of(activate(token()));
  is ws_open('domain=example.com&user=40')->{code}, 401, 'no cookie: 401';
  is ws_open('domain=example.com&user=41', {Cookie => "session=$sid"})->{code}, 401, 'other extension: 401';
  is ws_open('domain=example.com&user=40', {Cookie => 'session=bogus'})->{code}, 401, 'bad cookie: 401';

  my $w = ws_open('domain=example.com&user=40', {Cookie => "session=$sid"});
  is $w->{code}, 101, 'cookie session: upgraded';
  my $q = ws_open("domain=example.com&user=40&session=$sid");
  is $q->{code}, 101, '?session= fallback: upgraded';
  is $sim->sessions->{websockets}, 2, 'two sockets open';

  $w->{tx}->send({json => {action => 'wskeepalive'}});
  $w->{tx}->send({json => {action => 'no-such-action', x => 1}});
  $w->{tx}->send('not json');
  $w->{tx}->send({json => {action => 'get-calls'}});
  ok ws_wait($w, sub { @{$_[0]} == 0 }), 'get-calls: call-state [] (unknown actions ignored, socket open)';

  $w->{tx}->send({json => {action => 'make-call', to => '555'}});
  my $m = ws_wait($w, sub { @{$_[0]} == 1 && $_[0][0]{state} eq 'alerting' });
  ok $m, 'make-call: alerting pushed';
  my $id = $m && $m->{calls}[0]{id};
  is_deeply [@{$m->{calls}[0]}{qw(from to from-number to-number callstate)}], ['40', '555', '40', '555', 'alerting'],
    'both dialects in the call object';
  ok ws_wait($w, sub { @{$_[0]} == 1 && $_[0][0]{state} eq 'connected' }, 3), 'connected pushed after connect_delay';
  ok ws_wait($q, sub { @{$_[0]} && $_[0][-1]{state} eq 'connected' }, 1), 'second socket of 40 got the pushes too';

  $w->{tx}->send({json => {action => 'hold-call', id => $id}});
  ok ws_wait($w, sub { @{$_[0]} && $_[0][0]{state} eq 'onhold' }), 'hold-call: onhold';
  $w->{tx}->send({json => {action => 'clear-call', id => $id}});
  ok ws_wait($w, sub { @{$_[0]} == 0 }), 'clear-call: call-state []';

  # Changes from other sources are pushed as well.
  $ua->get("$S/remote_call.htm" => form => {user => '40', dest => '777', auth => '40:alice-pbx'})->result;
  ok ws_wait($w, sub { @{$_[0]} && $_[0][0]{'to-number'} eq '777' }), 'remote_call.htm call pushed';
  $sim->hangup_all;
  ok ws_wait($w, sub { @{$_[0]} == 0 }), 'control hangup pushed';

  my $log = $sim->ws_messages(ext => '40@example.com');
  is_deeply [(map { $_->{json} ? $_->{json}{action} : $_->{text} } @$log)[0 .. 4]],
    ['wskeepalive', 'no-such-action', 'not json', 'get-calls', 'make-call'], 'ws-messages: what the client sent';
  is $log->[4]{json}{to}, '555', 'ws-messages: decoded JSON';
  ok $log->[0]{socket} && $log->[0]{time} > $t0, 'ws-messages: socket and time';
  is_deeply $sim->ws_messages(ext => '41@example.com'), [], 'ws-messages of another extension: none';
  $sim->clear_ws_messages;
  is_deeply $sim->ws_messages, [], 'ws-messages cleared';

  # ws-drop for one extension leaves the others' sockets alone.
  my $sid41 = sid_of(activate(token(username => '41')));
  my $o     = ws_open('domain=example.com&user=41', {Cookie => "session=$sid41"});
  is $o->{code}, 101, 'socket of 41 open';
  is $sim->drop_websockets(ext => '41@example.com'), 1, 'ws-drop ext 41: one socket';
  ok run_until(sub { defined $o->{closed} }), '41 saw the close';
  ok !defined $w->{closed} && !defined $q->{closed}, 'the sockets of 40 are still open';
  eval { $sim->drop_websockets(ext => '49@example.com') };
  like $@, qr/unknown "ext"/, 'ws-drop of an unknown extension: 400';

  is $sim->drop_websockets, 2, 'ws-drop closed both';
  ok run_until(sub { defined $w->{closed} && defined $q->{closed} }), 'client saw the close';
  is $w->{closed}, 1001, 'close code 1001';
  is $w->{close_frames}, 1, 'exactly one close frame from the simulator (no second one after our answer)';
  ok run_until(sub { $sim->sessions->{websockets} == 0 }), 'server side closed once the handshake completed';
};

# The simulator closes first and the peer never answers: the TCP connection
# is closed after CLOSE_WAIT (2 s) anyway. A hand-made client, since every
# library answers close frames.
subtest 'websocket close without an answer from the peer' => sub {
  require IO::Socket::INET;
  my $sid  = sid_of(activate(token()));
  my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => Mojo::URL->new($sim->url)->port, Timeout => 5)
    or return fail "connect: $!";
  print $sock "GET /websocket?domain=example.com&user=40 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    . "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    . "Cookie: session=$sid\r\n\r\n";
  my $head = '';
  while ($head !~ /\r\n\r\n/) { sysread($sock, $head, 1, length $head) or last }
  like $head, qr{^HTTP/1\.1 101 }, 'raw upgrade: 101';
  is $sim->drop_websockets, 1, 'ws-drop';
  my $t = time;
  my ($buf, $n) = ('', 0);
  $sock->blocking(1);
  while (1) {
    my $r = sysread($sock, $buf, 1024, length $buf);
    last unless $r;
    $n += $r;
  }
  my $waited = time - $t;
  like $buf, qr/^\x88/, 'got a close frame';
  cmp_ok $waited, '>=', 1.5, sprintf 'TCP closed after waiting for the answer (%.1f s)', $waited;
  cmp_ok $waited, '<',  4,   'but not forever';
};

subtest 'second simulator: websocket idle timeout, auth_failure' => sub {
  my $s2 = PbxDial::Sim->start(dir => "$dir/idle", ws_idle_timeout => 1, auth_failure => 'false');
  is(Mojo::UserAgent->new->put($s2->url . '/rest/system/session' => json => {name => 'auth', value => '40 x'})
      ->result->body, 'false', 'auth_failure false: body false');
  my $sid = do {
    my $res = Mojo::UserAgent->new->post($s2->url . '/rest/system/session' => $ADMIN =>
        json => {name => '3rd', domain => 'example.com', username => '41'})->result;
    my $act = Mojo::UserAgent->new->post($s2->url . '/rest/system/session' =>
        encode_json({name => 'session', value => decode_json($res->body)}))->result;
    sid_of($act);
  };
  my $w    = {};
  my $ua2  = Mojo::UserAgent->new;
  my $t    = time;
  $ua2->websocket(
    ($s2->url =~ s/^http/ws/r) . '/websocket?domain=example.com&user=41' => {Cookie => "session=$sid"} => sub {
      my (undef, $tx) = @_;
      $w->{code} = $tx->res->code;
      $tx->on(frame  => sub { $w->{close_frames}++ if $_[1][4] == 8 });
      $tx->on(finish => sub { $w->{closed} = $_[1] });
    }
  );
  ok run_until(sub { defined $w->{closed} }, 4), 'idle socket closed';
  cmp_ok time - $t, '>=', 0.9, 'after ws_idle_timeout';
  is $w->{closed},       1000, 'idle close: code 1000';
  is $w->{close_frames}, 1,    'idle close: one close frame';
  $s2->stop;
};

# -------------------------------------------------------------------- faults

subtest 'faults' => sub {
  my $path = '/rest/system/session';
  $sim->clear_requests;

  $sim->fault(path => $path, kind => 'refuse', count => 1);
  my $tx = $ua->post($SESSION => $ADMIN => json => {name => '3rd', domain => 'example.com', username => '40'});
  ok $tx->error && !$tx->res->code, 'refuse: connection error (' . ($tx->error->{message} // '') . ')';
  is third_party()->code, 200, 'count 1: next request is normal';

  $sim->fault(path => $path, kind => 'delay', seconds => 1, count => 1);
  my ($done, $t) = (0, time);
  $ua->post($SESSION => $ADMIN => json => {name => '3rd', domain => 'example.com', username => '40'} =>
      sub { $done = $_[1]->res });
  # Once the simulator holds the delayed request, it must still answer others.
  ok run_until(sub { grep { ($_->{fault} // '') eq 'delay' } @{$sim->requests(path => $path)} }),
    'delayed request arrived';
  my $t2 = time;
  my $other = HTTP::Tiny->new(timeout => 3)->get($sim->url . '/_sim/sessions');
  ok $other->{success} && time - $t2 < 0.5, 'other requests are served during a delay';
  ok run_until(sub {$done}, 4), 'delayed answer arrives';
  cmp_ok time - $t, '>=', 0.95, 'delay: ~1 s';
  like $done && $done->body, qr/^"[a-z0-9]{20}"$/, 'delay: normal answer';

  $sim->fault(path => $path, kind => 'hang', count => 1);
  $t  = time;
  $tx = Mojo::UserAgent->new(ca => $sim->ca_file, request_timeout => 1)
    ->post($SESSION => $ADMIN => json => {name => '3rd', domain => 'example.com', username => '40'});
  like $tx->error && $tx->error->{message}, qr/timeout/i, 'hang: client timeout';
  cmp_ok time - $t, '>=', 0.9, 'hang: after the client timeout';

  my %want = (500 => [500, qr/Internal/], garbage => [200, qr/^<html>oops/], false => [200, qr/^false$/],
    empty => [200, qr/^$/]);
  for my $kind (sort keys %want) {
    $sim->fault(path => $path, kind => $kind, count => 1);
    my $res = third_party();
    is $res->code, $want{$kind}[0], "$kind: status";
    like $res->body, $want{$kind}[1], "$kind: body";
  }
  is third_party()->headers->content_type, 'application/json', 'back to normal';

  $sim->fault(path => $path, kind => 'status', status => 503);
  is third_party()->code, 503, 'status: 503';
  is third_party()->code, 503, 'no count: until cleared';
  $sim->clear_faults;
  is third_party()->code, 200, 'cleared';

  eval { $sim->fault(path => $path, kind => 'nonsense') };
  like $@, qr/unknown kind/, 'bad fault rejected';

  # "match": only requests whose query string or body contain the string.
  $sim->fault(path => $path, kind => 'status', status => 404, match => '"name":"3rd"', count => 1);
  is activate('nosuchtoken0000000000')->code, 403, 'match: an activation is not faulted';
  is third_party(username => '41')->code, 404, 'match: the 3rd login is';
  is third_party(username => '41')->code, 200, 'match with count 1: used up';
  $sim->fault(path => '/websocket', kind => 'status', status => 503, match => 'user=42', count => 1);
  is ws_open('domain=example.com&user=40')->{code}, 401, 'match on the query: other user not faulted';
  is ws_open('domain=example.com&user=42')->{code}, 503, 'match on the query: faulted';
  eval { $sim->fault(path => $path, kind => '500', match => '') };
  like $@, qr/match must be/, 'empty match rejected';
  $sim->clear_faults;

  my $log = $sim->requests(path => $path);
  is_deeply [map { $_->{fault} // '-' } @$log],
    [qw(refuse - delay hang 500 empty false garbage - status status - - status -)], 'faulted requests recorded';
  is_deeply [map { $_->{status} // 'none' } @$log[0, 2, 4, 9]], ['none', 200, 500, 503], 'with their status';
};

subtest 'request recording' => sub {
  $sim->clear_requests;
  third_party();
  $ua->get("$S/_sim/calls");
  $ua->get("$S/phones");
  my $log = $sim->requests;
  is scalar @$log, 1, '/_sim and /phones are not recorded';
  my $r = $log->[0];
  is $r->{method}, 'POST', 'method';
  is $r->{path},   '/rest/system/session', 'path';
  is $r->{status}, 200, 'status';
  like $r->{headers}{authorization}, qr/^Basic /, 'lower-cased headers';
  is decode_json($r->{body})->{username}, '40', 'body';
  ok $r->{time} > $t0, 'time';

  $ua->get("$S/remote_call.htm?user=40&dest=1&auth=40:x");
  is $sim->requests(path => '/remote_call.htm')->[0]{query}, 'user=40&dest=1&auth=40:x', 'query string';
  $sim->clear_requests;
  is_deeply $sim->requests, [], 'cleared';
  is ref(PbxDial::Sim->attach($sim->url)->calls), 'HASH', 'attach() client works';
};

subtest 'latency_ms: a fixed round trip in front of every PBX request' => sub {
  is $sim->latency, 0, 'none by default';
  is $sim->latency(200), 200, 'POST /_sim/latency sets it';
  is $sim->latency, 200, 'GET /_sim/latency reads it';
  $sim->clear_requests;
  my $t = time;
  is third_party()->code, 200, 'a 3rd login still answers';
  cmp_ok time - $t, '>=', 0.195, 'after the latency';
  my ($logged) = @{$sim->requests(path => '/rest/system/session')};
  cmp_ok $logged->{time} - $t, '>=', 0.195, 'the request reaches the PBX (is logged) only after it';
  my $sid = sid_of(activate(token()));
  ok $sid, 'activation through the latency';
  $t = time;
  my $w = ws_open('domain=example.com&user=40', {Cookie => "session=$sid"});
  is $w->{code}, 101, 'websocket upgrade through the latency';
  cmp_ok time - $t, '>=', 0.195, 'the websocket handshake is delayed too';
  # a delayed 101 once dropped the connection right after it (Pbx.pm: one rendered(101))
  $w->{tx}->send('{"action":"get-calls"}') if $w->{tx};
  ok ws_wait($w, sub {1}), 'messages flow on the delayed websocket';
  ok !defined $w->{closed}, 'and it stays open';
  $w->{tx}->finish if $w->{tx};

  # Held PBX requests do not hold the control interface, and are not yet logged.
  $sim->latency(1000);
  $sim->clear_requests;
  my $done;
  $ua->post($SESSION => $ADMIN => json => {name => '3rd', domain => 'example.com', username => '40'} =>
      sub { $done = $_[1]->res->code });
  Mojo::IOLoop->one_tick for 1 .. 3;
  is_deeply $sim->requests(path => '/rest/system/session'), [], 'control answers while a request is held';
  ok run_until(sub {$done}, 4), 'the held request is answered';
  is $done, 200, 'with its normal answer';
  is $sim->latency(0), 0, 'back to 0';

  eval { $sim->latency(-1) };
  like $@, qr/ms must be a number/, 'a negative latency is refused';
  eval { $sim->latency('20ms') };
  like $@, qr/ms must be a number/, 'a non-number is refused';
  (my $simdir = $INC{'PbxDial/Sim.pm'}) =~ s{/lib/PbxDial/Sim\.pm$}{};    # sim/ of this tree
  my $out = `$^X $simdir/pbxdial-sim --config $simdir/pbx.json --http 127.0.0.1:0 --latency-ms soon 2>&1`;
  is $? >> 8, 2, '--latency-ms with a bad value: usage error';
  like $out, qr/--latency-ms: ms must be a number/, 'naming the option';
  my $sim2 = PbxDial::Sim->start(dir => "$dir/latency", latency_ms => 30);
  is $sim2->latency, 30, 'the config key latency_ms';
  $sim2->stop;
};

subtest '/phones' => sub {
  $sim->add_call(from => '41@example.com', to => '4711');
  my $res = $ua->get("$S/phones")->result;
  is $res->code, 200, 'status 200';
  like $res->headers->content_type, qr{^text/html}, 'html';
  like $res->body, qr/data-ext="$_"/, "phone box $_" for 40, 41, 42;
  like $res->body, qr/Alice.*Bob.*Carol/s, 'names';
  unlike $res->body, qr/(?:src|href)="https?:/, 'no external assets';
  like $res->body, qr/class="call"/, 'call rows are drawn by the page script';
  is $sim->calls_of('41@example.com')->[0]{'to-number'}, '4711', 'calls_of';
};

my $pid = $sim->pid;
$sim->stop;
ok !kill(0, $pid), 'stopped';
ok !-e "$dir/sim-ready.json", 'ready file removed on exit';
like $sim->log, qr{^pbxdial-sim: POST /rest/system/session 200$}m, 'one log line per request';
unlike $sim->log, qr{^(?!pbxdial-sim: )}m, 'nothing else in the log';
cmp_ok time - $t0, '<', 30, sprintf 'took %.1f s', time - $t0;

done_testing;
