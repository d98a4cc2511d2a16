// The accounts page in a real browser engine with a fake backend.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, calls } from './harness.mjs';
import {
  account, accounts, comfortable, flag, judged, state,
} from './fixtures.mjs';

const open = appUnderTest();

const rowText = (page, id, selector) => page.locator(`.account-row[data-id="${id}"] ${selector}`).textContent();
const shownCount = async (page) => Number(await page.getAttribute('#accounts-table', 'data-shown'));
/** The ids the list shows, in order (from the rows drawn: fixtures fit the screen). */
const drawnOrder = (page, group) => page.locator(`#group-${group} .account-row`).evaluateAll((rows) => rows
  .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
  .map((r) => r.dataset.id));

test('accounts show grouped, needs attention first, with no script or CSP errors', async () => {
  const page = await open(state({ accounts: accounts(30) }));
  assert.equal(await page.locator('#screen-accounts').isVisible(), true);
  assert.equal(await shownCount(page), 30);
  const groups = await page.locator('.accounts-table > .group').evaluateAll((els) => els.map((e) => e.id));
  assert.deepEqual(groups, ['group-attention', 'group-rest']);
  const attention = await page.locator('#group-attention .account-row').count();
  const expected = accounts(30).filter((a) => a.needs_attention).length;
  assert.equal(attention, expected);
  // One line per account: at 1366×900 every row fits and is drawn.
  const heights = await page.locator('.account-row').evaluateAll((rows) => [...new Set(rows.map((r) => r.offsetHeight))]);
  assert.deepEqual(heights, [34]);
  assert.match(await page.locator('#count-attention').textContent(), new RegExp(`${expected} accounts`));
  // Status badges carry text, never colour alone.
  const disabled = accounts(30).find((a) => a.status === 'disabled');
  assert.match(await rowText(page, disabled.id, '.badge-text'), /Disabled/);
  assert.deepEqual(page.problems, []);
});

test('remote strings are shown as text, never parsed as HTML', async () => {
  const evil = '<img src=x onerror="window.__pwned=1">';
  const fixture = state({
    accounts: [
      account(1, {
        name: evil,
        business: { id: '1', name: `<b>${evil}</b>` },
        datasets: [{ id: '9', name: `<script>window.__pwned=2</script>`, last_fired_time: null, is_unavailable: true }],
        dataset_health: ['unavailable'],
        ...judged([flag('dataset_unavailable', { dataset_id: '9' }, 'warning', `Dataset “${evil}” is unavailable`)]),
        error: { reason: 'transient', action: 'refresh', scope: 'account', title: evil, explanation: evil, code: null, subcode: null, http_status: 500, message: evil, user_title: null, user_msg: null, fbtrace_id: evil, retry_at: null, action_url: null, at: '2026-11-27T10:00:00Z' },
      }),
    ],
  });
  const page = await open(fixture);
  const id = fixture.accounts[0].id;
  assert.equal(await rowText(page, id, '.account-name'), evil);
  assert.equal(await rowText(page, id, '.col-business'), `<b>${evil}</b>`);
  assert.match(await rowText(page, id, '.reason-text'), /<img src=x/);
  assert.equal(await page.locator('#accounts-table img, #accounts-table script, #accounts-table b').count(), 0);
  // The details pane shows the same strings, and more of them, as text.
  await page.click(`.account-row[data-id="${id}"] .col-refreshed`);
  assert.equal(await page.locator('#details-name').textContent(), evil);
  const pane = await page.locator('#details').textContent();
  assert.match(pane, /<script>window.__pwned=2<\/script>/);
  assert.match(pane, /<img src=x onerror/);
  assert.equal(await page.locator('#details img, #details script, #details b').count(), 0);
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(page.problems, []);
});

