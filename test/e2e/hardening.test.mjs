// Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
// Browser tests of callback.js's own defences (issue 12, "smaller points"): what a tel: href can put
// into pbxcall:state, data-tel-links limited to a container, a websocket URL from /rest/pbxlogin that
// is not on the page's origin, and the page framed by another origin.
//
// Environment: as same-origin.test.mjs (PBXDIAL_E2E_SO_URL: the same-origin demo site), plus
// PBXDIAL_E2E_URL: the cookie-mode demo site, which is another origin (another port) and frames the
// same-origin site's page in the framing tests. A missing variable fails the run.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  SIM, env, useBrowser, closePages, newContext, openPage, assertNoErrors, waitState, statusText,
  recordEvents, simCalls, simWaitFor, simRequests, wsMessages, callsTo, sleep, shot,
} from './lib.mjs';

const T = { timeout: 90_000 };
const b = useBrowser(['PBXDIAL_E2E_SO_URL', 'PBXDIAL_E2E_URL']);
let PAGE, TEL, OTHER;

before(() => {
  PAGE = env.PBXDIAL_E2E_SO_URL;
  TEL = new URL('tel.html', PAGE).href;
  OTHER = env.PBXDIAL_E2E_URL;
  assert.notEqual(new URL(OTHER).origin, new URL(PAGE).origin, 'two origins');
});

async function open(url, allow, before, ctx = b.context) {
  const page = await openPage(ctx, url, allow, before);
  b.pages.push(page);
  return page;
}

// Sets an attribute on the callback.js script tag before the script runs (the tag is parsed before
// the async script executes). Not page.route: Chromium then counts the page as public and blocks its
// requests to loopback addresses.
const scriptAttr = (name, value) => (p) => p.addInitScript(([n, v]) => {
  new MutationObserver((_, obs) => {
    const s = document.querySelector('script[src="/js/callback.js"]');
    if (s) s.setAttribute(n, v), obs.disconnect();
  }).observe(document, { childList: true, subtree: true });
}, [name, value]);

// Records on <body> whether callback.js took a click (preventDefault), and keeps the headless
// browser from handing a tel: link to the system either way.
const watchClicks = (p) => p.evaluate(() => window.addEventListener('click', (e) => {
  document.body.dataset.prevented = String(e.defaultPrevented);
  e.preventDefault();
}));

