// Numbers under a C/POSIX locale: WebKitGTK formats "$ 684579.65" (no
// grouping) there, so the window reads such a locale as en-US.

import { test } from 'node:test';
import assert from 'node:assert/strict';

test('a C locale formats money with grouping, as en-US', async () => {
  Object.defineProperty(globalThis, 'navigator', { value: { language: 'C' }, configurable: true });
  const { LOCALE, money, plural } = await import('../../ui/js/format.js');
  assert.equal(LOCALE, 'en-US');
  assert.equal(money('684579.65', 'USD'), '$684,579.65');
  assert.equal(money('1234567', 'JPY'), '¥1,234,567', 'zero-decimal currencies stay whole');
  assert.equal(plural(5000, 'account', 'accounts'), '5,000 accounts');
});
