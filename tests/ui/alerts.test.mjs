// Settings → Alerts: add a destination, send a test, edit it without seeing
// its secret again, remove it; a failing destination shows in the header;
// a login added with a token.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, calls } from './harness.mjs';
import { state } from './fixtures.mjs';

const open = appUnderTest();

test('a Slack destination is added, tested, edited and removed', async () => {
  const page = await open(state());
  await page.click('#nav-settings');
  await page.waitForSelector('#alerts-settings');
  assert.equal(await page.locator('#alert-empty').isVisible(), true);
  await page.click('[data-action="add-alert"]');
  await page.waitForSelector('#alert-dialog[open]');
  assert.equal(await page.locator('#alert-smtp').isVisible(), false, 'e-mail fields are for e-mail');
  assert.equal(await page.locator('#alert-url').getAttribute('type'), 'password', "Slack's URL is a secret");
  await page.click('#alert-save');
  await page.waitForFunction(() => !document.querySelector('#alert-error').hidden);
  assert.match(await page.locator('#alert-error').textContent(), /webhook URL/);
  await page.fill('#alert-url', 'https://hooks.slack.com/services/T0/B0/SECRET');
  await page.selectOption('#alert-severity', 'warning');
  await page.selectOption('#alert-remind', '86400');
  await page.click('#alert-save');
  await page.waitForSelector('.alert-item');
  const saved = (await calls(page, 'save_alert_destination')).at(-1);
  assert.equal(saved.args.form.kind, 'slack');
  assert.equal(saved.args.form.url, 'https://hooks.slack.com/services/T0/B0/SECRET');
  assert.deepEqual(saved.args.form.rules, { min_severity: 'warning', logins: [], accounts: [], send_resolved: true, remind_after_secs: 86400 });
  const item = await page.locator('.alert-item').textContent();
  assert.match(item, /Slack \(webhook URL in the keychain\)/);
  assert.match(item, /blocking problems and warnings, and when they are over, reminds every day/);
  assert.doesNotMatch(item, /SECRET/);

  await page.click('.alert-item [data-action="test-alert"]');
  await page.waitForFunction(() => /Delivered/.test(document.querySelector('#alert-status').textContent));

  await page.click('.alert-item [data-action="edit-alert"]');
  await page.waitForSelector('#alert-dialog[open]');
  assert.equal(await page.inputValue('#alert-url'), '', 'the kept URL is not shown again');
  assert.match(await page.getAttribute('#alert-url', 'placeholder'), /Kept/);
  assert.equal(await page.locator('#alert-kind').isDisabled(), true);
  await page.click('#alert-resolved');
  await page.click('#alert-save');
  await page.waitForFunction(() => window.__calls.filter((c) => c.command === 'save_alert_destination').length === 3);
  const edit = (await calls(page, 'save_alert_destination')).at(-1).args.form;
  assert.equal(saved.args.form.id, null, 'a new one has no id yet');
  assert.equal(edit.id, 'd00000001');
  assert.equal(edit.url, '', 'an empty URL keeps the one in the keychain');
  assert.equal(edit.rules.send_resolved, false);

  await page.click('.alert-item [data-action="remove-alert"]');
  await page.waitForFunction(() => document.querySelectorAll('.alert-item').length === 0);
  assert.deepEqual(page.problems, []);
});

test('an e-mail destination shows its own fields', async () => {
  const page = await open(state());
  await page.click('#nav-settings');
  await page.click('[data-action="add-alert"]');
  await page.selectOption('#alert-kind', 'email');
  assert.equal(await page.locator('#alert-smtp').isVisible(), true);
  assert.equal(await page.locator('#alert-url').isVisible(), false);
  await page.fill('#alert-smtp', 'smtps://mail.example.com:465');
  await page.fill('#alert-to', 'ops@example.com, lead@example.com');
  await page.fill('#alert-user', 'adkeep@example.com');
  await page.fill('#alert-password', 'hunter2');
  await page.click('#alert-save');
  await page.waitForSelector('.alert-item');
  const form = (await calls(page, 'save_alert_destination'))[0].args.form;
  assert.deepEqual(form.to, ['ops@example.com', 'lead@example.com']);
  assert.equal(form.password, 'hunter2');
  assert.doesNotMatch(await page.locator('#alerts-settings').textContent(), /hunter2/);
});

test('a failing destination shows in the header and leads to Settings', async () => {
  const failing = {
    id: 'd00000009', kind: 'webhook', target: 'webhook to https://hooks.example.com/… (unsigned)',
    rules: { min_severity: 'blocking', logins: [], accounts: [], send_resolved: true, remind_after_secs: null },
    form: { url: 'https://hooks.example.com/x', has_secret: false, smtp: '', to: [], from: '', user: '' },
    failing: 'answered 404: no_service', failing_since: new Date().toISOString(), pending: 2, last_sent: null, last_error: 'answered 404: no_service',
  };
  const page = await open(state({ alerts: { destinations: 1, pending: 2, failing: [failing] } }), {
    before: (alert) => { window.__alerts = [alert]; },
    arg: failing,
  });
  const banner = page.locator('#alert-banners .banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /Alerts to webhook to https:\/\/hooks\.example\.com\/… \(unsigned\) are failing: answered 404: no_service\. 2 alerts wait for it\./);
  await page.click('#alert-banners [data-action="show-alert-settings"]');
  await page.waitForSelector('#screen-settings:not([hidden]) .alert-item');
  assert.match(await page.locator('.alert-item .login-health').textContent(), /Failing: answered 404/);
});

test('a login is added with a token', async () => {
  const page = await open(state());
  await page.click('#nav-settings');
  await page.click('[data-action="add-login-token"]');
  await page.waitForSelector('#token-login-dialog[open]');
  await page.fill('#token-login-value', 'short');
  await page.click('#token-login-go');
  await page.waitForFunction(() => !document.querySelector('#token-login-error').hidden);
  await page.fill('#token-login-value', 'EAAB-a-system-user-token-for-tests');
  await page.click('#token-login-go');
  await page.waitForFunction(() => !document.querySelector('#token-login-dialog').open);
  await page.waitForFunction(() => document.querySelector('#notices').textContent.includes('4 new ad accounts'));
  assert.equal(await page.inputValue('#token-login-value'), '', 'the token does not stay in the page');
});
