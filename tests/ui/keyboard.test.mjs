// Keyboard and selection on the accounts list.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, calls } from './harness.mjs';
import { accounts, state } from './fixtures.mjs';

const open = appUnderTest();

const selected = (page) => page.locator('.account-row[aria-selected="true"]').evaluateAll((rows) => rows.map((r) => r.dataset.id));
const focused = (page) => page.evaluate(() => document.activeElement && document.activeElement.dataset.id);
const shown = (page) => page.locator('.account-row:visible').evaluateAll((rows) => rows.map((r) => r.dataset.id));

test('arrows move, Shift extends, Space toggles, Ctrl+A selects what is shown, Esc clears', async () => {
  const page = await open(state({ accounts: accounts(12) }));
  const rows = await shown(page);
  await page.click(`.account-row[data-id="${rows[0]}"] .col-refreshed`);
  assert.deepEqual(await selected(page), [rows[0]]);
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(page), rows[1], 'the focus moves');
  assert.deepEqual(await selected(page), [rows[0]], 'the selection stays');
  await page.keyboard.press('Shift+ArrowDown');
  assert.deepEqual(await selected(page), rows.slice(0, 3), 'Shift extends from the anchor');
  await page.keyboard.press('Space');
  assert.deepEqual(await selected(page), [rows[0], rows[1]], 'Space toggles the row the keyboard is on');
  await page.keyboard.press('End');
  assert.equal(await focused(page), rows[rows.length - 1]);
  await page.keyboard.press('Control+a');
  assert.deepEqual(await selected(page), rows, 'every row shown');
  await page.keyboard.press('F5');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'refresh_selected'));
  assert.deepEqual([...(await calls(page, 'refresh_selected'))[0].args.ids].sort(), [...rows].sort(), 'F5 acts on the selection');
  assert.equal(await page.locator('#details').isVisible(), true, 'a click opened the details');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#details').isVisible(), false, 'Esc closes the details first');
  await page.keyboard.press('Escape');
  assert.deepEqual(await selected(page), []);
  assert.deepEqual(page.problems, []);
});

test('Shift-click selects a range; Ctrl+A in the search box selects its text, not rows', async () => {
  const page = await open(state({ accounts: accounts(12) }));
  const rows = await shown(page);
  await page.click(`.account-row[data-id="${rows[1]}"] .col-refreshed`);
  await page.click(`.account-row[data-id="${rows[4]}"] .col-refreshed`, { modifiers: ['Shift'] });
  assert.deepEqual(await selected(page), rows.slice(1, 5));
  await page.click('#search');
  await page.keyboard.press('Control+a');
  assert.deepEqual(await selected(page), rows.slice(1, 5), 'the rows stay as they were');
  assert.equal(await page.locator('.account-row[tabindex="0"]').count(), 1, 'one row in the tab order');
});
