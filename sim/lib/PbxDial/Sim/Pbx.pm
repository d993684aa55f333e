# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
package PbxDial::Sim::Pbx;

# The PBX endpoints (see /work/shared/pbx-protocol.md §1-§3 and §5):
#   /rest/system/session   logins, third-party tokens, session activation
#   /remote_call.htm       click-to-dial links, types 1-3 and session links
#   /websocket             call-state push, make-call / clear-call / hold-call
# Where the real behaviour is unknown, the choices of §5 are used.

use Mojo::Base -strict, -signatures;

use Digest::MD5 qw(md5_hex);
use MIME::Base64 qw(decode_base64);
use Mojo::JSON qw(decode_json encode_json from_json true false);
use Mojo::Util qw(encode xml_escape);
use PbxDial::Sim::WebSocket;

sub register ($r) {
  $r->any('/rest/system/session' => \&session);
  $r->any('/remote_call.htm'     => \&remote_call);
  $r->any('/websocket'           => \&websocket);
}

# ------------------------------------------------------------------ helpers

# JSON with exactly "Content-Type: application/json", as the PBX sends it.
sub reply_json ($c, $status, $value) {
  $c->res->headers->content_type('application/json');
  return $c->render(status => $status, data => encode_json($value));
}

sub reply_text ($c, $status, $text) {
  return $c->render(status => $status, format => 'txt', text => "$text\n");
}

# (user, password) from "Authorization: Basic ...", or an empty list.
sub basic_auth ($c) {
  my $h = $c->req->headers->authorization // return;
  return unless $h =~ /^\s*Basic\s+([A-Za-z0-9+\/=]+)\s*$/i;
  my ($user, $pass) = decode_base64($1) =~ /^([^:]*):(.*)$/s or return;
  return ($user, $pass);
}

# Live sessions named by the request's "session" cookies (a browser may send
# a stale one next to a fresh one), plus the "session" query parameter when
# $with_query (the websocket fallback).
sub request_sessions ($c, $with_query = 0) {
  my @ids = map { $_->value } @{$c->req->every_cookie('session')};
  push @ids, $c->param('session') if $with_query && defined $c->param('session');
  return grep {defined} map { $c->sim->session($_) } @ids;
}

sub user_session ($c) { (grep { $_->{type} eq 'user' } request_sessions($c))[0] }

sub is_true ($v) { defined $v && $v && "$v" ne 'false' }

# ------------------------------------------------------ /rest/system/session

sub session ($c) {
  my $sim    = $c->sim;
  my $method = $c->req->method;

  # The real PBX rejects CORS preflights; browsers must send simple requests.
  return reply_text($c, 403, 'Forbidden') if $method eq 'OPTIONS';

  if ($method eq 'GET') {
    my ($s) = request_sessions($c) or return reply_json($c, 401, false);
    return reply_json($c, 200, session_info($s));
  }
  if ($method eq 'DELETE') {
    $sim->drop_session($_->value) for @{$c->req->every_cookie('session')};
    return reply_json($c, 200, true);
  }
  return reply_text($c, 405, 'Method Not Allowed') unless $method eq 'PUT' || $method eq 'POST';

  # Browsers send the JSON as text/plain to avoid a preflight: ignore the type.
  my $body = eval { decode_json($c->req->body) };
  return reply_json($c, 400, false) unless ref $body eq 'HASH' && defined $body->{name};

  my $name = $body->{name};
  return login($c, $body)       if $name eq 'auth';
  return third_party($c, $body) if $name eq '3rd';
  return activate($c, $body)    if $name eq 'session';
  if ($name eq 'lang') {
    my ($s) = request_sessions($c) or return reply_json($c, 401, false);
    $s->{lang} = $body->{value};
    return reply_json($c, 200, true);
  }
  return reply_json($c, 200, true) if $name eq 'reset';    # password reminder: "sent"
  return reply_json($c, 400, false);
}

