#!/usr/bin/env python3
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Writes the seed corpus test/fuzz/corpus/TARGET/ (run from anywhere: python3 test/fuzz/mkcorpus.py).
# The seeds are committed; this only documents and regenerates them.
import hashlib, os, struct
top = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
def w(t, name, data):
    d = os.path.join(top, t); os.makedirs(d, exist_ok=True)
    if isinstance(data, str): data = data.encode('latin-1')
    open(os.path.join(d, name), 'wb').write(data)
md5 = lambda s: hashlib.md5(s.encode('latin-1')).hexdigest()
T0 = '1700000000'
H_PLAIN = md5('40secret0123456789' + T0)
H_DOM = md5('40@example.com' + 'pa:ss#1' + '+4930123456' + T0 + '600')
assert H_PLAIN == '8f70b9ac02c838b3bdebd4b0f69a8fad' and H_DOM == 'deb323c99d0b8f6eeee2155f342851da'

# --- query: raw query strings of links (and one URI)
q = {
 'type2-signed': f'user=40&extension=true&dest=0123456789&time={T0}&auth={H_PLAIN}',
 'type2-domain-duration': f'user=40%40example.com&extension=true&dest=%2B4930123456&time={T0}&duration=600&auth={H_DOM}&connect=true',
 'type3-userpass': 'user=446@192.168.1.113&dest=+4930&auth=446@192.168.1.113:zxc',
 'type1-dest-only': 'dest=%2B49%2030%2012345&connect=true',
 'encoded-all': 'user=123%40example.com&dest=%2B49+30&auth=123%40example.com%3As%3Dcr%26t&connect',
 'encoded-names': '%75ser=4%3a0&&dest=1&%61uth=x&PASSWORD=y',
 'duplicate': 'user=40&dest=1&USER=41',
 'bad-escape': 'user=40&auth=secret%zz',
 'short-escape': 'auth=ab%4',
 'nul-value': 'dest=12%00<script>&auth=%00secret',
 'no-name': 'x=1&=2&auth=s',
 'password-param': 'password=s3cret&user=40&dest=0301234&time=&auth=',
 'uri-fragment': '/remote_call.htm?dest=1&auth=secret#frag?auth=x',
 'many-params': '&'.join(f'p{i}={i}' for i in range(64)) + '&auth=k',
}
for k, v in q.items(): w('query', k, v)

# --- number: destinations as users type them
nums = ['+49 (0)30 123456', '(+49) 30-1234-56', '0049 30 1234567', '0900 123456', '+1 (555) 010-9999',
        '**21#', '0137 000000', '+49 900 1234', '40', '030/123.456', '\t089\t12 34', '+88123456',
        '004412345', '1<script>', '+49+30', '0123456789012345678901234567890123', 'abc', '+']
for i, n in enumerate(nums): w('number', f'n{i:02d}', n)
# feature codes (issue 11): denied behind the code, refused, or opened by ^\*31#0[1-9]
fc = {'fc-deny-behind': '*31#0900123', 'fc-hash': '#31#0301234', 'fc-star': '*', 'fc-end': '0301234#',
      'fc-allowed': '*31# 0301 234', 'fc-intl-behind': '*31#0041', 'fc-plus': '+*31#0301'}
for k, v in fc.items(): w('number', k, v)

# --- link: flags, now/lifetime/max_future (int64 LE, doubled: the target halves them), fields
def link(flags, now, lifetime, maxf, fields):
    # with flag 0x20, now is an offset from time: the raw int16 of bytes 1-2
    head = struct.pack('<hhhh', now, 0, 0, 0) if flags & 0x20 else struct.pack('<q', 2 * now)
    return bytes([flags]) + head + struct.pack('<qq', 2 * lifetime, 2 * maxf) + '\n'.join(fields).encode('latin-1')
