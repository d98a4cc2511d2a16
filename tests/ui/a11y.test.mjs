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
  account, accounts, ads, flag, judged, state,
} from './fixtures.mjs';

const open = appUnderTest();
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
  return state({ accounts: rows });
}

test('axe finds no serious or critical violation on any screen', async () => {
  const page = await open(fixture());
  const results = {};
  results.accounts = await audit(page, 'accounts list');
  await page.click('.account-row >> nth=1 >> .col-refreshed');
  await page.waitForSelector('#details:not([hidden])');
  results.details = await audit(page, 'details pane');
  await page.keyboard.press('Escape');
  await page.click('#nav-activity');
  results.activity = await audit(page, 'activity');
  await page.click('#nav-settings');
  results.settings = await audit(page, 'settings');
  for (const [screen, r] of Object.entries(results)) {
    assert.deepEqual(serious(r), [], `${screen}: serious or critical violations`);
  }
  // Every colour-contrast check settled on the list and in the details
  // (glyphs drawn by CSS, columns that fit the list beside the pane).
  assert.equal(results.accounts.contrast, 0, 'list: contrast checks left incomplete');
  assert.equal(results.details.contrast, 0, 'details: contrast checks left incomplete');
});
