// Money that stops ads, on a row: when the cap or the prepaid funds run out
// ("cap in ~3 days", "funds for ~2 days", "cap reached — ads stopped"), and
// the last 7 days' spend as seven bars with the pace. Amounts come from the
// backend as exact decimal strings and are only formatted here.

import { money, plural } from './format.js';

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

/** Seven bars (the last 7 complete days) with the pace as a line; null without a series. */
export function spendBars(account) {
  const days = account.spend_daily || [];
  if (days.length === 0 || !account.currency) return null;
  const values = days.map((d) => Number(d.spend));
  const max = Math.max(...values, 0);
  const width = 7 * 8;
  const height = 18;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'spend-bars');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('role', 'img');
  const pace = account.forecast && account.forecast.pace_per_day;
  const label = days.map((d) => `${d.date}: ${money(d.spend, account.currency)}`).join('\n')
    + (pace ? `\nPace: ${money(pace, account.currency)} a day` : '');
  svg.setAttribute('aria-label', `Spend, last 7 days. ${label.replaceAll('\n', '; ')}`);
  const title = document.createElementNS(SVG, 'title');
  title.textContent = label;
  svg.append(title);
  values.forEach((value, i) => {
    const h = max > 0 ? Math.max((value / max) * (height - 2), value > 0 ? 1.5 : 0) : 0;
    const bar = document.createElementNS(SVG, 'rect');
    bar.setAttribute('x', String(i * 8 + 1));
    bar.setAttribute('y', String(height - h));
    bar.setAttribute('width', '6');
    bar.setAttribute('height', String(h));
    bar.setAttribute('rx', '1');
    bar.setAttribute('class', value > 0 ? 'bar' : 'bar empty');
    svg.append(bar);
  });
  if (pace && max > 0) {
    const y = height - (Number(pace) / max) * (height - 2);
    const line = document.createElementNS(SVG, 'line');
    line.setAttribute('x1', '0');
    line.setAttribute('x2', String(width));
    line.setAttribute('y1', String(y));
    line.setAttribute('y2', String(y));
    line.setAttribute('class', 'pace');
    svg.append(line);
  }
  return svg;
}
