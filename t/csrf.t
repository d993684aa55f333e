# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Type-1 links (ambient credentials: a Basic login, a cookie) dial at once
# only on positive evidence that they come from this site or from the user
# directly: Sec-Fetch-Site same-origin or none, or (without fetch metadata)
# an Origin/Referer of this very origin. Everything else gets a confirmation
# page; its POST carries a stateless HMAC token bound to the path, the user
# and the link, good for one call and five minutes. Showing the page writes
# nothing to PbxDialCache. Links with their own proof (types 2, 3) are not
# affected.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET POST);
use Apache::TestUtil qw(t_cmp);
use Digest::MD5 qw(md5_hex);
use Digest::SHA qw(hmac_sha256 hmac_sha256_hex);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use MIME::Base64 qw(encode_base64);
use PbxDial::Test qw(sim json_of without_provenance free_port wait_port spawn stop_pid
                     httpd_root httpd_start httpd_stop @DIRECT suite_modules);

plan tests => 75;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my @alice = (username => '40', password => 's3cret');
my @json = (Accept => 'application/json');
my $hostport = Apache::TestRequest::hostport();
my ($host, $port) = $hostport =~ /^(.+):(\d+)$/;
my $own = "http://$hostport";
my $url = '/remote_call.htm?dest=0123456';

