// Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
// Static checks of htdocs/callback.js (no browser, no environment needed): ES2017 syntax, no global
// declarations, at most 4 KB gzipped, no dependencies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as acorn from 'acorn';

const FILE = fileURLToPath(new URL('../../htdocs/callback.js', import.meta.url));
const src = readFileSync(FILE, 'utf8');

test('callback.js is ES2017', () => {
  assert.doesNotThrow(() => acorn.parse(src, { ecmaVersion: 2017, sourceType: 'script' }));
  // ...and the check would catch newer syntax
  for (const newer of ['({...a})', 'try {} catch {}', 'a?.b', 'a ?? b', 'class A { x = 1 }']) {
    assert.throws(() => acorn.parse(newer, { ecmaVersion: 2017 }), SyntaxError, newer);
  }
});

test('callback.js declares no globals: one IIFE', () => {
  const ast = acorn.parse(src, { ecmaVersion: 2017, sourceType: 'script' });
  assert.equal(ast.body.length, 1, 'one top-level statement');
  const [stmt] = ast.body;
  assert.equal(stmt.type, 'ExpressionStatement');
  assert.equal(stmt.expression.type, 'CallExpression');
  assert.match(stmt.expression.callee.type, /FunctionExpression$/);
  assert.doesNotMatch(src, /\b(window|globalThis|self)\s*\.\s*\w+\s*=/, 'no assignments to window properties');
  assert.doesNotMatch(src, /\b(import|require)\s*\(/, 'no dependencies');
});

test('callback.js is under 4096 bytes gzipped (gzip -9)', () => {
  let size;
  try {
    size = execFileSync('gzip', ['-9c', FILE]).length; // what the README's size check measures
  } catch (e) {
    size = gzipSync(src, { level: 9 }).length;
  }
  console.log(`# callback.js: ${src.length} bytes, ${size} gzipped`);
  assert.ok(size < 4096, `${size} bytes gzipped`);
});