# The session info of GET /rest/system/session (§2.4).
sub session_info ($s) {
  return {
    lang                  => $s->{lang} // 'en',
    type                  => $s->{type},
    superadmin            => $s->{type} eq 'admin' ? true : false,
    password_policy       => 'none',
    allow_empty_passwords => 'false',
    code_rec              => '*98',
    edit                  => false,
    cuser                 => $s->{ext}    // '',
    cdomain               => $s->{domain} // '',
    luser                 => '',
    ldomain               => '',
    country               => '',
    os                    => 'Debian64',
    recording             => true,
    hosted                => true,
    standby               => false,
  };
}

# {"name":"auth","value":"USER MD5HEX"}: password login (§2.1). The hash is the
# lowercase hex MD5 of the plain password; an empty password sends no hash.
sub login ($c, $body) {
  my $sim = $c->sim;
  my ($user, $hash) = split / /, ($body->{value} // ''), 2;
  $hash //= '';
  my $hash_ok = sub ($pw) { $hash eq (length $pw ? md5_hex(encode('UTF-8', $pw)) : '') };

  my $admin = $sim->cfg('admin');
  my $info;
  if (defined $user && $user eq $admin->{user}) {
    $info = {type => 'admin'} if $hash_ok->($admin->{password});
  }
  elsif (my $e = $sim->resolve_user($user)) {
    $info = {type => 'user', ext => $e->{ext}, domain => $e->{domain}} if $hash_ok->($e->{password});
  }
  return reply_json($c, 200, $sim->new_session($info)) if $info;

  my $mode = $sim->cfg('auth_failure');
  return reply_text($c, 401, 'Unauthorized') if $mode eq '401';
  return reply_json($c, 200, $mode eq 'false' ? false : '');
}

# {"name":"3rd", ...} with admin Basic auth: a single-use token (§2.2).
sub third_party ($c, $body) {
  my $sim = $c->sim;
  return reply_text($c, 405, 'Method Not Allowed') unless $c->req->method eq 'POST';

  my ($u, $p) = basic_auth($c);
  unless (defined $u) {
    $c->res->headers->www_authenticate('Basic realm="PBX"');
    return reply_text($c, 401, 'Unauthorized');
  }
  my $admin = $sim->cfg('admin');
  return reply_json($c, 200, false) unless $u eq $admin->{user} && $p eq $admin->{password};

  my $info;
  if (is_true($body->{admin})) { $info = {type => 'admin'} }
  else {
    my $domain = $body->{domain} // $sim->single_domain;
    my $user   = $body->{username};
    if (!defined $user || $user eq '' || $user eq $admin->{user}) {    # tenant (domain admin) session
      return reply_text($c, 404, 'Not Found') unless $sim->domain_exists($domain);
      $info = {type => 'domain', domain => lc $domain};
    }
    else {
      my $e = $sim->resolve_user($user, $domain) or return reply_text($c, 404, 'Not Found');
      return reply_text($c, 404, 'Not Found') if defined $body->{domain} && lc $body->{domain} ne $e->{domain};
      $info = {type => 'user', ext => $e->{ext}, domain => $e->{domain}};
    }
  }
  return reply_json($c, 200, $sim->new_token($info));
}

# {"name":"session","value":TOKEN}: turn a token into a cookie session (§2.3).
sub activate ($c, $body) {
  my $sim = $c->sim;
  my $t   = $sim->take_token($body->{value}) or return reply_json($c, 403, false);
  my $sid = $sim->new_session({map { ($_ => $t->{$_}) } grep { exists $t->{$_} } qw(type ext domain)});

  # Written by hand: the attribute spelling of the real PBX, and no SameSite.
  $c->res->headers->add('Set-Cookie' => "session=$sid; Path=/");
  return reply_json($c, 200, {});
}

# ------------------------------------------------------------ remote_call.htm

sub html_page ($c, $status, $title, $text) {
  my ($t, $x) = (xml_escape($title), xml_escape($text));
  $c->res->headers->content_type('text/html');
  return $c->render(status => $status, data => <<"EOT");
<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /><title>$t</title></head>
<body><h1>$t</h1><p>$x</p></body>
</html>
EOT
}

sub remote_call ($c) {
  my $sim = $c->sim;
  return html_page($c, 405, 'Method Not Allowed', 'Use GET.') unless $c->req->method =~ /^(?:GET|HEAD)$/;

  my $dest = $c->param('dest');
  return html_page($c, 400, 'Bad Request', 'Missing destination (dest).') unless defined $dest && length $dest;

  my ($who, $error) = caller_of($c);
  return                                             if !$who && !defined $error;    # challenge sent
  return html_page($c, 403, 'Forbidden', $error) if !$who;

  my $call = $sim->add_call($who, $dest, connect => ($c->param('connect') // '') eq 'true');
  $c->res->headers->cache_control('no-cache, no-store');
  my $how = $call->{prompt} ? 'answer and press 1 to continue' : 'answer to be connected';
  return html_page($c, 200, 'Call', "Calling $dest from extension $who->{ext}: $how.");
}

# Who places the call: ($extension) on success, (undef, $reason) for a 403,
# or () when a 401 challenge has been sent.
sub caller_of ($c) {
  my $sim  = $c->sim;
  my $user = $c->param('user');
  my $auth = $c->param('auth');
  if (defined $auth && length $auth) {
    return lc($c->param('extension') // '') eq 'true' ? link_hash($c, $user, $auth) : link_password($c, $user, $auth);
  }

  # Links inside a session (?dest=N) are authenticated by the session cookie.
  if (my $s = user_session($c)) { return ($sim->extension($s->{ext}, $s->{domain})) }

  # Type 1: challenge. The realm is the domain the link names (Basic; the
  # real scheme is not documented).
  my $named = $sim->resolve_user($user);
  my $realm = $named ? $named->{domain} : ($user // '') =~ /@(.+)$/ ? lc $1 : $sim->single_domain
    // $sim->domain_names->[0];
  my ($bu, $bp) = basic_auth($c);
  if (defined $bu) {
    my $e = $sim->resolve_user($bu, $realm);
    return ($e)
      if $e && $bp eq $e->{password} && (!defined $user || !length $user || ($named && $named->{key} eq $e->{key}));
  }
  $c->res->headers->www_authenticate(qq{Basic realm="$realm"});
  html_page($c, 401, 'Unauthorized', 'Authentication required.');
  return ();
}

# Type 2: auth = md5hex(user . password . dest . time . duration), lowercase.
sub link_hash ($c, $user, $auth) {
  my $sim = $c->sim;
  my $e   = $sim->resolve_user($user) or return (undef, 'Unknown user.');
  my ($dest, $time, $duration) = map { $c->param($_) } qw(dest time duration);
  $duration = undef if defined $duration && !length $duration;
  return (undef, 'Missing or bad time.') unless defined $time && $time =~ /^\d+$/;
  return (undef, 'Bad duration.') if defined $duration && $duration !~ /^\d+$/;

  my $want = md5_hex(encode('UTF-8', $user . $e->{password} . $dest . $time . ($duration // '')));
  return (undef, 'Authentication failed.') unless $auth eq $want;
  return (undef, 'Link expired.') if abs(time - $time) > ($duration // $sim->cfg('link_lifetime'));
  return ($e);
}

# Type 3: auth = "user@domain:password" (or "ext:password" with one domain).
sub link_password ($c, $user, $auth) {
  my $sim = $c->sim;
  my ($au, $ap) = $auth =~ /^([^:]*):(.*)$/s or return (undef, 'Authentication failed.');
  my $named;
  if (defined $user && length $user) {
    $named = $sim->resolve_user($user) or return (undef, 'Authentication failed.');
  }
  my $e = $sim->resolve_user($au, $named ? $named->{domain} : undef);
  return (undef, 'Authentication failed.') unless $e && $ap eq $e->{password};
  return (undef, 'Authentication failed.') if $named && $named->{key} ne $e->{key};
  return ($e);
}

# ------------------------------------------------------------------ websocket

# The extension of the session (cookie, or ?session= as fallback) that
# matches ?user= and ?domain=, or undef.
sub websocket_caller ($c) {
  my $sim = $c->sim;
  my ($user, $domain) = ($c->param('user'), $c->param('domain'));
  return undef unless defined $user && length $user && defined $domain && length $domain;
  my $e = $sim->resolve_user($user, $domain) or return undef;
  return undef unless $e->{domain} eq lc $domain;
  for my $s (request_sessions($c, 1)) {
    return $e if $s->{type} eq 'user' && $s->{ext} eq $e->{ext} && $s->{domain} eq $e->{domain};
  }
  return undef;
}

sub websocket ($c) {
  my $sim = $c->sim;
  my $who = websocket_caller($c) or return reply_text($c, 401, 'Unauthorized');
  return reply_text($c, 400, 'WebSocket upgrade required') unless $c->tx->is_websocket;
  PbxDial::Sim::WebSocket->adopt($c->tx);    # a clean closing handshake (see WebSocket.pm)

  my $key  = $who->{key};
  my $id   = $sim->add_ws($key, $c);
  my $idle = $sim->cfg('ws_idle_timeout');

  # Our own idle timer (reset by client messages) closes with a close frame;
  # the stream's inactivity timeout would just drop the TCP connection.
  $c->inactivity_timeout(0);
  my $timer;
  my $rearm = sub {
    Mojo::IOLoop->remove($timer) if $timer;
    $timer = $idle ? Mojo::IOLoop->timer(
      $idle => sub {
        $timer = undef;
        $sim->remove_ws($key, $id);    # no pushes after the close frame
        $c->finish(1000, 'idle timeout');
      }
    ) : undef;
  };
  $rearm->();

  # On the transaction, then one rendered(101): each $c->on() before the
  # upgrade resumes the handshake, and when the answer was delayed (latency_ms,
  # the delay fault) Mojo::Server::Daemon already listens, so a second resume
  # finishes the connection again right after the 101 and drops the websocket.
  my $tx = $c->tx;
  $tx->on(
    finish => sub ($tx, @) {
      Mojo::IOLoop->remove($timer) if $timer;
      $sim->remove_ws($key, $id);
    }
  );
  $tx->on(
    message => sub ($tx, $text) {
      $rearm->();
      my $m = eval { from_json($text) };
      $sim->log_ws_message($key, $id, $text, ref $m ? $m : undef);
      ws_action($c, $who, $m) if ref $m eq 'HASH' && defined $m->{action};
    }
  );
  $c->rendered(101);
}

sub ws_action ($c, $who, $m) {
  my $sim    = $c->sim;
  my $key    = $who->{key};
  my $action = $m->{action};
  my $own    = sub { my ($k, $call) = $sim->find_call($m->{id} // ''); $k && $k eq $key ? $call : undef };

  if ($action =~ /^(?:get-calls|own-calls|domain-calls|orbit-calls)$/) {
    $c->send({json => $sim->call_state_msg($key)});
  }
  elsif ($action eq 'make-call') {
    my $to = $m->{to};
    # A user dialling from the portal is not asked to press 1 (unless "connect":false).
    $sim->add_call($who, $to, connect => !(defined $m->{connect} && !is_true($m->{connect})))
      if defined $to && !ref $to && length $to;
  }
  elsif ($action eq 'clear-call') {
    $sim->remove_call($m->{id}) if $own->();
    $sim->push_calls($key);    # the answer, even when nothing changed
  }
  elsif ($action eq 'hold-call') {
    my $call = $own->() or return;
    $sim->set_state($call->{id}, $call->{state} eq 'onhold' ? 'connected' : 'onhold')
      if $call->{state} =~ /^(?:connected|onhold)$/;
  }
  elsif ($action eq 'accept-call') {
    my $call = $own->() or return;
    $sim->set_state($call->{id}, 'connected') if $call->{state} eq 'alerting';
  }

  # Everything else (wskeepalive, avoid-disconnect, unknown actions) is ignored.
}

1;
