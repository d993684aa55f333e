# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The dial policy on the same-origin websocket: the module reads the
# browser's frames before mod_proxy's tunnel hands them to the PBX. Only the
# click-to-dial client's actions pass; make-call obeys PbxDialDeny, the
# feature-code rule and PbxDialRateLimit, and a refused call never reaches the
# PBX (the browser gets {"action":"pbxdial-refused",...}); binary frames,
# oversized messages, broken framing and malformed JSON close the websocket
# (1003, 1009, 1002, 1007); a compression offer never reaches the PBX.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest;
use Apache::TestUtil qw(t_cmp);
use IO::Select;
use IO::Socket::INET;
use JSON::PP qw(decode_json encode_json);
use MIME::Base64 qw(encode_base64);
use File::Temp qw(tempdir);
use PbxDial::Test qw(sim error_log_mark error_log_since ws_session free_port httpd_root httpd_start httpd_stop window_ahead);

my @other_mpms = qw(worker prefork);
plan tests => 49 + 4 * @other_mpms;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my $hostport = Apache::TestRequest::hostport();
my $ALICE = '40@example.com';
my $BOB = '41@example.com';

# --- a websocket client of our own: frames no library sends

# Opens path as user (alice) and reads the handshake's head.
# {status, head, sock, buf}
sub ws_open {
    my ($path, %o) = @_;
    my $hostport = $o{hostport} // $hostport;
    my $s = IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 10) or die "connect $hostport: $!";
    my $auth = encode_base64($o{user} // 'alice:s3cret', '');
    print {$s} "GET $path HTTP/1.1\r\nHost: $hostport\r\nAuthorization: Basic $auth\r\n",
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
        "Sec-WebSocket-Version: 13\r\n", ($o{extra} // ''), "\r\n";
    my $buf = '';
    while ($buf !~ /\r\n\r\n/) { my $n = sysread $s, $buf, 4096, length $buf; last unless $n }
    my ($head, $rest) = split /\r\n\r\n/, $buf, 2;
    my ($status) = ($head // '') =~ m{^HTTP/1\.1 (\d+)};
    return {status => $status // 0, head => $head // '', sock => $s, buf => $rest // ''};
}

# A masked frame; $b0 is FIN|RSV|opcode, the length as the RFC says unless $len7 forces one.
sub frame {
    my ($b0, $payload, %o) = @_;
    my $n = length $payload;
    my $mask = $o{unmasked} ? '' : pack('C4', map { int rand 256 } 1 .. 4);
    my $m = $o{unmasked} ? 0 : 0x80;
    my $len = $n < 126 ? pack('C', $m | $n)
            : $n < 65536 ? pack('Cn', $m | 126, $n) : pack('CNN', $m | 127, 0, $n);
    my $body = $payload;
    if (!$o{unmasked}) {
        my @k = unpack 'C4', $mask;
        my $i = 0;
        $body = join '', map { chr(ord($_) ^ $k[$i++ % 4]) } split //, $payload;
    }
    return pack('C', $b0) . $len . $mask . $body;
}
sub text { frame(0x81, $_[0]) }
sub json_frame { text(encode_json($_[0])) }

sub send_raw { my ($c, $bytes) = @_; print { $c->{sock} } $bytes; $c->{sock}->flush }

# Server frames until $until->($frame) or the timeout: [[opcode, payload], ...];
# a close frame ends it, and so does the end of the connection ($c->{eof}).
sub read_frames {
    my ($c, %o) = @_;
    my $sel = IO::Select->new($c->{sock});
    my @got;
    my $end = time + ($o{timeout} // 5);
    while (time < $end) {
        while (length($c->{buf}) >= 2) {
            my ($b0, $b1) = unpack 'C2', $c->{buf};
            my ($len, $off) = ($b1 & 0x7f, 2);
            if ($len == 126) { last if length($c->{buf}) < 4; $len = unpack 'x2n', $c->{buf}; $off = 4 }
            elsif ($len == 127) { last if length($c->{buf}) < 10; $len = unpack 'x6N', $c->{buf}; $off = 10 }
            last if length($c->{buf}) < $off + $len;
            my $f = [$b0 & 0x0f, substr($c->{buf}, $off, $len)];
            substr($c->{buf}, 0, $off + $len) = '';
            push @got, $f;
            return \@got if $f->[0] == 8 || ($o{until} && $o{until}->($f));
        }
        last unless $sel->can_read($end - time > 0 ? $end - time : 0.1);
        my $n = sysread $c->{sock}, $c->{buf}, 65536, length $c->{buf};
        if (!$n) { $c->{eof} = 1; last }
    }
    return \@got;
}
sub close_of { my ($frames) = @_; my ($cl) = grep { $_->[0] == 8 } @$frames; $cl ? unpack('n', $cl->[1]) : 'none' }
sub texts { [map { my $j = eval { decode_json($_->[1]) }; $j // $_->[1] } grep { $_->[0] == 1 } @{ $_[0] }] }
sub refusal { my ($frames) = @_; (grep { ref $_ && ($_->{action} // '') eq 'pbxdial-refused' } @{ texts($frames) })[0] // {} }
sub is_refusal { my $j = eval { decode_json($_[0][1]) }; $_[0][0] == 1 && $j && ($j->{action} // '') eq 'pbxdial-refused' }
sub is_state { my $j = eval { decode_json($_[0][1]) }; $_[0][0] == 1 && $j && ($j->{action} // '') eq 'call-state' }
sub sent_to_pbx { [map { $_->{text} } @{ $sim->ws_messages(ext => $_[0] // $ALICE) }] }

# --- allowed: the call is made, rebuilt with the normalised number; other actions pass unchanged
$sim->clear_ws_messages;
$sim->clear_requests;
my $mark = error_log_mark();
my $c = ws_open('/wsp/websocket', extra => "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
ok t_cmp($c->{status}, 101, 'websocket with the policy: 101');
ok t_cmp($c->{head} =~ /Sec-WebSocket-Extensions/i ? 'negotiated' : 'none', 'none', 'no extension negotiated with the browser');
my ($up) = grep { $_->{path} eq '/websocket' } @{ $sim->requests };
ok t_cmp(join(',', grep { /^sec-websocket-extensions$/i } keys %{ $up->{headers} // {} }) || 'none', 'none',
         'the compression offer never reached the PBX');
send_raw($c, text('{ "action" : "get-calls" }'));
my $got = read_frames($c, until => \&is_state);
ok t_cmp(scalar(grep { is_state($_) } @$got), 1, 'get-calls answered by the PBX');
send_raw($c, json_frame({action => 'make-call', to => '030 1234-5', from => '41'}));
ok t_cmp($sim->wait_until(sub { @{ $sim->calls_of($ALICE) } }, 5) ? 'call' : 'no call', 'call', 'allowed number: the PBX makes the call');
ok t_cmp($sim->calls_of($ALICE)->[0]{'to-number'} // '', '03012345', 'to the normalised number');
my $sent = sent_to_pbx();
ok t_cmp($sent->[0] // '', '{ "action" : "get-calls" }', 'get-calls reached the PBX byte for byte');
ok t_cmp($sent->[1] // '', '{"action":"make-call","to":"03012345"}', 'make-call rebuilt: the normalised number, no other field');
ok t_cmp(error_log_since($mark), qr/PBXDIAL1004: websocket make-call to 03012345 for 40\@example\.com \(user "alice"\) passed/,
         'the call is logged with the user');
$sim->hangup_all;

# --- refused: the browser is told why, the PBX sees nothing
sub refused {
    my ($c, $to, $name) = @_;
    $sim->clear_ws_messages;
    send_raw($c, json_frame({action => 'make-call', to => $to}));
    my $r = refusal(read_frames($c, until => \&is_refusal));
    select undef, undef, undef, 0.3;
    my $n = @{ $sim->calls_of($ALICE) } + grep { /make-call/ } @{ sent_to_pbx() };
    ok t_cmp($n, 0, "$name: the PBX sees no call");
    return $r;
}
$mark = error_log_mark();
my $r = refused($c, '0900 123456', 'denied number');
ok t_cmp("$r->{error} $r->{to}", 'number_not_allowed 0900 123456', 'denied number: number_not_allowed, with "to" as the browser sent it');
ok t_cmp($r->{message} // '', qr/09001234\d* may not be dialled/, 'and a sentence to show');
ok t_cmp(error_log_since($mark), qr/PBXDIAL1006: websocket make-call to 0900123456 refused for 40\@example\.com \(user "alice"\): number_not_allowed by \^0900/,
         'logged: who, which number, which rule');
$r = refused($c, '*31#0301234', 'feature code');
ok t_cmp($r->{error} // '', 'feature_code', 'feature code: feature_code');
$r = refused($c, '*31#0900123', 'deny behind a feature code');
ok t_cmp($r->{error} // '', 'number_not_allowed', 'deny sees through *31#');
$r = refused($c, 900123, 'a number that is not a string');
ok t_cmp($r->{error} // '', 'bad_dest', 'not a string: bad_dest');
$sim->clear_ws_messages;
send_raw($c, text('{"action":"make-call","to":"0301234","to":"0900123"}'));
$got = read_frames($c);
ok t_cmp(close_of($got), 1007, 'duplicate "to" (the PBX might read the other): closed with 1007');
ok t_cmp(scalar @{ sent_to_pbx() }, 0, 'and the PBX got nothing of it');
close $c->{sock};

# --- dropped: actions the client does not send
$sim->clear_ws_messages;
$mark = error_log_mark();
$c = ws_open('/wsp/websocket');
send_raw($c, json_frame({action => 'chat', src => '40', dest => '41', message => 'hi'}));
send_raw($c, json_frame({action => 'sdp-packet', to => '0900123', sdp => 'v=0'}));
send_raw($c, json_frame({action => 'avoid-disconnect'}));
send_raw($c, json_frame({action => 'get-calls'}));
read_frames($c, until => \&is_state);
$sent = sent_to_pbx();
ok t_cmp(join(' ', map { decode_json($_)->{action} } @$sent), 'avoid-disconnect get-calls', 'chat and sdp-packet dropped, the keepalive and get-calls passed');
ok t_cmp(error_log_since($mark), qr/PBXDIAL1005: .*action "sdp-packet" is not one the click-to-dial client sends/, 'dropped actions are logged');

# --- fragments and control frames
$sim->clear_ws_messages;
send_raw($c, frame(0x01, '{"action"') . frame(0x89, 'ping!') . frame(0x00, ':"get') . frame(0x8A, '') . frame(0x80, '-calls"}'));
$got = read_frames($c, until => \&is_state);
ok t_cmp(join(',', map { $_->[0] == 10 ? "pong:$_->[1]" : () } @$got), 'pong:ping!', 'a ping inside a fragmented message reaches the PBX (its pong comes back)');
ok t_cmp(scalar(grep { is_state($_) } @$got) . ' ' . (sent_to_pbx()->[0] // ''), '1 {"action":"get-calls"}', 'the fragmented message arrives whole');
# a refused call in fragments, cut anywhere: byte by byte
$sim->clear_ws_messages;
my $bytes = frame(0x01, '{"action":"make-call",') . frame(0x80, '"to":"0900777"}');
send_raw($c, $_) for split //, $bytes;
$r = refusal(read_frames($c, until => \&is_refusal));
ok t_cmp($r->{error} // '', 'number_not_allowed', 'a denied call in fragments, sent byte by byte: refused');
# several frames in one write
send_raw($c, json_frame({action => 'make-call', to => '0900888'}) . json_frame({action => 'get-calls'}));
$got = read_frames($c, until => \&is_state);
ok t_cmp(scalar(grep { is_refusal($_) } @$got) . ' ' . scalar(grep { is_state($_) } @$got), '1 1', 'two frames in one write: one refused, one passed');
ok t_cmp(scalar(grep { /0900/ } @{ sent_to_pbx() }) + @{ $sim->calls_of($ALICE) }, 0, 'no 0900 call reached the PBX');
# the browser closes: its close frame goes on, the PBX answers
send_raw($c, frame(0x88, pack('n', 1000) . 'bye'));
$got = read_frames($c);
ok t_cmp(close_of($got), 1000, 'the browser\'s close frame reaches the PBX, which answers it');
close $c->{sock};

# --- what closes the websocket
sub closes {
    my ($bytes, $code, $name, %o) = @_;
    $sim->clear_ws_messages;
    my $c = ws_open('/wsp/websocket');
    send_raw($c, $bytes);
    my $got = read_frames($c, timeout => 5);
    ok t_cmp(close_of($got), $code, "$name: closed with $code");
    read_frames($c, timeout => 2) unless $c->{eof};
    ok t_cmp(($c->{eof} ? 'closed' : 'open') . ' ' . scalar(@{ sent_to_pbx() }), 'closed 0', "$name: connection ended, the PBX got nothing")
        unless $o{quiet};
}
$mark = error_log_mark();
closes(frame(0x82, "\x00\x01"), 1003, 'binary frame');
closes(text('{"action":"get-calls","x":"' . ('a' x 16400) . '"}'), 1009, 'a message over 16 KiB');
# only the header of a 1 GB frame: refused before any payload is waited for
closes(pack('CCNN', 0x81, 0x80 | 127, 0, 1 << 30) . 'mask', 1009, 'a 1 GB frame header');
closes(pack('CCNN', 0x81, 0x80 | 127, 0x80000000, 5) . 'mask', 1002, '64-bit length with the top bit set');
closes(frame(0xC1, '{"action":"get-calls"}'), 1002, 'RSV1 (a compressed frame)');
closes(frame(0x81, '{"action":"get-calls"}', unmasked => 1), 1002, 'an unmasked frame');
closes(text('{"action":"get-calls"'), 1007, 'malformed JSON', quiet => 1);
closes(text("{\"action\":\"get-calls\",\"x\":\"\xc3\x28\"}"), 1007, 'text that is not UTF-8', quiet => 1);
ok t_cmp(error_log_since($mark), qr/PBXDIAL1001: websocket of 40\@example\.com \(user "alice"\) closed with 1003: binary frame/,
         'the close is logged with its reason');

# --- the rate limit: the upgrade counts one, each call that passes one more
$sim->hangup_all;
$sim->clear_ws_messages;
window_ahead(78, 15);
$c = ws_open('/wsp/limited/websocket');     # extension 41
ok t_cmp($c->{status}, 101, 'rate-limited location: 101 (1 of 3)');
send_raw($c, json_frame({action => 'make-call', to => '0301111'}));
send_raw($c, json_frame({action => 'make-call', to => '0302222'}));
$sim->wait_until(sub { @{ $sim->calls_of($BOB) } >= 2 }, 5);
send_raw($c, json_frame({action => 'make-call', to => '0303333'}));
$r = refusal(read_frames($c, until => \&is_refusal));
ok t_cmp("$r->{error} $r->{to}", 'rate_limited 0303333', 'the third call is over PbxDialRateLimit 3: rate_limited');
ok t_cmp($r->{message} // '', qr/try again in \d+ seconds/, 'with when to try again');
ok t_cmp(join(',', sort map { $_->{'to-number'} } @{ $sim->calls_of($BOB) }), '0301111,0302222', 'the PBX made only the two calls');
close $c->{sock};
$sim->hangup_all;

# --- a library client (Mojo offers permessage-deflate) works through the filter
$r = ws_session("ws://alice:s3cret\@$hostport/wsp/websocket",
    send => [{action => 'make-call', to => '0123456789'}],
    until => sub { ($_[0]{action} // '') eq 'call-state' && @{ $_[0]{calls} // [] } });
my ($state) = grep { ($_->{action} // '') eq 'call-state' && @{ $_->{calls} } } @{ $r->{messages} };
ok t_cmp($state->{calls}[0]{'to-number'} // '', '0123456789', 'Mojo client (offers compression): the call is made, frames uncompressed');
$sim->hangup_all;

# --- the same filter under the worker and prefork MPMs (t/ runs event), in private servers
my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $moddir = `apxs -q LIBEXECDIR`; chomp $moddir;
my $dir = tempdir('pbxdial-wspolicy-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my @load = grep { /^LoadModule / && !/mpm_/ } do { open my $fh, '<', "$top/t/conf/modules.conf" or die $!; <$fh> };
for my $mpm (@other_mpms) {
    my $port = free_port();
    my $sr = "$dir/$mpm";
    my $head = httpd_root($sr, $port);
    open my $fh, '>', "$sr/httpd.conf" or die $!;
    print {$fh} $head, "LoadModule mpm_${mpm}_module $moddir/mod_mpm_$mpm.so\n", @load,
        "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
        "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\nPbxDialTimeout 5\n",
        "<Location /wsp/websocket>\n ProxyPass $ENV{PBXDIAL_SIM_URL}/websocket upgrade=websocket\n",
        " AuthType Basic\n AuthName CRM\n AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n",
        " PbxDialDomain example.com\n PbxDialExtension 40\n PbxDialWebSocket On\n PbxDialDeny ^0900\n</Location>\n";
    close $fh;
    httpd_start($sr, $port);
    $sim->hangup_all;
    $sim->clear_ws_messages;
    my $c = ws_open('/wsp/websocket', hostport => "127.0.0.1:$port");
    send_raw($c, json_frame({action => 'make-call', to => '0900 5'}));
    my $r = refusal(read_frames($c, until => \&is_refusal));
    ok t_cmp($r->{error} // '', 'number_not_allowed', "$mpm: denied number refused");
    send_raw($c, frame(0x01, '{"action":"make-') . frame(0x89, 'x') . frame(0x80, 'call","to":"0304"}'));
    ok t_cmp($sim->wait_until(sub { @{ $sim->calls_of($ALICE) } }, 5) ? $sim->calls_of($ALICE)->[0]{'to-number'} : 'none',
             '0304', "$mpm: allowed number in fragments with a ping: the PBX makes the call");
    ok t_cmp(scalar(grep { /0900/ } @{ sent_to_pbx() }), 0, "$mpm: the denied one never reached the PBX");
    send_raw($c, frame(0x82, 'x'));
    ok t_cmp(close_of(read_frames($c)), 1003, "$mpm: binary frame: 1003");
    close $c->{sock};
    httpd_stop($sr);
    $sim->hangup_all;
}
