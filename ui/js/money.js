// Money that stops ads, on a row: when the cap or the prepaid funds run out
// ("cap in ~3 days", "funds for ~2 days", "cap reached — ads stopped"), and
// the last 7 days' spend as seven bars with the pace. Amounts come from the
// backend as exact decimal strings and are only formatted here.

import { LOCALE, money, plural } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const MONEY_KINDS = new Set(['spend_cap', 'prepaid_funds', 'spend_stopped', 'spend_dropped']);

/** Days until money stops the ads (cap or funds), or Infinity. */
export function runsOutIn(account) {
  const f = account.forecast || {};
  const days = [f.cap_days_left, f.funds_days_left].filter((d) => d !== null && d !== undefined);
  return days.length ? Math.min(...days) : Infinity;
}

/** Whether the row belongs under "money at risk": a money reason that counts, or a payment risk. */
export function moneyAtRisk(account) {
  const counted = (account.attention || []).some((f) => MONEY_KINDS.has(f.kind) && f.severity !== 'info' && !f.acknowledged && !f.snoozed_until && !f.muted);
  return counted || Boolean(account.forecast && account.forecast.payment_risk);
}

/** The row's money line and its tone (`bad`, `warn`, `muted`), or null. */
export function forecastLine(account) {
  const f = account.forecast;
  if (!f) return null;
  const flag = (kind) => (account.attention || []).find((x) => x.kind === kind);
  const tone = (kind) => {
    const found = flag(kind);
    if (!found) return 'muted';
    return found.severity === 'blocking' ? 'bad' : found.severity === 'warning' ? 'warn' : 'muted';
  };
  if (f.cap_days_left === 0) return { text: 'cap reached — ads stopped', tone: 'bad' };
  if (f.funds_days_left === 0) return { text: 'funds used up — ads stopped', tone: 'bad' };
  const lines = [];
  if (f.cap_days_left !== null && f.cap_days_left !== undefined && f.cap_days_left <= 30) {
    lines.push({ text: `cap in ~${plural(f.cap_days_left, 'day', 'days')}`, tone: tone('spend_cap'), days: f.cap_days_left });
  }
  if (f.funds_days_left !== null && f.funds_days_left !== undefined && f.funds_days_left <= 30) {
    lines.push({ text: `funds for ~${plural(f.funds_days_left, 'day', 'days')}`, tone: tone('prepaid_funds'), days: f.funds_days_left });
  }
  if (lines.length) return lines.sort((a, b) => a.days - b.days)[0];
  if (f.funds_unknown && f.funds_unknown.state === 'needs_admin') return { text: 'prepaid funds unknown (needs the Admin role)', tone: 'muted' };
  if (f.spend_stopped) {
    const text = f.spend_stopped.kind === 'stopped' ? 'stopped spending yesterday' : `spend dropped ${f.spend_stopped.percent} % yesterday`;
    return { text, tone: tone(f.spend_stopped.kind === 'stopped' ? 'spend_stopped' : 'spend_dropped') };
  }
  return null;
}

const dayName = new Intl.DateTimeFormat(LOCALE, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "Mon, Nov 30: $120.00" (a day's date is Meta's, in the account's time zone: no shifting). */
function dayLine(day, currency) {
  const date = Date.parse(`${day.date}T00:00:00Z`);
  return `${Number.isNaN(date) ? day.date : dayName.format(date)}: ${money(day.spend, currency)}`;
}

const BAR = { width: 10, gap: 3, height: 24 };

/** The last 7 complete days as bars, 24 px tall, with the pace as a line; null without a series.
 * Each day's amount shows on hover (its bar's tip) and, for the whole week, on focus (`focusable`). */
export function spendBars(account, { focusable = false } = {}) {
  const days = account.spend_daily || [];
  if (days.length === 0 || !account.currency) return null;
  const values = days.map((d) => Number(d.spend));
  const max = Math.max(...values, 0);
  const step = BAR.width + BAR.gap;
  const width = days.length * step;
  const { height } = BAR;
  const svg = svgElement('svg', {
    class: 'spend-bars', viewBox: `0 0 ${width} ${height}`, width: String(width), height: String(height), role: 'img',
  });
  const pace = account.forecast && account.forecast.pace_per_day;
  const lines = days.map((d) => dayLine(d, account.currency));
  if (pace) lines.push(`Pace: ${money(pace, account.currency)} a day`);
  svg.setAttribute('aria-label', `Spend, last ${days.length} days. ${lines.join('; ')}`);
  svg.dataset.tip = lines.join('\n');
  if (focusable) svg.setAttribute('tabindex', '0');
  values.forEach((value, i) => {
    const h = max > 0 && Number.isFinite(value) ? Math.max((value / max) * (height - 2), value > 0 ? 2 : 0) : 0;
    const day = svgElement('g', { class: 'day', 'data-tip': lines[i] });
    day.append(
      svgElement('rect', { class: 'hit', x: String(i * step), y: '0', width: String(step), height: String(height) }),
      svgElement('rect', {
        class: value > 0 ? 'bar' : 'bar empty', x: String(i * step + 1), y: String(height - Math.max(h, 1)), width: String(BAR.width), height: String(Math.max(h, 1)), rx: '1.5',
      }),
    );
    svg.append(day);
  });
  if (pace && max > 0 && Number.isFinite(Number(pace))) {
    const y = Math.max(0, height - (Number(pace) / max) * (height - 2));
    svg.append(svgElement('line', { class: 'pace', x1: '0', x2: String(width), y1: String(y), y2: String(y) }));
  }
  return svg;
}

function svgElement(name, attributes) {
  const el = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  return el;
}
