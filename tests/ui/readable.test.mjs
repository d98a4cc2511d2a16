// Readable at a glance: nothing that matters is cut (statuses, amounts, the
// ads cell), a cut name or reason has a tooltip on hover and on focus, a
// small window's details drawer leaves name, status and reason in view, the
// 7-day bars are readable day by day, and the page holds at 200 % text and
// with reduced motion.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest } from './harness.mjs';
import {
  account, accounts, comfortable, state,
} from './fixtures.mjs';

const open = appUnderTest();

/** Long names with a distinguishing suffix, every status, a big amount in a long currency symbol. */
function fixture() {
  return state({
    accounts: accounts(30).map((a, i) => ({
      ...a,
      name: i % 3 === 0 ? `Northwind Traders International — Spring Sale ${i} (DE)` : a.name,
      status: i === 2 ? 'pending_settlement' : a.status,
      spend_last_30d: i === 5 ? '1234567.89' : a.spend_last_30d,
      currency: i === 5 ? 'CAD' : a.currency,
    })),
  });
}

/** Visible status badges, amounts and ads cells whose text runs past their box. */
const cutCells = (page) => page.evaluate(() => [...document.querySelectorAll('.account-row .badge, .account-row .col-30d, .account-row .col-today, .account-row .col-ads')]
  .filter((e) => e.offsetWidth > 0 && e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent));

async function openDetails(page, nth) {
  await page.click(`.account-row >> nth=${nth} >> .col-refreshed`);
  await page.waitForSelector('#details:not([hidden])');
}

for (const [width, height] of [[1366, 900], [1280, 820], [880, 560]]) {
  test(`${width}×${height}: no status, amount or ads cell is cut, with the details open or not`, async () => {
    const page = await open(fixture());
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(100);
    assert.deepEqual(await cutCells(page), []);
    await openDetails(page, 2);
    assert.deepEqual(await cutCells(page), [], 'with the details open');
    assert.ok(await page.locator('.account-row .badge', { hasText: 'Payment pending' }).count() <= 1);
    assert.deepEqual(page.problems, []);
  });
}

test('880×560: the details drawer leaves each row\'s status, name and reason in view', async () => {
  const page = await open(fixture());
  await page.setViewportSize({ width: 880, height: 560 });
  await openDetails(page, 0);
  const seen = await page.evaluate(() => {
    const drawer = document.querySelector('#details').getBoundingClientRect();
    const list = document.querySelector('#accounts-viewport').getBoundingClientRect();
    return [...document.querySelectorAll('.account-row')].filter((r) => r.getBoundingClientRect().bottom < list.bottom).map((row) => {
      const cell = (c) => row.querySelector(c).getBoundingClientRect();
      // At least 80 px of each cell shows left of the drawer.
      return ['.col-status', '.col-account', '.col-reason'].every((c) => Math.min(cell(c).right, drawer.left) - cell(c).left >= 80);
    });
  });
  assert.ok(seen.length >= 5, `rows in view: ${seen.length}`);
  assert.ok(seen.every(Boolean), JSON.stringify(seen));
});

test('a name with a suffix is cut in the middle; a cut cell shows its whole text on hover and on keyboard focus', async () => {
  const page = await open(fixture());
  await page.setViewportSize({ width: 1280, height: 820 });
  // The first row on screen with a suffixed name.
  const id = await page.evaluate(() => [...document.querySelectorAll('.account-row')].filter((r) => r.querySelector('.name-tail').textContent === ' (DE)')
    .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0].dataset.id);
  const index = Number(id.slice(-2));
  const row = page.locator(`.account-row[data-id="${id}"]`);
  await row.locator('.col-refreshed').click();
  await page.waitForSelector('#details:not([hidden])');
  const tail = row.locator('.name-tail');
  assert.equal(await tail.textContent(), ' (DE)');
  const tailShown = await tail.evaluate((t) => t.getBoundingClientRect().right <= t.closest('.col-account').getBoundingClientRect().right);
  assert.ok(tailShown, 'the suffix stays in view');
  assert.ok(await row.locator('.col-account').evaluate((c) => c.querySelector('.name-head').scrollWidth > c.querySelector('.name-head').clientWidth), 'the name is cut');

  await row.locator('.col-account').hover();
  await page.waitForFunction((n) => document.querySelector('#tip')?.hidden === false && document.querySelector('#tip').textContent.includes(`Sale ${n} `), index);
  assert.equal(await page.locator('#tip').textContent(), `Northwind Traders International — Spring Sale ${index} (DE) ${id}`);
  // The pointer can move onto the tip and rest there (WCAG 1.4.13); leaving both hides it.
  const tipBox = await page.locator('#tip').boundingBox();
  await page.mouse.move(tipBox.x + tipBox.width / 2, tipBox.y + tipBox.height / 2, { steps: 8 });
  await page.waitForTimeout(700);
  assert.equal(await page.locator('#tip').isVisible(), true, 'the tip stays while the pointer is on it');
  assert.equal(await page.locator('#tip').textContent(), `Northwind Traders International — Spring Sale ${index} (DE) ${id}`, 'the same tip');
  assert.equal(await page.evaluate(() => getSelection().toString()), '');
  await page.locator('#tip').dblclick();
  assert.notEqual(await page.evaluate(() => getSelection().toString()), '', 'its text can be selected');
  await page.mouse.move(tipBox.x + tipBox.width / 2, tipBox.y + tipBox.height + 120, { steps: 4 });
  await page.waitForFunction(() => document.querySelector('#tip').hidden);

  // The keyboard: the row, → into its cells, → to the reason.
  await row.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('col-account')), true);
  assert.equal(await page.locator('#tip').isVisible(), true, 'the tip shows on focus');
  assert.match(await page.locator('#tip').textContent(), new RegExp(`Spring Sale ${index} \\(DE\\)`));
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#tip').isVisible(), false, 'Esc hides the tip');
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('col-account')), true, 'and leaves focus where it was');
  assert.equal(await page.locator('#details').isVisible(), true, 'and closes nothing else');
  assert.deepEqual(page.problems, []);
});

