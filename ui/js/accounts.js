// The account list. Rows are cloned from a <template> and filled with
// textContent only: account names and every other remote string are
// user-controlled and must never be parsed as HTML. Updating one account
// touches only its row; filtering toggles `hidden` on rows it already has.

import {
  LOCALE, HEALTH, ago, amountOf, disableReasonText, fullTime, money, plural, roleOf, statusOf, statusRank, tosName,
} from './format.js';
import { fillFlags, severityRank } from './flags.js';
import { forecastLine, moneyAtRisk, runsOutIn, spendBars } from './money.js';

const EXPECTED_TOS = ['custom_audience_tos', 'web_custom_audience_tos'];

/** What a row offers for a failure that a person can fix. */
const ROW_ACTIONS = {
  accept_tos: 'Review the terms',
  open_account_quality: 'Open Account Quality',
  open_facebook: 'Open facebook.com',
  reauthenticate: 'Reauthenticate',
};

function number(value) {
  return value === null || value === undefined ? -Infinity : Number(value);
}

const SORTS = {
  name: (a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id),
  status: (a, b) => statusRank(a) - statusRank(b) || SORTS.name(a, b),
  today: (a, b) => number(b.spend_today) - number(a.spend_today) || SORTS.name(a, b),
  last30: (a, b) => number(b.spend_last_30d) - number(a.spend_last_30d) || SORTS.name(a, b),
  lifetime: (a, b) => number(b.amount_spent) - number(a.amount_spent) || SORTS.name(a, b),
  runs_out: (a, b) => runsOutIn(a) - runsOutIn(b) || SORTS.name(a, b),
  refreshed: (a, b) => (Date.parse(a.refreshed_at || 0) || 0) - (Date.parse(b.refreshed_at || 0) || 0) || SORTS.name(a, b),
};

/** Which way each sort runs before it is reversed (for `aria-sort`): names
 * A→Z, the worst status first, the biggest spend first, what runs out
 * soonest first, the stalest refresh first. */
export const SORT_DIRECTION = {
  name: 'ascending',
  status: 'ascending',
  today: 'descending',
  last30: 'descending',
  lifetime: 'descending',
  runs_out: 'ascending',
  refreshed: 'ascending',
};

