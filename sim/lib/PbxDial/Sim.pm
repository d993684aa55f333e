# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
package PbxDial::Sim;

# Start the PBX simulator (sim/pbxdial-sim, or the installed pbxdial-sim)
# for a Perl test, or attach to a running one, and drive its control
# interface (/_sim/*).
#
#   my $sim = PbxDial::Sim->start(config => 'sim/pbx.json', tls => 1, dir => $dir,
#                                 connect_delay => 1);   # other keys override the config
#   $sim->url; $sim->tls_url; $sim->ca_file; $sim->pid; $sim->stop;
#   my $att = PbxDial::Sim->attach($url);                 # control only
#   $sim->requests(path => '/rest/system/session'); $sim->clear_requests;
#   $sim->fault(path => ..., kind => ..., seconds => ..., count => ...); $sim->clear_faults;
#   $sim->calls; $sim->calls_of('40@example.com'); $sim->hangup_all; $sim->drop_websockets(ext => ...);
#   $sim->ws_messages(ext => '40@example.com'); $sim->clear_ws_messages;
#   $sim->latency(20);                                    # ms added to every PBX request

use strict;
use warnings;

use Carp qw(croak);
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Spec;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use Mojo::JSON qw(decode_json encode_json);
use POSIX qw(WNOHANG);
use Scalar::Util qw(weaken);
use Time::HiRes qw(sleep time);

my $SIM_DIR = abs_path(dirname(__FILE__) . '/../..');  # sim/lib/PbxDial -> sim

# `make install` writes the installed locations into these two lines; in the
# source tree they keep their @...@ and the tree's sim/ copies are used.
my $INSTALLED_BIN    = '@bindir@/pbxdial-sim';
my $INSTALLED_CONFIG = '@pkgdatadir@/pbx.json';
my $IN_TREE          = $INSTALLED_BIN =~ /^\@/;

my %LAUNCH_KEYS = map { $_ => 1 } qw(config tls dir bin timeout http_port https_port);
my %LIVE;                                                # pid => weakened object, for END

# ------------------------------------------------------------------ launch

