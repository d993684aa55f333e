# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
package PbxDial::Sim::WebSocket;

# The simulator's websocket transaction: Mojo's, with a clean closing
# handshake when the simulator closes first (ws-drop, idle timeout).
#
# Mojo::Transaction::WebSocket answers every close frame it receives with a
# close frame of its own, even when it sent the first one, and drops the TCP
# connection as soon as its own close frame is written. A browser then sees
# either a second close frame (Chromium logs "Close received after close" and
# reports code 1006) or a reset instead of the peer's reply (wasClean false).
# Here, as RFC 6455 §5.5.1 and §7.1.1 say: one close frame per side; after
# ours, wait for the peer's (at most CLOSE_WAIT seconds), then close TCP.
# A close started by the peer is answered once and the connection closed, as
# before.

use Mojo::Base 'Mojo::Transaction::WebSocket', -signatures;

use Mojo::IOLoop;
use Mojo::WebSocket qw(WS_CLOSE);
use Scalar::Util qw(weaken);

use constant CLOSE_WAIT => 2;    # seconds to wait for the peer's close frame

# Turn the transaction of a websocket request into one of these.
sub adopt ($class, $tx) { bless $tx, $class }

sub parse_message ($self, $frame) {
  if ($frame->[4] == WS_CLOSE) {
    if ($self->{closing}) {    # the peer's answer to our close: the handshake is complete
      $self->emit(frame => $frame);
      $self->{peer_closed} = 1;
      return $self->emit('resume');    # lets server_write complete, and the server close TCP
    }
    $self->{peer_closed} = 1;          # the peer closes first: answered once by finish()
  }
  return $self->SUPER::parse_message($frame);
}

sub finish ($self, @args) {
  return $self if $self->{closing};    # one close frame per side
  $self->SUPER::finish(@args);
  unless ($self->{peer_closed}) {      # a peer that never answers does not keep the connection
    weaken(my $weak = $self);
    Mojo::IOLoop->timer(
      CLOSE_WAIT, sub {
        return unless $weak && !$weak->{peer_closed};
        $weak->{peer_closed} = 1;
        $weak->emit('resume');
      }
    );
  }
  return $self;
}

# Nothing may follow our close frame.
sub send ($self, $msg, @cb) {
  return $self if $self->{closing};
  return $self->SUPER::send($msg, @cb);
}

# Mojo completes the transaction (and the server closes TCP) once our close
# frame is written; hold that back until the peer's close frame came.
sub server_write ($self) {
  return $self->SUPER::server_write if !$self->{closing} || $self->{peer_closed};
  local $self->{closing} = 0;
  return $self->SUPER::server_write;
}

1;