const FILTERS = {
  all: () => true,
  attention: (a) => a.needs_attention,
  blocking: (a) => a.needs_attention && a.severity === 'blocking',
  active: (a) => a.status === 'active' && a.reach !== 'no_longer_accessible',
  not_active: (a) => a.status !== 'active',
  money: (a) => moneyAtRisk(a),
  failed: (a) => Boolean(a.error),
  lost: (a) => a.reach === 'no_longer_accessible',
  new: (a) => a.is_new,
};

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export class AccountList {
  constructor({ template, attentionGroup, restGroup, empty, counts, onEmpty }) {
    this.template = template;
    this.groups = { attention: attentionGroup, rest: restGroup };
    this.empty = empty;
    this.counts = counts;
    this.onEmpty = onEmpty;
    this.rows = new Map(); // id -> { el, view, key }
    this.query = '';
    this.filter = 'all';
    this.sort = 'name';
    /** The sort runs the other way (a second click on its column). */
    this.reversed = false;
    this.busy = new Set();
    // With several Facebook logins, each row names the logins that reach it.
    this.namesLogins = false;
    /** Rows whose set-aside reasons are listed. */
    this.showingAside = new Set();
  }

  /** Names the logins on each row (when there are several logins). */
  setNamesLogins(on) {
    if (this.namesLogins === on) return;
    this.namesLogins = on;
    for (const { el, view } of this.rows.values()) this.fill(el, view);
  }

  /** Lists (or hides) the reasons set aside on one row. */
  toggleAside(id) {
    if (this.showingAside.has(id)) this.showingAside.delete(id); else this.showingAside.add(id);
    const row = this.rows.get(id);
    if (row) this.fill(row.el, row.view);
  }

  /** Replaces every row (first paint, or a new mode). */
  setAll(views) {
    for (const { el } of this.rows.values()) el.remove();
    this.rows.clear();
    for (const view of views) this.rows.set(view.id, this.build(view));
    this.arrange();
  }

  /** Updates the given accounts' rows only (adds rows for new accounts). */
  update(views) {
    let moved = false;
    for (const view of views) {
      const existing = this.rows.get(view.id);
      // An older copy (a state read that raced a row refresh) never wins.
      if (existing && (view.revision ?? 0) < (existing.view.revision ?? 0)) continue;
      if (existing) {
        const wasAttention = existing.view.needs_attention;
        if (existing.el.classList.contains('queued') && view.revision !== existing.view.revision) {
          existing.el.classList.remove('queued');
          if (!this.busy.has(view.id)) existing.el.setAttribute('aria-busy', 'false');
        }
        existing.view = view;
        existing.key = searchKey(view);
        this.fill(existing.el, view);
        if (wasAttention !== view.needs_attention) moved = true;
        existing.el.hidden = !this.matches(existing);
      } else {
        this.rows.set(view.id, this.build(view));
        moved = true;
      }
    }
    if (moved || views.length > 1) {
      this.arrange();
    } else {
      this.refreshCounts();
    }
  }

  setQuery(query) {
    this.query = query.trim().toLowerCase();
    this.applyFilter();
  }

  setFilter(filter) {
    this.filter = FILTERS[filter] ? filter : 'all';
    this.applyFilter();
  }

  setSort(sort, reversed = false) {
    this.sort = SORTS[sort] ? sort : 'name';
    this.reversed = Boolean(reversed);
    this.arrange();
  }

  /** The direction the rows run in now, as `aria-sort` says it. */
  sortDirection() {
    const natural = SORT_DIRECTION[this.sort];
    if (!this.reversed) return natural;
    return natural === 'ascending' ? 'descending' : 'ascending';
  }

  /** Every row waits for its turn in a refresh-all (cleared as rows arrive). */
  markAllQueued() {
    for (const { el } of this.rows.values()) {
      el.classList.add('queued');
      el.setAttribute('aria-busy', 'true');
    }
  }

  clearQueued() {
    for (const { el, view } of this.rows.values()) {
      if (!el.classList.contains('queued')) continue;
      el.classList.remove('queued');
      if (!this.busy.has(view.id)) el.setAttribute('aria-busy', 'false');
    }
  }

  setBusy(id, busy) {
    if (busy) this.busy.add(id); else this.busy.delete(id);
    const row = this.rows.get(id);
    if (!row) return;
    row.el.classList.toggle('refreshing', busy);
    row.el.setAttribute('aria-busy', busy ? 'true' : 'false');
    const button = row.el.querySelector('.row-refresh');
    button.disabled = busy;
  }

  get(id) {
    const row = this.rows.get(id);
    return row && row.view;
  }

  get size() {
    return this.rows.size;
  }

  /** Ids of the rows currently shown. */
  visibleIds() {
    return [...this.rows.values()].filter((r) => !r.el.hidden).map((r) => r.view.id);
  }

  build(view) {
    const el = this.template.content.firstElementChild.cloneNode(true);
    el.dataset.id = view.id;
    const row = { el, view, key: searchKey(view) };
    this.fill(el, view);
    return row;
  }

  matches(row) {
    return FILTERS[this.filter](row.view) && (!this.query || row.key.includes(this.query));
  }

  applyFilter() {
    let shown = 0;
    for (const row of this.rows.values()) {
      const visible = this.matches(row);
      if (row.el.hidden === visible) row.el.hidden = !visible;
      if (visible) shown += 1;
    }
    this.refreshCounts();
    return shown;
  }

  /** Orders rows into the two groups (needs attention first, blocking
   * before warnings), sorted. */
  arrange() {
    const base = SORTS[this.sort];
    const compare = this.reversed ? (a, b) => base(b, a) : base;
    const bySeverity = (a, b) => severityRank(b.severity) - severityRank(a.severity);
    const all = [...this.rows.values()].sort((a, b) => {
      const first = a.view.needs_attention && b.view.needs_attention ? bySeverity(a.view, b.view) : 0;
      return first || compare(a.view, b.view);
    });
    const attention = document.createDocumentFragment();
    const rest = document.createDocumentFragment();
    for (const row of all) {
      row.el.hidden = !this.matches(row);
      (row.view.needs_attention ? attention : rest).appendChild(row.el);
    }
    this.groups.attention.appendChild(attention);
    this.groups.rest.appendChild(rest);
    this.refreshCounts();
  }

  refreshCounts() {
    let attention = 0;
    let rest = 0;
    let shownAttention = 0;
    let shownRest = 0;
    for (const row of this.rows.values()) {
      if (row.view.needs_attention) {
        attention += 1;
        if (!row.el.hidden) shownAttention += 1;
      } else {
        rest += 1;
        if (!row.el.hidden) shownRest += 1;
      }
    }
    const label = (shown, total) => (shown === total ? plural(total, 'account', 'accounts') : `${shown.toLocaleString(LOCALE)} of ${plural(total, 'account', 'accounts')}`);
    setText(this.counts.attention, label(shownAttention, attention));
    setText(this.counts.rest, label(shownRest, rest));
    this.groups.attention.hidden = shownAttention === 0;
    this.groups.rest.hidden = shownRest === 0;
    const nothing = shownAttention + shownRest === 0;
    this.empty.hidden = !nothing;
    if (nothing) this.onEmpty(this.rows.size === 0);
  }

  fill(el, a, now = Date.now()) {
    const status = statusOf(a);
    const badge = el.querySelector('.badge');
    badge.dataset.tone = status.tone;
    setText(el.querySelector('.badge-icon'), status.icon);
    const reason = a.status !== 'active' ? disableReasonText(a.disable_reason) : '';
    setText(el.querySelector('.badge-text'), reason ? `${status.text} · ${reason}` : status.text);

    setText(el.querySelector('.account-name'), a.name);
    const idText = a.is_new ? `${a.id} · new` : a.id;
    setText(el.querySelector('.account-id'), idText);
    el.classList.toggle('is-new', Boolean(a.is_new));
    el.classList.toggle('is-lost', a.reach === 'no_longer_accessible');
    el.classList.toggle('has-error', Boolean(a.error));

    const action = el.querySelector('.row-action');
    const fix = a.error && ROW_ACTIONS[a.error.action];
    action.hidden = !fix;
    if (fix) setText(action, fix);

    el.dataset.severity = a.needs_attention ? a.severity : 'none';
    fillFlags(el.querySelector('.row-flags'), el.querySelector('.row-aside'), a, this.showingAside.has(a.id));

    setText(el.querySelector('.col-business'), a.business ? a.business.name : 'Personal');

    const today = el.querySelector('.spend-today');
    setText(today, a.currency ? `${amountOf(a, 'spend_today')} today` : '—');
    const detail = [];
    if (a.currency) {
      detail.push(`${amountOf(a, 'spend_last_30d')} in 30 days`);
      detail.push(`${amountOf(a, 'amount_spent')} lifetime`);
      if (a.spend_cap) detail.push(`cap ${money(a.spend_cap, a.currency)}`);
      if (a.balance && Number(a.balance) !== 0) detail.push(`${money(a.balance, a.currency)} due`);
    }
    setText(el.querySelector('.spend-detail'), detail.join(' · '));
    const line = forecastLine(a);
    const forecast = el.querySelector('.spend-forecast');
    forecast.hidden = !line;
    setText(forecast, line ? line.text : '');
    forecast.dataset.tone = line ? line.tone : 'muted';
    const chart = el.querySelector('.spend-chart');
    const bars = spendBars(a);
    if (bars) chart.replaceChildren(bars); else chart.replaceChildren();

    const datasets = el.querySelector('.col-datasets');
    setText(datasets, datasetSummary(a));
    datasets.title = a.datasets.map((d, i) => `${d.name} (${d.id}): ${(HEALTH[a.dataset_health[i]] || HEALTH.never_fired).text}`).join('\n');
    datasets.dataset.tone = datasetTone(a);

    const tos = el.querySelector('.col-tos');
    const missing = EXPECTED_TOS.filter((k) => !a.tos_accepted.includes(k));
    setText(tos, missing.length === 0 ? '✓ Accepted' : `Not accepted: ${missing.map(tosName).join(', ')}`);
    tos.dataset.tone = missing.length === 0 ? 'ok' : 'warn';
    tos.title = a.tos_accepted.length ? `Accepted: ${a.tos_accepted.map(tosName).join(', ')}` : 'No terms accepted';

    const role = el.querySelector('.col-role');
    setText(role.querySelector('.role-text'), roleOf(a.tasks));
    role.title = loginsTitle(a);
    const logins = role.querySelector('.row-logins');
    const names = this.namesLogins ? (a.logins || []).map((l) => l.name) : [];
    logins.hidden = names.length === 0;
    setText(logins, names.length ? `via ${names.join(', ')}` : '');
    const via = el.querySelector('.row-via');
    via.hidden = !a.via_note;
    setText(via, a.via_note || '');

    const time = el.querySelector('time');
    if (a.refreshed_at) time.dateTime = a.refreshed_at; else time.removeAttribute('datetime');
    setText(time, a.error && a.refreshed_at ? `as of ${ago(a.refreshed_at, now)}` : ago(a.refreshed_at, now));
    time.title = a.refreshed_at ? fullTime(a.refreshed_at) : 'Never refreshed';

    const button = el.querySelector('.row-refresh');
    button.setAttribute('aria-label', `Refresh ${a.name}`);
    button.title = `Refresh ${a.name}`;
  }

  /** Re-renders relative times (called every minute). */
  tick() {
    const now = Date.now();
    for (const { el, view } of this.rows.values()) {
      const time = el.querySelector('time');
      setText(time, view.error && view.refreshed_at ? `as of ${ago(view.refreshed_at, now)}` : ago(view.refreshed_at, now));
    }
  }
}

/** Each login that reaches the account, with its role there. */
function loginsTitle(a) {
  const logins = a.logins || [];
  if (logins.length === 0) return a.tasks.join(', ');
  return logins.map((l) => `${l.name}: ${roleOf(l.tasks)}${a.via && a.via.id === l.id ? ' (refreshes it)' : ''}`).join('\n');
}

function searchKey(a) {
  const logins = (a.logins || []).map((l) => l.name).join('\n');
  return `${a.name}\n${a.id}\n${a.business ? a.business.name : 'personal'}\n${logins}`.toLowerCase();
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
