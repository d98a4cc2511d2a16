// The details pane: everything about one account — its reasons (with
// acknowledge, snooze, show again), spend, datasets with their last event,
// terms, tasks, the last refresh's error, and links to its pages on
// Facebook. A side pane in a wide window, a drawer in a narrow one.
// Text only: every remote string goes through textContent.

import {
  amountOf, clock, fullTime, money, roleOf, tosName,
} from './format.js';
import { adReasons, adsFacts } from './ads.js';
import { fillFlags } from './flags.js';
import { forecastLine, spendBars } from './money.js';
import {
  EXPECTED_TOS, ROW_ACTIONS, healthOf, refreshedText, statusText,
} from './rows.js';

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}

function section(title, ...children) {
  const box = element('section', 'details-section');
  box.append(element('h3', '', title), ...children.filter(Boolean));
  return box;
}

/** A definition list from [term, value] pairs (values null are left out). */
function facts(pairs) {
  const dl = element('dl', 'details-facts');
  for (const [term, value] of pairs) {
    if (value === null || value === undefined || value === '') continue;
    dl.append(element('dt', '', term), element('dd', '', value));
  }
  return dl;
}

function button(text, action, data = {}) {
  const b = element('button', 'secondary', text);
  b.type = 'button';
  b.dataset.action = action;
  Object.assign(b.dataset, data);
  return b;
}

function fundsText(a) {
  const funds = a.funds || {};
  if (funds.state === 'not_prepaid' || !funds.state) return null;
  if (a.forecast && a.forecast.funds_left !== null && a.forecast.funds_left !== undefined) return money(a.forecast.funds_left, a.currency);
  if (funds.state === 'needs_admin') return 'unknown (needs the Admin role)';
  return 'unknown';
}

function spendSection(a) {
  if (!a.currency) return section('Spend', element('p', 'field-note', 'Not read yet.'));
  const f = a.forecast || {};
  const line = forecastLine(a);
  const list = facts([
    ['Today', amountOf(a, 'spend_today')],
    ['Last 30 days', amountOf(a, 'spend_last_30d')],
    ['Lifetime', amountOf(a, 'amount_spent')],
    ['Spending cap', a.spend_cap ? money(a.spend_cap, a.currency) : 'none'],
    ['Left under the cap', f.cap_left !== null && f.cap_left !== undefined ? money(f.cap_left, a.currency) : null],
    ['Prepaid funds left', fundsText(a)],
    ['Balance due', a.balance && Number(a.balance) !== 0 ? money(a.balance, a.currency) : null],
    ['Pace (last 7 days)', f.pace_per_day ? `${money(f.pace_per_day, a.currency)} a day` : null],
    ['Forecast', line ? line.text : null],
    ['Payment', f.payment_risk ? f.payment_risk.next || f.payment_risk.text || 'at risk' : null],
    ['Currency', a.currency],
  ]);
  const days = element('table', 'details-days');
  const caption = element('caption', '', 'Last 7 complete days');
  days.append(caption);
  for (const day of a.spend_daily || []) {
    const tr = element('tr');
    tr.append(element('th', '', day.date), element('td', 'tabular', money(day.spend, a.currency)));
    days.append(tr);
  }
  const chart = spendBars(a, { focusable: true });
  return section('Spend', list, chart, (a.spend_daily || []).length ? days : null, fieldErrors(a));
}

function fieldErrors(a) {
  const errors = a.field_errors || [];
  if (!errors.length) return null;
  const ul = element('ul', 'details-list');
  for (const e of errors) ul.append(element('li', '', `${e.field}: ${e.reason}`));
  return ul;
}

function datasetsSection(a) {
  if (!a.datasets.length) return section('Datasets (pixels)', element('p', 'field-note', 'None'));
  const ul = element('ul', 'details-list');
  a.datasets.forEach((d, i) => {
    const li = element('li');
    const health = healthOf(a, i);
    li.dataset.tone = health.tone;
    li.append(element('span', 'details-strong', d.name), element('span', 'details-muted', ` ${d.id}`));
    const fired = d.last_fired_time ? `last event ${fullTime(d.last_fired_time)}` : 'no event yet';
    li.append(element('div', 'details-muted', `${health.text} · ${fired}`));
    ul.append(li);
  });
  return section('Datasets (pixels)', ul);
}

function termsSection(a) {
  const expected = EXPECTED_TOS.map((k) => `${tosName(k)}: ${a.tos_accepted.includes(k) ? 'accepted' : 'not accepted'}`);
  const other = a.tos_accepted.filter((k) => !EXPECTED_TOS.includes(k)).map((k) => `${tosName(k)}: accepted`);
  const ul = element('ul', 'details-list');
  for (const text of [...expected, ...other]) ul.append(element('li', '', text));
  const keys = facts([
    ['Account keys', a.tos_accepted.join(', ') || 'none'],
    ['Your keys', (a.user_tos_accepted || []).join(', ') || 'none'],
  ]);
  return section('Terms of Service', ul, keys);
}

