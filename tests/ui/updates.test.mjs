// Updates in Settings: check, offer, a refused install's words; the quiet
// check at start says nothing unless there is a newer version; the switch.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, calls } from './harness.mjs';
import { state } from './fixtures.mjs';

const open = appUnderTest();

const newer = `window.__handlers = { ...(window.__handlers || {}),
  check_update: () => ({ current: '0.1.0', available: '0.2.0', notes: 'Faster refresh.' }),
  install_update: () => { throw { kind: 'update', message: "The update's signature is not Adkeep's, so it was not installed (bad signature).", problem: null }; },
};`;

test('updates: check, offer, and a refused signature said in words', async () => {
  const page = await open(state(), { before: newer });
  await page.click('#nav-settings');
  assert.equal(await page.isChecked('#set-check-updates'), true);
  await page.click('#check-updates');
  await page.waitForFunction(() => /0\.2\.0 is available/.test(document.querySelector('#update-status').textContent));
  assert.match(await page.locator('#update-status').textContent(), /you have 0\.1\.0\)\. Faster refresh\./);
  assert.equal(await page.isVisible('#install-update'), true);
  await page.click('#install-update');
  await page.waitForFunction(() => /not Adkeep's/.test(document.querySelector('#update-status').textContent));
  assert.match(await page.locator('#update-status').textContent(), /was not installed/);
});

test('updates: the newest version says so; the switch is saved', async () => {
  const page = await open(state());
  await page.click('#nav-settings');
  await page.click('#check-updates');
  await page.waitForFunction(() => /is the newest version/.test(document.querySelector('#update-status').textContent));
  assert.equal(await page.isVisible('#install-update'), false);
  await page.uncheck('#set-check-updates');
  await page.click('#settings-form button[type="submit"]');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'save_settings'));
  assert.equal((await calls(page, 'save_settings'))[0].args.settings.check_updates, false);
});

test('updates: the quiet check at start tells only of a newer version, and only when allowed', async () => {
  const page = await open(state(), { before: newer, fakeClock: true });
  await page.clock.runFor(4_000);
  assert.equal((await calls(page, 'check_update')).length, 0, 'not before the list has painted');
  await page.clock.runFor(2_000);
  await page.waitForFunction(() => [...document.querySelectorAll('.notice')].some((n) => /0\.2\.0 is available/.test(n.textContent)));
  const off = await open(state({ settings: { ...state().settings, check_updates: false } }), { before: newer, fakeClock: true });
  await off.clock.runFor(60_000);
  assert.equal((await calls(off, 'check_update')).length, 0);
});
