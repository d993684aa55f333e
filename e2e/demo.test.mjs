// Browser test of the demo CRM page: Debian's chromium (driven by playwright-core) clicks Call / Cancel on
// <pbxcall> elements served by httpd + mod_pbxdial, and the PBX simulator's control API shows what happened.
//
// Environment (set by the runner script):
//   PBXDIAL_E2E_URL   demo page, e.g. http://127.0.0.1:18080/ (Basic auth)
//   PBXDIAL_E2E_USER  PBXDIAL_E2E_PASS   web login for the demo page
//   PBXDIAL_E2E_EXT   the PBX extension of that login, e.g. 40@example.com
//   PBXDIAL_SIM_URL   the simulator's http base URL (control API /_sim/*, live page /phones)
//   PBXDIAL_E2E_OUT   directory for screenshots (default e2e/out)
// A missing variable fails the run: a browser test that silently skips proves nothing.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const REQUIRED = ['PBXDIAL_E2E_URL', 'PBXDIAL_E2E_USER', 'PBXDIAL_E2E_PASS', 'PBXDIAL_E2E_EXT', 'PBXDIAL_SIM_URL'];
const env = process.env;
const URL_ = env.PBXDIAL_E2E_URL;
const SIM = (env.PBXDIAL_SIM_URL || '').replace(/\/+$/, '');
const EXT = env.PBXDIAL_E2E_EXT || '';
const OUT = env.PBXDIAL_E2E_OUT || fileURLToPath(new URL('./out/', import.meta.url));
const WAIT = 10_000; // ms for a call to show up on / disappear from the simulator

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

let browser;
let context;

before(async () => {
  const missing = REQUIRED.filter((k) => !env[k]);
  assert.deepEqual(missing, [], `missing environment: ${missing.join(' ')}`);
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  context = await browser.newContext({
    httpCredentials: { username: env.PBXDIAL_E2E_USER, password: env.PBXDIAL_E2E_PASS },
    viewport: { width: 1100, height: 720 },
    ignoreHTTPSErrors: true, // loopback only: lets the runner use the simulator's self-signed https listener
  });
});

after(async () => {
  await browser?.close();
});

// Every test starts with no calls and no planned faults on the simulator.
beforeEach(async () => {
  if (!SIM) return;
  await simHangupAll();
  await fetch(`${SIM}/_sim/fault`, { method: 'DELETE' });
  await fetch(`${SIM}/_sim/requests`, { method: 'DELETE' });
});

/* ---------------- helpers ---------------- */

const digits = (s) => String(s ?? '').replace(/[\s\-./()]/g, '');

async function simCalls() {
  const res = await fetch(`${SIM}/_sim/calls`);
  assert.equal(res.status, 200, 'GET /_sim/calls');
  const all = await res.json();
  return all[EXT] || [];
}

async function simHangupAll() {
  const res = await fetch(`${SIM}/_sim/calls`, { method: 'DELETE' });
  assert.ok(res.ok, `DELETE /_sim/calls -> ${res.status}`);
}

// The simulator's request log for one path (the module's and the browser's requests to the PBX).
async function simRequests(path) {
  const res = await fetch(`${SIM}/_sim/requests?path=${encodeURIComponent(path)}`);
  assert.equal(res.status, 200, 'GET /_sim/requests');
  return res.json();
}

// Session activations made by the browser: POST /rest/system/session {"name":"session"}.
async function activations() {
  return (await simRequests('/rest/system/session')).filter((r) => /"name"\s*:\s*"session"/.test(r.body || ''));
}

const callsTo = (calls, number) => calls.filter((c) => digits(c['to-number'] ?? c.to) === digits(number));

