// Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
// Browser tests of callback.js in same-origin mode (PbxDialWebSocket): the page talks to its own site
// only. /rest/pbxlogin answers {"websocket":"/pbx/websocket","user","domain"} (no session, no server),
// the page opens ws(s)://<its own host>/pbx/websocket?domain=D&user=U, and Apache (mod_proxy,
// upgrade=websocket) forwards it to the PBX's /websocket with the PBX session cookie the module added.
// The PBX token never reaches the browser.
//
// Environment: as demo.test.mjs, plus
//   PBXDIAL_E2E_SO_URL  the demo page (index.html; tel.html next to it) of a site configured for
//                       same-origin mode, with the same logins and the same PBX simulator
// A missing variable fails the run: a browser test that silently skips proves nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env, EXT, waitState, assertNoErrors, simGet, simRequests, browserActivations, sleep } from './lib.mjs';
import { defineScenarios } from './scenarios.mjs';

const { open, contact, numbers, callAndWait, cancelAndWait, shot } = defineScenarios('same-origin', 'PBXDIAL_E2E_SO_URL');

test('the PBX token never reaches the page, and the browser activates no PBX session', { timeout: 90_000 }, async () => {
  const PAGE = env.PBXDIAL_E2E_SO_URL;
  const seen = []; // [where, text]: everything the page's requests, responses and sockets carried
  const reading = [];
  const page = await open(PAGE, undefined, (p) => {
    p.on('request', (r) => seen.push([`request ${r.url()}`, `${r.url()}\n${JSON.stringify(r.headers())}\n${r.postData() ?? ''}`]));
    p.on('response', (r) => reading.push((async () => {
      const head = JSON.stringify(await r.allHeaders().catch(() => ({})));
      const body = await r.text().catch(() => '');
      seen.push([`response ${r.status()} ${r.url()}`, `${head}\n${body}`]);
    })()));
    p.on('websocket', (ws) => {
      seen.push(['websocket url', ws.url()]);
      ws.on('framereceived', (f) => seen.push(['websocket frame in', String(f.payload)]));
      ws.on('framesent', (f) => seen.push(['websocket frame out', String(f.payload)]));
    });
  });
  const number = (await numbers(page))[0];
  const el = contact(page, number);
  await waitState(el, ['idle']);
  const login = page.waitForResponse((r) => r.url().endsWith('/rest/pbxlogin'));
  await callAndWait(el, number);
  const answer = await (await login).json();
  assert.equal(typeof answer.websocket, 'string', 'the login answer names the websocket');
  assert.equal(answer.session, undefined, 'no session in the login answer');
  assert.equal(answer.server, undefined, 'no server in the login answer');
  await shot(page, '20-token-call-up.png');
  await cancelAndWait(el, number);
  await sleep(500);
  await Promise.all(reading);

  // What script on the page could read besides the network.
  const state = await page.evaluate(() => JSON.stringify({
    cookie: document.cookie,
    local: { ...localStorage },
    session: { ...sessionStorage },
    html: document.documentElement.outerHTML,
    resources: performance.getEntries().map((e) => e.name),
  }));
  seen.push(['page state', state]);
  seen.push(['browser cookie jar', JSON.stringify(await page.context().cookies())]);

  // The secrets: PBX sessions the simulator knows, tokens activated (by the module, server-side), and
  // the session cookies the websocket upgrades arrived with.
  const secrets = new Set((await simGet('/_sim/sessions')).list.map((s) => s.id));
  for (const r of await simRequests('/rest/system/session')) {
    try {
      const b = JSON.parse(r.body);
      if (b.name === 'session' && b.value) secrets.add(String(b.value));
    } catch (e) { /* not JSON */ }
  }
  const upgrades = await simRequests('/websocket');
  assert.ok(upgrades.length >= 1 && upgrades.every((u) => u.status === 101), 'the websocket reached the PBX');
  for (const u of upgrades) {
    for (const m of (u.headers.cookie || '').matchAll(/session=([^;\s]+)/g)) secrets.add(m[1]);
    if (u.params.session) secrets.add(u.params.session);
  }
  assert.ok(upgrades.some((u) => /session=/.test(u.headers.cookie || '')), 'the upgrade carried a PBX session cookie');
  assert.ok(secrets.size > 0, 'secrets to look for');
  for (const secret of secrets) {
    const where = seen.filter(([, text]) => text.includes(secret)).map(([w]) => w);
    assert.deepEqual(where, [], `PBX session/token ${secret.slice(0, 4)}… seen by the page`);
  }

  // And the browser activated nothing on the PBX: every activation came from the module (no Origin).
  assert.deepEqual(await browserActivations(), [], 'no session activation from the browser');
  const fromBrowser = (await simRequests('/rest/system/session')).filter((r) => r.headers.origin || r.headers['sec-fetch-mode']);
  assert.deepEqual(fromBrowser, [], 'no request from the browser to the PBX\'s /rest/system/session');
  assert.ok(upgrades.every((u) => u.params.user === EXT.split('@')[0]), 'the module set user= for the PBX');
  assertNoErrors(page);
});
