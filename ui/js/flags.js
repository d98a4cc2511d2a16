// A row's reasons for attention: each with its severity (icon and word,
// never colour alone), its text (from the backend, as text only), and what
// a person can do about it — acknowledge (hidden until it changes) or
// snooze. Reasons set aside are listed behind a "n set aside" toggle, each
// with "Show again".

import { clock } from './format.js';

export const SEVERITY = {
  blocking: { icon: '✖', word: 'Blocking' },
  warning: { icon: '⚠', word: 'Warning' },
  info: { icon: 'ℹ', word: 'Info' },
};

export const SNOOZES = [1, 7, 30];

/** Most severe first: blocking 2, warning 1, info 0, nothing -1. */
export function severityRank(severity) {
  return { blocking: 2, warning: 1, info: 0 }[severity] ?? -1;
}

export function isSetAside(flag) {
  return flag.acknowledged || Boolean(flag.snoozed_until) || flag.muted;
}

/** What a failed refresh says on its row: why, and how old the data is. */
export function failureText(account) {
  const p = account.error;
  if (!p) return null;
  const when = account.refreshed_at ? `showing data as of ${clock(account.refreshed_at)}` : 'no data yet';
  if (p.reason === 'offline') return `Offline — ${when}`;
  if (p.reason === 'rate_limited' && p.retry_at) return `${p.title} — available again at ${clock(p.retry_at)}; ${when}`;
  return `${p.title} — ${when}`;
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function actions(flag) {
  const box = element('span', 'flag-actions');
  if (isSetAside(flag)) {
    if (!flag.muted) {
      const again = element('button', 'link', 'Show again');
      again.type = 'button';
      again.dataset.action = 'restore-flag';
      box.append(again);
    }
    return box;
  }
  const ack = element('button', 'link', 'Acknowledge');
  ack.type = 'button';
  ack.dataset.action = 'acknowledge-flag';
  const snooze = element('select', 'snooze');
  snooze.dataset.action = 'snooze-flag';
  snooze.setAttribute('aria-label', `Snooze: ${flag.text}`);
  snooze.append(element('option', '', 'Snooze…'));
  for (const days of SNOOZES) {
    const option = element('option', '', days === 1 ? '1 day' : `${days} days`);
    option.value = String(days);
    snooze.append(option);
  }
  box.append(ack, snooze);
  return box;
}

function status(flag) {
  if (flag.muted) return ' (muted in Settings)';
  if (flag.snoozed_until) return ` (snoozed until ${clock(flag.snoozed_until)})`;
  if (flag.acknowledged) return ' (acknowledged)';
  return '';
}

function item(flag, account) {
  const li = element('li', 'flag');
  li.dataset.severity = flag.severity;
  li.dataset.key = flag.key;
  const severity = SEVERITY[flag.severity] || SEVERITY.info;
  const icon = element('span', 'flag-icon');
  icon.dataset.icon = severity.icon;
  icon.setAttribute('aria-hidden', 'true');
  li.append(icon);
  li.append(element('span', 'visually-hidden', `${severity.word}: `));
  const text = flag.kind === 'refresh_failed' ? failureText(account) || flag.text : flag.text;
  li.append(element('span', 'flag-text', text + status(flag)));
  li.append(actions(flag));
  return li;
}

/** Fills a row's flag list; `showAside` lists the reasons set aside too. */
export function fillFlags(list, toggle, account, showAside) {
  const flags = account.attention || [];
  const aside = flags.filter(isSetAside);
  const shown = flags.filter((f) => !isSetAside(f));
  const items = shown.concat(showAside ? aside : []).map((f) => item(f, account));
  list.replaceChildren(...items);
  list.hidden = items.length === 0;
  toggle.hidden = aside.length === 0;
  toggle.textContent = showAside ? 'Hide what is set aside' : `${aside.length} set aside`;
  toggle.setAttribute('aria-expanded', String(showAside));
}