sub ncalls { my $n = scalar @{ $sim->calls_of(shift // '40@example.com') }; $sim->hangup_all; $n }
sub token_of { my ($t) = shift->content =~ /name="token" value="([^"]+)"/; $t // '' }
# 'confirm' for the confirmation page, 'dialled' for a call, else the status
sub outcome {
    my $res = shift;
    return 'confirm' if $res->code == 200 && $res->content =~ m{<title>Confirm the call</title>};
    return $res->code == 200 ? 'dialled' : $res->code;
}
# what a GET of the link with these headers did, and how many calls it placed
sub got { my $o = outcome(GET($url, @alice, @_)); "$o " . ncalls() }

# --- what dials at once: positive evidence only
ok t_cmp(got('Sec-Fetch-Site' => 'same-origin'), 'dialled 1', 'Sec-Fetch-Site: same-origin: dials');
ok t_cmp(got('Sec-Fetch-Site' => 'none'), 'dialled 1', 'Sec-Fetch-Site: none (typed, bookmark, mail client): dials');
ok t_cmp(got('Sec-Fetch-Site' => 'SAME-ORIGIN'), 'dialled 1', 'Sec-Fetch-Site compares without case');
ok t_cmp(got(Origin => $own), 'dialled 1', "no fetch metadata, Origin $own: dials");
ok t_cmp(got(Referer => "$own/crm/contacts?id=7#x"), 'dialled 1', 'no fetch metadata, Referer of this origin: dials');
ok t_cmp(got(Origin => $own, Referer => "$own/crm"), 'dialled 1', 'own Origin and own Referer: dials');
ok t_cmp(got(Referer => 'HTTP://' . uc($host) . ".:$port/crm"), 'dialled 1', 'Referer in other case, trailing dot: same origin');
ok t_cmp(got(), 'dialled 1', 'the suite default (a person opening the link: Sec-Fetch-Site: none) dials');

# --- everything else: the confirmation page, no call
ok t_cmp(without_provenance(sub { got() }), 'confirm 0', 'no Sec-Fetch-Site, no Origin, no Referer: confirm');
ok t_cmp(without_provenance(sub { got(Referer => '') }), 'confirm 0', 'empty Referer: confirm');
ok t_cmp(got('Sec-Fetch-Site' => 'same-site'), 'confirm 0', 'Sec-Fetch-Site: same-site (a sibling subdomain): confirm');
ok t_cmp(got('Sec-Fetch-Site' => 'cross-site'), 'confirm 0', 'Sec-Fetch-Site: cross-site: confirm');
ok t_cmp(got('Sec-Fetch-Site' => 'whatever'), 'confirm 0', 'unknown Sec-Fetch-Site value: confirm');
ok t_cmp(got('Sec-Fetch-Site' => 'cross-site', Referer => "$own/crm"), 'confirm 0', 'cross-site with an own Referer: Sec-Fetch-Site wins');
ok t_cmp(got('Sec-Fetch-Site' => 'same-site', Origin => $own), 'confirm 0', 'same-site with an own Origin: Sec-Fetch-Site wins');
ok t_cmp(got('Sec-Fetch-Site' => 'none, cross-site'), 'confirm 0', 'two Sec-Fetch-Site values: confirm');
ok t_cmp(got(Origin => 'https://evil.example'), 'confirm 0', 'foreign Origin: confirm');
ok t_cmp(got(Origin => 'null'), 'confirm 0', 'Origin: null (sandboxed frame, data: URL): confirm');
ok t_cmp(got(Origin => 'https://evil.example', Referer => "$own/crm"), 'confirm 0', 'foreign Origin, own Referer: confirm');
ok t_cmp(got(Origin => $own, Referer => 'https://evil.example/'), 'confirm 0', 'own Origin, foreign Referer: confirm');
ok t_cmp(got(Origin => "$own/"), 'confirm 0', 'Origin with a path (no browser sends it): confirm');
ok t_cmp(got(Referer => 'https://evil.example/page'), 'confirm 0', 'foreign Referer: confirm');
ok t_cmp(got(Referer => "http://crm.$host:$port/"), 'confirm 0', 'Referer of a sibling subdomain: confirm');
ok t_cmp(got(Referer => "http://$host:" . ($port + 1) . '/crm'), 'confirm 0', 'Referer of another port: confirm');
ok t_cmp(got(Referer => "https://$hostport/crm"), 'confirm 0', 'Referer of another scheme: confirm');
ok t_cmp(got(Referer => "http://$host/crm"), 'confirm 0', 'Referer on the default port: another origin');
ok t_cmp(got(Referer => "http://$host.evil.example:$port/"), 'confirm 0', 'Referer https://own.host.evil.example/: confirm');
ok t_cmp(got(Referer => "http://$hostport\@evil.example/"), 'confirm 0', 'Referer https://own.host@evil.example/: confirm');
ok t_cmp(got(Referer => "http://$hostport.evil.example/"), 'confirm 0', 'Referer with the port run into another name: confirm');
ok t_cmp(got(Referer => "http://$hostport\\\@evil.example/"), 'confirm 0', 'Referer with a backslash trick: confirm');
ok t_cmp(got(Referer => '/crm/contacts'), 'confirm 0', 'relative Referer: confirm');
ok t_cmp(got(Referer => "ftp://$hostport/"), 'confirm 0', 'Referer of another scheme (ftp): confirm');

my $res = GET $url, @alice, 'Sec-Fetch-Site' => 'cross-site', @json;
ok t_cmp($res->code, 403, 'JSON client without evidence: 403');
ok t_cmp(json_of($res)->{error}, 'confirm_required', '... confirm_required');
ok t_cmp(ncalls(), 0, '... and no call');

# --- the page
$res = GET $url, @alice, 'Sec-Fetch-Site' => 'cross-site';
ok t_cmp($res->header('X-Frame-Options'), 'DENY', 'the page cannot be framed');
ok t_cmp($res->header('Content-Security-Policy') // '', qr/frame-ancestors 'none'/, 'CSP frame-ancestors none');
ok t_cmp($res->header('Cache-Control') // '', qr/no-store/, 'the page is not stored');
my ($action) = $res->content =~ /action="([^"]+)"/;
ok t_cmp($action // '', $url, 'the form posts to the same link');
my $token = token_of($res);
ok t_cmp($token, qr/^[1-9][0-9]{9,}\.[0-9a-f]{16}\.[0-9a-f]{64}$/, 'the token is EXPIRY.NONCE.HMAC');
ok t_cmp(token_of(GET($url, @alice, 'Sec-Fetch-Site' => 'cross-site')) ne $token ? 'differ' : 'same', 'differ', 'each page has its own token');
my ($exp) = $token =~ /^(\d+)/;
ok t_cmp(($exp // 0) - time > 250 && ($exp // 0) - time <= 300 ? 'five minutes' : $exp, 'five minutes', 'it expires in five minutes');

# --- the POST
ok t_cmp(outcome(POST($url, @alice, Origin => $own, content => "token=$token")) . ' ' . ncalls(), 'dialled 1', 'the confirmation dials once');
$res = POST $url, @alice, Origin => $own, @json, content => "token=$token";
ok t_cmp($res->code . ' ' . (json_of($res)->{error} // '') . ' ' . ncalls(), '403 confirmation_invalid 0', 'the same POST again: refused');
ok t_cmp(json_of($res)->{message} // '', qr/already used/, '... "already used"');

sub fresh { token_of(GET($url, @alice, 'Sec-Fetch-Site' => 'cross-site')) }
sub refused {
    my ($path, $content, $name, @h) = @_;
    my $r = POST $path, @json, @h, content => $content;
    ok t_cmp($r->code . ' ' . (json_of($r)->{error} // '') . ' ' . ncalls(), '403 confirmation_invalid 0', $name);
}
refused('/remote_call.htm?dest=0999', 'token=' . fresh(), 'token for another number: refused', @alice);
refused("$url&connect=true", 'token=' . fresh(), 'token for the link plus connect=true: refused', @alice);
refused("/strict$url", 'token=' . fresh(), 'token for the same link at another path: refused', @alice);
refused($url, 'token=' . fresh(), 'token of another user: refused', username => '41@example.com', password => 's3cret');
refused($url, 'token=' . fresh(), 'a POST from another site (Origin): refused', @alice, Origin => 'https://evil.example');
refused($url, 'token=' . fresh(), 'a POST with Sec-Fetch-Site: cross-site: refused', @alice, 'Sec-Fetch-Site' => 'cross-site');
$token = fresh();
(my $later = $token) =~ s/^(\d+)/$1 + 3000/e;
refused($url, "token=$later", 'expiry moved later (tampered): refused', @alice);
(my $earlier = $token) =~ s/^(\d+)/$1 - 1/e;
refused($url, "token=$earlier", 'expiry moved earlier (tampered): refused', @alice);
(my $flipped = $token) =~ s/(.)$/$1 eq '0' ? '1' : '0'/e;
refused($url, "token=$flipped", 'one hex digit of the MAC changed: refused', @alice);
refused($url, 'token=' . uc($token), 'the MAC in upper case: refused', @alice);
refused($url, 'token=', 'no token: refused', @alice);
refused($url, 'token=12345', 'a token without MAC: refused', @alice);
refused($url, "token=$token&token=$token", 'two tokens: refused', @alice);
ok t_cmp(outcome(POST($url, @alice, content => "token=$token")) . ' ' . ncalls(), 'dialled 1', 'the untouched token still dials (the refusals did not spend it)');

# --- links with their own proof are not ambient credentials
my $t = time;
ok t_cmp(GET("/remote_call.htm?user=40&extension=true&dest=0123456&time=$t&auth=" . md5_hex("40alice-link0123456$t"),
             'Sec-Fetch-Site' => 'cross-site')->code . ' ' . ncalls(), '200 1', 'type 2 from another site: dials');
ok t_cmp(GET('/remote_call.htm?dest=0123456&auth=40%3As3cret', 'Sec-Fetch-Site' => 'cross-site')->code . ' ' . ncalls(),
         '200 1', 'type 3 from another site: dials');

# --- a shared cache (memcached) sees nothing of confirmation pages; an
# expired token with a valid MAC is refused; a cache that cannot say refuses
my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $moddir = `apxs -q LIBEXECDIR`; chomp $moddir;
my $dir = tempdir('pbxdial-csrf-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my $keyfile = "$dir/pbxdial.key";
my $keybytes = encode_base64(join('', map { chr int rand 256 } 1 .. 36), '');
{ open my $fh, '>', $keyfile or die $!; print {$fh} "$keybytes\n"; close $fh; chmod 0600, $keyfile }
my $mport = free_port();
my $mpid = spawn(undef, 'memcached', '-l', '127.0.0.1', '-p', $mport, '-U', '0', ($> == 0 ? ('-u', 'nobody') : ()));
ok t_cmp(wait_port($mport) ? 'up' : 'down', 'up', 'memcached started');
my @load = suite_modules();
# A private httpd (PbxDialCache $cache, or the default shmcb) whose
# /remote_call.htm takes Basic and signed links, each signed link once;
# returns its base URL and root.
sub private_httpd {
    my ($name, $cache) = @_;
    my $hport = free_port();
    my $sr = "$dir/$name";
    my $head = httpd_root($sr, $hport);
    open my $fh, '>', "$sr/httpd.conf" or die $!;
    print {$fh} $head, @load,
        ($cache ? "LoadModule socache_memcache_module $moddir/mod_socache_memcache.so\nPbxDialCache $cache\n" : ''),
        "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
        "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\n",
        "PbxDialCacheKey file:$keyfile\nPbxDialSessionLifetime Off\n",
        "<Location /remote_call.htm>\n SetHandler pbxdial-call\n AuthType Basic\n AuthName CRM\n",
        " AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n PbxDialDomain example.com\n",
        " PbxDialLinkPasswords $top/t/conf/linkpw\n PbxDialLinkOnce On\n</Location>\n";
    close $fh;
    return (httpd_start($sr, $hport), $sr);
}
my $http = HTTP::Tiny->new(timeout => 10);
my $base;
my %basic = (Authorization => 'Basic ' . encode_base64('40:s3cret', ''));
sub mget { my ($path, %h) = @_; $http->get("$base$path", {headers => {%basic, %h}}) }
sub mpost {
    my ($path, $tok, %h) = @_;
    $http->post("$base$path", {headers => {%basic, 'Content-Type' => 'application/x-www-form-urlencoded',
                                           Accept => 'application/json', %h}, content => "token=$tok"});
}
sub mstats {
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$mport", Timeout => 5) or return {};
    print {$s} "stats\r\n";
    my %st;
    while (my $l = <$s>) { last if $l =~ /^END/; $st{$1} = $2 if $l =~ /^STAT (\S+) (\S+)/ }
    return \%st;
}

# cheap requests cannot push markers out (default shmcb): a used link stays
# used after hundreds of confirmation pages
my $sr;
($base, $sr) = private_httpd('shmcb');
my $t0 = time;
my $once = "/remote_call.htm?user=40&extension=true&dest=0191&time=$t0&auth=" . md5_hex("40alice-link0191$t0");
ok t_cmp(mget($once, @json)->{status} . ' ' . ncalls(), '200 1', 'shmcb: a signed link dials (PbxDialLinkOnce)');
my $shown = grep { $_->{status} == 200 && $_->{content} =~ /Confirm the call/ }
            map { mget("/remote_call.htm?dest=0191$_", 'Sec-Fetch-Site' => 'cross-site') } 1 .. 400;
ok t_cmp($shown, 400, 'shmcb: 400 confirmation pages shown');
my $again = mget($once, @json);
ok t_cmp($again->{status} . ' ' . ($again->{content} =~ /"link_used"/ ? 'link_used' : '-') . ' ' . ncalls(), '403 link_used 0',
         '... and the used link is still refused');
httpd_stop($sr);

($base, $sr) = private_httpd('memcache', "memcache:127.0.0.1:$mport");
my $path = '/remote_call.htm?dest=0301777';
my $before = mstats();
my @pages = map { mget("/remote_call.htm?dest=0301$_", 'Sec-Fetch-Site' => 'cross-site') } 1 .. 200;
my $after = mstats();
ok t_cmp(scalar(grep { $_->{status} == 200 && $_->{content} =~ /Confirm the call/ } @pages), 200, 'memcached: 200 confirmation pages');
ok t_cmp(($after->{cmd_set} // -1) - ($before->{cmd_set} // -2), 0, '... wrote nothing to the cache (cmd_set unchanged)');
ok t_cmp(($after->{cmd_get} // -1) - ($before->{cmd_get} // -2), 0, '... and read nothing from it');
ok t_cmp(ncalls(), 0, '... and placed no call');

# a token made with the server's key, exactly as the module makes it
sub forge {
    my ($p, $user, $expiry, $nonce) = @_;
    $nonce //= '0123456789abcdef';
    my ($uri, $args) = split /\?/, $p, 2;
    my $fk = hmac_sha256($keybytes, 'mod_pbxdial cache key');
    my $sub = hmac_sha256('confirm token', $fk);
    my $data = join '|', map({ length($_) . ":$_" } $uri, $user, $args), $expiry, $nonce;
    return "$expiry.$nonce." . hmac_sha256_hex($data, $sub);
}
my $page_token = token_of(HTTP::Response->new(200, 'OK', [], mget($path, 'Sec-Fetch-Site' => 'cross-site')->{content}));
my ($pexp, $pnonce) = $page_token =~ /^(\d+)\.(\w+)\./;
ok t_cmp(forge($path, '40', $pexp // 0, $pnonce // ''), $page_token, 'the token is the documented HMAC over path, user, link and expiry');
my $r = mpost($path, forge($path, '40', time - 1));
ok t_cmp("$r->{status} " . ncalls(), '403 0', 'a correctly signed token that expired a second ago: refused');
$r = mpost($path, forge($path, '40', time + 3600));
ok t_cmp("$r->{status} " . ncalls(), '403 0', 'a correctly signed token good for an hour (more than five minutes): refused');
$r = mpost($path, $page_token);
ok t_cmp("$r->{status} " . ncalls(), '200 1', 'the page token dials through the shared cache');

stop_pid($mpid);
my $down_page = mget($path, 'Sec-Fetch-Site' => 'cross-site');
ok t_cmp($down_page->{status} . ' ' . ($down_page->{content} =~ /Confirm the call/ ? 'page' : 'no page'), '200 page',
         'cache stopped: the confirmation page still shows (it needs no cache)');
$r = mpost($path, token_of(HTTP::Response->new(200, 'OK', [], $down_page->{content})));
ok t_cmp("$r->{status} " . ($r->{content} =~ /"cache_unavailable"/ ? 'cache_unavailable' : $r->{content}) . ' ' . ncalls(),
         '503 cache_unavailable 0', 'cache stopped: the POST cannot be checked for reuse: 503, no call');
httpd_stop($sr);
