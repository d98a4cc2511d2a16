// Ads that cannot run: the list's "ads" cell, the details pane, the link to
// the disapproved ads, a refusal said as unknown (never 0), and review
// reasons from Meta shown as text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, calls } from './harness.mjs';
import {
  account, ads, flag, judged, state,
} from './fixtures.mjs';

const open = appUnderTest();

const cell = (page, id) => page.locator(`.account-row[data-id="${id}"] .col-ads`);

function fixture() {
  const evil = '<img src=x onerror="window.__pwned=1">';
  return state({
    accounts: [
      account(0, {
        name: 'Bluebird — Prospecting US',
        ads: ads({
          disapproved: 12,
          running_or_in_review: 248,
          limit_level: 'near',
          total: 12,
          reasons: [{ text: 'Misleading or false claims', ads: 8 }, { text: evil, ads: 4 }],
        }),
        ...judged([
          flag('ads_disapproved', { ads: 12, at_least: false }, 'warning', '12 ads disapproved'),
          flag('ad_limit', { level: 'near', running: 248, limit: 250, from: null }, 'warning', 'Near the ad limit: 248 of 250 ads running or in review'),
        ]),
      }),
      account(1, {
        name: 'Analyst only',
        ads: ads({
          disapproved: null, with_issues: null, pending_billing_info: null, pending_review: null, cannot_run: null,
          total: null, counts_state: 'refused', running_or_in_review: null, limit: null, limit_level: null, limit_state: 'refused',
        }),
        ...judged([flag('ads_unknown', { what: 'limit' }, 'info', 'Ad limit unknown — your role cannot read it', { key: 'ads_unknown:limit' })]),
      }),
      account(2, {
        name: 'Over the cap',
        ads: ads({ disapproved: 500, at_least: true, total: 620, running_or_in_review: 251, limit_level: 'reached' }),
        ...judged([flag('ad_limit', { level: 'reached', running: 251, limit: 250, from: null }, 'blocking', 'At the ad limit')]),
      }),
    ],
  });
}

test('the ads cell says what cannot run and where the limit stands, in numbers and words', async () => {
  const f = fixture();
  const page = await open(f);
  const [near, refused, over] = f.accounts.map((a) => a.id);
  assert.equal(await cell(page, near).textContent(), '12 ✕ · 248/250');
  assert.equal(await cell(page, near).getAttribute('data-tone'), 'bad');
  assert.match(await cell(page, near).getAttribute('data-tip'), /12 ads cannot run · 248 of 250 ads allowed/);
  assert.equal(await cell(page, refused).textContent(), '—', 'refused: unknown, never 0');
  assert.equal(await cell(page, over).textContent(), '500+ ✕ · 251/250');
  // Sorting by ads puts the most held back first.
  await page.selectOption('#sort', 'ads');
  const order = await page.locator('.account-row').evaluateAll((rows) => rows
    .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
    .map((r) => r.dataset.id));
  assert.deepEqual(order.filter((id) => id !== refused), [over, near]);
  assert.deepEqual(page.problems, []);
});

test('the details pane counts each kind, gives the reasons as text and links to the disapproved ads', async () => {
  const f = fixture();
  const page = await open(f);
  const [near, refused] = f.accounts.map((a) => a.id);
  await page.click(`.account-row[data-id="${near}"] .col-refreshed`);
  const section = page.locator('#details .details-section', { hasText: 'Ads that cannot run' });
  const text = await section.textContent();
  assert.match(text, /Disapproved12/);
  assert.match(text, /With issues0/);
  assert.match(text, /Running or in review248 \(limit: 250\)/);
  assert.match(text, /Misleading or false claims — 8 ads/);
  assert.match(text, /<img src=x onerror="window.__pwned=1"> — 4 ads/);
  assert.equal(await page.locator('#details img').count(), 0);
  await section.locator('[data-page="disapproved_ads"]').click();
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'open_account_page'));
  const [opened] = await calls(page, 'open_account_page');
  assert.deepEqual(opened.args, { id: near, page: 'disapproved_ads' });

  await page.click(`.account-row[data-id="${refused}"] .col-refreshed`);
  const refusedText = await page.locator('#details .details-section', { hasText: 'Ads that cannot run' }).textContent();
  assert.match(refusedText, /Ads held backunknown — your role cannot read it/);
  assert.match(refusedText, /Ad limitunknown — your role cannot read it/);
  assert.doesNotMatch(refusedText, /Disapproved/);
  assert.equal(await page.locator('#details [data-page="disapproved_ads"]').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
});
