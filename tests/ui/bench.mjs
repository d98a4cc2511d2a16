// UI budgets (DESIGN.md): cold start to first paint of 1,000 cached accounts
// under 1 s; filtering 5,000 rows under 50 ms. Measured in Debian's Chromium
// with the fake backend; prints a table. Not a test: timings are noisy.

import { serve, launch, openApp } from './harness.mjs';
import { accounts, state } from './fixtures.mjs';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const { server, base } = await serve();
const browser = await launch();
const rows = [];
try {
  const firstPaint = [];
  for (let i = 0; i < 5; i += 1) {
    const page = await openApp(browser, base, state({ accounts: accounts(1000) }));
    await page.waitForFunction(() => performance.getEntriesByName('adkeep:first-paint').length > 0);
    firstPaint.push(await page.evaluate(() => performance.getEntriesByName('adkeep:first-paint')[0].startTime));
    await page.context().close();
  }
  rows.push(['first paint, 1,000 cached accounts', median(firstPaint), 1000]);

  const page = await openApp(browser, base, state({ accounts: accounts(5000) }));
  const filter = await page.evaluate(async () => {
    const input = document.querySelector('#search');
    const times = [];
    for (const query of ['account 12', 'business 1', 'act_1049', 'nothing matches', '', 'account 0', 'business 2', '']) {
      const start = performance.now();
      input.value = query;
      input.dispatchEvent(new Event('input'));
      void document.body.offsetHeight; // include style and layout
      times.push(performance.now() - start);
      await new Promise((r) => requestAnimationFrame(r));
    }
    return times;
  });
  rows.push(['filter 5,000 rows (search, incl. layout)', median(filter), 50]);
  const sort = await page.evaluate(() => {
    const select = document.querySelector('#sort');
    const start = performance.now();
    select.value = 'lifetime';
    select.dispatchEvent(new Event('change'));
    void document.body.offsetHeight;
    return performance.now() - start;
  });
  rows.push(['sort 5,000 rows (incl. layout)', sort, null]);
} finally {
  await browser.close();
  server.close();
}

console.log('\nUI benchmark (Chromium, fake backend; median of runs)');
console.log('| measure | ms | budget ms |');
console.log('|---|---:|---:|');
for (const [name, ms, budget] of rows) {
  console.log(`| ${name} | ${ms.toFixed(1)} | ${budget ?? '—'} |`);
}
