// Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
// Helpers shared by the browser tests: Debian's chromium via playwright-core, the PBX simulator's
// control API (sim/README.md), pages that fail their test on any console error, screenshots.
import { before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const env = process.env;
export const SIM = (env.PBXDIAL_SIM_URL || '').replace(/\/+$/, '');
export const EXT = env.PBXDIAL_E2E_EXT || '';
export const OUT = env.PBXDIAL_E2E_OUT || fileURLToPath(new URL('./out/', import.meta.url));
export const WAIT = 10_000; // ms for a call to show up on / disappear from the simulator

export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

// A missing variable fails the run: a browser test that silently skips proves nothing.
export function requireEnv(names) {
  const missing = names.filter((k) => !env[k]);
  assert.deepEqual(missing, [], `missing environment: ${missing.join(' ')}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ---------------- one browser test file at a time on the simulator ---------------- */

// node --test may run files in parallel; they share the simulator's extension 40, so a file holds
// this lock (a directory) from its before() to its after(). A lock older than 10 minutes is stale.
const LOCK = join(tmpdir(), `pbxdial-e2e-${(SIM || 'nosim').replace(/\W+/g, '_')}.lock`);
export async function lockSimulator() {
  for (const end = Date.now() + 300_000; ; ) {
    try {
      mkdirSync(LOCK);
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 600_000) rmSync(LOCK, { recursive: true, force: true });
      } catch (x) { /* gone meanwhile */ }
      if (Date.now() > end) throw new Error(`simulator lock ${LOCK} held for 5 minutes`);
      await sleep(200);
    }
  }
}

/* ---------------- the simulator ---------------- */

export const digits = (s) => String(s ?? '').replace(/[\s\-./()]/g, '');

async function control(method, path, body) {
  const res = await fetch(`${SIM}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} -> ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export const simGet = (path) => control('GET', path);
export const simPost = (path, body = {}) => control('POST', path, body);
export const simDelete = (path) => control('DELETE', path);

// Every test starts with no calls, no faults, empty logs.
export async function simReset() {
  await simDelete('/_sim/calls');
  await simDelete('/_sim/fault');
  await simDelete('/_sim/requests');
  await simDelete('/_sim/ws-messages');
}

export async function simCalls(ext = EXT) {
  return (await simGet('/_sim/calls'))[ext] || [];
}

// The simulator's request log for one path (the module's and the browser's requests to the PBX).
export const simRequests = (path) => simGet(`/_sim/requests?path=${encodeURIComponent(path)}`);

// What the browser sent on its websockets: [{ext, socket, time, text, json}].
export const wsMessages = (ext = EXT) => simGet(`/_sim/ws-messages?ext=${encodeURIComponent(ext)}`);

// Session activations made by a browser: POST /rest/system/session {"name":"session"} with an Origin
// (a browser's CORS request; the module's own server-side requests have none).
export async function browserActivations() {
  return (await simRequests('/rest/system/session')).filter(
    (r) => /"name"\s*:\s*"session"/.test(r.body || '') && r.headers.origin
  );
}

export const callsTo = (calls, number) => calls.filter((c) => digits(c['to-number'] ?? c.to) === digits(number));

// Poll the simulator until pred(calls of EXT) is true; returns those calls.
export async function simWaitFor(pred, what, ext = EXT) {
  const end = Date.now() + WAIT;
  let calls;
  for (;;) {
    calls = await simCalls(ext);
    if (pred(calls)) return calls;
    if (Date.now() > end) assert.fail(`within ${WAIT} ms: ${what}; simulator has ${JSON.stringify(calls)}`);
    await sleep(150);
  }
}

// Poll any async condition.
export async function until(fn, what, timeout = WAIT) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`within ${timeout} ms: ${what}`);
    await sleep(150);
  }
}

/* ---------------- the browser ---------------- */