// Poll the simulator until pred(calls of EXT) is true; returns those calls.
async function simWaitFor(pred, what) {
  const end = Date.now() + WAIT;
  let calls;
  for (;;) {
    calls = await simCalls();
    if (pred(calls)) return calls;
    if (Date.now() > end) assert.fail(`within ${WAIT} ms: ${what}; simulator has ${JSON.stringify(calls)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function simPost(path, body) {
  const res = await fetch(`${SIM}${path}`, { method: 'POST', body: JSON.stringify(body) });
  assert.ok(res.ok, `POST ${path} -> ${res.status}: ${await res.text()}`);
}

// A page that records console errors and uncaught exceptions; the test fails on any.
// allow(url): console errors about loading this URL are expected (a test that makes a request fail).
async function openPage(url, allow = () => false) {
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !allow(m.location().url || '')) page.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  const res = await page.goto(url);
  assert.equal(res.status(), 200, `GET ${url}`);
  return page;
}

function assertNoErrors(...pages) {
  assert.deepEqual(pages.flatMap((p) => p.errors), [], 'browser console errors');
}

const contact = (page, number) => page.locator(`pbxcall[number="${number}"]`);

async function waitState(el, states, timeout = WAIT) {
  await el.page().waitForFunction(
    ([e, s]) => s.includes(e.getAttribute('state')),
    [await el.elementHandle(), states],
    { timeout }
  );
}

async function shot(page, name) {
  await page.screenshot({ path: join(OUT, name), fullPage: true });
}

// The demo's contacts, as the page lists them.
async function numbers(page) {
  return page.locator('pbxcall').evaluateAll((els) => els.map((e) => e.getAttribute('number')));
}

/* ---------------- scenarios ---------------- */

test('Call rings the desk phone, shows on the simulated phones, Cancel hangs up', { timeout: 60_000 }, async () => {
  const page = await openPage(URL_);
  const [number] = await numbers(page);
  assert.ok(number, 'the demo page lists contacts in <pbxcall number=…>');
  const el = contact(page, number);
  await waitState(el, ['idle']);
  await assert.doesNotReject(el.locator('.pbxcall-status').waitFor({ state: 'attached' }), 'status span added');
  assert.equal(await el.locator('button[name=cancel]').isVisible(), false, 'Cancel hidden while idle');

  await el.locator('button[name=call]').click();
  const [call] = await simWaitFor((c) => callsTo(c, number).length === 1, `one call on ${EXT} to ${number}`);
  await waitState(el, ['ringing', 'connected']);
  assert.equal(await el.locator('button[name=call]').isVisible(), false, 'Call hidden while the call is up');
  assert.equal(await el.locator('button[name=cancel]').isVisible(), true, 'Cancel shown while the call is up');
  await shot(page, '01-demo-call-up.png');

  // The browser side of the protocol, as the PBX saw it.
  const sessionReqs = await simRequests('/rest/system/session');
  assert.deepEqual(sessionReqs.filter((r) => r.method === 'OPTIONS'), [], 'no CORS preflight');
  const [act, ...more] = await activations();
  assert.equal(more.length, 0, 'one session activation');
  assert.equal(act.method, 'POST');
  assert.doesNotMatch(act.headers['content-type'] || '', /json/i, 'activation without a JSON content type');
  assert.equal(act.status, 200, 'token accepted');
  const sockets = await simRequests('/websocket');
  assert.equal(sockets.length, 1, 'one websocket');
  assert.equal(sockets[0].status, 101, 'websocket accepted (session cookie sent)');

  const phones = await openPage(`${SIM}/phones`);
  const row = phones.locator(`[data-ext="${EXT.split('@')[0]}"] .call[data-to="${digits(call['to-number'] ?? number)}"]`);
  await row.waitFor({ state: 'visible', timeout: WAIT });
  assert.match(await row.getAttribute('data-state'), /^(alerting|connected|onhold)$/);
  await shot(phones, '02-sim-phones.png');

  await el.locator('button[name=cancel]').click();
  await simWaitFor((c) => callsTo(c, number).length === 0, `the call to ${number} is gone`);
  await waitState(el, ['idle']);
  assert.equal(await el.locator('button[name=call]').isVisible(), true, 'Call button back');
  assert.equal(await el.locator('button[name=call]').isEnabled(), true, 'Call button enabled');
  assert.equal(await el.locator('button[name=cancel]').isVisible(), false, 'Cancel hidden again');
  await shot(page, '03-demo-idle.png');

  assertNoErrors(page, phones);
  await phones.close();
  await page.close();
});

test('two contacts called at once are cancelled separately', { timeout: 60_000 }, async () => {
  const page = await openPage(URL_);
  const [a, b] = (await numbers(page)).slice(1, 3);
  assert.ok(a && b && digits(a) !== digits(b), 'two different numbers on the page');
  const elA = contact(page, a);
  const elB = contact(page, b);
  await waitState(elA, ['idle']);

  // The second click goes out while the first one's socket is still being set up (queued) or already open.
  await elA.locator('button[name=call]').click();
  await elB.locator('button[name=call]').click();
  await simWaitFor((c) => callsTo(c, a).length === 1 && callsTo(c, b).length === 1, `calls to ${a} and ${b}`);
  await waitState(elA, ['ringing', 'connected']);
  await waitState(elB, ['ringing', 'connected']);
  await shot(page, '04-demo-two-calls.png');

  await elB.locator('button[name=cancel]').click();
  const left = await simWaitFor((c) => callsTo(c, b).length === 0, `the call to ${b} is gone`);
  assert.equal(callsTo(left, a).length, 1, `the call to ${a} is still up`);
  await waitState(elB, ['idle']);
  assert.match(await elA.getAttribute('state'), /^(ringing|connected)$/, 'A unaffected by cancelling B');

  // With the socket open, a new Call goes out at once on it: no new login, no new socket.
  await elB.locator('button[name=call]').click();
  await simWaitFor((c) => callsTo(c, b).length === 1, `a second call to ${b}`);
  await waitState(elB, ['ringing', 'connected']);
  assert.equal((await activations()).length, 1, 'one session activation for all three calls');
  assert.equal((await simRequests('/websocket')).length, 1, 'one websocket shared by both elements');

  await elA.locator('button[name=cancel]').click();
  await elB.locator('button[name=cancel]').click();
  await simWaitFor((c) => callsTo(c, a).length === 0 && callsTo(c, b).length === 0, 'both calls gone');
  await waitState(elA, ['idle']);
  await waitState(elB, ['idle']);
  assertNoErrors(page);
  await page.close();
});

test('double click on Call places one call', { timeout: 60_000 }, async () => {
  const page = await openPage(URL_);
  const number = (await numbers(page))[3];
  const el = contact(page, number);
  await waitState(el, ['idle']);
  const events = [];
  await page.exposeFunction('pbxEvent', (d) => events.push(d));
  await page.evaluate(() => document.addEventListener('pbxcall:state', (e) => window.pbxEvent(e.detail)));

  await el.locator('button[name=call]').dblclick();
  await simWaitFor((c) => callsTo(c, number).length === 1, `a call to ${number}`);
  await waitState(el, ['ringing', 'connected']);
  await new Promise((r) => setTimeout(r, 1000)); // a second make-call would show by now
  assert.equal(callsTo(await simCalls(), number).length, 1, 'exactly one call');
  assert.match(await el.getAttribute('state'), /^(ringing|connected)$/, 'not cancelled by the second click');

  const up = events.find((d) => d.state === 'ringing' || d.state === 'connected');
  assert.ok(up && up.number === number && up.callId, `pbxcall:state event with callId: ${JSON.stringify(events)}`);
  assert.equal(events[0].state, 'connecting');

  await el.locator('button[name=cancel]').click();
  await simWaitFor((c) => callsTo(c, number).length === 0, 'call gone');
  await waitState(el, ['idle']);
  assertNoErrors(page);
  await page.close();
});

test('a call ended on the PBX side gives the Call button back', { timeout: 60_000 }, async () => {
  const page = await openPage(URL_);
  const number = (await numbers(page))[0];
  const el = contact(page, number);
  await waitState(el, ['idle']);
  await el.locator('button[name=call]').click();
  const [call] = await simWaitFor((c) => callsTo(c, number).length === 1, `a call to ${number}`);
  await waitState(el, ['ringing', 'connected']);

  const res = await fetch(`${SIM}/_sim/calls/${encodeURIComponent(call.id)}`, { method: 'DELETE' });
  assert.ok(res.ok, 'hang up on the simulator');
  await waitState(el, ['idle']);
  assert.equal(await el.locator('button[name=call]').isVisible(), true, 'Call button back');
  assert.equal(await el.locator('button[name=cancel]').isVisible(), false, 'Cancel hidden');
  assert.match(await el.locator('.pbxcall-status').textContent(), /ended/i);
  assertNoErrors(page);
  await page.close();
});

test('a lost PBX connection shows an error and a new Call logs in again', { timeout: 60_000 }, async () => {
  const page = await openPage(URL_);
  const number = (await numbers(page))[1];
  const el = contact(page, number);
  await waitState(el, ['idle']);
  await el.locator('button[name=call]').click();
  await simWaitFor((c) => callsTo(c, number).length === 1, `a call to ${number}`);
  await waitState(el, ['ringing', 'connected']);

  await simPost('/_sim/ws-drop', { abrupt: true });
  await waitState(el, ['error']);
  assert.notEqual((await el.locator('.pbxcall-status').textContent()).trim(), '', 'error text shown');
  assert.equal(await el.locator('button[name=call]').isEnabled(), true, 'Call usable again');
  assert.equal(await el.locator('button[name=cancel]').isVisible(), false, 'Cancel hidden');
  await shot(page, '05-demo-connection-lost.png');

  await simHangupAll();
  await el.locator('button[name=call]').click(); // fresh token, fresh socket
  await simWaitFor((c) => callsTo(c, number).length === 1, `a new call to ${number}`);
  await waitState(el, ['ringing', 'connected']);
  await el.locator('button[name=cancel]').click();
  await simWaitFor((c) => callsTo(c, number).length === 0, 'call gone');
  await waitState(el, ['idle']);
  assertNoErrors(page);
  await page.close();
});

test('a refused PBX login shows the error and leaves the element usable', { timeout: 60_000 }, async () => {
  // The simulator fails the next POST /rest/system/session: the module's third-party login for this user.
  const page = await openPage(URL_, (url) => url.endsWith('/rest/pbxlogin') || url.includes('/rest/system/session'));
  const number = (await numbers(page))[2];
  const el = contact(page, number);
  await waitState(el, ['idle']);
  await simPost('/_sim/fault', { path: '/rest/system/session', method: 'POST', kind: '500', count: 1 });

  await el.locator('button[name=call]').click();
  await waitState(el, ['error']);
  assert.notEqual((await el.locator('.pbxcall-status').textContent()).trim(), '', 'error text shown');
  assert.equal(await el.locator('button[name=call]').isVisible(), true, 'Call visible');
  assert.equal(await el.locator('button[name=call]').isEnabled(), true, 'Call enabled');
  assert.equal(await el.locator('button[name=cancel]').isVisible(), false, 'Cancel hidden');
  assert.equal(callsTo(await simCalls(), number).length, 0, 'no call placed');
  await shot(page, '06-demo-login-refused.png');

  await el.locator('button[name=call]').click(); // the fault is used up: this one works
  await simWaitFor((c) => callsTo(c, number).length === 1, `a call to ${number}`);
  await waitState(el, ['ringing', 'connected']);
  await el.locator('button[name=cancel]').click();
  await simWaitFor((c) => callsTo(c, number).length === 0, 'call gone');
  await waitState(el, ['idle']);
  assertNoErrors(page);
  await page.close();
});
