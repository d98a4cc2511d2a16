// Column widths that fit their widest text, so a status badge, an amount,
// the ads cell or the refresh time is never cut: the widest candidates among
// every account listed are measured in the row's own fonts (one layout) and
// set as --w-* on the grid. Rows are grids of their own, so the columns
// cannot size themselves to their content across rows.

import { STATUS_BADGES, ago, money } from './format.js';
import { adsCell } from './ads.js';

/** A cell's padding (10 px each side) and a pixel to spare. */
const PADDING = 22;
const MINUTE = 60_000;

function span(className, text, icon) {
  const el = document.createElement('span');
  el.className = className;
  if (icon !== undefined) {
    const glyph = document.createElement('span');
    glyph.className = 'badge-icon';
    glyph.dataset.icon = icon;
    const words = document.createElement('span');
    words.textContent = text;
    el.append(glyph, words);
  } else {
    el.textContent = text;
  }
  return el;
}

function toned(el, tone) {
  el.dataset.tone = tone;
  return el;
}

/** Per field and currency, the amount with the most digits. */
function widestAmounts(views, field, into) {
  for (const a of views) {
    if (!a.currency) continue;
    const key = `${field}|${a.currency}`;
    const value = Math.abs(Number(a[field]));
    if (!Number.isFinite(value)) continue;
    const best = into.get(key);
    if (!best || value > best.value || (value === best.value && String(a[field]).length > best.raw.length)) {
      into.set(key, { value, raw: String(a[field]), currency: a.currency });
    }
  }
}

/** The longest the ads cell can read for these accounts: every maximum at once. */
function widestAds(views, widest) {
  const ads = { ...widest };
  for (const a of views) {
    const x = a.ads || {};
    ads.cannot_run = Math.max(ads.cannot_run ?? 0, Number(x.cannot_run) || 0);
    ads.at_least = ads.at_least || Boolean(x.at_least);
    if (x.running_or_in_review !== null && x.running_or_in_review !== undefined) {
      ads.running_or_in_review = Math.max(ads.running_or_in_review ?? 0, Number(x.running_or_in_review) || 0);
      ads.limit = Math.max(ads.limit ?? 0, Number(x.limit) || 0);
    }
  }
  return ads;
}

export class ColumnFit {
  /** `table`: the grid (takes the widths); `host`: where the hidden probe lives. */
  constructor(table, host) {
    this.table = table;
    this.host = host;
    this.amounts = new Map();
    this.ads = {};
    this.stale = false;
    this.widths = {};
  }

  /** Takes accounts into account: `whole` (every account) starts again, else widths only grow. */
  fit(views, whole) {
    if (whole) {
      this.amounts = new Map();
      this.ads = {};
      this.stale = false;
    }
    widestAmounts(views, 'spend_today', this.amounts);
    widestAmounts(views, 'spend_last_30d', this.amounts);
    this.ads = widestAds(views, this.ads);
    this.stale = this.stale || views.some((a) => a.error && a.refreshed_at);
    this.measure(whole);
  }

  /** After a resize: measures everything again when the text size changed or a column was never measured. */
  refit(views) {
    const size = getComputedStyle(document.documentElement).fontSize;
    if (size === this.size && Object.keys(this.widths).length === 5) return;
    this.size = size;
    this.fit(views, true);
  }

  candidates() {
    const now = Date.now();
    const times = [ago(new Date(now - 59 * MINUTE).toISOString(), now), ago(new Date(now - 23 * 60 * MINUTE).toISOString(), now),
      ago(new Date(now - 6 * 1440 * MINUTE).toISOString(), now), 'never', 'just now'];
    const amounts = (field) => ['—', 'unreadable', ...[...this.amounts].filter(([k]) => k.startsWith(`${field}|`)).map(([, v]) => money(v.raw, v.currency))];
    return {
      status: STATUS_BADGES.map((s) => span('badge', s.text, s.icon)),
      today: amounts('spend_today').map((t) => span('col-today', t)),
      '30d': amounts('spend_last_30d').map((t) => span('col-30d', t)),
      // In bold, as a cell with ads held back reads.
      ads: ['—', adsCell({ ads: this.ads }).text].map((t) => toned(span('col-ads', t), 'bad')),
      refreshed: times.flatMap((t) => (this.stale ? [t, `as of ${t}`] : [t])).map((t) => span('fit-time', t)),
    };
  }

  /** One probe, one layout: the widest of each column, set as `--w-*` (in pixels). */
  measure(whole) {
    const groups = this.candidates();
    const probe = document.createElement('div');
    probe.className = 'fit-probe';
    probe.setAttribute('aria-hidden', 'true');
    for (const spans of Object.values(groups)) probe.append(...spans);
    this.host.append(probe);
    for (const [name, spans] of Object.entries(groups)) {
      const widest = Math.ceil(Math.max(...spans.map((s) => s.getBoundingClientRect().width)));
      // Not laid out (a hidden screen): measured again when it shows.
      if (widest <= 0) continue;
      const width = Math.max(widest + PADDING, whole ? 0 : this.widths[name] || 0);
      if (width === this.widths[name]) continue;
      this.widths[name] = width;
      this.table.style.setProperty(`--w-${name}`, `${width}px`);
    }
    probe.remove();
  }
}
