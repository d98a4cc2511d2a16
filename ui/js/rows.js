// One account row, filled from its view. Text only: account names and every
// other remote string are user-controlled and never parsed as HTML. A row
// holds the cells of both densities; the stylesheet shows one set.

import {
  HEALTH, ago, amountOf, disableReasonText, fullTime, money, plural, roleOf, statusOf, tosName,
} from './format.js';
import { SEVERITY, failureText, fillFlags, isSetAside } from './flags.js';
import { forecastLine, spendBars } from './money.js';
import { adsCell } from './ads.js';

export const EXPECTED_TOS = ['custom_audience_tos', 'web_custom_audience_tos'];

/** What a row offers for a failure that a person can fix. */
export const ROW_ACTIONS = {
  accept_tos: 'Review the terms',
  open_account_quality: 'Open Account Quality',
  open_facebook: 'Open facebook.com',
  reauthenticate: 'Reauthenticate',
};

export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** A decorative glyph (hidden from screen readers; the text beside it says
 * the same): drawn by CSS from `data-icon`, so it is no text to audit. */
export function setIcon(el, icon) {
  if (el.dataset.icon !== icon) el.dataset.icon = icon;
}

/** The reason a dense row shows: the most severe one nobody set aside
 * (with how many more), else how many were set aside. */
export function topReason(a) {
  const flags = a.attention || [];
  const open = flags.filter((f) => !isSetAside(f));
  const aside = flags.filter((f) => isSetAside(f) && !f.muted).length;
  if (open.length === 0) return aside ? { text: `${aside} set aside`, severity: 'aside', more: '' } : null;
  const flag = open[0];
  const text = flag.kind === 'refresh_failed' ? failureText(a) || flag.text : flag.text;
  const more = [open.length > 1 ? `+${open.length - 1}` : '', aside ? `${aside} set aside` : ''];
  return { text, severity: flag.severity, more: more.filter(Boolean).join(' · ') };
}

