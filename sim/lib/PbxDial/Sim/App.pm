# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
package PbxDial::Sim::App;

# The simulator's Mojolicious application: the PBX endpoints (Pbx.pm), the
# control interface and /phones page (Control.pm), and one around_dispatch
# hook that every request passes: Server header, CORS reflection, request
# recording, the one-line log and the faults planned through /_sim/fault.

use Mojo::Base 'Mojolicious', -signatures;

use Mojo::IOLoop;
use Mojo::Util qw(decode);
use PbxDial::Sim::Control;
use PbxDial::Sim::Pbx;

has 'sim';    # PbxDial::Sim::State, shared by every listener of the process

sub startup ($self) {
  $self->mode('production');
  $self->log->level('error');       # request lines are printed by the hook, nothing else
  $self->secrets(['pbxdial-sim']);  # never used (no signed cookies); silences the warning
  $self->renderer->compress(0);     # the PBX does not gzip its answers
  $self->helper(sim => sub ($c) { $c->app->sim });

  $self->hook(around_dispatch => \&_around_dispatch);
  # the no_cookie fault: the answer as rendered, minus its cookies
  $self->hook(after_render => sub ($c, $output, $format) {
    $c->res->headers->remove('Set-Cookie') if $c->stash->{'sim.no_cookie'};
  });
  Mojo::IOLoop->recurring(5 => sub { $self->sim->expire });

  my $r = $self->routes;
  PbxDial::Sim::Control::register($r);
  PbxDial::Sim::Pbx::register($r);
  $r->any('/*any' => {any => ''} => sub ($c) {
    $c->render(status => 404, format => 'html', text => "<html><body><h1>404 Not Found</h1></body></html>\n");
  });
}

# Paths that are neither recorded nor subject to faults.
sub _internal ($path) { $path =~ m{^/(?:_sim(?:/|$)|phones)} }

# A fixed network latency (latency_ms, a round trip) in front of every PBX
# request, websocket handshakes included, as if the PBX were that far away:
# the request reaches the PBX (is logged, faulted, answered) only after it.
# Without blocking the event loop; the control interface is never delayed.
sub _around_dispatch ($next, $c) {
  my $ms = $c->sim->cfg('latency_ms');
  return _dispatch($next, $c) if !$ms || _internal($c->req->url->path->to_route);
  # as the delay fault: no render_later, dispatch() skips rendered requests
  Mojo::IOLoop->timer($ms / 1000 => sub { _dispatch($next, $c) if $c->tx });
  return;
}

sub _dispatch ($next, $c) {
  my $sim     = $c->sim;
  my $req     = $c->req;
  my $path    = $req->url->path->to_route;
  my $headers = $c->res->headers;
  $headers->server('PBX/' . $sim->cfg('version'));

  # The real PBX reflects the Origin of simple cross-origin requests (and
  # rejects preflights, see Pbx.pm). Set before any fault so that a browser
  # can still read a faulted answer.
  if ($path =~ m{^/rest/} && defined(my $origin = $req->headers->origin)) {
    $headers->header('Access-Control-Allow-Origin'      => $origin);
    $headers->header('Access-Control-Allow-Credentials' => 'true');
    $headers->vary('Origin');
  }

  my $internal = _internal($path);
  my $entry    = $internal ? undef : $sim->log_request(_request_entry($c, $path));
  my $fault    = $internal ? undef : $sim->take_fault($req->method, $path, "$entry->{query}\n$entry->{body}");
  $entry->{fault} = $fault->{kind} if $entry && $fault;

  # Log once, when the response is written or the connection is gone. For a
  # websocket the handshake transaction carries the HTTP response.
  my $tx     = $c->tx->is_websocket ? $c->tx->handshake : $c->tx;
  my $method = $req->method;
  $tx->on(
    finish => sub ($tx) {
      my $code = $tx->res->code;
      $entry->{status} = $code if $entry;
      my $note = $fault ? " (fault $fault->{kind})" : '';
      print STDERR "pbxdial-sim: $method $path " . ($code // '-') . "$note\n";
    }
  );

  return $fault ? _apply_fault($next, $c, $fault) : $next->();
}

sub _request_entry ($c, $path) {
  my $req   = $c->req;
  my $h     = $req->headers;
  my $query = $req->url->query->to_string;    # before anything parses it
  my $body  = $req->body;
  return {
    method  => $req->method,
    path    => $path,
    query   => $query,
    params  => $req->url->query->to_hash,
    # the client's port tells connections apart: tests count reused ones
    peer    => $c->tx->remote_port,
    headers => {map { (lc($_) => $h->header($_)) } @{$h->names}},
    body    => decode('UTF-8', $body) // $body,
    status  => undef,
    time    => $c->sim->now,
  };
}

sub _apply_fault ($next, $c, $f) {
  my $kind = $f->{kind};

  # the normal answer, plus a cookie (a PBX whose websocket 101 sets one)
  if ($kind eq 'set_cookie') {
    $c->res->headers->add('Set-Cookie' => 'session=sim-set-cookie; Path=/; HttpOnly');
    return $next->();
  }

  # the normal answer without Set-Cookie (a proxy that drops cookies, or a
  # PBX activating a token without telling the client its session)
  if ($kind eq 'no_cookie') {
    $c->stash('sim.no_cookie' => 1);
    return $next->();
  }

  if ($kind eq 'refuse') {    # close the connection without a byte of response
    $c->render_later;
    my $stream = Mojo::IOLoop->stream($c->tx->connection);
    $stream->close if $stream;
    return;
  }
  if ($kind eq 'hang') {      # never answer; keep the connection open until the client gives up
    $c->render_later->inactivity_timeout(0);
    return;
  }
  if ($kind eq 'delay') {     # normal answer later, without blocking the event loop
    # No render_later here: dispatch() skips requests already marked rendered.
    $c->inactivity_timeout($f->{seconds} + 60);
    # the client may have given up meanwhile (a timeout is what this tests)
    Mojo::IOLoop->timer($f->{seconds} => sub { $next->() if $c->tx });
    return;
  }
  return $c->render(status => 500, format => 'txt', text => "Internal Server Error\n") if $kind eq '500';
  return $c->render(status => $f->{status}, format => 'txt', text => "Simulated status $f->{status}\n")
    if $kind eq 'status';

  my %json_body = (garbage => "<html>oops</html>\n", false => 'false', empty => '');
  $c->res->headers->content_type('application/json');
  return $c->render(status => 200, data => $json_body{$kind});
}

1;
