// An account's ads that cannot run, in words: the list's "ads" cell
// ("12 ✕ · 248/250") and the lines of the details pane. A count Meta
// refused is null and reads "unknown", never 0. Text only.

import { LOCALE } from './format.js';

const count = (n) => (n === null || n === undefined ? null : Number(n).toLocaleString(LOCALE));

/**
 * The list's cell: `held` (ads that cannot run, "12 ✕", or '' when none),
 * `limit` ("248/250"), a tone, and the whole in words for its tooltip and
 * screen readers.
 */
export function adsCell(a) {
  const ads = a.ads || {};
  const plus = ads.at_least ? '+' : '';
  const hasLimit = ads.running_or_in_review !== null && ads.running_or_in_review !== undefined;
  // No ads held back says so when there is no limit beside it ("0 ✕"), never a bare 0.
  const counted = ads.cannot_run !== null && ads.cannot_run !== undefined;
  const held = counted && (ads.cannot_run || !hasLimit) ? `${count(ads.cannot_run)}${plus} ✕` : '';
  const limit = hasLimit ? `${count(ads.running_or_in_review)}/${ads.limit === null || ads.limit === undefined ? '∞' : count(ads.limit)}` : '';
  // The level is judged once, by the backend (`limit_level`).
  const level = ads.limit_level;
  const tone = level === 'reached' || ads.cannot_run ? 'bad' : level === 'near' || level === 'lowering' ? 'warn' : 'muted';
  const words = [];
  if (ads.cannot_run) words.push(`${count(ads.cannot_run)}${plus} ads cannot run`);
  if (hasLimit) {
    words.push(ads.limit === null || ads.limit === undefined
      ? `${count(ads.running_or_in_review)} ads running or in review (no limit)`
      : `${count(ads.running_or_in_review)} of ${count(ads.limit)} ads allowed running or in review`);
  }
  const text = [held, limit].filter(Boolean).join(' · ') || '—';
  return { text, tone, title: words.join(' · ') || (ads.cannot_run === 0 ? 'No ads held back' : 'Ads not read') };
}

const KINDS = [
  ['disapproved', 'Disapproved'],
  ['with_issues', 'With issues'],
  ['pending_billing_info', 'Waiting for billing information'],
  ['pending_review', 'In review'],
];

const STATE_WORDS = {
  refused: 'unknown — your role cannot read it',
  unreadable: 'could not be read',
  not_read: 'not read yet',
};

/** [term, value] pairs for the details pane. */
export function adsFacts(a) {
  const ads = a.ads || {};
  const plus = ads.at_least ? '+' : '';
  const pairs = [];
  if (ads.counts_state === 'read') {
    for (const [key, term] of KINDS) pairs.push([term, `${count(ads[key])}${ads[key] ? plus : ''}`]);
    if (ads.at_least) {
      const total = ads.total !== null && ads.total !== undefined ? `; Meta counts ${count(ads.total)} in all` : '';
      pairs.push(['Counted', `the first 500 ads held back${total}`]);
    }
  } else {
    pairs.push(['Ads held back', STATE_WORDS[ads.counts_state] || 'not read yet']);
  }
  if (ads.limit_state === 'read') {
    const limit = ads.limit === null || ads.limit === undefined ? 'no limit' : `${count(ads.limit)}`;
    pairs.push(['Running or in review', `${count(ads.running_or_in_review)} (limit: ${limit})`]);
    if (ads.future_limit !== null && ads.future_limit !== undefined) {
      const from = ads.future_limit_from
        ? new Date(`${ads.future_limit_from}T00:00:00Z`).toLocaleDateString(LOCALE, { dateStyle: 'medium', timeZone: 'UTC' })
        : 'a later date';
      pairs.push(['Future limit', `${count(ads.future_limit)} from ${from}`]);
    }
  } else {
    pairs.push(['Ad limit', STATE_WORDS[ads.limit_state] || 'not read yet']);
  }
  return pairs;
}

/** The review's reasons, in words: "Misleading or false claims — 8 ads". */
export function adReasons(a) {
  return ((a.ads && a.ads.reasons) || []).map((r) => `${r.text} — ${count(r.ads)} ${r.ads === 1 ? 'ad' : 'ads'}`);
}
