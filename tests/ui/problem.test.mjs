// The problem page: each reason, its one button, the countdown, the details.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, calls } from './harness.mjs';
import { account, flag, judged, login, problem, state } from './fixtures.mjs';

const open = appUnderTest();

const broken = (p) => state({ problem: p, opens_problem_page: true });

const CASES = [
  ['token_expired', 'reauthenticate', 'Reauthenticate', {}],
  ['token_revoked', 'reauthenticate', 'Reauthenticate', { subcode: 460 }],
  ['app_changed', 'reauthenticate', 'Reauthenticate', { code: 101, subcode: null }],
  ['security_checkpoint', 'open_facebook', 'Open facebook.com', { subcode: 459, action_url: 'https://www.facebook.com/' }],
  ['permissions_changed', 'reauthenticate', 'Reauthenticate', { code: 200, subcode: null }],
  ['policy_violation', 'open_account_quality', 'Open Account Quality', { code: 368, subcode: 1404078, action_url: 'https://www.facebook.com/accountquality' }],
  ['rate_limited', 'wait', 'Try now', { code: 4, subcode: null, retry_at: new Date(Date.now() + 3600_000).toISOString() }],
];

for (const [reason, action, label, extra] of CASES) {
  test(`${reason}: the page says what happened and offers one fix`, async () => {
    const p = problem(reason, action, extra);
    const page = await open(broken(p));
    assert.equal(await page.locator('#screen-problem').isVisible(), true);
    assert.equal(await page.locator('#screen-accounts').isVisible(), false);
    assert.equal(await page.locator('#problem-title').textContent(), p.title);
    assert.equal(await page.locator('#problem-explanation').textContent(), p.explanation);
    assert.equal(await page.locator('#problem-primary').textContent(), label);
    await page.click('#problem-details summary');
    assert.equal(await page.locator('#detail-code').textContent(), String(p.code ?? '—'));
    assert.equal(await page.locator('#detail-subcode').textContent(), String(p.subcode ?? '—'));
    assert.equal(await page.locator('#detail-trace').textContent(), 'AbCdEf123');
    if (action === 'wait') {
      assert.match(await page.locator('#problem-countdown').textContent(), /Meta allows access again in 59:5\d/);
    } else {
      assert.equal(await page.locator('#problem-countdown').isVisible(), false);
    }
    assert.deepEqual(page.problems, []);
  });
}

test('the primary button does the fix', async () => {
  let page = await open(broken(problem('token_expired', 'reauthenticate')));
  await page.click('#problem-primary');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'reauthenticate'));

  const checkpoint = problem('security_checkpoint', 'open_facebook', { subcode: 459, action_url: 'https://www.facebook.com/' });
  page = await open(broken(checkpoint));
  await page.click('#problem-primary');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'open_link'));
  assert.equal((await calls(page, 'open_link'))[0].args.url, 'https://www.facebook.com/');
  // After clearing the checkpoint, the login still needs renewing.
  assert.equal(await page.locator('#problem-secondary').textContent(), 'Reauthenticate');
  await page.click('#problem-secondary');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'reauthenticate'));
});

test('the countdown runs out and retries by itself, back to the accounts', async () => {
  const p = problem('rate_limited', 'wait', { code: 17, subcode: 2446079, retry_at: new Date(Date.now() + 2500).toISOString() });
  const page = await open(broken(p), {
    before: () => {
      window.__handlers = {
        refresh_all: () => {
          window.__fixture.problem = null;
          window.__fixture.opens_problem_page = false;
          return { total: 12, refreshed: 12, failed: 0, listing_complete: true, cancelled: false, problem: null };
        },
      };
    },
  });
  assert.match(await page.locator('#problem-countdown').textContent(), /0:0[123]/);
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'refresh_all'), null, { timeout: 8000 });
  await page.waitForSelector('#screen-accounts:not([hidden])');
});

test('details can be copied for Meta support', async () => {
  const page = await open(broken(problem('token_expired', 'reauthenticate')));
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.click('#problem-details summary');
  await page.click('#copy-details');
  await page.waitForFunction(() => document.querySelector('#copy-result').textContent.length > 0);
  const text = await page.locator('#copy-result').textContent();
  assert.ok(text === 'Copied.' || text.startsWith('Selected'), text);
  if (text === 'Copied.') {
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /reason: token_expired/);
    assert.match(copied, /fbtrace_id: AbCdEf123/);
  }
});

test('the last data stays one click away', async () => {
  const page = await open(broken(problem('token_expired', 'reauthenticate')));
  await page.click('[data-action="show-accounts-anyway"]');
  assert.equal(await page.locator('#screen-accounts').isVisible(), true);
  assert.equal(await page.locator('.account-row').count(), 12);
});

test('a blip never opens the problem page', async () => {
  const offline = problem('offline', 'refresh', { scope: 'token', code: null, subcode: null });
  const rows = [account(1, { error: offline, ...judged([flag('refresh_failed', { reason: 'offline', since: null }, 'info', "Not refreshed: Facebook can't be reached")]) })];
  const page = await open(state({ problem: null, opens_problem_page: false, accounts: rows }));
  assert.equal(await page.locator('#screen-accounts').isVisible(), true);
  assert.match(await page.locator('.account-row .reason-text').textContent(), /^Offline — showing data as of/);
});

test('account-level problems show on the row, with their fix', async () => {
  const tos = problem('permissions_changed', 'accept_tos', {
    scope: 'account', code: 200, subcode: 1870034, title: 'A permission is missing',
    action_url: 'https://www.facebook.com/ads/manage/customaudiences/tos.php?act=100001',
  });
  const failed = flag('refresh_failed', { reason: 'permissions_changed', since: null }, 'blocking', 'Not refreshed: A permission is missing');
  const rows = [account(1, { error: tos, ...judged([failed]) }), account(2)];
  const page = await open(state({ accounts: rows }));
  const row = page.locator(`.account-row[data-id="${rows[0].id}"]`);
  assert.match(await row.locator('.reason-text').textContent(), /A permission is missing/);
  assert.equal(await row.locator('.row-action').textContent(), 'Review the terms');
  await row.locator('.row-action').click();
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'open_link'));
  assert.match((await calls(page, 'open_link'))[0].args.url, /tos\.php\?act=100001/);
  assert.equal(await page.locator(`.account-row[data-id="${rows[1].id}"] .row-action`).isVisible(), false);
});

test('an expiring login and a missing permission are flagged above the list', async () => {
  const expiring = await open(state({
    logins: [login({ token: { expires_at: null, data_access_expires_at: null, days_left: 5, warning: 'week' }, needs_login: true })],
  }));
  assert.match(await expiring.locator('.login-banner').textContent(), /Your Facebook login expires in 5 days/);
  assert.equal(await expiring.locator('#token-health').getAttribute('data-tone'), 'warn');
  const lacking = await open(state({ logins: [login({ missing_scopes: ['business_management'], needs_login: true })] }));
  assert.match(await lacking.locator('.login-banner').textContent(), /business_management/);
});