test('search, filter and sort work on what is already drawn', async () => {
  const fixture = state({ accounts: accounts(40) });
  const page = await open(fixture);
  const visible = () => shownCount(page);

  await page.fill('#search', 'account 0007');
  assert.equal(await visible(), 1);
  await page.fill('#search', 'act_100012');
  assert.equal(await visible(), 1);
  await page.fill('#search', 'business 2');
  assert.equal(await visible(), fixture.accounts.filter((a) => a.business && a.business.name === 'Business 2').length);
  await page.fill('#search', '');
  assert.equal(await visible(), 40);

  await page.selectOption('#filter', 'attention');
  assert.equal(await visible(), fixture.accounts.filter((a) => a.needs_attention).length);
  assert.equal(await page.locator('#group-rest').isVisible(), false);
  await page.selectOption('#filter', 'all');

  await page.selectOption('#sort', 'lifetime');
  const first = (await drawnOrder(page, 'rest'))[0];
  const rest = fixture.accounts.filter((a) => !a.needs_attention);
  const top = rest.reduce((m, a) => (Number(a.amount_spent) > Number(m.amount_spent) ? a : m));
  assert.equal(first, top.id);
  await page.fill('#search', 'no such account');
  assert.equal(await page.locator('#empty').isVisible(), true);
});

test('column headers sort, a second click reverses, and aria-sort says which way', async () => {
  const fixture = state({ accounts: accounts(12) });
  const page = await open(fixture);
  const order = () => drawnOrder(page, 'rest');
  const rest = fixture.accounts.filter((a) => !a.needs_attention);
  const by30 = [...rest].sort((a, b) => Number(b.spend_last_30d) - Number(a.spend_last_30d)).map((a) => a.id);
  assert.equal(await page.getAttribute('.col-account[role=columnheader]', 'aria-sort'), 'ascending');

  await page.click('.col-30d .sort-head');
  assert.deepEqual(await order(), by30, 'the biggest 30-day spend first');
  assert.equal(await page.getAttribute('.col-30d[role=columnheader]', 'aria-sort'), 'descending');
  assert.equal(await page.getAttribute('.col-account[role=columnheader]', 'aria-sort'), 'none');
  assert.equal(await page.inputValue('#sort'), 'last30');

  await page.click('.col-30d .sort-head');
  assert.deepEqual(await order(), [...by30].reverse(), 'a second click reverses');
  assert.equal(await page.getAttribute('.col-30d[role=columnheader]', 'aria-sort'), 'ascending');

  await page.selectOption('#sort', 'name');
  assert.equal(await page.getAttribute('.col-account[role=columnheader]', 'aria-sort'), 'ascending');
  assert.equal(await page.getAttribute('.col-30d[role=columnheader]', 'aria-sort'), 'none');
  await page.focus('.col-status .sort-head');
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('.col-status[role=columnheader]', 'aria-sort'), 'ascending', 'keyboard works too');
  assert.deepEqual(page.problems, []);
});

test('refreshing a row updates that row and only that row', async () => {
  const fixture = state({ accounts: accounts(10) });
  const page = await open(fixture, { before: () => { window.__delays = { refresh_account: 300 }; } });
  const target = fixture.accounts[3].id;
  const snapshot = () => page.locator('.account-row').evaluateAll((rows) => rows.map((r) => [r.dataset.id, r.textContent]));
  const beforeRows = new Map(await snapshot());

  await page.click(`.account-row[data-id="${target}"] .row-refresh`);
  assert.equal(await page.locator(`.account-row[data-id="${target}"]`).getAttribute('aria-busy'), 'true');
  assert.equal(await page.locator(`.account-row[data-id="${target}"] .row-refresh`).isDisabled(), true);
  assert.equal(await page.locator('.account-row.refreshing').count(), 1, 'only that row spins');
  await page.waitForSelector(`.account-row[data-id="${target}"][aria-busy="false"]`);

  const afterRows = new Map(await snapshot());
  assert.match(afterRows.get(target), /999\.99/);
  for (const [id, text] of beforeRows) {
    if (id !== target) assert.equal(afterRows.get(id), text, `${id} must not change`);
  }
  assert.deepEqual((await calls(page, 'refresh_account')).map((c) => c.args.id), [target]);
  await page.waitForFunction(() => /refreshed/.test(document.querySelector('#live').textContent));
});

