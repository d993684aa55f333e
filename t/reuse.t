# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Connections to the PBX are reused across requests (keep-alive, kept
# curl handles, shared TLS sessions), a kept handle carries nothing of its
# last transfer into the next, and a PBX restart is survived.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use PbxDial::Test qw(sim json_of in_vhost free_port httpd_root httpd_start suite_modules);
use PbxDial::Sim;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use MIME::Base64 qw(encode_base64);

plan tests => 12;

my $sim = sim();
$sim->clear_faults;
$sim->clear_requests;
my @auth = (username => '40', password => 's3cret');

my $n = 30;
my $ok = grep { GET('/rest/pbxlogin', @auth)->code == 200 } 1 .. $n;
ok t_cmp($ok, $n, "$n logins succeed");
my $reqs = $sim->requests(path => '/rest/system/session');
my %conns = map { ($_->{peer} // 'none') => 1 } @$reqs;
my $threads = 2 * 8;    # at most this many children x threads of the test server
ok t_cmp(scalar(@$reqs), $n, 'the PBX saw every request');
ok t_cmp(scalar(keys %conns) <= $threads ? 'reused' : 'new connection each time',
         'reused', sprintf('%d requests on %d connections (at most one per httpd thread)', scalar(@$reqs), scalar keys %conns));

# Kept handles keep their options between transfers; what differs per
# transfer must be set anew each time. Mixed on the same threads: logins
# (an admin-authenticated POST, then a POST with a body), calls (a GET with
# a session cookie) and a server whose PbxDialCAFile does not sign the
# simulator (its own CA file, then the default one again).
$sim->clear_requests;
$sim->hangup_all;
my $rounds = 12;
my %codes;
for (1 .. $rounds) {
  $codes{login}{ GET('/rest/pbxlogin', @auth)->code }++;
  $codes{call}{ GET('/remote_call.htm?dest=0123456789', @auth)->code }++;
  $codes{untrusted}{ in_vhost(pbx_untrusted => sub { GET('/rest/pbxlogin', @auth) })->code }++;
  $sim->hangup_all;
}
ok t_cmp(join(' ', map { my $k = $_; "$k:" . join(',', map { "${_}x$codes{$k}{$_}" } sort keys %{ $codes{$k} }) } sort keys %codes),
         "call:200x$rounds login:200x$rounds untrusted:502x$rounds",
         'logins and calls succeed and the untrusted server fails verification, interleaved on kept handles');
my @seen = @{ $sim->requests };
my @bad;
for my $r (@seen) {
  my $h = $r->{headers} // {};
  my $body = $r->{body} // '';
  my $what = "$r->{method} $r->{path}" . ($body =~ /"3rd"/ ? ' (3rd)' : '');
  if ($r->{method} eq 'POST') {
    push @bad, "$what: no body" unless length $body;
    push @bad, "$what: cookie" if defined $h->{cookie};
    push @bad, "$what: admin credentials " . (defined $h->{authorization} ? 'sent' : 'missing')
      if (defined $h->{authorization}) != ($body =~ /"3rd"/ ? 1 : 0);
  }
  else {
    push @bad, "$what: body" if length $body;
    push @bad, "$what: admin credentials" if defined $h->{authorization};
    push @bad, "$what: no session cookie" unless ($h->{cookie} // '') =~ /^session=/;
  }
}
ok t_cmp(join('; ', @bad) || 'none', 'none', sprintf('%d PBX requests: credentials, cookie and body only where each belongs', scalar @seen));
ok t_cmp(scalar(grep { $_->{method} eq 'GET' && $_->{path} eq '/remote_call.htm' } @seen), $rounds,
         'every call reached the PBX as a GET');

# The other direction, on one handle: a private httpd with a single worker
# thread, whose main server trusts only libcurl's default CAs (no
# PbxDialCAFile) and whose second server trusts the simulator's CA. A
# handle that kept the second server's CA file would let the main server
# trust a CA its admin never named.
{
  my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
  my $dir = tempdir('pbxdial-reuse-XXXXXX', TMPDIR => 1, CLEANUP => 1);
  chmod 0755, $dir;
  my ($port, $port_ca) = (free_port(), free_port());
  my $sr = "$dir/onethread";
  my $head = httpd_root($sr, $port);
  open my $fh, '>', "$sr/httpd.conf" or die "$sr/httpd.conf: $!";
  print {$fh} $head, suite_modules(),
      "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
      "Listen 127.0.0.1:$port_ca\n",
      "StartServers 1\nServerLimit 1\nThreadLimit 1\nThreadsPerChild 1\nMaxRequestWorkers 1\n",
      "MinSpareThreads 1\nMaxSpareThreads 2\n",
      "PbxDialServer $ENV{PBXDIAL_SIM_TLS_URL}\nPbxDialAdmin admin adminpw\nPbxDialTimeout 5\n",
      "PbxDialSessionLifetime Off\n",
      "<Location /rest/pbxlogin>\n SetHandler pbxdial-login\n AuthType Basic\n AuthName CRM\n",
      " AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n PbxDialDomain example.com\n</Location>\n",
      "<VirtualHost 127.0.0.1:$port_ca>\n PbxDialCAFile $ENV{PBXDIAL_SIM_CA}\n</VirtualHost>\n";
  close $fh;
  my $base = httpd_start($sr, $port);
  my $http = HTTP::Tiny->new(timeout => 15, keep_alive => 0);
  my %h = (Authorization => 'Basic ' . encode_base64('40:s3cret', ''), Accept => 'application/json');
  my (@with_ca, @default);
  for (1 .. 4) {
    push @with_ca, $http->get("http://127.0.0.1:$port_ca/rest/pbxlogin", {headers => \%h})->{status};
    my $res = $http->get("$base/rest/pbxlogin", {headers => \%h});
    push @default, $res->{status} . (($res->{content} // '') =~ /"pbx_tls"/ ? ' pbx_tls' : '');
  }
  ok t_cmp("@with_ca", '200 200 200 200', 'one thread: the server with the simulator\'s CA file logs in');
  ok t_cmp(join(', ', @default), join(', ', ('502 pbx_tls') x 4),
           '... and the main server, right after it on the same handle, still refuses the certificate (libcurl\'s default CAs)');
}

# A PBX restart under pooled connections: while it is down requests fail fast
# (502, not a hang); once it is back, the dead pooled connections are noticed
# and replaced, and every request succeeds again.
my $port = $ENV{PBXDIAL_SIM2_PORT} or die "run through t/TEST\n";
my $pbx = PbxDial::Sim->start(http_port => $port);
my $before = grep { in_vhost(pbx_restart => sub { GET('/rest/pbxlogin', @auth) })->code == 200 } 1 .. 10;
ok t_cmp($before, 10, 'the second PBX answers (10 logins)');
my %peers = map { ($_->{peer} // '') => 1 } @{ $pbx->requests(path => '/rest/system/session') };
$pbx->stop;
my $down = in_vhost(pbx_restart => sub { GET('/rest/pbxlogin', @auth) })->code;
ok t_cmp($down, 502, 'PBX down: 502 at once');
$pbx = PbxDial::Sim->start(http_port => $port);
my $after = grep { in_vhost(pbx_restart => sub { GET('/rest/pbxlogin', @auth) })->code == 200 } 1 .. 10;
ok t_cmp($after, 10, 'PBX restarted: all 10 logins succeed over new connections');
ok t_cmp(scalar(keys %peers) < 10 ? 'reused' : 'not reused', 'reused', 'connections were reused before the restart');
$pbx->stop;