export async function launch() {
  mkdirSync(OUT, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
}

// The lifecycle every browser test file shares: the simulator lock, one browser and one context
// with the demo user's Basic credentials, a simulator reset before each test, and the test's pages
// closed after it (a test that fails half-way must not leave a page that keeps talking to the
// simulator). vars: the environment the file needs besides the user and the simulator. Returns a
// live object: s.browser and s.context once before() has run; push pages to s.pages.
export function useBrowser(vars = []) {
  const s = { browser: undefined, context: undefined, pages: [] };
  let unlock;
  before(async () => {
    requireEnv([...vars, 'PBXDIAL_E2E_USER', 'PBXDIAL_E2E_PASS', 'PBXDIAL_E2E_EXT', 'PBXDIAL_SIM_URL']);
    unlock = await lockSimulator();
    s.browser = await launch();
    s.context = await newContext(s.browser);
  });
  after(async () => {
    await s.browser?.close();
    unlock?.();
  });
  beforeEach(simReset);
  afterEach(() => closePages(s.pages));
  return s;
}

export async function closePages(pages) {
  for (const p of pages.splice(0)) await p.close().catch(() => {});
}

export function newContext(browser, opts = {}) {
  return browser.newContext({
    httpCredentials: { username: env.PBXDIAL_E2E_USER, password: env.PBXDIAL_E2E_PASS },
    viewport: { width: 1100, height: 760 },
    ignoreHTTPSErrors: true, // loopback only: the simulator's self-signed https listener
    ...opts,
  });
}

// A page that records console errors and uncaught exceptions; assertNoErrors fails on any.
// allow(text, url): console errors that the test provokes on purpose (a refused login is logged by
// the browser as a failed resource load).
export async function openPage(context, url, allow = () => false, before) {
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !allow(m.text(), m.location().url || '')) page.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  if (env.PBXDIAL_E2E_DEBUG) {
    page.on('console', (m) => console.log(`# console.${m.type()}: ${m.text()}`));
    page.on('websocket', (ws) => {
      console.log(`# websocket ${ws.url()}`);
      ws.on('framesent', (f) => console.log(`# >> ${String(f.payload).slice(0, 120)}`));
      ws.on('framereceived', (f) => console.log(`# << ${String(f.payload).slice(0, 120)}`));
      ws.on('close', () => console.log('# websocket closed'));
    });
  }
  if (before) await before(page);
  const res = await page.goto(url);
  assert.equal(res.status(), 200, `GET ${url}`);
  return page;
}

export function assertNoErrors(...pages) {
  assert.deepEqual(pages.flatMap((p) => p.errors), [], 'browser console errors');
}

export async function waitState(el, states, timeout = WAIT) {
  await el.page().waitForFunction(
    ([e, s]) => s.includes(e.getAttribute('state')),
    [await el.elementHandle(), states],
    { timeout }
  );
}

export const statusText = async (el) => (await el.locator('.pbxcall-status').textContent()).trim();

export async function shot(page, name) {
  await page.screenshot({ path: join(OUT, name), fullPage: true });
}

// Collects the pbxcall:state events of a page (call before the scenario starts).
export async function recordEvents(page) {
  const events = [];
  await page.exposeFunction('__pbxEvent', (d) => events.push(d));
  await page.evaluate(() =>
    document.addEventListener('pbxcall:state', (e) => window.__pbxEvent({ ...e.detail, tag: e.target.tagName }))
  );
  return events;
}

// A contact with a premium number, as a CRM would render it, on a site whose websocket has
// "PbxDialDeny ^0900": Call ends in the error state with the server's reason on the element.
// Returns the element.
export async function dialDenied(page, id = 'premium', number = '0900 123 456') {
  await page.evaluate(([id, number]) => {
    const el = document.createElement('pbxcall');
    el.setAttribute('number', number);
    el.id = id;
    document.body.prepend(el);
  }, [id, number]);
  const el = page.locator(`#${id}`);
  await waitState(el, ['idle']);
  await el.locator('button[name=call]').click();
  await waitState(el, ['error']);
  assert.match(await statusText(el), new RegExp(`Number not allowed: ${digits(number)} may not be dialled from here`),
    'the reason, on the element');
  return el;
}