test('a failed row keeps its values, marked as of their time, with the reason', async () => {
  const failed = account(2, {
    error: { reason: 'offline', action: 'refresh', scope: 'account', title: "Facebook can't be reached", explanation: 'x', code: null, subcode: null, http_status: null, message: 'connection refused', user_title: null, user_msg: null, fbtrace_id: null, retry_at: null, action_url: null, at: '2026-11-27T10:05:00Z' },
    ...judged([flag('refresh_failed', { reason: 'offline', since: '2026-11-27T10:00:00Z' }, 'info', "Not refreshed: Facebook can't be reached")]),
  });
  const page = await open(state({ accounts: [failed, account(3)] }));
  assert.match(await rowText(page, failed.id, '.reason-text'), /^Offline — showing data as of /);
  assert.match(await rowText(page, failed.id, 'time'), /^as of /);
  assert.match(await rowText(page, failed.id, '.col-30d'), /\d/);
  await page.click(`.account-row[data-id="${failed.id}"] .col-refreshed`);
  assert.match(await page.locator('#details').textContent(), /Last refresh failed.*Facebook can't be reached/);
  assert.match(await page.locator('#details').textContent(), /connection refused/);
  assert.match(await page.locator(`.account-row[data-id="${failed.id}"]`).getAttribute('class'), /\bhas-error\b/);
});

test('money is shown exactly, without float rounding', async () => {
  const big = account(0, { currency: 'USD', amount_spent: '90071992547409.93' });
  const yen = account(2, { currency: 'JPY', spend_today: '123456789', amount_spent: '5' });
  const page = await open(state({ accounts: [big, yen] }));
  assert.equal(await rowText(page, yen.id, '.col-today'), '¥123,456,789');
  await page.click(`.account-row[data-id="${big.id}"] .col-refreshed`);
  assert.match(await page.locator('#details .details-facts').first().textContent(), /Lifetime\$90,071,992,547,409\.93/);
  // The comfortable rows keep the long spend lines.
  const tall = await open(comfortable(state({ accounts: [big, yen] })));
  assert.match(await rowText(tall, big.id, '.spend-detail'), /\$90,071,992,547,409\.93 lifetime/);
  assert.match(await rowText(tall, yen.id, '.spend-today'), /¥123,456,789 today/);
});

test('an older copy of an account never overwrites a newer one', async () => {
  const fixture = state({ accounts: accounts(3) });
  const page = await open(fixture);
  const id = fixture.accounts[1].id;
  const newer = { ...fixture.accounts[1], name: 'Fresh', revision: 50 };
  const older = { ...fixture.accounts[1], name: 'Stale', revision: 40 };
  await page.evaluate((a) => window.__emit('accounts-changed', [a]), newer);
  await page.evaluate((a) => window.__emit('accounts-changed', [a]), older);
  assert.equal(await rowText(page, id, '.account-name'), 'Fresh');
});

test('events from the backend update rows as they arrive', async () => {
  const fixture = state({ accounts: accounts(5) });
  const page = await open(fixture);
  const changed = { ...fixture.accounts[1], name: 'Renamed by Meta', spend_today: '42.00', revision: 99 };
  await page.evaluate((a) => window.__emit('accounts-changed', [a]), changed);
  assert.equal(await rowText(page, changed.id, '.account-name'), 'Renamed by Meta');
  const added = account(77, { name: 'Newly granted', is_new: true });
  await page.evaluate((a) => window.__emit('accounts-changed', [a]), added);
  assert.equal(await page.locator('.account-row').count(), 6);
  assert.match(await rowText(page, added.id, '.account-id'), /new/);
});

test('refresh-all shows progress and F5 refreshes the selection or everything', async () => {
  const page = await open(state({ accounts: accounts(6) }));
  await page.evaluate(() => window.__emit('refresh-progress', { running: true, done: 2, total: 6, listing_complete: true, waiting: null, next_try: null }));
  assert.equal(await page.locator('#progress').isVisible(), true);
  assert.match(await page.locator('#progress-text').textContent(), /Refreshing 2 of 6/);
  assert.equal(await page.locator('#refresh-all').isDisabled(), true);
  assert.equal(await page.locator('.account-row.queued').count(), 6, 'every row waits its turn');
  const first = await page.evaluate(() => {
    const id = document.querySelector('.account-row').dataset.id;
    return id;
  });
  await page.evaluate((id) => {
    const row = window.__fixture.accounts.find((a) => a.id === id);
    window.__emit('accounts-changed', [{ ...row, revision: 999 }]);
  }, first);
  assert.equal(await page.locator('.account-row.queued').count(), 5, 'a refreshed row stops waiting');
  await page.evaluate(() => window.__emit('refresh-progress', { running: false, done: 6, total: 6, listing_complete: true, waiting: null, next_try: null }));
  assert.equal(await page.locator('#progress').isVisible(), false);
  assert.equal(await page.locator('.account-row.queued').count(), 0);

  await page.keyboard.press('F5');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'refresh_all'));
  const id = (await page.locator('.account-row').first().getAttribute('data-id'));
  await page.click(`.account-row[data-id="${id}"] .col-refreshed`);
  await page.keyboard.press('Control+r');
  await page.waitForFunction((want) => window.__calls.some((c) => c.command === 'refresh_account' && c.args.id === want), id);
});