const NAME_SUFFIX = /^(.{6,}?)((?:\s[-–—|·:/]\s|\s\(|\s#|_)[^-–—|·:/(#_]{1,24}\)?|\s\d{1,12})$/u;

/** A name as the part that may be cut and the suffix that tells it from
 * its siblings ("Shop — Spring Sale", " (DE)"): cut in the middle, the
 * suffix stays. Names without one are cut at the end. */
export function nameParts(name) {
  const match = NAME_SUFFIX.exec(name || '');
  return match ? [match[1], match[2]] : [name || '', ''];
}

export function statusText(a) {
  const status = statusOf(a);
  const reason = a.status !== 'active' ? disableReasonText(a.disable_reason) : '';
  return { ...status, text: reason ? `${status.text} · ${reason}` : status.text };
}

/** "Refreshed 5 minutes ago", or "as of …" when the last refresh failed. */
export function refreshedText(a, now = Date.now()) {
  return a.error && a.refreshed_at ? `as of ${ago(a.refreshed_at, now)}` : ago(a.refreshed_at, now);
}

/**
 * Fills a row. `options`: `namesLogins` (several logins: name them),
 * `showAside` (list the reasons set aside), `comfortable` (the tall row's
 * cells: reasons, spend lines, chart, datasets, terms, role).
 */
export function fillRow(el, a, options, now = Date.now()) {
  el.dataset.id = a.id;
  const status = statusText(a);
  const badge = el.querySelector('.badge');
  badge.dataset.tone = status.tone;
  badge.dataset.tip = status.text;
  setIcon(el.querySelector('.badge-icon'), status.icon);
  // A dense row has room for the status; the reason is in "Needs you".
  setText(el.querySelector('.badge-text'), options.comfortable ? status.text : statusOf(a).text);
  const [head, tail] = nameParts(a.name);
  setText(el.querySelector('.name-head'), head);
  setText(el.querySelector('.name-tail'), tail);
  setText(el.querySelector('.account-id'), a.is_new ? `${a.id} · new` : a.id);
  el.classList.toggle('is-new', Boolean(a.is_new));
  el.classList.toggle('is-lost', a.reach === 'no_longer_accessible');
  el.classList.toggle('has-error', Boolean(a.error));
  el.dataset.severity = a.needs_attention ? a.severity : 'none';

  const action = el.querySelector('.row-action');
  const fix = a.error && ROW_ACTIONS[a.error.action];
  action.hidden = !fix;
  setText(action, fix || '');

  setText(el.querySelector('.business-name'), a.business ? a.business.name : 'Personal');
  fillAmount(el.querySelector('.col-today'), a, 'spend_today', 'spent today');
  fillAmount(el.querySelector('.col-30d'), a, 'spend_last_30d', 'spent in the last 30 days');
  const ads = adsCell(a);
  const adsEl = el.querySelector('.col-ads');
  setText(adsEl, ads.text);
  adsEl.dataset.tone = ads.tone;
  adsEl.dataset.tip = ads.title;

  const reason = topReason(a);
  const cell = el.querySelector('.col-reason');
  cell.dataset.severity = reason ? reason.severity : 'none';
  setIcon(cell.querySelector('.reason-icon'), reason && SEVERITY[reason.severity] ? SEVERITY[reason.severity].icon : '');
  // The icon is drawn; its meaning is said in words to screen readers.
  setText(cell.querySelector('.reason-severity'), reason && SEVERITY[reason.severity] ? `${SEVERITY[reason.severity].word}: ` : '');
  setText(cell.querySelector('.reason-text'), reason ? reason.text : '');
  setText(cell.querySelector('.reason-more'), reason ? reason.more : '');

  const time = el.querySelector('time');
  if (a.refreshed_at) time.dateTime = a.refreshed_at; else time.removeAttribute('datetime');
  setText(time, refreshedText(a, now));
  time.dataset.tip = a.refreshed_at ? fullTime(a.refreshed_at) : 'Never refreshed';

  const button = el.querySelector('.row-refresh');
  button.setAttribute('aria-label', `Refresh ${a.name}`);
  button.dataset.tip = `Refresh ${a.name}`;
  if (!options.comfortable) return;
  // A list row (dense rows' shape) until the whole views arrive, a moment
  // after switching to taller rows: its cells wait empty, never stale.
  fillFlags(el.querySelector('.row-flags'), el.querySelector('.row-aside'), a, options.showAside);
  if (a.partial) clearComfortable(el); else fillComfortable(el, a, options);
}

/** An amount cell; its tip names the currency by its code ("$1.00 (USD) spent today"). */
function fillAmount(cell, a, field, what) {
  const text = a.currency ? amountOf(a, field) : '—';
  setText(cell, text);
  cell.dataset.tip = a.currency ? `${text} (${a.currency}) ${what}` : 'Not read yet';
}

const COMFORTABLE_CELLS = ['.spend-today', '.spend-detail', '.spend-forecast', '.col-datasets', '.col-tos', '.role-text', '.row-logins', '.row-via'];

function clearComfortable(el) {
  for (const selector of COMFORTABLE_CELLS) {
    const cell = el.querySelector(selector);
    setText(cell, '');
    delete cell.dataset.tip;
  }
  el.querySelector('.spend-chart').replaceChildren();
}

/** The tall row's cells. */
function fillComfortable(el, a, { namesLogins }) {
  setText(el.querySelector('.spend-today'), a.currency ? `${amountOf(a, 'spend_today')} today` : '—');
  const detail = el.querySelector('.spend-detail');
  setText(detail, spendDetail(a).join(' · '));
  detail.dataset.tip = detail.textContent;
  const line = forecastLine(a);
  const forecast = el.querySelector('.spend-forecast');
  forecast.hidden = !line;
  setText(forecast, line ? line.text : '');
  forecast.dataset.tone = line ? line.tone : 'muted';
  const bars = spendBars(a);
  el.querySelector('.spend-chart').replaceChildren(...(bars ? [bars] : []));

  const datasets = el.querySelector('.col-datasets');
  setText(datasets, datasetSummary(a));
  datasets.dataset.tip = a.datasets.map((d, i) => `${d.name} (${d.id}): ${healthOf(a, i).text}`).join('\n');
  datasets.dataset.tone = datasetTone(a);

  const tos = el.querySelector('.col-tos');
  const missing = missingTos(a);
  setText(tos, missing.length === 0 ? '✓ Accepted' : `Not accepted: ${missing.map(tosName).join(', ')}`);
  tos.dataset.tone = missing.length === 0 ? 'ok' : 'warn';
  tos.dataset.tip = a.tos_accepted.length ? `Accepted: ${a.tos_accepted.map(tosName).join(', ')}` : 'No terms accepted';

  const role = el.querySelector('.col-role');
  setText(role.querySelector('.role-text'), roleOf(a.tasks));
  role.dataset.tip = loginsTitle(a);
  const logins = role.querySelector('.row-logins');
  const names = namesLogins ? (a.logins || []).map((l) => l.name) : [];
  logins.hidden = names.length === 0;
  setText(logins, names.length ? `via ${names.join(', ')}` : '');
  const via = el.querySelector('.row-via');
  via.hidden = !a.via_note;
  setText(via, a.via_note || '');
}

/** "$1.00 in 30 days", lifetime, cap and what is due. */
export function spendDetail(a) {
  if (!a.currency) return [];
  const detail = [`${amountOf(a, 'spend_last_30d')} in 30 days`, `${amountOf(a, 'amount_spent')} lifetime`];
  if (a.spend_cap) detail.push(`cap ${money(a.spend_cap, a.currency)}`);
  if (a.balance && Number(a.balance) !== 0) detail.push(`${money(a.balance, a.currency)} due`);
  return detail;
}

export function missingTos(a) {
  return EXPECTED_TOS.filter((k) => !a.tos_accepted.includes(k));
}

export function healthOf(a, i) {
  return HEALTH[a.dataset_health[i]] || HEALTH.never_fired;
}

/** Each login that reaches the account, with its role there. */
export function loginsTitle(a) {
  const logins = a.logins || [];
  if (logins.length === 0) return a.tasks.join(', ');
  return logins.map((l) => `${l.name}: ${roleOf(l.tasks)}${a.via && a.via.id === l.id ? ' (refreshes it)' : ''}`).join('\n');
}

function datasetSummary(a) {
  if (a.datasets.length === 0) return 'None';
  const counts = {};
  for (const h of a.dataset_health) counts[h] = (counts[h] || 0) + 1;
  const parts = [];
  for (const key of ['stopped', 'unavailable', 'quiet', 'never_fired', 'active']) {
    if (counts[key]) parts.push(`${counts[key]} ${HEALTH[key].text}`);
  }
  return `${plural(a.datasets.length, 'dataset', 'datasets')}: ${parts.join(', ')}`;
}

function datasetTone(a) {
  if (a.dataset_health.some((h) => h === 'stopped' || h === 'unavailable')) return 'bad';
  if (a.dataset_health.some((h) => h === 'quiet')) return 'warn';
  return 'ok';
}
