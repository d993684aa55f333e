# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# /js/callback.js (pbxdial-script): the embedded browser script.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET HEAD POST);
use Apache::TestUtil qw(t_cmp);
use Digest::SHA qw(sha256_hex);

plan tests => 20;

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
open my $fh, '<:raw', "$top/htdocs/callback.js" or die "htdocs/callback.js: $!";
my $source = do { local $/; <$fh> };

my $res = GET '/js/callback.js';
ok t_cmp($res->code, 200, 'GET: 200');
ok t_cmp($res->header('Content-Type'), 'text/javascript; charset=utf-8', 'content type');
ok t_cmp($res->content eq $source ? 'same' : 'differs', 'same', 'body is htdocs/callback.js as built');
my $etag = $res->header('ETag') // '';
ok t_cmp($etag, '"' . substr(sha256_hex($source), 0, 32) . '"', 'ETag is the content hash');
my $lm = $res->header('Last-Modified') // '';
ok t_cmp($lm, qr/GMT$/, 'Last-Modified set');
ok t_cmp($res->header('Cache-Control'), qr/no-cache|must-revalidate/, 'Cache-Control lets browsers revalidate');
ok t_cmp($res->header('Content-Length'), length $source, 'Content-Length');

$res = GET '/js/callback.js', 'If-None-Match' => $etag;
ok t_cmp($res->code, 304, 'If-None-Match: 304');
ok t_cmp(length($res->content), 0, '304 has no body');
$res = GET '/js/callback.js', 'If-None-Match' => '"something-else"';
ok t_cmp($res->code, 200, 'other ETag: 200');
$res = GET '/js/callback.js', 'If-Modified-Since' => $lm;
ok t_cmp($res->code, 304, 'If-Modified-Since: 304');
$res = GET '/js/callback.js', 'If-Modified-Since' => 'Thu, 01 Jan 1998 00:00:00 GMT';
ok t_cmp($res->code, 200, 'old If-Modified-Since: 200');

$res = HEAD '/js/callback.js';
ok t_cmp($res->code, 200, 'HEAD: 200');
ok t_cmp(length($res->content), 0, 'HEAD: no body');
ok t_cmp($res->header('ETag'), $etag, 'HEAD: same ETag');

$res = POST '/js/callback.js', content => 'x';
ok t_cmp($res->code, 405, 'POST: 405');
ok t_cmp($res->header('Allow') // '', qr/GET/, 'POST: Allow names GET');

# a tag that mod_deflate or mod_brotli suffixed on a compressed answer revalidates too
(my $gz = $etag) =~ s/"$/-gzip"/;
ok t_cmp(GET('/js/callback.js', 'If-None-Match' => $gz)->code, 304, 'If-None-Match with -gzip suffix: 304');
(my $br = $etag) =~ s/"$/-br"/;
ok t_cmp(GET('/js/callback.js', 'If-None-Match' => $br)->code, 304, 'If-None-Match with -br suffix: 304');
ok t_cmp(GET('/js/callback.js', 'If-None-Match' => '"0000-gzip"')->code, 200, 'another tag with a suffix: 200');
