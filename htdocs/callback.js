/* mod_pbxdial click-to-dial. SPDX-License-Identifier: Apache-2.0 */
(function (d) {
  'use strict';
  const K = Symbol.for('pbxdial');
  if (d[K]) return;
  d[K] = 1;
  const me = d.currentScript || d.querySelector('script[data-tel-links]');
  // clickjacking: frameElement is null in a frame of another origin
  let w = self;
  while (w !== top && w.frameElement) w = w.parent;
  if (w !== top && !(me && me.hasAttribute('data-allow-framed'))) return console.warn('pbxdial: framed by another site');
  const tel = me && me.getAttribute('data-tel-links');
  const scope = (tel || '').replace(/^always\s*|^true$/, ''); // a selector: tel: links inside it only
  const S = 1000;
  const TEXT = { connecting: 'Connecting\u2026', ringing: 'Ringing\u2026', connected: 'Connected', ended: 'Call ended' };

  // as the server; "Name" <sip:123@dom> gives 123
  function norm(s) {
    const m = /(?:sips?|tel):([^@;>?]+)/i.exec((s = String(s == null ? '' : s)));
    return (m ? m[1] : s).replace(/[\s\-./()]/g, '');
  }
  // the PBX may add or drop a country code
  const tail = (s) => norm(s).replace(/[^\d*#]/g, '').slice(-9);

  const busy = new Set();
  let ws, phase, synced, retry, idle, ka, tries = 0, gen = 0, queue = [], known = new Set();

  // calls up before a make-call are not its call
  function put(q) {
    if (q[0].to) q[1].skip = new Set(known);
    ws.send(JSON.stringify(q[0]));
  }
  function send(m, c) {
    if (synced) return put([m, c]);
    queue.push([m, c]);
    if (!phase && !retry) open();
  }
  function flush() {
    synced = 1;
    queue.splice(0).forEach(put);
  }
  function unqueue(c) {
    const n = queue.length;
    queue = queue.filter((q) => q[1] !== c);
    return queue.length < n;
  }
  function idler() {
    clearTimeout(idle);
    if (!busy.size && phase) idle = setTimeout(lost, 60 * S);
  }
  const oops = (text, fatal) => {
    throw Object.assign(Error(text), { fatal });
  };

  async function open() {
    const my = ++gen;
    const ac = new AbortController();
    const signal = ac.signal;
    phase = 1;
    retry = 0;
    setTimeout(() => {
      if (my === gen && phase < 2) ac.abort(), lost('The PBX does not answer');
    }, 15 * S);
    let sock;
    try {
      let r = await fetch('/rest/pbxlogin', { signal }).catch(() => oops('The server cannot be reached'));
      const j = await r.json().catch(() => 0);
      if (!r.ok || !j) oops((j && j.message) || 'PBX login failed (HTTP ' + r.status + ')', r.status < 500);
      let url = j.websocket;
      if (!url) {
        url = String(j.server).replace(/\/+$/, '');
        if (!/^https?:/i.test(url)) url = 'https://' + url;
        // no Content-Type: no CORS preflight (the PBX refuses them)
        const body = JSON.stringify({ name: 'session', value: j.session });
        r = await fetch(url + '/rest/system/session', { method: 'POST', credentials: 'include', body, signal })
          .catch(() => oops('The PBX cannot be reached'));
        if (!r.ok || (await r.text()).trim() === 'false') oops('The PBX refused the session (HTTP ' + r.status + ')');
        url += '/websocket';
      }
      if (my !== gen) return;
      url = new URL(url, location.href).href.replace(/^http/i, 'ws');
      // another site would get the calls
      if (j.websocket && !url.startsWith(location.origin.replace('http', 'ws') + '/'))
        oops('Refused a websocket on another site', 1);
      const q = 'domain=' + encodeURIComponent(j.domain) + '&user=' + encodeURIComponent(j.user);
      sock = ws = new WebSocket(url + (url.includes('?') ? '&' : '?') + q);
    } catch (e) {
      return my === gen && lost(e.message, e.fatal);
    }
    sock.onopen = () => {
      phase = 2;
      tries = 0;
      sock.send('{"action":"get-calls"}'); // the queue waits for its answer
      setTimeout(() => ws === sock && !synced && flush(), S);
      ka = setInterval(() => busy.size && sock.send('{"action":"avoid-disconnect"}'), 30 * S);
      idler();
    };
    sock.onmessage = (e) => {
      try {
        e = JSON.parse(e.data);
      } catch (x) {}
      if (e && e.action === 'call-state' && Array.isArray(e.calls)) calls(e.calls);
      // the server's dial policy refused a make-call: its element says why
      if (e && e.action === 'pbxdial-refused')
        for (const c of busy) if (!c.id && c.num === e.to) return c.set('error', String(e.message));
    };
    sock.onclose = (e) =>
      ws === sock && lost(phase > 1 ? e.reason || 'Connection to the PBX lost' : 'The PBX refused the connection');
  }

  // no text: idle. With calls up: reconnect, with backoff.
  function lost(text, fatal) {
    const was = phase > 1;
    gen++;
    phase = synced = 0;
    if (ws) ws.close();
    ws = null;
    clearInterval(ka);
    clearTimeout(idle);
    if (text && !fatal && busy.size && (was || tries) && tries < 6) {
      retry = setTimeout(open, 500 << tries++);
      return busy.forEach((c) => (c.out.textContent = 'Reconnecting\u2026'));
    }
    tries = 0;
    queue = [];
    busy.forEach((c) => c.set('error', text));
  }

  // calls missing from the list have ended
  function calls(list) {
    list = list
      .filter((c) => c && typeof c === 'object')
      .map((c) => ({
        id: String(c.id != null ? c.id : c.callid),
        to: tail(c['to-number'] != null ? c['to-number'] : c.to),
        st: String(c.state || c.callstate || ''),
      }))
      .filter((c) => !/^(disconnected|cleared|ended|hangup|idle)$/i.test(c.st));
    known = new Set(list.map((c) => c.id));
    const taken = new Set();
    busy.forEach((c) => taken.add(c.id));
    busy.forEach((el) => {
      let call;
      if (el.id) {
        call = list.find((c) => c.id === el.id);
        if (!call) return el.set('ended');
      } else {
        call = el.skip && list.find((c) => !taken.has(c.id) && !el.skip.has(c.id) && c.to === tail(el.num));
        if (!call) return;
        taken.add((el.id = call.id));
        if (el.bye) send({ action: 'clear-call', id: el.id }, el);
      }
      const held = /hold/i.test(call.st);
      el.set(held || /^(connected|talking|active|answered)$/i.test(call.st) ? 'connected' : 'ringing', 0, held);
    });
    if (!synced) flush();
  }

  class Ctl {
    constructor(el, a) {
      const btn = (name, label) => {
        let b = el.querySelector('button[name=' + name + ']');
        if (!b && label) {
          b = el.appendChild(d.createElement('button'));
          b.name = name;
          b.textContent = label;
        }
        if (b && !b.hasAttribute('type')) b.type = 'button'; // not submit
        return b;
      };
      this.el = el;
      this.a = a;
      this.call = a ? el : btn('call', 'Call');
      this.cancel = !a && btn('cancel', 'Cancel');
      this.hold = !a && btn('hold');
      let o = !a && el.querySelector('.pbxcall-status');
      if (!o) {
        o = d.createElement('span');
        o.className = 'pbxcall-status';
        a ? el.after(o) : el.appendChild(o);
      }
      o.setAttribute('aria-live', 'polite');
      this.out = o;
      this.set('idle');
    }

    // a tel: href can hold anything, %3C for <
    number() {
      const n = norm(unescape(this.el.getAttribute(this.a ? 'href' : 'number')));
      return /^\+?[\d*#]+$/.test(n) ? n : '';
    }

    set(state, text, held) {
      const up = /^(connecting|ringing|connected)$/.test(state);
      const was = this.state + this.held;
      held = state === 'connected' && !!held;
      if (this.cancel) {
        show(this.call, !up);
        this.call.disabled = up;
        show(this.cancel, up);
      }
      if (this.hold) {
        show(this.hold, state === 'connected');
        this.hold.setAttribute('aria-pressed', held);
      }
      this.out.textContent = text || (up && this.bye ? 'Hanging up\u2026' : held ? 'On hold' : TEXT[state] || '');
      this.state = state;
      this.held = held;
      this.el.setAttribute('state', state);
      this.el.toggleAttribute('held', held);
      clearTimeout(this.timer);
      if (up) busy.add(this);
      else busy.delete(this), (this.bye = 0);
      idler();
      if (was !== state + held || text) {
        const detail = { state, number: this.number(), callId: this.id || null, error: text || null, held };
        this.el.dispatchEvent(new CustomEvent('pbxcall:state', { bubbles: true, detail }));
      }
      if (!up) this.id = 0;
      if (state === 'ended') this.timer = setTimeout(() => this.set('idle'), 4 * S);
      if (state === 'connecting') {
        this.timer = setTimeout(() => {
          unqueue(this);
          this.bye ? this.set('idle') : this.set('error', 'The PBX did not start the call');
        }, 20 * S);
      }
    }

    place() {
      if (busy.has(this)) return;
      if (!(this.num = this.number())) return this.set('error', 'Not a phone number');
      this.skip = 0;
      this.set('connecting');
      send({ action: 'make-call', to: this.num }, this);
    }

    hangup() {
      this.bye = 1;
      if (this.id) send({ action: 'clear-call', id: this.id }, this);
      else if (unqueue(this)) return this.set('idle'); // not sent
      this.out.textContent = 'Hanging up\u2026';
    }
  }

  // hidden alone loses against CSS like button{display:block}
  function show(b, on) {
    b.hidden = !on;
    b.style.display = on ? '' : 'none';
  }

  const ctl = (el, a) => el[K] || (el[K] = new Ctl(el, a));

  d.addEventListener('click', (e) => {
    const b = e.target.closest && e.target.closest('pbxcall button[name]' + (tel != null ? ',a[href^="tel:"]' : ''));
    if (!b) return;
    const a = b.tagName === 'A';
    if (a && ((!/^always\b/.test(tel) && matchMedia('(pointer: coarse)').matches) || (scope && !b.closest(scope)))) return; // the device dials
    const c = ctl(a ? b : b.closest('pbxcall'), a);
    const n = a ? (busy.has(c) ? 'cancel' : 'call') : b.name;
    if (!/^(call|cancel|hold)$/.test(n)) return;
    e.preventDefault();
    if (n === 'call') c.place();
    else if (e.detail > 1 || !busy.has(c)) return; // 2nd click of a double click
    else if (n === 'cancel') c.hangup();
    else if (c.id && c.state === 'connected') send({ action: 'hold-call', id: c.id }, c);
  });

  const all = d.getElementsByTagName('pbxcall');
  function init() {
    for (const el of all) ctl(el);
  }
  function start() {
    init();
    new MutationObserver(init).observe(d, { childList: true, subtree: true });
  }
  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', start);
  else start();
})(document);
