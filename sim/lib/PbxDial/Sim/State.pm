# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
package PbxDial::Sim::State;

# Everything the PBX simulator remembers: the configured directory of
# extensions, login sessions and third-party tokens, active calls, open
# websockets, the request log and the fault plan of the control interface.
# One object per simulator process, shared by all its listeners.

use Mojo::Base -base, -signatures;

use Carp qw(croak);
use Mojo::IOLoop;
use Mojo::JSON qw(decode_json);
use Mojo::File qw(path);
use Time::HiRes ();

use constant MAX_LOGGED_REQUESTS => 5000;    # keep a long demo from growing without bound

my %DEFAULTS = (
  admin           => {user => 'admin', password => 'adminpw'},
  version         => '70.1',
  connect_delay   => 2,          # seconds from "alerting" to "connected"
  token_ttl       => 10,         # third-party token lifetime (doc: "within 10 seconds")
  session_ttl     => 3600,       # idle lifetime of a session (admin security default)
  link_lifetime   => 7200,       # type 2 links without duration ("valid for 2 hours")
  ws_idle_timeout => 120,        # 0 = never close idle websockets
  auth_failure    => 'empty',    # what a failed "auth" login returns: empty | false | 401
  latency_ms      => 0,          # network round trip added to every PBX request (benchmarks)
  domains         => {
    'example.com' => {
      extensions => {
        40 => {password => 'alice-pbx', name => 'Alice'},
        41 => {password => 'bob-pbx',   name => 'Bob'},
        42 => {password => 'carol-pbx', name => 'Carol'},
      }
    }
  },
);

has config => sub { +{%DEFAULTS} };
has [qw(sessions tokens calls websockets)] => sub { {} };
has [qw(requests faults ws_messages)]      => sub { [] };
has call_seq                               => 0;

# Build from a JSON file; keys of %$overrides replace top-level keys of the file.
sub load ($class, $file, $overrides = {}) {
  my $cfg = decode_json(path($file)->slurp);
  croak "$file: top level must be a JSON object" unless ref $cfg eq 'HASH';
  return $class->new_from_config({%$cfg, %$overrides});
}

