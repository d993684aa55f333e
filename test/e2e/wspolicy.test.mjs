// Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
// The dial policy on the same-origin websocket, in Chromium: the demo site's /pbx/websocket has
// "PbxDialDeny ^0900". A <pbxcall> for a denied number shows the server's reason on that element (the
// module answers make-call with {"action":"pbxdial-refused",...}), the PBX sees no call, and another
// element on the page still dials afterwards on the same websocket.
//
// Environment: as same-origin.test.mjs (PBXDIAL_E2E_SO_URL and the others; test/e2e/run sets them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  env, EXT, useBrowser, dialDenied, openPage, assertNoErrors, waitState, statusText,
  simCalls, simWaitFor, wsMessages, callsTo, recordEvents, sleep, shot,
} from './lib.mjs';

const b = useBrowser(['PBXDIAL_E2E_SO_URL']);

test('a denied number shows the reason on its element; the PBX gets no call', { timeout: 60_000 }, async () => {
  const page = await openPage(b.context, env.PBXDIAL_E2E_SO_URL);
  b.pages.push(page);
  const events = await recordEvents(page);
  const denied = await dialDenied(page);
  const text = await statusText(denied);
  const ev = events.find((e) => e.state === 'error');
  assert.equal(ev?.error, text, 'pbxcall:state carries the same reason');
  assert.equal(await denied.locator('button[name=call]').isVisible(), true, 'Call button back');
  await shot(page, 'so-wspolicy-denied.png');
  await sleep(500);
  assert.deepEqual(callsTo(await simCalls(), '0900123456'), [], 'no call reached the PBX');
  const sent = (await wsMessages()).map((m) => m.text);
  assert.equal(sent.some((t) => t.includes('0900')), false, 'no make-call for it reached the PBX');

  // the websocket stays up: an allowed contact on the same page dials
  const ok = page.locator('pbxcall[number="2125550143"]');
  await ok.locator('button[name=call]').click();
  await simWaitFor((c) => callsTo(c, '2125550143').length === 1, `one call on ${EXT} to 2125550143`);
  await waitState(ok, ['ringing', 'connected']);
  assert.equal(await denied.getAttribute('state'), 'error', 'the refusal stays on its own element');
  await ok.locator('button[name=cancel]').click();
  await simWaitFor((c) => callsTo(c, '2125550143').length === 0, 'the call is gone');
  assertNoErrors(page);
  await page.close();
});
