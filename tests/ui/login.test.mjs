// Reauthenticate, a different user, cancel, and the login settings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, calls } from './harness.mjs';
import { login, problem, state, comfortable } from './fixtures.mjs';

const open = appUnderTest();

test('reauthenticate reports what changed', async () => {
  const page = await open(state());
  await page.click('#reauthenticate');
  await page.waitForFunction(() => document.querySelector('#notices').textContent.includes('2 new ad accounts'));
  await page.waitForFunction(() => /Connected as Jane Doe/.test(document.querySelector('#live').textContent));
  // The state reload after a login keeps the message.
  await page.evaluate(() => window.__emit('state-changed', null));
  await page.waitForTimeout(200);
  assert.match(await page.locator('#notices').textContent(), /2 new ad accounts/);
  assert.deepEqual((await calls(page, 'reauthenticate')).map((c) => c.args.login), ['1021'], 'the one login');
});

test('someone else logging in is asked about, and keeping changes nothing', async () => {
  const page = await open(state(), {
    before: () => {
      window.__handlers = {
        reauthenticate: () => ({ outcome: 'different_user', expected: { id: '1', name: 'Jane Doe' }, user: { id: '2', name: 'Sam Lee' }, message: 'You logged in as Sam Lee, not Jane Doe. Add Sam Lee as another Facebook login?' }),
      };
    },
  });
  await page.click('#reauthenticate');
  await page.waitForSelector('#switch-dialog[open]');
  assert.match(await page.locator('#switch-message').textContent(), /Sam Lee/);
  await page.click('[data-action="switch-keep"]');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'confirm_switch_user'));
  assert.deepEqual((await calls(page, 'confirm_switch_user')).map((c) => c.args.add), [false]);
  assert.equal(await page.locator('#switch-dialog[open]').count(), 0);

  await page.click('#reauthenticate');
  await page.waitForSelector('#switch-dialog[open]');
  await page.click('#switch-add');
  await page.waitForFunction(() => window.__calls.filter((c) => c.command === 'confirm_switch_user').length === 2);
  assert.deepEqual((await calls(page, 'confirm_switch_user')).map((c) => c.args.add), [false, true]);
});

test('cancelling the login is calm, not an error', async () => {
  const page = await open(state(), {
    before: () => {
      window.__handlers = { reauthenticate: () => { throw { kind: 'cancelled', message: 'cancelled', problem: null }; } };
    },
  });
  await page.click('#reauthenticate');
  await page.waitForFunction(() => document.querySelector('#live').textContent.includes('Nothing changed'));
  assert.equal(await page.locator('.notice[data-level="error"]').count(), 0);
});

test('a login kept in memory only is flagged', async () => {
  const page = await open(state({ logins: [login({ custody: 'memory' })] }));
  assert.equal(await page.locator('#custody-banner').isVisible(), true);
  assert.match(await page.locator('#summary').textContent(), /this session only/);
});

test('login settings: app secret, plaintext opt-in, disconnect', async () => {
  const page = await open(state());
  await page.click('#nav-settings');
  assert.match(await page.locator('#login-status').textContent(), /Jane Doe.*keychain/);
  await page.fill('#set-app-secret', 'abcdef0123456789abcdef0123456789');
  await page.click('[data-action="save-secret"]');
  await page.waitForFunction(() => document.querySelector('#secret-status').textContent.includes('keychain'));
  assert.equal(await page.inputValue('#set-app-secret'), '', 'the secret is not kept in the page');
  assert.equal((await calls(page, 'set_app_secret'))[0].args.secret, 'abcdef0123456789abcdef0123456789');

  await page.check('#set-plaintext');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'allow_plaintext_token'));
  assert.equal((await calls(page, 'allow_plaintext_token'))[0].args.allow, true);

  await page.check('#forget-facebook-session');
  await page.click('#disconnect');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'disconnect'));
  assert.equal((await calls(page, 'disconnect'))[0].args.forgetFacebookSession, true);
});

const sam = (overrides = {}) => login({ profile: { id: '2', name: 'Sam Lee' }, reaches: 5, only: 3, ...overrides });
const expired = problem('token_expired', 'reauthenticate');

test('with several logins, Reauthenticate renews the one that needs it, or asks which', async () => {
  const page = await open(state({ logins: [sam({ problem: expired, broken: true, needs_login: true }), login()] }));
  assert.equal(await page.locator('#reauthenticate').textContent(), 'Reauthenticate Sam Lee');
  const banner = page.locator('.login-banner');
  assert.equal(await banner.count(), 1);
  assert.match(await banner.textContent(), /Sam Lee: .*3 accounts only Sam Lee reaches are not refreshing; the other logins keep refreshing/);
  await page.click('#reauthenticate');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'reauthenticate'));
  assert.deepEqual((await calls(page, 'reauthenticate')).map((c) => c.args.login), ['2']);

  // Both fine: a short menu of logins.
  const calm = await open(state({ logins: [login(), sam()] }));
  assert.equal(await calm.locator('#reauthenticate').textContent(), 'Reauthenticate…');
  await calm.click('#reauthenticate');
  const items = calm.locator('#reauth-menu .menu-item');
  assert.equal(await items.count(), 2);
  await items.nth(1).click();
  await calm.waitForFunction(() => window.__calls.some((c) => c.command === 'reauthenticate'));
  assert.deepEqual((await calls(calm, 'reauthenticate')).map((c) => c.args.login), ['2']);
  assert.equal(await calm.locator('#reauth-menu').isVisible(), false);
});

