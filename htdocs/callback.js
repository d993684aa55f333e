/* mod_pbxdial click-to-dial for <pbxcall number="..."><button name="call"> <button name="cancel"></pbxcall>.
 * Flow (DESIGN.md): /rest/pbxlogin -> PBX /rest/system/session (session cookie) -> PBX websocket.
 * One connection per page, one state machine per element: idle|connecting|ringing|connected|error
 * (error rests like idle: Call usable). */
(function () {
  'use strict';

  const TEXT = { idle: '', connecting: 'Connecting\u2026', ringing: 'Ringing\u2026', connected: 'Connected' };
  const CONNECTED = /^(connected|onhold|holding|hold|talking|active|established|answered)$/i;
  const ENDED = /^(disconnected|cleared|ended|hangup|terminated|released|idle)$/i;
  const OPEN_TIMEOUT = 15000; // ms for login + session + websocket
  const PLACE_TIMEOUT = 20000; // ms until the PBX must report the call
  const KEEPALIVE = 30000;

  // "Name" <sip:123@dom> -> 123; drop spaces - . / ( ); non-numbers compare lowercased
  function norm(s) {
    s = String(s == null ? '' : s);
    const m = /(?:sips?|tel):([^@;>?]+)/i.exec(s);
    if (m) s = m[1];
    s = s.replace(/[\s\-./()]/g, '');
    return /^\+?[0-9*#]+$/.test(s) ? s : s.toLowerCase();
  }
  // with/without country code: the longer ends with the shorter (>= 7 digits)
  function near(a, b) {
    a = a.replace(/^\+/, '');
    b = b.replace(/^\+/, '');
    if (a.length < b.length) [a, b] = [b, a];
    return b.length >= 7 && /^[0-9]+$/.test(a + b) && a.slice(-b.length) === b;
  }

  /* ---- the page's PBX connection ---- */
  const busy = new Set(); // controllers placing or having a call
  let ws = null;
  let phase = 'closed'; // closed | opening | open
  let queue = []; // [message, controller]
  let keepalive = 0;
  let gen = 0; // connection attempt; bumped by fail() so a stale attempt cannot touch a newer one

  function send(msg, ctl) {
    if (phase === 'open') return ws.send(JSON.stringify(msg));
    queue.push([msg, ctl]);
    if (phase === 'closed') open();
  }

  function unqueue(ctl) {
    const n = queue.length;
    queue = queue.filter((q) => q[1] !== ctl);
    return queue.length < n;
  }

  function failure(text) {
    return () => {
      throw new Error(text);
    };
  }

  async function open() {
    const my = ++gen;
    const ac = new AbortController();
    phase = 'opening';
    setTimeout(() => {
      if (my === gen && phase !== 'open') {
        ac.abort();
        fail('The PBX does not answer');
      }
    }, OPEN_TIMEOUT);
    let sock;
    try {
      // tokens are single use, ~10 s: a fresh one per connection
      let res = await fetch('/rest/pbxlogin', {
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { Accept: 'application/json' },
        signal: ac.signal,
      }).catch(failure('The server cannot be reached'));
      const login = await res.json().catch(() => null);
      if (!res.ok || !login || !login.session || !login.server) {
        throw new Error((login && login.message) || 'PBX login failed (HTTP ' + res.status + ')');
      }
      let base = String(login.server).replace(/\/+$/, '');
      if (!/^https?:\/\//i.test(base)) base = 'https://' + base;
      // no Content-Type: JSON would mean a CORS preflight, which the PBX refuses
      res = await fetch(base + '/rest/system/session', {
        method: 'POST',
        credentials: 'include',
        mode: 'cors',
        body: JSON.stringify({ name: 'session', value: login.session }),
        signal: ac.signal,
      }).catch(failure('The PBX cannot be reached'));
      if (!res.ok || (await res.text()).trim() === 'false') {
        throw new Error('The PBX refused the session (HTTP ' + res.status + ')');
      }
      if (my !== gen) return;
      sock = ws = new WebSocket(
        base.replace(/^http/i, 'ws') +
          '/websocket?domain=' + encodeURIComponent(login.domain || '') +
          '&user=' + encodeURIComponent(login.user || '')
      );
    } catch (e) {
      if (my === gen) fail(e.message);
      return;
    }
    sock.onopen = () => {
      if (ws !== sock) return;
      phase = 'open';
      const q = queue;
      queue = [];
      q.forEach((m) => sock.send(JSON.stringify(m[0])));
      keepalive = setInterval(() => busy.size && sock.send('{"action":"avoid-disconnect"}'), KEEPALIVE);
    };
    sock.onmessage = (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch (x) {
        return;
      }
      if (m && m.action === 'call-state' && Array.isArray(m.calls)) callState(m.calls);
    };
    sock.onclose = () => {
      if (ws === sock) fail(phase === 'open' ? 'Connection to the PBX lost' : 'The PBX refused the connection');
    };
  }

  function fail(text) {
    gen++;
    if (ws) {
      ws.onclose = null;
      ws.close();
    }
    ws = null;
    phase = 'closed';
    queue = [];
    clearInterval(keepalive);
    busy.forEach((c) => c.set('error', text));
  }

  // a call missing from the list has ended; new calls are claimed by number
  function callState(list) {
    const calls = list
      .filter((c) => c && typeof c === 'object')
      .map((c) => ({
        id: String(c.id != null ? c.id : c.callid),
        to: norm(c['to-number'] != null ? c['to-number'] : c.to),
        st: String(c.state || c.callstate || ''),
      }))
      .filter((c) => !ENDED.test(c.st));
    const taken = new Set();
    busy.forEach((c) => c.id && taken.add(c.id));
    busy.forEach((ctl) => {
      let call;
      if (ctl.id) {
        call = calls.find((c) => c.id === ctl.id);
        if (!call) return ctl.set('idle', ctl.cancelling ? '' : 'Call ended');
      } else {
        const free = calls.filter((c) => !taken.has(c.id));
        call = free.find((c) => c.to === ctl.num) || free.find((c) => near(c.to, ctl.num));
        if (!call) return;
        taken.add(call.id);
        ctl.claim(call.id);
      }
      ctl.set(CONNECTED.test(call.st) ? 'connected' : 'ringing');
    });
  }

  /* ---- one state machine per <pbxcall> ---- */
  class Ctl {
    constructor(el) {
      this.el = el;
      this.id = null;
      const button = (name, label) => {
        let b = el.querySelector('button[name=' + name + ']');
        if (!b) {
          b = el.appendChild(document.createElement('button'));
          b.name = name;
          b.textContent = label;
        }
        if (!b.hasAttribute('type')) b.type = 'button'; // never submit a surrounding form
        return b;
      };
      this.callBtn = button('call', 'Call');
      this.cancelBtn = button('cancel', 'Cancel');
      this.out = el.querySelector('.pbxcall-status');
      if (!this.out) {
        this.out = el.appendChild(document.createElement('span'));
        this.out.className = 'pbxcall-status';
      }
      this.out.setAttribute('aria-live', 'polite');
      this.set('idle');
    }

    // text: status (the message for error); default by state
    set(state, text) {
      const up = state === 'connecting' || state === 'ringing' || state === 'connected';
      show(this.callBtn, !up);
      this.callBtn.disabled = up;
      show(this.cancelBtn, up);
      this.out.textContent = text != null ? text : this.cancelling ? 'Hanging up\u2026' : TEXT[state];
      const changed = state !== this.state || text != null;
      this.state = state;
      if (up) {
        busy.add(this);
      } else {
        busy.delete(this);
        clearTimeout(this.timer);
        this.cancelling = false;
      }
      if (changed) {
        this.el.setAttribute('state', state);
        this.el.dispatchEvent(
          new CustomEvent('pbxcall:state', {
            bubbles: true,
            detail: { state, number: this.el.getAttribute('number'), callId: this.id, error: state === 'error' ? text : null },
          })
        );
      }
      if (!up) this.id = null;
    }

    place() {
      if (busy.has(this)) return;
      this.num = norm(this.el.getAttribute('number'));
      if (!this.num) return this.set('error', 'No number to call');
      this.set('connecting');
      this.timer = setTimeout(() => {
        if (this.id) return;
        unqueue(this); // never place it late
        this.cancelling ? this.set('idle') : this.set('error', 'The PBX did not start the call');
      }, PLACE_TIMEOUT);
      send({ action: 'make-call', to: this.num }, this);
    }

    claim(id) {
      this.id = id;
      clearTimeout(this.timer);
      if (this.cancelling) send({ action: 'clear-call', id }, this);
    }

    hangup() {
      if (!busy.has(this)) return;
      this.cancelling = true;
      if (this.id) send({ action: 'clear-call', id: this.id }, this);
      else if (unqueue(this)) return this.set('idle'); // make-call still queued
      this.set(this.state); // "Hanging up…" until call-state drops it
    }
  }

  // hidden alone loses against author CSS like button{display:inline-block}
  function show(b, on) {
    b.hidden = !on;
    b.style.display = on ? '' : 'none';
  }

  const ctls = new WeakMap();
  function ctl(el) {
    let c = ctls.get(el);
    if (!c) ctls.set(el, (c = new Ctl(el)));
    return c;
  }

  // delegated: elements added later work too
  document.addEventListener('click', (e) => {
    const b = e.target.closest && e.target.closest('pbxcall button[name=call], pbxcall button[name=cancel]');
    if (!b) return;
    e.preventDefault();
    const c = ctl(b.closest('pbxcall'));
    if (b.name === 'call') c.place();
    else if (e.detail < 2) c.hangup(); // 2nd click of a double click on Call may land on Cancel
  });

  function init() {
    document.querySelectorAll('pbxcall').forEach((el) => ctl(el));
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
