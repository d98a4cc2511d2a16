// The accounts screen's behaviour: the list, its details pane, the keyboard,
// refreshing rows, setting reasons aside, sorting and density.

import { $, announce, app, screens } from './app-state.js';
import { AccountList } from './accounts.js';
import { ColumnFit } from './fit.js';
import { DetailsPane } from './details.js';
import { RowKeys } from './keyboard.js';
import { LOCALE, plural } from './format.js';
import { api, errorText } from './ipc.js';
import { showError } from './messages.js';
import { nextTryText, waitingText } from './waits.js';
import { severityRank } from './flags.js';
import { topReason } from './rows.js';

const fit = new ColumnFit($('#accounts-table'), $('#accounts-viewport'));

export const list = new AccountList({
  viewport: $('#accounts-viewport'),
  table: $('#accounts-table'),
  template: $('#row-template'),
  groups: {
    attention: { el: $('#group-attention'), rows: $('#rows-attention'), count: $('#count-attention') },
    rest: { el: $('#group-rest'), rows: $('#rows-rest'), count: $('#count-rest') },
  },
  empty: $('#empty'),
  // Null views: the text size or the layout changed (measured again if need be).
  onViews: (views, whole) => (views ? fit.fit(views, whole) : fit.refit(list.views())),
  onEmpty: (noAccounts) => {
    $('#empty').textContent = noAccounts
      ? 'No ad accounts yet. Use Refresh all to load them, or Reauthenticate to grant access to more.'
      : 'No account matches the search or filter.';
  },
});

export const details = new DetailsPane($('#details'));

export const rowKeys = new RowKeys(list, {
  onOpen: (id) => openDetails(id, true),
  onMove: (id) => { if (details.open) openDetails(id); },
});

// The header yields to the list once it scrolls.
$('#accounts-viewport').addEventListener('scroll', (event) => {
  $('#screen-accounts').classList.toggle('scrolled', event.target.scrollTop > 0);
}, { passive: true });

let wholeReads = 0;

/** An account's whole view for the pane: the list's copy when it is whole
 * (taller rows, or just refreshed), else read from the backend — dense rows
 * hold only what the list draws. Null when the account left the list;
 * undefined when a newer read started meanwhile or the read failed (the
 * pane stays as it is). */
async function wholeView(id) {
  const read = ++wholeReads;
  const account = list.get(id);
  if (!account || !account.partial) return account || null;
  let view;
  try {
    view = await api.accountView(id);
  } catch (error) {
    return undefined;
  }
  return read === wholeReads ? view : undefined;
}

/** Shows an account in the details pane (`focus`: move the keyboard there). */
export async function openDetails(id, focus = false) {
  const account = await wholeView(id);
  if (account === undefined) return;
  if (!account) {
    if (details.id === id) closeGone();
    return;
  }
  details.show(account, { busy: list.busy.has(id) });
  if (focus) $('#details').focus();
}

export function closeDetails() {
  const id = details.id;
  details.close();
  if (id) list.reveal(id, true);
}

/** Closes the pane of an account that left the list. Focus in the pane
 * goes to the list's current row (or the first), never to the page. */
function closeGone() {
  const hadFocus = $('#details').contains(document.activeElement);
  details.close();
  if (!hadFocus) return;
  list.render();
  const id = list.tabbable;
  if (id) list.reveal(id, true); else $('#search').focus();
}

/** Keeps the pane in step with its account's newest copy. */
export function updateDetails() {
  if (!details.open) return;
  if (list.get(details.id)) openDetails(details.id); else closeGone();
}

/** Takes new copies of accounts into the list (and the pane). */
export function updateAccounts(views) {
  list.update(views);
  if (details.open && views.some((v) => v.id === details.id)) updateDetails();
}

function setBusy(id, busy) {
  list.setBusy(id, busy);
  if (details.id === id) updateDetails();
}

/** "now needs attention: …" when a new copy newly needs attention (or more urgently), else ''. */
function newProblem(before, view) {
  if (!view.needs_attention) return '';
  if (before && before.needs_attention && severityRank(before.severity) >= severityRank(view.severity)) return '';
  const reason = topReason(view);
  return reason ? `now needs attention: ${reason.text}` : 'now needs attention';
}

export async function refreshRow(id) {
  setBusy(id, true);
  const before = list.get(id);
  try {
    const view = await api.refreshAccount(id);
    updateAccounts([view]);
    const said = [view.error ? `${view.name}: ${view.error.title}` : `${view.name} refreshed`, newProblem(before, view)];
    announce(said.filter(Boolean).join('; '));
  } catch (error) {
    announce(errorText(error));
    showError(error);
  } finally {
    setBusy(id, false);
  }
}

/** Accounts that need attention now, with how urgently. */
function attentionNow() {
  return new Map(list.views().filter((v) => v.needs_attention).map((v) => [v.id, severityRank(v.severity)]));
}

/** Refreshes everything (`call`: `api.tryNow` ends the waits first). */
export async function refreshAll(call = api.refreshAll) {
  const before = attentionNow();
  try {
    renderProgress({ running: true, done: 0, total: 0, listing_complete: false });
    const summary = await call();
    const parts = [`${plural(summary.refreshed, 'account', 'accounts')} refreshed`];
    const worse = [...attentionNow()].filter(([id, rank]) => !before.has(id) || before.get(id) < rank).length;
    if (worse) parts.push(`${plural(worse, 'account', 'accounts')} newly ${worse === 1 ? 'needs' : 'need'} attention`);
    if (summary.failed) parts.push(`${summary.failed.toLocaleString(LOCALE)} could not be refreshed`);
    if (summary.problem) parts.push(summary.problem.title);
    if (summary.cancelled) parts.push('stopped');
    announce(parts.join('; '));
  } catch (error) {
    announce(errorText(error));
    showError(error);
  } finally {
    screens.reloadSoon();
  }
}

