// The Activity view, exports, and watching by itself in Settings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, calls } from './harness.mjs';
import { accounts, state } from './fixtures.mjs';

const open = appUnderTest();

function changes(rows) {
  const hour = 3600_000;
  const at = (h) => new Date(Date.UTC(2026, 11, 3, 12) - h * hour).toISOString();
  return [
    { at: at(1), account_id: rows[0].id, account_name: rows[0].name, login: null, kind: 'status', from: 'active', to: 'disabled', worse: true },
    { at: at(2), account_id: null, account_name: null, login: '1021', kind: 'login_health', from: 'ok', to: 'expires_within_a_day', worse: true },
    { at: at(30), account_id: rows[1].id, account_name: '<b>Beta</b>', login: null, kind: 'dataset_resumed', from: '81', to: 'Shop pixel', worse: false },
  ];
}

test('activity: newest first by day, what is new since last look, links to the account', async () => {
  const rows = accounts(4);
  const seen = new Date(Date.UTC(2026, 11, 3, 9, 30)).toISOString();
  const fixture = state({ accounts: rows, settings: { ...state().settings, activity_seen_at: seen } });
  const page = await open(fixture, { before: `window.__changes = ${JSON.stringify(changes(rows))};` });
  await page.waitForFunction(() => !document.querySelector('#activity-new').hidden);
  assert.equal(await page.locator('#activity-new').textContent(), '2');
  await page.click('#nav-activity');
  await page.waitForSelector('.activity-item');
  const items = page.locator('.activity-item');
  assert.equal(await items.count(), 3);
  assert.match(await items.nth(0).textContent(), /Status: active → disabled/);
  assert.match(await items.nth(1).textContent(), /Jane Doe's login Login: ok → expires within a day/);
  assert.match(await items.nth(2).textContent(), /<b>Beta<\/b> Dataset firing again: “Shop pixel”/, 'names are text');
  assert.equal(await page.locator('.activity-item.is-new').count(), 2);
  assert.equal(await page.locator('.activity-marker').count(), 1);
  assert.ok((await page.locator('.activity-day').count()) >= 1);
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'mark_activity_seen'));

  await page.selectOption('#activity-kind', 'worse');
  assert.equal(await page.locator('.activity-item').count(), 2);
  await page.selectOption('#activity-kind', '');
  await page.fill('#activity-account', 'beta');
  assert.equal(await page.locator('.activity-item').count(), 1);
  await page.fill('#activity-account', '');

  await page.click('.activity-item >> nth=0 >> .activity-account');
  assert.equal(await page.locator('#screen-accounts').isVisible(), true);
  assert.equal(await page.inputValue('#search'), rows[0].id);
  assert.equal(await page.locator('.account-row:not([hidden])').count(), 1);
  assert.deepEqual(page.problems, []);
});

test('exports say where the file went', async () => {
  const page = await open(state());
  await page.click('#export-accounts');
  await page.waitForFunction(() => document.querySelector('#notices').textContent.includes('adkeep-accounts'));
  assert.deepEqual((await calls(page, 'export_csv')).map((c) => c.args.history), [false]);
  await page.click('#nav-activity');
  await page.click('[data-action="export-changes"]');
  await page.waitForFunction(() => window.__calls.filter((c) => c.command === 'export_csv').length === 2);
  assert.deepEqual((await calls(page, 'export_csv')).map((c) => c.args.history), [false, true]);
});

test('scheduled checks and launch at login are settings', async () => {
  const page = await open(state({ next_check: new Date(Date.now() + 3 * 3600_000).toISOString() }));
  await page.click('#nav-settings');
  assert.equal(await page.inputValue('#set-check-every'), '3');
  assert.match(await page.locator('#check-plan').textContent(), /next/);
  await page.selectOption('#set-check-every', '6');
  await page.check('#set-launch-at-login');
  await page.click('#settings-form button[type="submit"]');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'save_settings'));
  const saved = (await calls(page, 'save_settings'))[0].args.settings;
  assert.equal(saved.check_every_hours, 6);
  assert.equal(saved.launch_at_login, true);
  await page.selectOption('#set-check-every', '');
  await page.click('#settings-form button[type="submit"]');
  await page.waitForFunction(() => window.__calls.filter((c) => c.command === 'save_settings').length === 2);
  assert.equal((await calls(page, 'save_settings'))[1].args.settings.check_every_hours, null);
});
