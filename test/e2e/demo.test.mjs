// Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
// Browser tests of callback.js in the default (cross-origin cookie) mode: Debian's chromium, driven by
// playwright-core, uses the demo CRM pages served by httpd + mod_pbxdial (scenarios.mjs).
//
// Environment (set by test/e2e/run):
//   PBXDIAL_E2E_URL   demo page, e.g. http://127.0.0.1:18080/ (Basic auth); tel.html next to it
//   PBXDIAL_E2E_USER  PBXDIAL_E2E_PASS   web login for the demo page
//   PBXDIAL_E2E_EXT   the PBX extension of that login, e.g. 40@example.com
//   PBXDIAL_SIM_URL   the simulator's http base URL (control API /_sim/*, live page /phones)
//   PBXDIAL_E2E_OUT   directory for screenshots (default test/e2e/out)
// A missing variable fails the run: a browser test that silently skips proves nothing.
import { defineScenarios } from './scenarios.mjs';

defineScenarios('cookie', 'PBXDIAL_E2E_URL');