base = 'https://pbx.example.com/remote_call.htm'
L = {
 'ok-plain': link(0x02, int(T0) + 10, 7200, 300, ['40', 'secret', '0123456789', T0, '', H_PLAIN, base]),
 'ok-domain': link(0x00, int(T0) + 10, 7200, 300, ['40@example.com', 'pa:ss#1', '+4930123456', T0, '600', H_DOM, base]),
 'ok-upper': link(0x00 | 0x02, int(T0), 7200, 300, ['40', 'secret', '0123456789', T0, '', H_PLAIN.upper(), base]),
 'signed-expired': link(0x04 | 0x20, 7300, 7200, 300, ['40', 'secret', '0123456789', T0, '3600', '', base]),
 'signed-future': link(0x04 | 0x20 | 0x02, -301, 7200, 300, ['40', 'secret', '0123456789', T0, '', '', base]),
 'signed-changed': link(0x04 | 0x10, int(T0), 7200, 300, ['40', 'secret', '0123456789', T0, '60', '', base]),
 'unknown-user': link(0x01 | 0x04 | 0x02, int(T0), 7200, 300, ['41', '', '0123456789', T0, '', '', base]),
 'duration-zero': link(0x04 | 0x20, 0, 7200, 300, ['40', 'secret', '0123456789', T0, '0', '', base]),
 'malformed-time': link(0x00, int(T0), 7200, 300, ['40', 'secret', '0123456789', '+1700000000', '', H_PLAIN, base]),
 'malformed-auth': link(0x02, int(T0), 7200, 300, ['40', 'secret', '0123456789', T0, '', H_PLAIN[:31] + 'g', base]),
 'mint-ip-base': link(0x40 | 0x80 | 0x04, 0, 7200, 300, ['40', 'secret', '+49 (30) 123-456', T0, '7200', '', 'http://192.168.1.10:8080/']),
 'mint-ipv6-base': link(0x40 | 0x04, 0, 7200, 300, ['40@pbx.example.com', 'p&w=d', '0301234', T0, '60', '', 'https://[::1]:8443/dial/']),
 'mint-bad-base': link(0x40, 0, 7200, 300, ['40', 'secret', '0301234', T0, '', '', 'https://u:p@pbx.example.com/?q#f']),
 'huge-times': link(0x04 | 0x02, 2**62 - 1, -(2**62), 2**62 - 1, ['40', 'secret', '1', '999999999999999', '', '', base]),
 # issue 11: one spelling per integer; a digit moved from dest into time keeps the md5
 'shifted-leading-zero': link(0x02, int(T0), 7200, 300, ['40', 'secret', '030123', '0' + T0, '', md5('40secret0301230' + T0), base]),
 'shifted-into-dest': link(0x02, int(T0), 7200, 300, ['40', 'secret', '03012301', T0[1:], '', md5('40secret0301230' + T0), base]),
 'negative-duration': link(0x04 | 0x20, 0, 7200, 300, ['40', 'secret', '0123456789', T0, '-5', '', base]),
 'leading-zero-duration': link(0x04 | 0x20, 0, 7200, 300, ['40', 'secret', '0123456789', T0, '03600', '', base]),
}
for k, v in L.items(): w('link', k, v)

# --- reply: PBX answers, and values for the JSON builders (NUL-separated)
R = {
 'json-string': '"abc"', 'false': 'false', 'session-object': '{"session":"x"}',
 'bare-token': 'abc123def456ghi789jk\n', 'padded-string': '  "x-y_z.1"\r\n', 'value-object': '{"value":"v1"}',
 'token-object': '{"token":"dG9r/+=="}', 'other-object': '{"other":1}', 'true': 'true',
 'html-error': '<html><body>502 Bad Gateway</body></html>', 'empty-string': '""',
 'escaped-nul': '"ab\\u0000cd"', 'duplicate-keys': '{"session":"a","session":"b"}', 'array': '["a"]',
 'number': '12', 'blank': ' \r\n\t',
 'builder-values': 'tok\0https://pbx.example.com\x0040\0example.com',
 'builder-markup': 'say "hi" <script>\n\0\\u2028\u00e9\0\x01\x1f\0/ws',
 'builder-bad-utf8': '\xff\xfe\0\xc0\x80\0\xed\xa0\x80\0\xf4\x90\x80\x80',
}
for k, v in R.items(): w('reply', k, v)

# --- files: PbxDialUserMap and PbxDialLinkPasswords contents
F = {
 'usermap': '# demo users\nalice 40\n\n  bob\t41@example.com\r\n',
 'usermap-no-eol': 'dave 44',
 'usermap-twice': 'alice 40\nalice 41\n',
 'usermap-bad': 'alice 40 41\nbob 4 0x&\n',
 'usermap-nul': 'a 4\0b 5',
 'linkpw': '40:secret\n40@example.com:pa:ss#1\r\n# comment\n   \n41:  x\n',
 'linkpw-ok': '40:secret\r\n40@example.com:pa:ss#1\r\n  # indented comment\n123@pbx.example.com:p w\n',
 'linkpw-blank-pw': '40: secret\n',
 'linkpw-empty-pw': '40:\n',
 'linkpw-bad-user': '<b>x</b>:secret\n',
 'linkpw-twice': '40:a\n40:b\n',
 'linkpw-no-colon': '40 secret\n',
 'linkpw-at-at': 'x@y@z:pw\nx@' + 'd' * 254 + ':pw\n',
 # test/fuzz/crashes-found/files-usermap-cr-before-comment, fixed in 63faf86: kept as a regression seed
 'usermap-cr-before-comment': '\r#k 40\n\r # old entry 40\nalice 41\n',
}
for k, v in F.items(): w('files', k, v)

# --- page: status byte, Accept, title, message (NUL-separated)
def page(status, accept, title, msg, action='/remote_call.htm?dest=0123456789', token='k3Jx9-Qw_TzY', button='Call'):
    b = (status - 100) * 256 // 500 + 1
    return bytes([b]) + '\0'.join([accept, title, msg, action, token, button]).encode('utf-8')
