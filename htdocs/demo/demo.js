// Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
/* Acme CRM demo: what a CRM can do with the pbxcall:state events of callback.js — here, a live
 * activity list. Not part of mod_pbxdial. */
(function () {
  'use strict';
  const LABEL = {
    connecting: 'dialling your desk phone',
    ringing: 'ringing',
    connected: 'connected',
    ended: 'call ended',
    error: 'failed',
  };
  const MAX = 12;

  document.addEventListener('pbxcall:state', (e) => {
    const d = e.detail;
    if (d.state === 'idle') return; // the element is ready again: nothing to tell
    const list = document.getElementById('activity');
    if (!list) return;
    const empty = list.querySelector('.empty');
    if (empty) empty.remove();

    const row = e.target.closest('tr, li'); // the contact's name: last text of the first cell / .who
    const name = row && (row.cells ? row.cells[0].lastChild : row.querySelector('.who'));
    const who = name ? name.textContent.trim() : '';
    const li = document.createElement('li');
    li.dataset.state = d.state;
    if (d.held) li.dataset.held = '';
    if (d.callId) li.dataset.call = d.callId;
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString();
    const what = document.createElement('span');
    what.className = 'what';
    what.textContent = (who ? who + ' · ' : '') + d.number;
    const state = document.createElement('span');
    state.className = 'state';
    state.textContent = d.held ? 'on hold' : LABEL[d.state] || d.state;
    li.append(time, what, state);
    if (d.error) {
      const err = document.createElement('span');
      err.className = 'err';
      err.textContent = d.error;
      li.append(err);
    }
    list.prepend(li);
    while (list.children.length > MAX) list.lastElementChild.remove();
  });
})();