test('a broken login among several opens its own problem page on request', async () => {
  const page = await open(state({ logins: [sam({ problem: expired, broken: true, needs_login: true }), login()] }));
  assert.equal(await page.locator('#screen-accounts').isVisible(), true, 'the others still refresh');
  await page.click('.login-banner [data-action="login-problem"]');
  assert.equal(await page.locator('#screen-problem').isVisible(), true);
  assert.match(await page.locator('#problem-login-note').textContent(), /Sam Lee's login\. 3 accounts only Sam Lee reaches are not refreshing\. The other logins still refresh/);
  assert.match(await page.locator('.problem-kicker').textContent(), /some of your ad accounts/);
  await page.click('#problem-primary');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'reauthenticate'));
  assert.deepEqual((await calls(page, 'reauthenticate')).map((c) => c.args.login), ['2']);
});

test('adding a login, and renaming and removing one in Settings', async () => {
  const page = await open(state({ logins: [login(), sam()] }));
  await page.click('#add-login');
  await page.waitForSelector('#add-login-dialog[open]');
  await page.check('#add-login-fresh');
  await page.click('#add-login-go');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'add_login'));
  assert.deepEqual((await calls(page, 'add_login')).map((c) => c.args.freshSession), [true]);
  await page.waitForFunction(() => document.querySelector('#notices').textContent.includes("Added Sam Lee's login"));

  await page.click('#nav-settings');
  assert.match(await page.locator('#login-status').textContent(), /2 Facebook logins, all ok/);
  const samItem = page.locator('.login-item[data-login="2"]');
  assert.match(await samItem.textContent(), /Reaches 5 ad accounts \(3 only through this login\)/);
  await samItem.locator('[data-action="rename-login"]').click();
  await page.fill('#rename-login-name', 'Sam (colleague)');
  await page.click('#rename-login-go');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'rename_login'));
  assert.deepEqual((await calls(page, 'rename_login'))[0].args, { login: '2', name: 'Sam (colleague)' });

  await samItem.locator('[data-action="remove-login"]').click();
  await page.waitForSelector('#remove-login-dialog[open]');
  assert.match(await page.locator('#remove-login-text').textContent(), /3 accounts only Sam Lee reaches stay with their last data, marked no longer accessible/);
  await page.click('#remove-login-go');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'remove_login'));
  assert.deepEqual((await calls(page, 'remove_login'))[0].args, { login: '2' });
});

test('rows name the logins that reach them, and say when another login stood in', async () => {
  const { account } = await import('./fixtures.mjs');
  const rows = [
    account(1, { logins: [{ id: '1021', name: 'Jane Doe', tasks: ['MANAGE'] }, { id: '2', name: 'Sam Lee', tasks: ['ANALYZE'] }], via: { id: '2', name: 'Sam Lee' }, via_note: "through Sam Lee: Jane Doe's login expired" }),
    account(2, { logins: [{ id: '2', name: 'Sam Lee', tasks: ['MANAGE'] }], via: { id: '2', name: 'Sam Lee' }, via_note: null }),
  ];
  const page = await open(state({ logins: [login(), sam()], accounts: rows }));
  await page.click(`.account-row[data-id="${rows[0].id}"] .col-refreshed`);
  const pane = await page.locator('#details').textContent();
  assert.match(pane, /Read throughthrough Sam Lee: Jane Doe's login expired/);
  assert.match(pane, /Login: Jane DoeAdmin/);
  assert.match(pane, /Login: Sam LeeAnalyst · refreshes it/);
  // The comfortable rows say it on the row.
  const tall = await open(comfortable(state({ logins: [login(), sam()], accounts: rows })));
  const first = tall.locator(`.account-row[data-id="${rows[0].id}"]`);
  assert.equal(await first.locator('.row-via').textContent(), "through Sam Lee: Jane Doe's login expired");
  assert.equal(await first.locator('.row-logins').textContent(), 'via Jane Doe, Sam Lee');
  assert.match(await first.locator('.col-role').getAttribute('data-tip'), /Jane Doe: Admin\nSam Lee: Analyst \(refreshes it\)/);
  await page.fill('#search', 'sam lee');
  await page.waitForFunction(() => document.querySelector('#accounts-table').dataset.shown === '2');
});
