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