/** The backend's refresh state becomes `status`, and it says so (as the real backend does). */
async function progressBetweenRuns(page, status) {
  await page.evaluate((s) => {
    window.__fixture.refresh = s;
    window.__emit('refresh-progress', s);
  }, status);
}

test('a wait says what for and until when, and Try now and Stop act on it', async () => {
  const page = await open(state({ accounts: accounts(6) }));
  const until = new Date(Date.now() + 7 * 60000).toISOString();
  const shown = await page.evaluate((iso) => new Intl.DateTimeFormat(navigator.language, { timeStyle: 'short' }).format(new Date(iso)), until);
  await page.evaluate((iso) => window.__emit('refresh-progress', {
    running: true, done: 0, total: 0, listing_complete: false, waiting: { until: iso, reason: 'access_limit' }, next_try: null,
  }), until);
  const text = await page.locator('#progress-text').textContent();
  assert.match(text, /Finding your ad accounts… — Meta's access limit was reached — waiting until/);
  assert.ok(text.includes(shown), `${text} names ${shown}`);
  assert.equal(await page.locator('#try-now').isVisible(), true);
  assert.equal(await page.locator('#cancel-refresh').isVisible(), true);
  await page.click('#cancel-refresh');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'cancel_refresh'));
  await page.click('#try-now');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'try_now'));

  // Between runs: the automatic retry says when; Stop drops it. The backend's
  // state says the same (the reload after Try now may land after the event).
  const between = { running: false, done: 6, total: 6, listing_complete: true, waiting: null };
  await progressBetweenRuns(page, { ...between, next_try: { until, reason: 'next_try' } });
  assert.equal(await page.locator('#progress-bar').isVisible(), false);
  assert.match(await page.locator('#progress-text').textContent(), /Meta did not answer — Adkeep tries again at/);
  assert.equal(await page.locator('#try-now').isVisible(), true);
  assert.equal(await page.locator('#refresh-all').isDisabled(), false);
  await progressBetweenRuns(page, { ...between, next_try: null });
  assert.equal(await page.locator('#progress').isVisible(), false);
  assert.equal(await page.locator('#try-now').isVisible(), false);
});

test('the sandbox is always labelled', async () => {
  const page = await open(state({ mode: 'sandbox' }));
  assert.equal(await page.locator('#sandbox-banner').isVisible(), true);
  assert.match(await page.locator('#sandbox-banner').textContent(), /not your Meta accounts/);
  await page.click('#nav-settings');
  assert.equal(await page.locator('#sandbox-banner').isVisible(), true);
});

test('first run offers the sandbox', async () => {
  const page = await open(state({ mode: 'unconfigured', connected: false, accounts: [], logins: [] }));
  assert.equal(await page.locator('#screen-first-run').isVisible(), true);
  await page.click('#enter-sandbox');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'enter_sandbox'));
});