/** F5 and Ctrl+R: the selected rows, else everything. */
export async function refreshSelectedOrAll() {
  const selected = list.selectedIds();
  if (selected.length === 1) return refreshRow(selected[0]);
  if (selected.length === 0) return refreshAll();
  selected.forEach((id) => setBusy(id, true));
  try {
    const summary = await api.refreshSelected(selected);
    announce(`${plural(summary.refreshed, 'account', 'accounts')} refreshed`);
  } catch (error) {
    showError(error);
  } finally {
    selected.forEach((id) => setBusy(id, false));
  }
  return undefined;
}

export function renderProgress(status) {
  const running = Boolean(status && status.running);
  if (running && !app.refreshing) list.markAllQueued();
  if (!running && app.refreshing) list.clearQueued();
  app.refreshing = running;
  // Between runs, the automatic retry planned says when (Stop drops it).
  const planned = !running && status && status.next_try ? nextTryText(status.next_try) : '';
  const waiting = running && status.waiting ? waitingText(status.waiting) : '';
  $('#progress').hidden = !running && !planned;
  $('#progress-bar').hidden = !running;
  $('#cancel-refresh').hidden = !running && !planned;
  $('#try-now').hidden = !waiting && !planned;
  const button = $('#refresh-all');
  button.disabled = running;
  button.classList.toggle('refreshing', running);
  if (!running) {
    $('#progress-text').textContent = planned;
    return;
  }
  const total = Math.max(status.total, status.done);
  $('#progress-bar').max = Math.max(total, 1);
  $('#progress-bar').value = status.done;
  const counted = total === 0
    ? 'Finding your ad accounts…'
    : `Refreshing ${status.done.toLocaleString(LOCALE)} of ${total.toLocaleString(LOCALE)}${status.listing_complete ? '' : '+'}`;
  $('#progress-text').textContent = waiting ? `${counted} — ${waiting}` : counted;
}

/** The account and reason a flag's control belongs to (in a row or the pane). */
export function flagOf(el) {
  const holder = el.closest('[data-id]');
  const item = el.closest('.flag');
  return holder && item ? { id: holder.dataset.id, key: item.dataset.key, text: item.querySelector('.flag-text').textContent } : null;
}

/** Acknowledges (`days` null) or snoozes a reason; `restore` shows it again. */
export async function setAside(flag, days, restore = false) {
  try {
    const view = restore
      ? await api.restoreAttention(flag.id, flag.key)
      : await api.setAside(flag.id, flag.key, days);
    updateAccounts([view]);
    if (restore) announce(`Shown again: ${flag.text}`);
    else announce(days ? `Snoozed for ${plural(days, 'day', 'days')}: ${flag.text}` : `Acknowledged: ${flag.text}`);
    screens.reloadSoon();
  } catch (error) {
    showError(error);
  }
}

/** Lists (or hides) what is set aside, on a row or in the pane. */
export function toggleAside(target) {
  if (target.closest('#details')) {
    if (details.account) details.toggleAside(details.account);
    return;
  }
  const row = target.closest('[data-id]');
  if (row) list.toggleAside(row.dataset.id);
}

/** Column headers say how the list is sorted (`aria-sort`, an arrow). */
export function renderSortHeads() {
  for (const head of document.querySelectorAll('[data-sort-key]')) {
    const active = head.dataset.sortKey === list.sort;
    const direction = active ? list.sortDirection() : 'none';
    head.setAttribute('aria-sort', direction);
    head.querySelector('.sort-arrow').dataset.icon = { ascending: ' ▲', descending: ' ▼' }[direction] || '';
  }
}

/** A click on a column header sorts by it; a second click reverses. */
export function sortBy(key) {
  list.setSort(key, list.sort === key ? !list.reversed : false);
  $('#sort').value = key;
  renderSortHeads();
}

/** Shows the density the settings hold. */
export function applyDensity(settings) {
  const comfortable = settings.row_density === 'comfortable';
  if (list.comfortable !== comfortable || !list.densityApplied) list.setComfortable(comfortable);
  list.densityApplied = true;
  const toggle = $('#density');
  toggle.setAttribute('aria-pressed', String(comfortable));
  toggle.textContent = comfortable ? 'Dense rows' : 'Taller rows';
}

/** Switches density and keeps the choice. */
export async function toggleDensity() {
  const settings = { ...app.state.settings, row_density: list.comfortable ? 'dense' : 'comfortable' };
  applyDensity(settings);
  try {
    app.state.settings = await api.saveSettings(settings);
  } catch (error) {
    showError(error);
  }
  // Taller rows draw from whole views, dense ones from list rows: the
  // backend sends the shape the saved density needs.
  screens.reloadSoon();
}

/** A click on a row (not on one of its controls): select it and show its details. */
export function clickRow(row, event) {
  rowKeys.click(row.dataset.id, { additive: event.ctrlKey || event.metaKey, extend: event.shiftKey });
  if (!event.ctrlKey && !event.metaKey && !event.shiftKey) openDetails(row.dataset.id);
}
