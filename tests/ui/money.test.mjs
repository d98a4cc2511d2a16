// Money that stops ads on the page: the forecast line, the seven bars with
// the pace, "Money at risk", "Runs out soonest", and the thresholds in Settings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, calls } from './harness.mjs';
import { account, flag, judged, state, comfortable } from './fixtures.mjs';

const open = appUnderTest();

const forecast = (overrides) => ({
  pace_per_day: '412.50', cap_left: null, cap_days_left: null, funds_left: null, funds_days_left: null,
  funds_unknown: null, payment_risk: null, spend_stopped: null, billing_url: null, ...overrides,
});

/** Seven days from 26 November, with these amounts. */
const week = (amounts) => amounts.map((spend, i) => ({ date: new Date(Date.UTC(2026, 10, 26 + i)).toISOString().slice(0, 10), spend }));

function cases() {
  return [
    account(1, {
      name: 'Capped soon',
      forecast: forecast({ cap_left: '900.00', cap_days_left: 2 }),
      spend_daily: week(['412.50', '412.50', '412.50', '412.50', '412.50', '412.50', '412.50']),
      ...judged([flag('spend_cap', { days: 2, level: 'soon' }, 'warning', 'Spending cap reached in ~2 days at the current pace')]),
    }),
    account(2, {
      name: 'Capped now',
      forecast: forecast({ pace_per_day: null, cap_left: '0.00', cap_days_left: 0 }),
      ...judged([flag('spend_cap', { days: 0, level: 'out' }, 'blocking', 'Spending cap reached — ads stopped')]),
    }),
    account(3, {
      name: 'Prepaid',
      forecast: forecast({ pace_per_day: '180.00', funds_left: '270.00', funds_days_left: 1 }),
      ...judged([flag('prepaid_funds', { days: 1, level: 'urgent' }, 'blocking', 'Prepaid funds last ~1 day at the current pace')]),
    }),
    account(4, {
      name: 'Stopped',
      forecast: forecast({ spend_stopped: { kind: 'stopped' } }),
      spend_daily: week(['230', '230', '230', '230', '230', '230', '0']),
      ...judged([flag('spend_stopped', {}, 'warning', 'Stopped spending yesterday')]),
    }),
    account(5, { name: 'Calm' }),
  ];
}

test('each row says when money stops its ads, with the last 7 days as bars', async () => {
  const rows = cases();
  const page = await open(comfortable(state({ accounts: rows })));
  const line = (i) => page.locator(`.account-row[data-id="${rows[i].id}"] .spend-forecast`);
  assert.equal(await line(0).textContent(), 'cap in ~2 days');
  assert.equal(await line(0).getAttribute('data-tone'), 'warn');
  assert.equal(await line(1).textContent(), 'cap reached — ads stopped');
  assert.equal(await line(1).getAttribute('data-tone'), 'bad');
  assert.equal(await line(2).textContent(), 'funds for ~1 day');
  assert.equal(await line(3).textContent(), 'stopped spending yesterday');
  assert.equal(await line(4).isVisible(), false);
  const bars = page.locator(`.account-row[data-id="${rows[3].id}"] .spend-bars`);
  assert.equal(await bars.locator('rect.bar').count(), 7);
  assert.equal(await bars.locator('rect.bar.empty').count(), 1, 'yesterday: nothing');
  assert.match(await bars.getAttribute('aria-label'), /Spend, last 7 days/);
  assert.equal(await page.locator(`.account-row[data-id="${rows[4].id}"] .spend-bars`).count(), 0, 'no series, no chart');
  assert.deepEqual(page.problems, []);
  // Dense rows: the details pane says it, with the days as figures.
  const dense = await open(state({ accounts: rows }));
  await dense.click(`.account-row[data-id="${rows[0].id}"] .col-refreshed`);
  assert.match(await dense.locator('#details').textContent(), /Forecastcap in ~2 days/);
  await dense.click(`.account-row[data-id="${rows[3].id}"] .col-refreshed`);
  assert.equal(await dense.locator('#details .details-days tr').count(), 7);
  assert.equal(await dense.locator('#details .spend-bars rect.bar').count(), 7);
});

test('"Money at risk" and "Runs out soonest"', async () => {
  const rows = cases();
  const page = await open(state({ accounts: rows }));
  await page.selectOption('#filter', 'money');
  const shown = await page.locator('.account-row:not([hidden]) .account-name').allTextContents();
  assert.deepEqual(shown.sort(), ['Capped now', 'Capped soon', 'Prepaid', 'Stopped']);
  await page.selectOption('#filter', 'all');
  await page.selectOption('#sort', 'runs_out');
  // Blocking rows stay first within "Needs attention"; among equals, the soonest first.
  const order = await page.locator('#group-attention .account-row .account-name').allTextContents();
  const money = order.filter((name) => name.startsWith('Capped') || name === 'Prepaid');
  assert.deepEqual(money, ['Capped now', 'Prepaid', 'Capped soon']);
});

test('the thresholds are settings', async () => {
  const page = await open(state());
  await page.click('#nav-settings');
  assert.equal(await page.inputValue('#set-warn-days'), '3');
  assert.equal(await page.inputValue('#set-urgent-days'), '1');
  await page.fill('#set-warn-days', '7');
  await page.fill('#set-urgent-days', '2');
  await page.uncheck('#set-stopped-spending');
  await page.click('#settings-form button[type="submit"]');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'save_settings'));
  const saved = (await calls(page, 'save_settings'))[0].args.settings.money_alerts;
  assert.deepEqual(saved, { warn_days: 7, urgent_days: 2, stopped_spending: false });
});
