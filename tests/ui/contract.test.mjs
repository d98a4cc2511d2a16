// The JS side of the one IPC contract (ui/js/contract.js, generated from Rust
// by tests/contract.rs): the UI's api calls every command and nothing else,
// the fake backend answers every command, and the window listens by EVENTS.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { COMMANDS, EVENTS } from '../../ui/js/contract.js';

const root = new URL('../../', import.meta.url);
const commands = Object.keys(COMMANDS).sort();

test('the api calls exactly the contract commands', async () => {
  const called = new Set();
  globalThis.window = {
    __TAURI__: {
      core: { invoke: async (command) => { called.add(command); } },
      event: { listen: async () => () => {} },
    },
  };
  const { api } = await import('../../ui/js/ipc.js');
  for (const call of Object.values(api)) await call('x', 'y', 1);
  delete globalThis.window;
  assert.deepEqual([...called].sort(), commands);
});

test('the fake backend answers every contract command and no other', () => {
  const window = {};
  vm.runInNewContext(readFileSync(new URL('tests/ui/fake-backend.js', root), 'utf8'), { window, structuredClone });
  assert.deepEqual([...window.__fakeCommands].sort(), commands);
});

test('the window names events only through the contract', () => {
  const main = readFileSync(new URL('ui/js/main.js', root), 'utf8');
  assert.doesNotMatch(main, /\bon\(\s*['"`]/, 'event names come from EVENTS');
  for (const key of Object.keys(EVENTS)) {
    assert.match(main, new RegExp(`on\\(EVENTS\\.${key}\\b`), `the window listens to ${key}`);
  }
});

// The fixtures the UI tests draw from must look like what the backend sends
// (ui/js/payloads.js, generated from Rust by tests/payloads.rs): no field the
// backend does not send, none it always sends missing, each of a type it sends.

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function conforms(value, shape, path, problems) {
  const type = typeOf(value);
  if (!shape.types.includes(type)) {
    problems.push(`${path}: ${type}, but the backend sends ${shape.types.join(' or ')}`);
    return;
  }
  if (type === 'object' && shape.fields) {
    for (const key of Object.keys(value)) {
      if (!shape.fields[key]) problems.push(`${path}.${key}: the backend sends no such field`);
      else conforms(value[key], shape.fields[key].shape, `${path}.${key}`, problems);
    }
    for (const [key, field] of Object.entries(shape.fields)) {
      if (!field.optional && !(key in value)) problems.push(`${path}.${key}: always sent, missing here`);
    }
  }
  if (type === 'array' && shape.element) value.forEach((item, i) => conforms(item, shape.element, `${path}[${i}]`, problems));
}

test('the UI fixtures look like what the backend sends', async () => {
  const { STATE, ACCOUNT } = await import('../../ui/js/payloads.js');
  const { state, accounts } = await import('./fixtures.mjs');
  const problems = [];
  conforms(state({ accounts: [] }), STATE, 'state', problems);
  accounts(20).forEach((a, i) => conforms(a, ACCOUNT, `account(${i})`, problems));
  assert.deepEqual(problems, []);
});

test('the fake backend sends dense rows as the backend does', async () => {
  const { STATE } = await import('../../ui/js/payloads.js');
  const { state, accounts } = await import('./fixtures.mjs');
  const window = {};
  vm.runInNewContext(readFileSync(new URL('tests/ui/fake-backend.js', root), 'utf8'), { window, structuredClone, setTimeout });
  window.__fixture = state({ accounts: accounts(20) });
  const sent = await window.__TAURI__.core.invoke('app_state', {});
  const problems = [];
  conforms(sent, STATE, 'state', problems);
  assert.deepEqual(problems, []);
  assert.ok(sent.accounts.length === 20 && sent.accounts.every((a) => a.partial && !('datasets' in a)));
});
