// Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
// The browser scenarios of both modes again, on the demo CRM served over HTTPS with HTTP/2
// (scripts/stack.sh with PBXDIAL_H2_PORT: Protocols h2 http/1.1, and H2WebSockets on for the
// same-origin site). Chromium trusts the loopback certificate through ignoreHTTPSErrors (lib.mjs).
// Besides the scenarios: the page, callback.js and /rest/pbxlogin came over h2, and in the
// same-origin mode the websocket went over h2 too (RFC 8441 extended CONNECT: httpd's access log
// shows the upgrade as an HTTP/2.0 request answered 101, where mod_proxy tunnelled it), with the
// dial policy still on its frames. In the cookie mode the websocket goes to the PBX itself (the
// simulator speaks HTTP/1.1), so only the site's own requests are h2 there.
//
// Environment (test/e2e/run sets them): as demo.test.mjs, plus
//   PBXDIAL_E2E_H2_URL         the demo page on the same-origin site over https with h2
//   PBXDIAL_E2E_H2_COOKIE_URL  the demo page on the cookie-mode site over https with h2
//   PBXDIAL_E2E_LOGS           the demo httpd's log directory (access_log)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  env, requireEnv, launch, newContext, waitState, dialDenied, assertNoErrors, simCalls, callsTo, wsMessages, sleep,
  until,
} from './lib.mjs';
import { defineScenarios } from './scenarios.mjs';

const T = { timeout: 90_000 };

// The scenarios' context has Playwright's fake clock installed (the keepalive scenario), and with it
// a fake `performance`: the tests here open their pages in a browser of their own, a fresh context each.
function ownBrowser() {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });
  return () => newContext(browser);
}

// The protocol of each request the page made, as the browser saw it.
const protocols = (page) => page.evaluate(() => ({
  navigation: performance.getEntriesByType('navigation')[0].nextHopProtocol,
  resources: Object.fromEntries(performance.getEntriesByType('resource')
    .map((e) => [new URL(e.name).pathname, e.nextHopProtocol])),
}));

// Access-log lines ("%h %u %t \"%r\" %>s %b %D") of path written since mark (a byte offset).
function accessLog(path, mark = 0) {
  requireEnv(['PBXDIAL_E2E_LOGS']);
  const text = readFileSync(join(env.PBXDIAL_E2E_LOGS, 'access_log'), 'utf8').slice(mark);
  return text.split('\n').filter((l) => l.includes(` ${path}`));
}
const logMark = () => readFileSync(join(env.PBXDIAL_E2E_LOGS, 'access_log'), 'utf8').length;

async function assertH2Page(page) {
  const p = await protocols(page);
  assert.equal(p.navigation, 'h2', 'the page came over HTTP/2');
  assert.equal(p.resources['/js/callback.js'], 'h2', 'callback.js came over HTTP/2');
  assert.equal(p.resources['/rest/pbxlogin'], 'h2', '/rest/pbxlogin came over HTTP/2');
}

describe('same-origin mode over HTTP/2 (H2WebSockets on)', () => {
  const { open, contact, numbers, callAndWait, cancelAndWait, shot } =
    defineScenarios('same-origin', 'PBXDIAL_E2E_H2_URL', 'h2-');
  const fresh = ownBrowser();
  const PAGE = env.PBXDIAL_E2E_H2_URL;

  test('the page, the script, the login and the websocket all go over h2', T, async () => {
    const mark = logMark();
    const page = await open(PAGE, undefined, undefined, await fresh());
    const number = (await numbers(page))[0];
    const el = contact(page, number);
    await waitState(el, ['idle']);
    const opened = [];
    page.on('websocket', (ws) => opened.push(ws.url()));
    await callAndWait(el, number);
    await shot(page, '30-call-up.png');
    await assertH2Page(page);
    assert.equal(opened.length, 1, 'one websocket');
    assert.equal(new URL(opened[0]).origin, new URL(env.PBXDIAL_E2E_H2_URL).origin.replace('https', 'wss'),
      'the websocket is on the page\'s own https origin');
    await cancelAndWait(el, number);
    assertNoErrors(page);
    await page.close(); // the websocket ends, and httpd logs it
    const ws = await until(() => accessLog('/pbx/websocket', mark).length && accessLog('/pbx/websocket', mark),
      'the websocket in the access log');
    assert.equal(ws.length, 1, `one websocket request: ${ws.join('\n')}`);
    assert.match(ws[0], /"GET \/pbx\/websocket\?domain=example\.com&user=40 HTTP\/2\.0" 101 /,
      'the websocket came as HTTP/2 extended CONNECT (mod_http2 makes it an HTTP/2.0 GET) and was tunnelled');
  });

  test('the dial policy holds on the h2 websocket: a denied number is refused, the PBX gets no call', T, async () => {
    const page = await open(PAGE, undefined, undefined, await fresh());
    await dialDenied(page);
    await shot(page, '31-denied.png');
    await sleep(500);
    assert.deepEqual(callsTo(await simCalls(), '0900123456'), [], 'no call reached the PBX');
    assert.equal((await wsMessages()).some((m) => m.text.includes('0900')), false, 'no make-call for it reached the PBX');
    // the same websocket still carries an allowed call
    const number = (await numbers(page)).find((n) => !/^0900/.test(n) && n !== '0900 123 456');
    await callAndWait(contact(page, number), number);
    await cancelAndWait(contact(page, number), number);
    await assertH2Page(page);
    assertNoErrors(page);
  });
});

describe('cookie mode over HTTP/2', () => {
  const { open, contact, numbers, callAndWait, cancelAndWait } =
    defineScenarios('cookie', 'PBXDIAL_E2E_H2_COOKIE_URL', 'h2-');
  const fresh = ownBrowser();
  const PAGE = env.PBXDIAL_E2E_H2_COOKIE_URL;

  test('the page, the script and the login go over h2; the browser talks to the PBX\'s https address', T, async () => {
    const page = await open(PAGE, undefined, undefined, await fresh());
    const number = (await numbers(page))[0];
    const el = contact(page, number);
    await waitState(el, ['idle']);
    const opened = [];
    page.on('websocket', (ws) => opened.push(ws.url()));
    const login = page.waitForResponse((r) => r.url().endsWith('/rest/pbxlogin'));
    await callAndWait(el, number);
    const answer = await (await login).json();
    assert.match(answer.server, /^https:/, 'the login names the PBX\'s https address (an https page may not use ws:)');
    assert.equal(opened.length, 1, 'one websocket');
    assert.match(opened[0], /^wss:/, 'the websocket is wss:');
    await assertH2Page(page);
    await cancelAndWait(el, number);
    assertNoErrors(page);
  });
});
