// An accessibility audit that can fail: axe-core (pinned in package.json)
// over every screen the fake backend can show, in Chromium. Serious and
// critical violations fail the test, and so does a colour-contrast check
// left incomplete on the list or in the details; the counts per screen are
// printed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { appUnderTest } from './harness.mjs';
import {
  account, accounts, ads, flag, judged, login, problem, state,
} from './fixtures.mjs';

const open = appUnderTest();

const FAILING = {
  id: 'd00000009', kind: 'webhook', target: 'webhook to https://hooks.example.com/… (unsigned)',
  rules: { min_severity: 'blocking', logins: [], accounts: [], send_resolved: true, remind_after_secs: null },
  form: { url: 'https://hooks.example.com/x', has_secret: false, smtp: '', to: [], from: '', user: '' },
  failing: 'answered 404: no_service', failing_since: new Date().toISOString(), pending: 2, last_sent: null, last_error: 'answered 404: no_service',
};
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe over the page as it stands (evaluated, so the app's CSP is untouched). */
async function audit(page, screen) {
  const result = await page.evaluate(async (source) => {
    if (!window.axe) (0, eval)(source);
    const r = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    const brief = (list) => list.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0]?.target.join(' ') }));
    return { violations: brief(r.violations), incomplete: brief(r.incomplete) };
  }, AXE);
  const contrast = result.incomplete.filter((i) => i.id === 'color-contrast').reduce((n, i) => n + i.nodes, 0);
  console.log(`axe ${screen}: ${result.violations.length} violations, ${contrast} colour-contrast checks incomplete`
    + (result.violations.length ? ` ${JSON.stringify(result.violations)}` : ''));
  return { ...result, contrast };
}

const serious = (r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

function fixture() {
  const rows = accounts(24);
  rows[1] = account(1, {
    ads: ads({ disapproved: 12, running_or_in_review: 248, limit_level: 'near', reasons: [{ text: 'Misleading claims', ads: 12 }] }),
    ...judged([flag('ads_disapproved', { ads: 12, at_least: false }, 'warning', '12 ads disapproved')]),
  });
  const sam = login({ profile: { id: '2042', name: 'Sam Lee' }, token: { expires_at: null, data_access_expires_at: null, days_left: null, warning: 'none' } });
  return state({ accounts: rows, logins: [login(), sam], alerts: { destinations: 1, pending: 2, failing: [FAILING] } });
}

/** Every screen, in one colour scheme: the counts per screen. */
async function auditEveryScreen(scheme) {
  const page = await open(fixture(), { before: (alert) => { window.__alerts = [alert]; }, arg: FAILING });
  await page.emulateMedia({ colorScheme: scheme });
  const results = {};
  const name = (screen) => `${screen} (${scheme})`;
  results.accounts = await audit(page, name('accounts list'));
  await page.click('.account-row >> nth=1 >> .col-refreshed');
  await page.waitForSelector('#details:not([hidden])');
  results.details = await audit(page, name('details pane'));
  // A tip is shown for the pointer (and stays while the pointer rests): it must sit in a landmark too.
  await page.hover('.account-row >> nth=1 >> .col-status [data-tip]');
  await page.waitForSelector('#tip:not([hidden])');
  results.tip = await audit(page, name('a tooltip shown'));
  await page.keyboard.press('Escape');
  await page.click('#nav-activity');
  results.activity = await audit(page, name('activity'));
  await page.click('#nav-settings');
  await page.waitForSelector('#screen-settings:not([hidden]) .alert-item');
  results.settings = await audit(page, name('settings, logins and alerts'));
  await page.click('[data-action="add-login"] >> nth=1');
  await page.waitForSelector('#add-login-dialog[open]');
  results.logins = await audit(page, name('add a login'));
  await page.keyboard.press('Escape');
  await page.click('[data-action="add-alert"]');
  await page.waitForSelector('#alert-dialog[open]');
  results.alerts = await audit(page, name('add an alert destination'));
  await page.context().close();
  const broken = await open(state({ problem: problem('token_expired', 'reauthenticate'), opens_problem_page: true }));
  await broken.emulateMedia({ colorScheme: scheme });
  await broken.click('#problem-details summary');
  results.problem = await audit(broken, name('problem page'));
  await broken.context().close();
  return results;
}

for (const scheme of ['light', 'dark']) {
  test(`axe: no violation and no colour-contrast check left open on any screen (${scheme})`, async () => {
    const results = await auditEveryScreen(scheme);
    for (const [screen, r] of Object.entries(results)) {
      assert.deepEqual(serious(r), [], `${screen}: serious or critical violations`);
      assert.deepEqual(r.violations, [], `${screen}: violations`);
      assert.equal(r.contrast, 0, `${screen}: contrast checks left incomplete`);
    }
  });
}