test('reasons show their severity in the details pane; acknowledging one moves the row and can be undone', async () => {
  const warned = account(1, {
    ...judged([
      flag('dataset_stopped', { dataset_id: '81' }, 'warning', 'Dataset “Pixel 1” stopped receiving events'),
      flag('tos_missing', { tos: 'custom_audience_tos' }, 'info', 'Terms not accepted: customer-list audiences'),
    ]),
  });
  const blocked = account(4);
  const page = await open(state({ accounts: [warned, blocked, account(2)], attention: { blocking: 1, warning: 1, info: 0, set_aside: 0 } }));
  assert.match(await page.locator('#summary').textContent(), /1 blocked · 1 warning/);
  assert.deepEqual(await drawnOrder(page, 'attention'), [blocked.id, warned.id], 'blocking first');
  // The row names its most severe reason and how many more there are.
  assert.equal(await rowText(page, warned.id, '.reason-text'), 'Dataset “Pixel 1” stopped receiving events');
  assert.equal(await rowText(page, warned.id, '.reason-more'), '+1');
  await page.click(`.account-row[data-id="${warned.id}"] .col-refreshed`);
  // Severity is said in words, not only colour.
  const words = await page.locator('#details .flag .visually-hidden').allTextContents();
  assert.deepEqual(words, ['Warning: ', 'Info: ']);

  await page.click('#details .flag[data-severity="warning"] [data-action="acknowledge-flag"]');
  await page.waitForSelector(`#group-rest .account-row[data-id="${warned.id}"]`);
  assert.deepEqual((await calls(page, 'set_aside')).map((c) => c.args), [{ id: warned.id, key: 'dataset_stopped:81', days: null }]);
  const toggle = page.locator('#details .row-aside');
  await page.waitForFunction(() => document.querySelector('#details .row-aside').textContent === '1 set aside');
  await toggle.click();
  assert.match(await page.locator('#details .flag[data-severity="warning"] .flag-text').textContent(), /\(acknowledged\)$/);
  await page.click('#details [data-action="restore-flag"]');
  assert.deepEqual((await calls(page, 'restore_attention')).map((c) => c.args), [{ id: warned.id, key: 'dataset_stopped:81' }]);
});

test('comfortable rows keep every reason on the row, with its controls', async () => {
  const warned = account(1, {
    ...judged([
      flag('dataset_stopped', { dataset_id: '81' }, 'warning', 'Dataset “Pixel 1” stopped receiving events'),
      flag('tos_missing', { tos: 'custom_audience_tos' }, 'info', 'Terms not accepted: customer-list audiences'),
    ]),
  });
  const page = await open(comfortable(state({ accounts: [warned, account(2)] })));
  assert.equal(await page.getAttribute('#density', 'aria-pressed'), 'true');
  const words = await page.locator(`.account-row[data-id="${warned.id}"] .flag .visually-hidden`).allTextContents();
  assert.deepEqual(words, ['Warning: ', 'Info: ']);
  await page.click(`.account-row[data-id="${warned.id}"] .flag[data-severity="warning"] [data-action="acknowledge-flag"]`);
  await page.waitForSelector(`#group-rest .account-row[data-id="${warned.id}"]`);
  // Back to dense rows: the choice is saved.
  await page.click('#density');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'save_settings'));
  assert.equal((await calls(page, 'save_settings')).at(-1).args.settings.row_density, 'dense');
  assert.equal(await page.locator('.account-row').first().evaluate((r) => r.offsetHeight), 34);
  assert.equal(await page.locator('.account-row .row-flags:visible').count(), 0);
});

test('a reason can be snoozed for a number of days', async () => {
  const warned = account(1, { ...judged([flag('dataset_unavailable', { dataset_id: '81' }, 'warning', 'Dataset “Pixel 1” is unavailable')]) });
  const page = await open(state({ accounts: [warned] }));
  await page.click(`.account-row[data-id="${warned.id}"]`);
  await page.selectOption('#details select.snooze', '7');
  await page.waitForSelector(`#group-rest .account-row[data-id="${warned.id}"]`);
  assert.deepEqual((await calls(page, 'set_aside')).map((c) => c.args), [{ id: warned.id, key: 'dataset_unavailable:81', days: 7 }]);
  // Said to screen readers on the next frame.
  await page.waitForFunction(() => /Snoozed for 7 days/.test(document.querySelector('#live').textContent));
});