sub start {
  my ($class, %args) = @_;
  my %o         = map { ($_ => delete $args{$_}) } grep { exists $args{$_} } keys %LAUNCH_KEYS;
  my $overrides = \%args;                                # everything else: config keys

  my $dir = $o{dir} // tempdir('pbxdial-sim-XXXXXX', TMPDIR => 1, CLEANUP => 1);
  -d $dir or mkdir $dir or croak "mkdir $dir: $!";
  $dir = abs_path($dir);
  chmod 0755, $dir;    # httpd children (nobody) read the CA file in here

  my $bin = $o{bin} // _find_bin();

  # The simulator reads one file: the given config with the overrides applied.
  my $src = $o{config} // _find_config($bin);
  my $cfg = decode_json(_slurp($src));
  croak "$src: top level must be a JSON object" unless ref $cfg eq 'HASH';
  %$cfg = (%$cfg, %$overrides);
  my $cfg_file = "$dir/pbx-sim.json";
  _spurt($cfg_file, encode_json($cfg), 0600);    # holds the test passwords

  my $self = bless {
    dir         => $dir,
    config      => $cfg,
    config_file => $cfg_file,
    log_file    => "$dir/sim.log",
    ready_file  => "$dir/sim-ready.json",
    owner       => $$,
  }, $class;

  my @cmd = ($^X, $bin, '--config', $cfg_file, '--http', '127.0.0.1:' . ($o{http_port} // 0), '--ready-file', $self->{ready_file},
    '--parent', $$);
  if ($o{tls}) {
    @$self{qw(cert_file key_file)} = ("$dir/cert.pem", "$dir/key.pem");
    $self->_make_cert;
    push @cmd, '--https', '127.0.0.1:' . ($o{https_port} // 0), '--cert', $self->{cert_file}, '--key', $self->{key_file};
  }

  unlink $self->{ready_file};
  my $pid = fork // croak "fork: $!";
  if (!$pid) {
    open STDIN,  '<',  File::Spec->devnull or POSIX::_exit(127);
    open STDOUT, '>>', $self->{log_file}   or POSIX::_exit(127);
    open STDERR, '>&', \*STDOUT            or POSIX::_exit(127);
    exec @cmd or POSIX::_exit(127);
  }
  $self->{pid} = $pid;
  weaken($LIVE{$pid} = $self);

  $self->_wait_ready($o{timeout} // 10);
  return $self;
}

# The simulator: $PBXDIAL_SIM_BIN, else the source tree's sim/pbxdial-sim,
# else the installed one (where `make install` put it, else pbxdial-sim in PATH).
sub _find_bin {
  return $ENV{PBXDIAL_SIM_BIN} if $ENV{PBXDIAL_SIM_BIN};
  return "$SIM_DIR/pbxdial-sim" if $IN_TREE;
  return $INSTALLED_BIN if -f $INSTALLED_BIN;
  for my $dir (File::Spec->path) {
    my $f = File::Spec->catfile($dir, 'pbxdial-sim');
    return $f if -f $f && -x _;
  }
  croak "pbxdial-sim not found in $INSTALLED_BIN or PATH; set PBXDIAL_SIM_BIN or pass bin => ...";
}

# The default config: $PBXDIAL_SIM_CONFIG, else the tree's sim/pbx.json,
# else the installed one (where `make install` put it, else
# BINDIR/../share/mod_pbxdial/pbx.json next to the simulator found, as in a
# `make install DESTDIR=...` copy).
sub _find_config {
  my $bin = shift;
  return $ENV{PBXDIAL_SIM_CONFIG} if $ENV{PBXDIAL_SIM_CONFIG};
  return "$SIM_DIR/pbx.json" if $IN_TREE;
  return $INSTALLED_CONFIG if -f $INSTALLED_CONFIG;
  my $near = abs_path(dirname($bin)) . '/../share/mod_pbxdial/pbx.json';
  return $near if -f $near;
  croak "default simulator config not found in $INSTALLED_CONFIG or $near; set PBXDIAL_SIM_CONFIG or pass config => ...";
}

# A self-signed certificate for 127.0.0.1 / localhost; OpenSSL 3 marks it
# CA:TRUE, so the certificate is also the CA file clients use.
sub _make_cert {
  my $self = shift;
  my @cmd  = (
    qw(openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1),
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', $self->{key_file}, '-out', $self->{cert_file},
  );
  my $log = "$self->{dir}/openssl.log";
  my $pid = fork // croak "fork: $!";
  if (!$pid) {
    open STDOUT, '>', $log or POSIX::_exit(127);
    open STDERR, '>&', \*STDOUT or POSIX::_exit(127);
    exec @cmd or POSIX::_exit(127);
  }
  waitpid $pid, 0;
  croak "openssl req failed:\n" . _slurp($log) if $?;
  unlink $log;
  chmod 0644, $self->{cert_file}, $self->{key_file};    # test-only key; httpd children must read the cert
}

sub _wait_ready {
  my ($self, $timeout) = @_;
  my $deadline = time + $timeout;
  while (time < $deadline) {
    if (-s $self->{ready_file}) {
      my $ready = decode_json(_slurp($self->{ready_file}));
      $self->{url}     = $ready->{http};
      $self->{tls_url} = $ready->{https};
      return;
    }
    if (waitpid($self->{pid}, WNOHANG) == $self->{pid}) {
      my $status = $?;
      delete $self->{pid};
      croak "pbxdial-sim exited (status $status) before it was ready:\n" . $self->log;
    }
    sleep 0.05;
  }
  $self->stop;
  croak "pbxdial-sim not ready after ${timeout}s:\n" . $self->log;
}

# A control-only client for a simulator started elsewhere.
sub attach {
  my ($class, $url) = @_;
  croak 'attach needs a URL' unless $url;
  $url =~ s{/+$}{};
  return bless {url => $url}, $class;
}

sub stop {
  my $self = shift;
  local ($?, $!, $@);    # may run from DESTROY/END: leave the test's exit status alone
  my $pid = $self->{pid} or return;
  return unless $self->{owner} && $self->{owner} == $$;
  delete $LIVE{$pid};
  delete $self->{pid};
  kill 'TERM', $pid;
  my $deadline = time + 5;
  while (time < $deadline) { return if waitpid($pid, WNOHANG) != 0; sleep 0.05 }
  kill 'KILL', $pid;
  waitpid $pid, 0;
}

sub DESTROY { $_[0]->stop }
END { $_ && $_->stop for values %LIVE }

# ---------------------------------------------------------------- accessors

sub url         { $_[0]{url} }
sub tls_url     { $_[0]{tls_url} }
sub ca_file     { $_[0]{cert_file} }
sub cert_file   { $_[0]{cert_file} }
sub key_file    { $_[0]{key_file} }
sub pid         { $_[0]{pid} }
sub dir         { $_[0]{dir} }
sub config      { $_[0]{config} }         # the effective config (file + overrides)
sub config_file { $_[0]{config_file} }
sub log_file    { $_[0]{log_file} }
sub log         { my $f = $_[0]{log_file}; defined $f && -e $f ? _slurp($f) : '' }

# ----------------------------------------------------------- control calls

sub _control {
  my ($self, $method, $path, $body) = @_;
  my $url = $self->{url} // $self->{tls_url} // croak 'simulator not running';
  $self->{http} //= HTTP::Tiny->new(timeout => 10, keep_alive => 0, verify_SSL => 0);
  my $res = $self->{http}->request($method, "$url$path",
    defined $body ? {content => encode_json($body), headers => {'Content-Type' => 'application/json'}} : {});
  my $data = eval { decode_json($res->{content}) };
  croak "pbxdial-sim $method $path: $res->{status} " . ($data && ref $data eq 'HASH' && $data->{error} || $res->{content})
    unless $res->{success};
  return $data;
}

sub requests {
  my ($self, %q) = @_;
  my $path = '/_sim/requests';
  $path .= '?path=' . _escape($q{path}) if defined $q{path};
  return $self->_control(GET => $path);
}

sub clear_requests { $_[0]->_control(DELETE => '/_sim/requests'); 1 }

# kind: refuse | delay | hang | 500 | status | garbage | false | empty;
# seconds (delay), status (status), count (default: until cleared), method (default: any),
# match (default: any request; else a string the query string or body must contain).
sub fault {
  my ($self, %f) = @_;
  return $self->_control(POST => '/_sim/fault', \%f);
}

sub clear_faults { $_[0]->_control(DELETE => '/_sim/fault'); 1 }
sub faults       { $_[0]->_control(GET => '/_sim/faults') }

sub calls    { $_[0]->_control(GET => '/_sim/calls') }
sub calls_of { my ($self, $key) = @_; $self->calls->{$key} // [] }

sub hangup_all { $_[0]->_control(DELETE => '/_sim/calls'); 1 }

# A call started from the phone itself (from => 'ext@domain', to => NUMBER, connect => 0|1).
sub add_call { my ($self, %c) = @_; $self->_control(POST => '/_sim/calls', \%c) }

sub set_call_state { my ($self, $id, $state) = @_; $self->_control(POST => "/_sim/calls/$id", {state => $state}) }
sub hangup         { my ($self, $id) = @_; $self->_control(DELETE => "/_sim/calls/$id"); 1 }

# Close every open websocket (close frame 1001; abrupt => 1 drops the TCP
# connections; ext => '40@example.com' only that extension's). Returns how many.
sub drop_websockets {
  my ($self, %o) = @_;
  my %body = (abrupt => $o{abrupt} ? 1 : 0);
  $body{ext} = $o{ext} if defined $o{ext};
  return $self->_control(POST => '/_sim/ws-drop', \%body)->{closed};
}

# Messages clients sent on websockets: [{ext, socket, time, text, json}], oldest first.
sub ws_messages {
  my ($self, %q) = @_;
  return $self->_control(GET => '/_sim/ws-messages' . (defined $q{ext} ? '?ext=' . _escape($q{ext}) : ''));
}
sub clear_ws_messages { $_[0]->_control(DELETE => '/_sim/ws-messages'); 1 }

# The round trip (ms) added to every PBX request: get, or set from now on.
sub latency {
  my ($self, $ms) = @_;
  return $self->_control(GET => '/_sim/latency')->{ms} unless defined $ms;
  return $self->_control(POST => '/_sim/latency', {ms => $ms})->{ms};
}

sub sessions { $_[0]->_control(GET => '/_sim/sessions') }    # {sessions, tokens, websockets, list => [{id,type,ext,domain}]}

# Poll $cond (called with $self) every 50 ms until it returns true; returns
# its last value (false after $timeout seconds, default 5).
sub wait_until {
  my ($self, $cond, $timeout) = @_;
  my $deadline = time + ($timeout // 5);
  while (1) {
    my $v = $cond->($self);
    return $v if $v || time >= $deadline;
    sleep 0.05;
  }
}

# ----------------------------------------------------------------- helpers

sub _slurp {
  my $file = shift;
  open my $fh, '<:raw', $file or croak "$file: $!";
  local $/;
  return scalar <$fh>;
}

sub _spurt {
  my ($file, $data, $mode) = @_;
  open my $fh, '>:raw', $file or croak "$file: $!";
  chmod $mode // 0644, $file;
  print {$fh} $data;
  close $fh or croak "$file: $!";
}

sub _escape { my $s = shift; $s =~ s/([^A-Za-z0-9\-._~\/])/sprintf '%%%02X', ord $1/ge; $s }

1;