function accessSection(a) {
  const pairs = [['Your role', `${roleOf(a.tasks)} (${a.tasks.join(', ') || 'no tasks'})`]];
  for (const l of a.logins || []) {
    pairs.push([`Login: ${l.name}`, `${roleOf(l.tasks)}${a.via && a.via.id === l.id ? ' · refreshes it' : ''}`]);
  }
  pairs.push(['Read through', a.via_note || (a.via ? a.via.name : null)]);
  pairs.push(['Business', a.business ? `${a.business.name} (${a.business.id})` : 'Personal']);
  pairs.push(['Time zone', a.timezone]);
  pairs.push(['Reach', a.reach === 'no_longer_accessible' ? 'No longer accessible through any login' : null]);
  return section('Access', facts(pairs));
}

function refreshSection(a) {
  const pairs = [['Last refreshed', a.refreshed_at ? `${fullTime(a.refreshed_at)} (${refreshedText(a)})` : 'never']];
  const p = a.error;
  if (p) {
    pairs.push(['Last refresh failed', p.title], ['What it means', p.explanation], ['Reason', p.reason],
      ['Code', p.code], ['Subcode', p.subcode], ['HTTP status', p.http_status], ['fbtrace_id', p.fbtrace_id],
      ["Meta's message", p.message], ['When', p.at ? fullTime(p.at) : null],
      ['Available again', p.retry_at ? clock(p.retry_at) : null]);
  }
  return section(p ? 'Last refresh — failed' : 'Last refresh', facts(pairs));
}

function adsSection(a) {
  const reasons = adReasons(a);
  const list = reasons.length ? element('ul', 'details-list') : null;
  for (const text of reasons) list.append(element('li', '', text));
  const disapproved = a.ads && a.ads.disapproved
    ? button('Disapproved ads in Ads Manager', 'open-page', { page: 'disapproved_ads' })
    : null;
  const why = list ? element('h4', 'details-subhead', 'Why, in the review’s words') : null;
  return section('Ads that cannot run', facts(adsFacts(a)), why, list, disapproved);
}

function linksSection() {
  const box = element('div', 'details-links');
  box.append(
    button('Ads Manager', 'open-page', { page: 'ads_manager' }),
    button('Billing', 'open-page', { page: 'billing' }),
    button('Account Quality', 'open-page', { page: 'account_quality' }),
  );
  return section('On Facebook', box);
}

function reasonsSection(a, showAside) {
  const list = element('ul', 'row-flags');
  const toggle = element('button', 'link row-aside');
  toggle.type = 'button';
  toggle.dataset.action = 'toggle-aside';
  fillFlags(list, toggle, a, showAside);
  const none = (a.attention || []).length === 0 ? element('p', 'field-note', 'Nothing needs you here.') : null;
  return section('Reasons to look', none, list, toggle);
}

export class DetailsPane {
  constructor(el) {
    this.el = el;
    this.id = null;
    this.showAside = false;
  }

  get open() {
    return !this.el.hidden;
  }

  /** Shows an account (or refills it when it changed). */
  show(account, { busy = false } = {}) {
    if (!account) return this.close();
    if (this.id !== account.id) this.showAside = false;
    // Unchanged (a state re-read brings equal copies): keep the pane as it
    // is, so an open snooze menu or a selection in it survives.
    const drawn = `${busy}\n${this.showAside}\n${JSON.stringify(account)}`;
    if (this.drawn === drawn && !this.el.hidden) return undefined;
    this.drawn = drawn;
    this.id = account.id;
    this.account = account;
    this.el.dataset.id = account.id;
    this.el.hidden = false;
    document.body.classList.add('details-open');
    const status = statusText(account);
    const badge = this.el.querySelector('.badge');
    badge.dataset.tone = status.tone;
    badge.querySelector('.badge-icon').dataset.icon = status.icon;
    badge.querySelector('.badge-text').textContent = status.text;
    this.el.querySelector('#details-name').textContent = account.name;
    this.el.querySelector('.details-id').textContent = account.id;
    const refresh = this.el.querySelector('[data-action="refresh-row"]');
    refresh.disabled = busy;
    refresh.classList.toggle('refreshing', busy);
    refresh.setAttribute('aria-label', `Refresh ${account.name}`);
    const fix = this.el.querySelector('.row-action');
    const label = account.error && ROW_ACTIONS[account.error.action];
    fix.hidden = !label;
    fix.textContent = label || '';
    this.el.querySelector('.details-body').replaceChildren(
      reasonsSection(account, this.showAside),
      spendSection(account),
      adsSection(account),
      datasetsSection(account),
      termsSection(account),
      accessSection(account),
      refreshSection(account),
      linksSection(),
    );
    return undefined;
  }

  toggleAside(account) {
    this.showAside = !this.showAside;
    this.show(account);
  }

  close() {
    this.el.hidden = true;
    this.id = null;
    this.account = null;
    this.drawn = null;
    document.body.classList.remove('details-open');
  }
}