test('markup in a tel: href never reaches pbxcall:state as markup; detail.number is the normalised number', T, async () => {
  const page = await open(TEL);
  const events = await recordEvents(page);
  await watchClicks(page);
  const hrefs = [
    'tel:%3Cimg%20src=x%20onerror=alert(1)%3E',
    'tel:+1%3Cb%3E617',
    'tel:12%3Cscript%3E34',
    'tel:%uFF1Csvg%20onload=alert(1)%uFF1E',
    'tel:+39%2006%3Ci%3E',
  ];
  await page.evaluate((list) => {
    const ul = document.querySelector('ul.dir');
    for (const h of list) {
      const li = ul.appendChild(document.createElement('li'));
      const a = li.appendChild(document.createElement('a'));
      a.setAttribute('href', h);
      a.textContent = 'evil';
    }
  }, hrefs);
  for (const h of hrefs) {
    const link = page.locator(`a[href="${h}"]`);
    await link.click();
    await waitState(link, ['error']);
    assert.equal(await link.locator('xpath=following-sibling::span[1]').textContent(), 'Not a phone number');
  }
  // A formatted, escaped number gives the normalised number.
  const good = page.locator('a[href="tel:+39%2006%204827%201120"]');
  await good.click();
  await simWaitFor((c) => callsTo(c, '+390648271120').length === 1, 'the good link dials');
  await waitState(good, ['ringing', 'connected']);
  await good.click();
  await simWaitFor((c) => callsTo(c, '+390648271120').length === 0, 'and hangs up');

  const bad = events.filter((e) => e.state === 'error');
  assert.equal(bad.length, hrefs.length, `one error event per bad link: ${JSON.stringify(events)}`);
  assert.ok(bad.every((e) => e.number === ''), `no number from a bad link: ${JSON.stringify(bad)}`);
  assert.ok(events.every((e) => !/[<>＜＞"']/.test(e.number)), `no markup in detail.number: ${JSON.stringify(events)}`);
  assert.deepEqual(events.filter((e) => e.number === '').map((e) => e.state),
    hrefs.flatMap(() => ['idle', 'error']), 'the bad links: set up, then "Not a phone number"');
  assert.deepEqual(events.filter((e) => e.number !== '').map((e) => e.number).filter((n, i, a) => a.indexOf(n) === i),
    ['+390648271120'], `the good link's events carry the normalised number: ${JSON.stringify(events)}`);
  const made = (await wsMessages()).map((m) => m.json).filter((m) => m?.action === 'make-call');
  assert.deepEqual(made, [{ action: 'make-call', to: '+390648271120' }], 'only the good link reached the PBX');
  // The demo's activity list (demo.js) shows the number as text.
  assert.equal(await page.locator('#activity img, #activity svg, #activity script').count(), 0);
  assertNoErrors(page);
});

test('<pbxcall number> events carry the normalised number too', T, async () => {
  const page = await open(PAGE);
  const events = await recordEvents(page);
  await page.evaluate(() => {
    const p = document.body.appendChild(document.createElement('p'));
    p.innerHTML = '<pbxcall number="(212) 555-0199"><button name="call">Call</button></pbxcall>'
      + '<pbxcall number="&lt;b&gt;1&lt;/b&gt;"><button name="call">Call</button></pbxcall>';
  });
  const ok = page.locator('pbxcall[number="(212) 555-0199"]');
  const bad = page.locator('pbxcall[number="<b>1</b>"]');
  await waitState(ok, ['idle']);
  await waitState(bad, ['idle']);
  await bad.locator('button[name=call]').click();
  await waitState(bad, ['error']);
  assert.equal(await statusText(bad), 'Not a phone number');
  assert.deepEqual(events.filter((e) => e.number === '').map((e) => e.state), ['idle', 'error'],
    `the element without a phone number has number '': ${JSON.stringify(events)}`);
  assert.ok(events.every((e) => !/[<>]/.test(e.number)), 'no markup in detail.number');
  await ok.locator('button[name=call]').click();
  await simWaitFor((c) => callsTo(c, '2125550199').length === 1, 'a call to 2125550199');
  await waitState(ok, ['ringing', 'connected']);
  const up = events.find((e) => e.state === 'connecting' && e.number === '2125550199');
  assert.ok(up, `the formatted number arrives normalised: ${JSON.stringify(events)}`);
  await ok.locator('button[name=cancel]').click();
  await simWaitFor((c) => callsTo(c, '2125550199').length === 0, 'the call is gone');
  assertNoErrors(page);
});

test('data-tel-links="#inside" takes only the tel: links inside #inside; others are left to the browser', T, async () => {
  const page = await open(TEL, undefined, scriptAttr('data-tel-links', '#inside'));
  assert.equal(await page.locator('script[src="/js/callback.js"]').getAttribute('data-tel-links'), '#inside');
  await page.evaluate(() => {
    const main = document.querySelector('main');
    main.insertAdjacentHTML('afterbegin',
      '<div id="inside"><a href="tel:43">43</a></div><div id="notes"><p><a href="tel:44">44</a></p></div>');
  });
  await watchClicks(page);

  // Outside: a user's note in the CRM; the click is not taken, nothing is dialled.
  for (const href of ['tel:44', 'tel:+1-617-399-8147']) {
    await page.locator(`a[href="${href}"]`).click();
    await sleep(700);
    assert.equal(await page.locator('body').getAttribute('data-prevented'), 'false', `${href}: click not taken`);
    assert.equal(await page.locator(`a[href="${href}"]`).getAttribute('state'), null, `${href}: untouched`);
  }
  assert.deepEqual(await simCalls(), [], 'no call');
  assert.deepEqual(await simRequests('/websocket'), [], 'not even a websocket');

  // Inside: dials, and a second click hangs up.
  const link = page.locator('#inside a');
  await link.click();
  await simWaitFor((c) => callsTo(c, '43').length === 1, 'a call to 43');
  assert.equal(await page.locator('body').getAttribute('data-prevented'), 'true');
  await waitState(link, ['ringing', 'connected']);
  await shot(page, 'h1-tel-links-container.png');
  await link.click();
  await simWaitFor((c) => callsTo(c, '43').length === 0, 'the call to 43 is gone');
  assertNoErrors(page);
});

test('data-tel-links="always #inside" on a touch screen; data-tel-links="true" still takes every link', T, async () => {
  const touch = await newContext(b.browser, { hasTouch: true, isMobile: true, viewport: { width: 420, height: 800 } });
  try {
    const page = await open(TEL, undefined, scriptAttr('data-tel-links', 'always #inside'), touch);
    await page.evaluate(() => document.querySelector('main').insertAdjacentHTML('afterbegin',
      '<div id="inside"><a href="tel:43">43</a></div>'));
    await watchClicks(page);
    await page.locator('a[href="tel:42"]').click();
    await sleep(700);
    assert.equal(await page.locator('body').getAttribute('data-prevented'), 'false', 'outside: left to the device');
    await page.locator('#inside a').click();
    await simWaitFor((c) => callsTo(c, '43').length === 1, 'inside: a call to 43 on a touch screen');
    await page.locator('#inside a').click();
    await simWaitFor((c) => callsTo(c, '43').length === 0, 'the call to 43 is gone');
    assertNoErrors(page);
  } finally {
    await closePages(b.pages);
    await touch.close();
  }
  // A framework writing data-tel-links="true" (a boolean attribute rendered as text): every link.
  const page = await open(TEL, undefined, scriptAttr('data-tel-links', 'true'));
  await watchClicks(page);
  await page.locator('a[href="tel:42"]').click();
  await simWaitFor((c) => callsTo(c, '42').length === 1, 'a call to 42');
  assert.equal(await page.locator('body').getAttribute('data-prevented'), 'true');
  await page.locator('a[href="tel:42"]').click();
  await simWaitFor((c) => callsTo(c, '42').length === 0, 'the call to 42 is gone');
  assertNoErrors(page);
});

test('a websocket URL from /rest/pbxlogin that is not on the page\'s origin is refused with a visible error', T, async () => {
  const page = await open(PAGE);
  const events = await recordEvents(page);
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  const origin = new URL(PAGE);
  const sim = new URL(SIM);
  const foreign = [
    `ws://${sim.host}/websocket`, // the PBX itself, past the module
    `http://${sim.host}/websocket`,
    `//${sim.host}/websocket`, // protocol-relative: another host
    `\\\\${sim.host}/websocket`, // backslashes are slashes to the URL parser
    `/\t/${sim.host}/websocket`, // a tab is dropped by the URL parser: //host
    `wss://${origin.host}/pbx/websocket`, // same host, another scheme: another origin
    `ws://${origin.hostname}:${Number(origin.port) + 1}/pbx/websocket`, // another port
    `ws://${origin.hostname}.evil.example:${origin.port}/pbx/websocket`,
    `ws://${origin.host}@${sim.host}/websocket`, // userinfo that looks like this host
    'javascript:alert(1)',
  ];
  const number = await page.locator('pbxcall').first().getAttribute('number');
  const el = page.locator(`pbxcall[number="${number}"]`);
  await waitState(el, ['idle']);
  let answer;
  await page.route('**/rest/pbxlogin', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) }));
  for (const websocket of foreign) {
    answer = { websocket, user: '40', domain: 'example.com' };
    await el.locator('button[name=call]').click();
    await waitState(el, ['error']);
    assert.equal(await statusText(el), 'Refused a websocket on another site', websocket);
    assert.equal(await el.locator('button[name=call]').isEnabled(), true, 'Call usable again');
  }
  // Not a URL at all: refused as well (the URL parser's own message).
  answer = { websocket: `ws://${origin.host}.evil.example/pbx/websocket`, user: '40', domain: 'example.com' };
  await el.locator('button[name=call]').click();
  await waitState(el, ['error']);
  await shot(page, 'h2-foreign-websocket.png');
  assert.deepEqual(sockets, [], 'no websocket opened');
  assert.deepEqual(await simRequests('/websocket'), [], 'nothing reached the PBX');
  assert.equal(events.filter((e) => e.state === 'error').length, foreign.length + 1);

  // The same origin, written as a ws: URL, is accepted.
  answer = { websocket: `ws://${origin.host}/pbx/websocket`, user: '40', domain: 'example.com' };
  await el.locator('button[name=call]').click();
  await simWaitFor((c) => callsTo(c, number).length === 1, `a call to ${number} over ${answer.websocket}`);
  await waitState(el, ['ringing', 'connected']);
  await el.locator('button[name=cancel]').click();
  await simWaitFor((c) => callsTo(c, number).length === 0, 'the call is gone');
  assert.equal(sockets.length, 1);
  assertNoErrors(page);
});

