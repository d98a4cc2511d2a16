// Keyboard and selection on the accounts list.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, calls } from './harness.mjs';
import { account, accounts, state } from './fixtures.mjs';

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

const active = (page) => page.evaluate(() => {
  const el = document.activeElement;
  const row = el.closest('.account-row, .head-row');
  return { row: row ? row.dataset.id || 'head' : null, cls: el.className, tag: el.tagName };
});

test('the grid is one Tab stop; nothing inside it is in the tab order but the current row', async () => {
  const page = await open(state({ accounts: accounts(12) }));
  const tabbable = await page.evaluate(() => [...document.querySelectorAll('#accounts-table *')].filter((e) => e.tabIndex >= 0 && e.offsetWidth > 0).map((e) => e.className));
  assert.deepEqual(tabbable, ['row account-row'], 'only the current row');
  await page.focus('#sort');
  await page.keyboard.press('Tab');
  const rows = await shown(page);
  assert.deepEqual(await active(page), { row: rows[0], cls: 'row account-row', tag: 'DIV' }, 'Tab from the toolbar lands on the list');
  await page.keyboard.press('Tab');
  assert.equal((await active(page)).row, null, 'one more Tab leaves the list');
  await page.keyboard.press('Shift+Tab');
  assert.equal((await active(page)).row, rows[0], 'and Shift+Tab comes back to the same row');
});

test('arrows walk the cells; the refresh cell is its button; the header is above the first row', async () => {
  const page = await open(state({ accounts: accounts(12) }));
  const rows = await shown(page);
  await page.focus(`.account-row[data-id="${rows[0]}"]`);
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await active(page), { row: rows[0], cls: 'col-status', tag: 'DIV' });
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await active(page), { row: rows[1], cls: 'col-status', tag: 'DIV' }, '↓ keeps the column');
  await page.keyboard.press('End');
  const end = await active(page);
  assert.equal(end.row, rows[1]);
  assert.match(end.cls, /row-refresh/, 'the refresh cell gives its button');
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => window.__calls.some((c) => c.command === 'refresh_account' && c.args.id === id), rows[1]);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  assert.equal((await active(page)).row, 'head', '↑ from the first row reaches the header');
  await page.keyboard.press('Home');
  assert.deepEqual(await active(page), { row: 'head', cls: 'sort-head', tag: 'BUTTON' }, 'a sortable header is its button');
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('[data-sort-key="status"]', 'aria-sort'), 'ascending');
  await page.keyboard.press('ArrowDown');
  const back = await active(page);
  assert.equal(back.cls, 'col-status');
  await page.keyboard.press('ArrowLeft');
  assert.equal((await active(page)).cls, 'row account-row', '← from the first cell is the row again');
  assert.deepEqual(page.problems, []);
});

test('Enter on a cell with controls reaches them; Esc comes back to the cell', async () => {
  const failing = account(3, {
    error: { reason: 'permission', action: 'reauthenticate', scope: 'account', title: 'A permission is missing', explanation: 'x', code: 200, subcode: null, http_status: 403, message: 'x', user_title: null, user_msg: null, fbtrace_id: null, retry_at: null, action_url: null, at: '2026-11-27T10:05:00Z' },
  });
  const page = await open(state({ accounts: [failing, account(4)] }));
  const row = `.account-row[data-id="${failing.id}"]`;
  await page.focus(row);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal((await active(page)).cls, 'col-account');
  await page.keyboard.press('Enter');
  assert.match((await active(page)).cls, /row-action/, 'the fix in the cell');
  assert.equal(await page.locator(`${row} .row-action`).getAttribute('tabindex'), '0');
  await page.keyboard.press('Escape');
  assert.equal((await active(page)).cls, 'col-account');
  assert.equal(await page.locator(`${row} .row-action`).getAttribute('tabindex'), '-1', 'out of the tab order again');
});

test('the details of an account that leaves the list close, and focus goes back to the list', async () => {
  const page = await open(state({ accounts: accounts(6) }));
  const rows = await shown(page);
  await page.focus(`.account-row[data-id="${rows[2]}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#details:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'details');
  await page.evaluate((gone) => {
    window.__fixture.mode = 'sandbox';
    window.__fixture.accounts = window.__fixture.accounts.filter((a) => a.id !== gone);
    window.__fixture.accounts_key = 'without';
    window.__emit('state-changed', null);
  }, rows[2]);
  await page.waitForSelector('#details', { state: 'hidden' });
  const now = await active(page);
  assert.equal(now.cls, 'row account-row', 'a row has the focus, not the page');
  assert.notEqual(now.row, rows[2]);
});

test('refresh results and new problems are said in the one polite live region', async () => {
  const page = await open(state({ accounts: accounts(6) }), {
    before: () => {
      window.__handlers = {
        refresh_account: ({ id }) => {
          const a = structuredClone(window.__fixture.accounts.find((x) => x.id === id));
          a.revision += 10;
          a.needs_attention = true;
          a.severity = 'blocking';
          a.attention = [{ kind: 'status', status: 'disabled', text: 'Account is disabled', severity: 'blocking', key: 'status', acknowledged: false, snoozed_until: null, muted: false }];
          return a;
        },
      };
    },
  });
  assert.equal(await page.locator('[aria-live]').count(), 1, 'one live region');
  const rows = await shown(page);
  const healthy = await page.evaluate((ids) => ids.find((id) => document.querySelector(`.account-row[data-id="${id}"]`).dataset.severity === 'none'), rows);
  await page.click(`.account-row[data-id="${healthy}"] .row-refresh`);
  await page.waitForFunction(() => document.querySelector('#live').textContent.includes('refreshed'));
  assert.match(await page.locator('#live').textContent(), /refreshed; now needs attention: Account is disabled/);
});
