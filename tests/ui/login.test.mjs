// Reauthenticate, a different user, cancel, and the login settings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, calls } from './harness.mjs';
import { state } from './fixtures.mjs';

const open = appUnderTest();

test('reauthenticate reports what changed', async () => {
  const page = await open(state());
  await page.click('#reauthenticate');
  await page.waitForFunction(() => document.querySelector('#notices').textContent.includes('2 new ad accounts'));
  assert.match(await page.locator('#live').textContent(), /Connected as Jane Doe/);
  // The state reload after a login keeps the message.
  await page.evaluate(() => window.__emit('state-changed', null));
  await page.waitForTimeout(200);
  assert.match(await page.locator('#notices').textContent(), /2 new ad accounts/);
  assert.equal((await calls(page, 'reauthenticate')).length, 1);
});

test('a different user is asked about, and keeping changes nothing', async () => {
  const page = await open(state(), {
    before: () => {
      window.__handlers = {
        reauthenticate: () => ({ outcome: 'different_user', previous: { id: '1', name: 'Jane Doe' }, user: { id: '2', name: 'Sam Lee' }, message: 'You logged in as Sam Lee, but Adkeep shows the ad accounts of Jane Doe. Replace them?' }),
      };
    },
  });
  await page.click('#reauthenticate');
  await page.waitForSelector('#switch-dialog[open]');
  assert.match(await page.locator('#switch-message').textContent(), /Sam Lee/);
  await page.click('[data-action="switch-keep"]');
  await page.waitForFunction(() => window.__calls.some((c) => c.command === 'confirm_switch_user'));
  assert.deepEqual((await calls(page, 'confirm_switch_user')).map((c) => c.args.replace), [false]);
  assert.equal(await page.locator('#switch-dialog[open]').count(), 0);

  await page.click('#reauthenticate');
  await page.waitForSelector('#switch-dialog[open]');
  await page.click('#switch-replace');
  await page.waitForFunction(() => window.__calls.filter((c) => c.command === 'confirm_switch_user').length === 2);
  assert.deepEqual((await calls(page, 'confirm_switch_user')).map((c) => c.args.replace), [false, true]);
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
  const page = await open(state({ custody: 'memory' }));
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