// The same-origin site's demo page in an iframe of `top`; returns the frame once loaded.
async function framed(page, src) {
  const handle = await page.evaluateHandle((u) => new Promise((resolve) => {
    const f = document.createElement('iframe');
    f.style.cssText = 'width:1000px;height:600px';
    f.onload = () => resolve(f);
    f.src = u;
    document.body.prepend(f);
  }), src);
  const frame = await handle.asElement().contentFrame();
  await frame.waitForLoadState('load');
  return frame;
}

test('in a frame of another origin the script does nothing, unless the page opts in (data-allow-framed)', T, async () => {
  // Another origin (the cookie-mode site, another port) frames the same-origin site's page.
  const warnings = [];
  const page = await open(OTHER);
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  const logins = [];
  page.on('request', (r) => r.url().includes('/rest/pbxlogin') && logins.push(r.url()));
  const frame = await framed(page, PAGE);
  assert.notEqual(new URL(frame.url()).origin, new URL(page.url()).origin, 'cross-origin frame');
  await sleep(500);
  assert.equal(await frame.locator('pbxcall').first().getAttribute('state'), null, 'the script did not set up the elements');
  assert.equal(await frame.locator('pbxcall .pbxcall-status').count(), 0, 'no status text added');
  await frame.locator('pbxcall button[name=call]').first().click();
  await sleep(1000);
  assert.deepEqual(logins, [], 'no PBX login from the framed page');
  assert.deepEqual(await simCalls(), [], 'no call');
  assert.ok(warnings.some((w) => w.includes('pbxdial: framed by another site')), `a console warning: ${warnings}`);
  await shot(page, 'h3-framed-refused.png');

  // A frame of the same origin is the site's own page: the script runs.
  const own = await open(PAGE);
  const ownFrame = await framed(own, TEL);
  await ownFrame.locator('a[href="tel:42"]').click();
  await simWaitFor((c) => callsTo(c, '42').length === 1, 'a call to 42 from a same-origin frame');
  await ownFrame.locator('a[href="tel:42"]').click();
  await simWaitFor((c) => callsTo(c, '42').length === 0, 'the call to 42 is gone');

  // The framed page opts in with data-allow-framed on its script tag: it works in the frame.
  const optIn = await newContext(b.browser);
  try {
    await optIn.addInitScript(() => {
      if (window === top) return;
      new MutationObserver((_, obs) => {
        const s = document.querySelector('script[src="/js/callback.js"]');
        if (s) s.setAttribute('data-allow-framed', ''), obs.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    const host = await open(OTHER, undefined, undefined, optIn);
    const f = await framed(host, PAGE);
    const number = await f.locator('pbxcall').first().getAttribute('number');
    const first = `pbxcall[number="${number}"]`;
    await f.waitForFunction((s) => document.querySelector(s)?.getAttribute('state') === 'idle', first);
    await f.locator(`${first} button[name=call]`).click();
    await simWaitFor((c) => callsTo(c, number).length === 1, `a call to ${number} from the opted-in frame`);
    await f.waitForFunction((s) => /^(ringing|connected)$/.test(document.querySelector(s).getAttribute('state')), first);
    await shot(host, 'h4-framed-opted-in.png');
    await f.locator(`${first} button[name=cancel]`).click();
    await simWaitFor((c) => callsTo(c, number).length === 0, 'the call is gone');
    assertNoErrors(...b.pages);
  } finally {
    await closePages(b.pages);
    await optIn.close();
  }
});
