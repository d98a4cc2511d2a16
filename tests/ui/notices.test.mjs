// Notices take one line: the most severe first, "+N more" opens the rest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest } from './harness.mjs';
import { accounts, state } from './fixtures.mjs';

const open = appUnderTest();

test('notices collapse to the most severe with a count, and open on request', async () => {
  const notices = [
    { id: 'a', level: 'info', text: 'Exported 12 accounts.' },
    { id: 'b', level: 'error', text: 'The history could not be saved.' },
    { id: 'c', level: 'warning', text: 'Jane Doe’s login expires in 3 days.' },
  ];
  const page = await open(state({ accounts: accounts(3), notices }));
  const shown = () => page.locator('.notice:visible .notice-text').allTextContents();
  assert.deepEqual(await shown(), ['The history could not be saved.']);
  const toggle = page.locator('.notices-toggle');
  assert.equal(await toggle.textContent(), '+2 more');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.click();
  assert.deepEqual(await shown(), ['The history could not be saved.', 'Jane Doe’s login expires in 3 days.', 'Exported 12 accounts.']);
  assert.equal(await page.locator('.notices-toggle').getAttribute('aria-expanded'), 'true');
  await page.click('.notices-toggle');
  assert.equal((await shown()).length, 1);
  assert.deepEqual(page.problems, []);
});

test('a single notice has no toggle', async () => {
  const page = await open(state({ accounts: accounts(3), notices: [{ id: 'a', level: 'info', text: 'Only one.' }] }));
  assert.equal(await page.locator('.notices-toggle').count(), 0);
  assert.deepEqual(await page.locator('.notice:visible .notice-text').allTextContents(), ['Only one.']);
});