P = {
 'browser': page(200, 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'Calling', 'Calling 0123456789 from 40.'),
 'curl': page(403, '*/*', 'This link has expired', 'The link is older than it may be.'),
 'json': page(400, 'application/json', 'Bad request', 'dest: byte 0x3c at position 1 is not allowed'),
 'axios': page(502, 'application/json, text/plain, */*', 'PBX unreachable', 'The PBX did not answer.'),
 'q-values': page(200, 'text/html;q=0.5, application/json;q=0.6', 'x', 'y'),
 'wildcard-type': page(429, 'application/*', 'Too many calls', 'Retry later'),
 'tie': page(200, 'text/html, application/json', 't', 'm'),
 'empty': page(500, '', '', ''),
 'markup': page(400, 'text/*;q=0.1', '<script>alert(\'x\')</script>', '"quoted" & <b>bold</b> \u00e9'),
 'long-range': page(200, 'application/json;' + 'a' * 130 + ',text/html', 't', 'm'),
 'q-zero': page(200, 'application/json;q=0, */*', 't', 'm'),
 'spaces': page(200, ' application / json ; q = 1 ', 't', 'm'),
 'confirm': page(200, 'text/html', 'Call 0123456789?', 'A page on another site asked to dial 0123456789 from 40.',
                 '/remote_call.htm?dest=0123456789&x="><script>alert(1)</script>', 'tok\'"<&>', 'Call 0123456789'),
}
for k, v in P.items(): w('page', k, v)

# --- url: scheme bit, URL or Origin, Host (NUL-separated)
U = {
 'https-same': '\x01https://pbx.example.com\0pbx.example.com',
 'http-port-path': '\x00http://10.0.0.1:8080/pbx/\x0010.0.0.1:8080',
 'ipv6': '\x01https://[::1]:8443\0[::1]:8443',
 'null-origin': '\x01null\0example.com',
 'cross-site': '\x01https://evil.example\0good.example',
 'credentials': '\x01https://user:pw@pbx.example.com\0pbx.example.com',
 'host-port': '\x01pbx.example.com:443\0pbx.example.com:443',
 'query-fragment': '\x01https://pbx.example.com/?x=1#f\0h',
 'case': '\x00HTTP://Example.COM:80\0example.com',
 'default-port': '\x01https://pbx.example.com:443\0pbx.example.com',
 'bad-port': '\x00http://h:0\0h:99999',
 'ftp': '\x01ftp://pbx.example.com\0pbx.example.com',
}
for k, v in U.items(): w('url', k, v)

# --- wsframe: first byte = chunk size - 1, then the browser's bytes (masked frames)
def wsf(b0, payload, mask=b'\x37\xfa\x21\x3d', len_bytes=None):
    if isinstance(payload, str): payload = payload.encode('utf-8')
    n = len(payload)
    m = 0x80 if mask else 0
    if len_bytes is not None: hdr = bytes([b0]) + len_bytes
    elif n < 126: hdr = bytes([b0, m | n])
    elif n < 65536: hdr = bytes([b0, m | 126]) + struct.pack('>H', n)
    else: hdr = bytes([b0, m | 127]) + struct.pack('>Q', n)
    body = bytes(c ^ mask[i % 4] for i, c in enumerate(payload)) if mask else payload
    return hdr + (mask or b'') + body
ws = {
 'get-calls': b'\xff' + wsf(0x81, '{"action":"get-calls"}'),
 'make-call-split': b'\x02' + wsf(0x81, '{"action":"make-call","to":"030 1234"}'),
 'denied': b'\x00' + wsf(0x81, '{"action":"make-call","to":"0900123"}'),
 'fragments-ping': b'\x04' + wsf(0x01, '{"action":') + wsf(0x89, 'p') + wsf(0x00, '"make-') + wsf(0x80, 'call","to":"*31#0301"}'),
 'close': b'\x10' + wsf(0x88, b'\x03\xe8bye') + wsf(0x81, '{}'),
 'len16': b'\x40' + wsf(0x81, '{"action":"chat","message":"' + 'x' * 200 + '"}'),
 'len64-msb': b'\x05' + wsf(0x81, '', len_bytes=b'\xff\x80\x00\x00\x00\x00\x00\x00\x05'),
 'binary': b'\x01' + wsf(0x82, b'\x00\x01'),
 'rsv1': b'\x01' + wsf(0xc1, '{"action":"get-calls"}'),
 'dup-keys': b'\x08' + wsf(0x81, '{"action":"make-call","to":"0301","to":"0900"}'),
 'bad-utf8': b'\x08' + wsf(0x81, b'{"action":"\xc3\x28"}'),
}
for k, v in ws.items(): w('wsframe', k, v)