test('the dense row says the severity in words; the status badge and the ads cell have tips', async () => {
  const page = await open(fixture());
  const row = page.locator('.account-row[data-severity="blocking"]').first();
  assert.match(await row.locator('.col-reason').textContent(), /^Blocking: /);
  assert.equal(await row.locator('.reason-severity').evaluate((e) => e.getBoundingClientRect().width <= 1), true, 'said, not shown');
  const warning = page.locator('.account-row[data-severity="warning"]').first();
  assert.match(await warning.locator('.col-reason').textContent(), /^Warning: /);
  assert.match(await row.locator('.col-ads').getAttribute('data-tip'), /ads allowed running or in review/);
});

test('the 7-day spend: 24 px bars, each day on hover, the week on focus', async () => {
  const rows = accounts(4).map((a, i) => ({
    ...a,
    spend_daily: ['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'].map((date, d) => ({ date, spend: `${(d + 1) * 10 + i}.50` })),
  }));
  const page = await open(comfortable(state({ accounts: rows })));
  const bars = page.locator('.account-row >> nth=0 >> .spend-bars');
  assert.equal(await bars.evaluate((svg) => svg.getBoundingClientRect().height), 24);
  const first = rows.find((r) => r.id === 'act_100000');
  assert.ok(first);
  await page.locator(`.account-row[data-id="act_100000"] .spend-bars .day >> nth=6`).hover();
  await page.waitForSelector('#tip:not([hidden])');
  assert.equal(await page.locator('#tip').textContent(), 'Fri, Nov 27: $70.50');

  await page.click('.account-row[data-id="act_100000"] .col-refreshed');
  await page.waitForSelector('#details:not([hidden])');
  await page.locator('#details .spend-bars').focus();
  assert.equal(await page.locator('#tip').isVisible(), true);
  const lines = (await page.locator('#tip').textContent()).split('\n');
  assert.equal(lines.length, 7, lines.join(' | '));
  assert.equal(lines[0], 'Sat, Nov 21: $10.50');
  assert.deepEqual(page.problems, []);
});

test('200 % text: rows grow with the text, nothing is cut or overlaps', async () => {
  const page = await open(fixture());
  await page.setViewportSize({ width: 1280, height: 820 });
  const before = await page.locator('.account-row').first().evaluate((r) => r.getBoundingClientRect().height);
  await page.evaluate(() => { document.documentElement.style.fontSize = '175%'; });
  await page.waitForFunction((h) => document.querySelector('.account-row').getBoundingClientRect().height >= 2 * h - 2, before);
  await page.waitForTimeout(100);
  assert.deepEqual(await cutCells(page), []);
  const overlaps = await page.evaluate(() => {
    const boxes = (selector) => [...document.querySelectorAll(selector)].filter((e) => e.offsetWidth > 0).map((e) => [e, e.getBoundingClientRect()]);
    const found = [];
    for (const group of ['.topbar > *', '#screen-accounts .toolbar > *', '.account-row:first-child > [role="gridcell"]', '.head-row > [role="columnheader"]']) {
      const list = boxes(group);
      for (let i = 0; i < list.length; i += 1) {
        for (let j = i + 1; j < list.length; j += 1) {
          const [a, ra] = list[i];
          const [b, rb] = list[j];
          const apart = ra.right <= rb.left + 0.5 || rb.right <= ra.left + 0.5 || ra.bottom <= rb.top + 0.5 || rb.bottom <= ra.top + 0.5;
          if (!apart) found.push(`${a.className || a.id} × ${b.className || b.id}`);
        }
      }
    }
    // Every badge is as tall as its text and inside its row.
    for (const badge of document.querySelectorAll('.account-row .badge')) {
      const row = badge.closest('.account-row').getBoundingClientRect();
      const box = badge.getBoundingClientRect();
      if (box.top < row.top || box.bottom > row.bottom) found.push(`badge outside its row: ${badge.textContent}`);
    }
    return found;
  });
  assert.deepEqual(overlaps, []);
  assert.deepEqual(page.problems, []);
});

test('reduced motion: nothing spins; the refreshing row is still marked', async () => {
  const page = await open(state({ accounts: [account(0)] }), {
    before: () => { window.__delays = { refresh_account: 2000 }; },
  });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.click('.account-row .row-refresh');
  const icon = page.locator('.account-row.refreshing .icon-refresh');
  await icon.waitFor();
  assert.equal(await icon.evaluate((e) => getComputedStyle(e).animationName), 'none');
  assert.equal(await page.locator('.account-row').getAttribute('aria-busy'), 'true');
});