sub new_from_config ($class, $cfg) {
  my %c = (%DEFAULTS, %$cfg);
  $c{admin} = {%{$DEFAULTS{admin}}, %{$c{admin} // {}}};
  croak "auth_failure must be empty, false or 401" unless $c{auth_failure} =~ /^(?:empty|false|401)$/;
  for my $k (qw(connect_delay token_ttl session_ttl link_lifetime ws_idle_timeout latency_ms)) {
    croak "$k must be a number >= 0" unless ($c{$k} // '') =~ /^\d+(?:\.\d+)?$/;
  }
  croak "domains must be a non-empty object" unless ref $c{domains} eq 'HASH' && %{$c{domains}};

  # Normalise the directory: lower-case domain names, string extensions, default names.
  my %domains;
  for my $d (keys %{$c{domains}}) {
    my $exts = $c{domains}{$d}{extensions} // {};
    croak "domain $d: extensions must be an object" unless ref $exts eq 'HASH';
    $domains{lc $d} = {
      extensions => {
        map {
          my $e = $exts->{$_};
          ("$_" => {password => $e->{password} // '', name => $e->{name} // "Extension $_"})
        } keys %$exts
      }
    };
  }
  $c{domains} = \%domains;
  return $class->new(config => \%c);
}

sub cfg ($self, $key) { $self->config->{$key} }

# The round trip (ms) App.pm adds to every PBX request; set at run time
# through POST /_sim/latency. Returns an error text for a bad value.
sub set_latency ($self, $ms) {
  return 'ms must be a number from 0 to 10000'
    unless defined $ms && !ref $ms && $ms =~ /^\d+(?:\.\d+)?$/ && $ms <= 10000;
  $self->config->{latency_ms} = 0 + $ms;
  return undef;
}

sub now { Time::HiRes::time() }

# 20 random characters [a-z0-9], as the PBX's session ids and tokens.
sub random_id ($self, $len = 20) {
  state $fh = do { open my $f, '<:raw', '/dev/urandom' or die "/dev/urandom: $!"; $f };
  state $chars = ['a' .. 'z', 0 .. 9];
  read($fh, my $buf, $len) == $len or die "short read from /dev/urandom";
  return join '', map { $chars->[ord($_) % 36] } split //, $buf;
}

# ---------------------------------------------------------------- directory

sub domain_names ($self) { [sort keys %{$self->cfg('domains')}] }

sub single_domain ($self) {
  my $d = $self->domain_names;
  return @$d == 1 ? $d->[0] : undef;
}

# Extension record {ext, domain, key, name, password} or undef.
sub extension ($self, $ext, $domain) {
  return undef unless defined $ext && defined $domain;
  my $d = $self->cfg('domains')->{lc $domain} or return undef;
  my $e = $d->{extensions}{$ext}              or return undef;
  return {ext => "$ext", domain => lc $domain, key => "$ext\@" . lc($domain), %$e};
}

# A user string as the PBX accepts it: "ext@domain", or a bare "ext" when
# the system has exactly one domain (or the caller supplies the domain).
sub resolve_user ($self, $user, $domain = undef) {
  return undef unless defined $user && length $user;
  return $self->extension($1, $2) if $user =~ /^([^@]+)@(.+)$/;
  $domain //= $self->single_domain;
  return $self->extension($user, $domain);
}

sub domain_exists ($self, $domain) { defined $domain && exists $self->cfg('domains')->{lc $domain} }

sub all_extensions ($self) {
  my @all;
  for my $d (@{$self->domain_names}) {
    my $exts = $self->cfg('domains')->{$d}{extensions};
    push @all, $self->extension($_, $d) for sort { $a <=> $b || $a cmp $b } keys %$exts;
  }
  return \@all;
}

# ------------------------------------------------------- sessions and tokens

# $info: {type => user|domain|admin, ext, domain}
sub new_session ($self, $info) {
  my $sid = $self->random_id;
  $self->sessions->{$sid} = {%$info, last => $self->now};
  return $sid;
}

# The live session for $sid (touching it), or undef.
sub session ($self, $sid) {
  return undef unless defined $sid && length $sid;
  my $s = $self->sessions->{$sid} or return undef;
  if ($self->now - $s->{last} > $self->cfg('session_ttl')) {
    delete $self->sessions->{$sid};
    return undef;
  }
  $s->{last} = $self->now;
  return $s;
}

sub drop_session ($self, $sid) { delete $self->sessions->{$sid // ''} }

sub new_token ($self, $info) {
  my $tok = $self->random_id;
  $self->tokens->{$tok} = {%$info, created => $self->now};
  return $tok;
}

# Tokens are single use: taking one always removes it; undef if unknown or expired.
sub take_token ($self, $tok) {
  return undef unless defined $tok && !ref $tok;
  my $t = delete $self->tokens->{$tok} or return undef;
  return undef if $self->now - $t->{created} > $self->cfg('token_ttl');
  return $t;
}

sub expire ($self) {
  my $now = $self->now;
  for my $tok (keys %{$self->tokens}) {
    delete $self->tokens->{$tok} if $now - $self->tokens->{$tok}{created} > $self->cfg('token_ttl');
  }
  for my $sid (keys %{$self->sessions}) {
    delete $self->sessions->{$sid} if $now - $self->sessions->{$sid}{last} > $self->cfg('session_ttl');
  }
}

# ------------------------------------------------------------------- calls

sub calls_of ($self, $key) { $self->calls->{$key} //= [] }

sub find_call ($self, $id) {
  for my $key (keys %{$self->calls}) {
    for my $call (@{$self->calls->{$key}}) { return ($key, $call) if $call->{id} eq $id }
  }
  return;
}

# Start a call from extension $who (a record from extension()) to $dest.
# It rings ("alerting") and is connected after connect_delay seconds.
sub add_call ($self, $who, $dest, %opt) {
  my $id   = '' . $self->call_seq($self->call_seq + 1)->call_seq;
  my $call = {
    id            => $id,
    from          => $who->{ext},
    to            => "$dest",
    'from-number' => $who->{ext},
    'to-number'   => "$dest",
    'from-name'   => $who->{name},
    state         => 'alerting',
    callstate     => 'alerting',
    start         => int($self->now),
    prompt        => $opt{connect} ? '' : 'press1',
    direction     => 'out',
  };
  push @{$self->calls_of($who->{key})}, $call;
  $self->push_calls($who->{key});

  Mojo::IOLoop->timer(
    $self->cfg('connect_delay') => sub {
      my ($key, $c) = $self->find_call($id);
      $self->set_state($id, 'connected') if $c && $c->{state} eq 'alerting';
    }
  );
  return $call;
}

sub set_state ($self, $id, $state) {
  my ($key, $call) = $self->find_call($id) or return undef;
  $call->{state} = $call->{callstate} = $state;
  $call->{prompt} = '' unless $state eq 'alerting';    # the prompt was answered
  $self->push_calls($key);
  return $call;
}

sub remove_call ($self, $id) {
  my ($key) = $self->find_call($id) or return undef;
  $self->calls->{$key} = [grep { $_->{id} ne $id } @{$self->calls->{$key}}];
  $self->push_calls($key);
  return $key;
}

sub hangup_all ($self) {
  my @keys = grep { @{$self->calls->{$_}} } keys %{$self->calls};
  $self->calls->{$_} = [] for @keys;
  $self->push_calls($_) for @keys;
  return scalar @keys;
}

# All extensions with their calls (idle ones with []), for the control API.
sub call_table ($self) {
  return {map { ($_->{key} => $self->calls_of($_->{key})) } @{$self->all_extensions}};
}

# -------------------------------------------------------------- websockets

sub add_ws ($self, $key, $c) {
  my $id = $c->tx->connection;
  $self->websockets->{$key}{$id} = $c;
  return $id;
}

sub remove_ws ($self, $key, $id) {
  my $socks = $self->websockets->{$key} or return;
  delete $socks->{$id};
  delete $self->websockets->{$key} unless %$socks;
}

sub ws_count ($self) {
  my $n = 0;
  $n += keys %{$self->websockets->{$_}} for keys %{$self->websockets};
  return $n;
}

sub call_state_msg ($self, $key) { {action => 'call-state', calls => $self->calls_of($key)} }

# Push the extension's call list to each of its open websockets.
sub push_calls ($self, $key) {
  my $msg = $self->call_state_msg($key);
  $_->send({json => $msg}) for values %{$self->websockets->{$key} // {}};
}

# Close the open websockets, all of them or those of extension $key
# ("ext@domain"): with a close frame (1001), or abruptly by closing the TCP
# connection when $abrupt.
sub drop_websockets ($self, $abrupt = 0, $key = undef) {
  my @all;
  for my $k (grep { !defined $key || $_ eq $key } keys %{$self->websockets}) {
    for my $id (keys %{$self->websockets->{$k}}) {
      push @all, $self->websockets->{$k}{$id};
      $self->remove_ws($k, $id);    # no more pushes, even while the closing handshake runs
    }
  }
  for my $c (@all) {
    if ($abrupt) {
      my $stream = Mojo::IOLoop->stream($c->tx->connection);
      $stream->close if $stream;
    }
    else { $c->finish(1001, 'dropped by simulator') }
  }
  return scalar @all;
}

# Messages received on websockets, oldest first: {ext, socket, time, text,
# json (decoded, or null)}.
sub log_ws_message ($self, $key, $socket, $text, $json) {
  my $log = $self->ws_messages;
  push @$log, {ext => $key, socket => "$socket", time => $self->now, text => $text, json => $json};
  shift @$log while @$log > MAX_LOGGED_REQUESTS;
}

sub clear_ws_messages ($self) { @{$self->ws_messages} = () }

# ------------------------------------------------------------- request log

sub log_request ($self, $entry) {
  my $log = $self->requests;
  push @$log, $entry;
  shift @$log while @$log > MAX_LOGGED_REQUESTS;
  return $entry;
}

sub logged_requests ($self, $path = undef) {
  return [grep { !defined $path || $_->{path} eq $path } @{$self->requests}];
}

sub clear_requests ($self) { @{$self->requests} = () }

# ------------------------------------------------------------------ faults

my %FAULT_KINDS = map { $_ => 1 } qw(refuse delay hang 500 status garbage false empty set_cookie no_cookie);

sub add_fault ($self, $f) {
  my $kind = $f->{kind} // '';
  return 'path is required (starting with /)' unless ($f->{path} // '') =~ m{^/};
  return "unknown kind '$kind'"               unless $FAULT_KINDS{$kind};
  return 'seconds must be a number'         if ($f->{seconds} // 0) !~ /^\d+(?:\.\d+)?$/;
  return 'status must be 100..599'          if $kind eq 'status' && ($f->{status} // '') !~ /^[1-5]\d\d$/;
  return 'count must be a positive integer' if defined $f->{count} && $f->{count} !~ /^[1-9]\d*$/;
  return 'match must be a non-empty string' if defined $f->{match} && (ref $f->{match} || !length $f->{match});

  push @{$self->faults}, {
    path    => $f->{path},
    kind    => $kind,
    seconds => $f->{seconds} // 1,
    status  => $f->{status}  // 500,
    count   => $f->{count},                # undef: until cleared
    method  => uc($f->{method} // ''),     # '': any method
    match   => $f->{match},                # undef: any request
  };
  return undef;
}

# The first fault planned for this request, counting it down; undef if none.
# $text (query string and body) is what a fault's "match" must be part of.
sub take_fault ($self, $method, $path, $text = '') {
  my $faults = $self->faults;
  for my $i (0 .. $#$faults) {
    my $f = $faults->[$i];
    next unless $f->{path} eq $path && (!length $f->{method} || $f->{method} eq $method);
    next if defined $f->{match} && index($text, $f->{match}) < 0;
    splice @$faults, $i, 1 if defined $f->{count} && --$f->{count} <= 0;
    return {%$f};
  }
  return undef;
}

sub clear_faults ($self) { @{$self->faults} = () }

1;
