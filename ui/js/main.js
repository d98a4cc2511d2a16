// Adkeep's window: which screen shows, the toolbar, and the wiring between
// the backend's events and the account list.

import { EVENTS, api, errorText, on } from './ipc.js';
import { AccountList } from './accounts.js';
import { ProblemPage } from './problem.js';
import { fillSettings, readSettings } from './settings.js';
import { countNew, renderActivity } from './activity.js';
import { checkForUpdates, installUpdate } from './updates.js';
import { renderNotices as drawNotices } from './notices.js';
import { RowKeys } from './keyboard.js';
import { LOCALE, ago, clock, plural } from './format.js';
import {
  loginStatus, reauthPlan, renderIdentity, renderLoginBanners, renderLoginList, renderReauthMenu,
} from './logins.js';

const $ = (selector) => document.querySelector(selector);

const ui = {
  app: $('#app'),
  screens: {
    first_run: $('#screen-first-run'),
    accounts: $('#screen-accounts'),
    problem: $('#screen-problem'),
    settings: $('#screen-settings'),
    activity: $('#screen-activity'),
  },
  live: $('#live'),
  summary: $('#summary'),
  progress: $('#progress'),
  progressBar: $('#progress-bar'),
  progressText: $('#progress-text'),
  refreshAll: $('#refresh-all'),
  cancel: $('#cancel-refresh'),
  notices: $('#notices'),
};

let state = null;
let screen = 'loading';
let showDataAnyway = false;
/** A login whose problem the person asked to see ("What happened"). */
let problemOf = null;

const list = new AccountList({
  template: $('#row-template'),
  attentionGroup: $('#group-attention'),
  restGroup: $('#group-rest'),
  empty: $('#empty'),
  counts: { attention: $('#count-attention'), rest: $('#count-rest') },
  onEmpty: (noAccounts) => {
    $('#empty').textContent = noAccounts
      ? 'No ad accounts yet. Use Refresh all to load them, or Reauthenticate to grant access to more.'
      : 'No account matches the search or filter.';
  },
});

const problemPage = new ProblemPage(ui.screens.problem, {
  onAction: (action, problem, login) => runProblemAction(action, problem, login),
  onCopy: (text) => copy(text),
});

function announce(text) {
  ui.live.textContent = '';
  // A fresh text node so screen readers announce repeats too.
  requestAnimationFrame(() => { ui.live.textContent = text; });
}

function show(name) {
  screen = name;
  ui.app.dataset.screen = name;
  for (const [key, el] of Object.entries(ui.screens)) el.hidden = key !== name;
  if (name !== 'problem') problemPage.hide();
  $('#nav-accounts').setAttribute('aria-current', name === 'accounts' ? 'page' : 'false');
  $('#nav-settings').setAttribute('aria-current', name === 'settings' ? 'page' : 'false');
  $('#nav-activity').setAttribute('aria-current', name === 'activity' ? 'page' : 'false');
}

/** Chooses the screen from the state (unless the person is in Settings). */
function route() {
  if (screen === 'settings' || screen === 'activity') return;
  const chosen = problemOf && state.logins.find((l) => l.id === problemOf && l.problem);
  if (state.mode === 'unconfigured' && !state.connected && state.accounts.length === 0) {
    show('first_run');
  } else if (chosen) {
    show('problem');
    problemPage.show(chosen.problem, chosen.profile, loginNote(chosen), chosen.id);
  } else if (state.opens_problem_page && !showDataAnyway) {
    show('problem');
    const first = state.logins.find((l) => l.problem) || null;
    const note = state.logins.length > 1 ? 'Every Facebook login Adkeep has stopped working; this is the first one\'s reason.' : '';
    problemPage.show(state.problem, first && first.profile, note, first && first.id);
  } else {
    problemOf = null;
    show('accounts');
  }
}

/** What the problem page adds about one login among several. */
function loginNote(login) {
  if (state.logins.length < 2) return '';
  const alone = login.only
    ? `${plural(login.only, 'account', 'accounts')} only ${login.name} reaches ${login.only === 1 ? 'is' : 'are'} not refreshing.`
    : `No account depends on ${login.name} alone.`;
  return `${login.name}'s login. ${alone} The other logins still refresh the rest.`;
}

function renderHeader() {
  renderLoginSettings();
  renderLoginBanners(state, $('#login-banners'));
  renderIdentity(state, $);
  list.setNamesLogins(state.logins.length > 1);
  const sandbox = state.mode === 'sandbox';
  $('#sandbox-banner').hidden = !sandbox;
  document.body.classList.toggle('sandbox', sandbox);
  const memory = state.logins.some((l) => l.custody === 'memory');
  const custody = memory ? ' · login kept for this session only (no keychain)' : '';
  const last = state.last_full_refresh ? `Last full refresh ${ago(state.last_full_refresh)}` : 'Not refreshed yet';
  const logins = state.logins.length > 1 ? ` · through ${plural(state.logins.length, 'Facebook login', 'Facebook logins')}` : '';
  ui.summary.textContent = `${plural(state.accounts.length, 'ad account', 'ad accounts')}${logins} · ${attentionSummary(state.attention)} · ${last}${custody}`;
  const plan = reauthPlan(state);
  const reauth = $('#reauthenticate');
  reauth.textContent = plan.label;
  reauth.setAttribute('aria-haspopup', plan.kind === 'menu' ? 'menu' : 'false');
  $('#add-login').hidden = state.logins.length === 0 || state.mode === 'unconfigured';
}

/** "3 blocked · 5 warnings", or that nothing needs the person. */
function attentionSummary(counts) {
  const parts = [];
  if (counts && counts.blocking) parts.push(`${counts.blocking.toLocaleString(LOCALE)} blocked`);
  if (counts && counts.warning) parts.push(plural(counts.warning, 'warning', 'warnings'));
  return parts.length ? parts.join(' · ') : 'nothing needs you';
}

/** The account and reason a flag's control belongs to. */
function flagOf(el) {
  const row = el.closest('.account-row');
  const item = el.closest('.flag');
  return row && item ? { id: row.dataset.id, key: item.dataset.key, text: item.querySelector('.flag-text').textContent } : null;
}

/** Acknowledges (`days` null) or snoozes a reason; `restore` shows it again. */
async function setAside(flag, days, restore = false) {
  try {
    const view = restore
      ? await api.restoreAttention(flag.id, flag.key)
      : await api.setAside(flag.id, flag.key, days);
    list.update([view]);
    if (restore) announce(`Shown again: ${flag.text}`);
    else announce(days ? `Snoozed for ${plural(days, 'day', 'days')}: ${flag.text}` : `Acknowledged: ${flag.text}`);
    reloadSoon();
  } catch (error) {
    showError(error);
  }
}

/** Notices the window itself raised (the backend's come with the state). */
let localNotices = [];

/** Whether every notice is shown, or only the most severe with "+N more". */
let noticesExpanded = false;

function renderNotices() {
  drawNotices(ui.notices, [...state.notices, ...localNotices], {
    expanded: noticesExpanded,
    onDismiss: (n) => {
      if (n.id.startsWith('local-')) {
        localNotices = localNotices.filter((l) => l.id !== n.id);
        renderNotices();
      } else {
        api.dismissNotice(n.id);
      }
    },
    onToggle: (expanded) => {
      noticesExpanded = expanded;
      renderNotices();
    },
  });
}

let wasRunning = false;

function renderProgress(status) {
  const running = Boolean(status && status.running);
  if (running && !wasRunning) list.markAllQueued();
  if (!running && wasRunning) list.clearQueued();
  wasRunning = running;
  ui.progress.hidden = !running;
  ui.cancel.hidden = !running;
  ui.refreshAll.disabled = running;
  ui.refreshAll.classList.toggle('refreshing', running);
  if (!running) return;
  const total = Math.max(status.total, status.done);
  ui.progressBar.max = Math.max(total, 1);
  ui.progressBar.value = status.done;
  const waiting = status.waiting_until ? ` — waiting for Meta until ${clock(status.waiting_until)}` : '';
  ui.progressText.textContent = total === 0
    ? 'Finding your ad accounts…'
    : `Refreshing ${status.done.toLocaleString(LOCALE)} of ${total.toLocaleString(LOCALE)}${status.listing_complete ? '' : '+'}${waiting}`;
}

async function load() {
  state = await api.state();
  list.setAll(state.accounts);
  renderHeader();
  renderSortHeads();
  renderCheckPlan();
  refreshActivityBadge();
  renderNotices();
  renderProgress(state.refresh);
  fillSettings($('#settings-form'), state.settings);
  route();
}

let reloadTimer = null;
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(async () => {
    const previousMode = state && state.mode;
    state = await api.state();
    if (state.mode !== previousMode) list.setAll(state.accounts); else list.update(state.accounts);
    renderHeader();
    renderCheckPlan();
    refreshActivityBadge();
    renderNotices();
    renderProgress(state.refresh);
    route();
  }, 60);
}

async function refreshRow(id) {
  list.setBusy(id, true);
  try {
    const view = await api.refreshAccount(id);
    list.update([view]);
    announce(view.error ? `${view.name}: ${view.error.title}` : `${view.name} refreshed`);
  } catch (error) {
    announce(errorText(error));
    showError(error);
  } finally {
    list.setBusy(id, false);
  }
}

async function refreshAll() {
  try {
    renderProgress({ running: true, done: 0, total: 0, listing_complete: false });
    const summary = await api.refreshAll();
    const parts = [`${plural(summary.refreshed, 'account', 'accounts')} refreshed`];
    if (summary.failed) parts.push(`${summary.failed.toLocaleString(LOCALE)} could not be refreshed`);
    if (summary.problem) parts.push(summary.problem.title);
    if (summary.cancelled) parts.push('stopped');
    announce(parts.join('; '));
  } catch (error) {
    announce(errorText(error));
    showError(error);
  } finally {
    reloadSoon();
  }
}

async function refreshSelectedOrAll() {
  const selected = [...document.querySelectorAll('.account-row[aria-selected="true"]')].map((el) => el.dataset.id);
  if (selected.length === 1) return refreshRow(selected[0]);
  if (selected.length > 1) {
    selected.forEach((id) => list.setBusy(id, true));
    try {
      const summary = await api.refreshSelected(selected);
      announce(`${plural(summary.refreshed, 'account', 'accounts')} refreshed`);
    } catch (error) {
      showError(error);
    } finally {
      selected.forEach((id) => list.setBusy(id, false));
    }
    return undefined;
  }
  return refreshAll();
}

function showError(error) {
  if (error && error.kind === 'not_connected') {
    announce('Log in with Facebook first: use Reauthenticate.');
  }
  addNotice('error', errorText(error));
}

function addNotice(level, text) {
  localNotices = [...localNotices, { id: `local-${Date.now()}-${localNotices.length}`, level, text }].slice(-4);
  renderNotices();
}

/** What a finished login says (from the button, or from the tray). */
function showLoginOutcome(outcome) {
  if (outcome && outcome.kind) {
    // A failed login (an error object).
    if (outcome.kind === 'cancelled') announce('Login cancelled. Nothing changed.');
    else showError(outcome);
  } else if (outcome && outcome.outcome === 'different_user') {
    $('#switch-message').textContent = outcome.message;
    $('#switch-add').textContent = outcome.known ? `Renew ${outcome.user.name}'s login` : 'Add as another login';
    $('#switch-dialog').showModal();
  } else if (outcome) {
    showDataAnyway = false;
    announce(outcome.message);
    addNotice(outcome.declined && outcome.declined.length ? 'warning' : 'info', outcome.message);
  }
  reloadSoon();
}

/** Runs a login (the popup) with the Reauthenticate button held down meanwhile. */
async function runLogin(start) {
  const button = $('#reauthenticate');
  button.disabled = true;
  try {
    showLoginOutcome(await start());
  } catch (error) {
    showLoginOutcome(error);
  } finally {
    button.disabled = false;
  }
}

/** Renews one login (`login`: its id), or what the Reauthenticate button stands for. */
function reauthenticate(login) {
  closeMenu();
  if (login) return runLogin(() => api.reauthenticate(login));
  const plan = reauthPlan(state);
  if (plan.kind === 'menu') return openMenu();
  if (plan.kind === 'login') return runLogin(() => api.reauthenticate(plan.id));
  return runLogin(() => api.addLogin(false));
}

function openMenu() {
  const menu = $('#reauth-menu');
  renderReauthMenu(state, menu);
  menu.hidden = false;
  $('#reauthenticate').setAttribute('aria-expanded', 'true');
  const first = menu.querySelector('button');
  if (first) first.focus();
}

function closeMenu() {
  $('#reauth-menu').hidden = true;
  $('#reauthenticate').setAttribute('aria-expanded', 'false');
}

/** The login a failed row's Reauthenticate renews: a broken one that reaches it, else the one it was read through. */
function loginToFix(account) {
  const reaching = (account.logins || []).map((l) => l.id);
  const broken = state.logins.find((l) => l.problem && reaching.includes(l.id));
  return broken ? broken.id : (account.via ? account.via.id : undefined);
}

/** The login a control in a banner, the menu or Settings is about. */
function loginOf(target) {
  return state.logins.find((l) => l.id === target.dataset.login) || null;
}

let removing = null;
let renaming = null;

function askRemove(login) {
  removing = login;
  $('#remove-login-title').textContent = `Remove ${login.name}?`;
  const kept = login.only
    ? ` The ${plural(login.only, 'account', 'accounts')} only ${login.name} reaches stay with their last data, marked no longer accessible.`
    : ' Every account it reaches is also reached by another login.';
  $('#remove-login-text').textContent = `Its token is deleted from this computer.${kept}`;
  $('#remove-login-dialog').showModal();
}

async function removeLogin() {
  $('#remove-login-dialog').close();
  if (!removing) return;
  try {
    const message = await api.removeLogin(removing.id);
    announce(message);
    addNotice('info', message);
  } catch (error) {
    showError(error);
  } finally {
    removing = null;
    reloadSoon();
  }
}

function askRename(login) {
  renaming = login;
  $('#rename-login-name').value = login.label || '';
  $('#rename-login-name').placeholder = login.profile ? login.profile.name : login.name;
  $('#rename-login-dialog').showModal();
}

async function switchUser(add) {
  $('#switch-dialog').close();
  try {
    const outcome = await api.confirmSwitchUser(add);
    const text = outcome ? outcome.message : 'Kept the current accounts. Nothing changed.';
    announce(text);
    addNotice('info', text);
  } catch (error) {
    showError(error);
  } finally {
    reloadSoon();
  }
}

/** The changes the Activity view shows, as loaded, and when the person last looked. */
let activity = { changes: [], seenAt: null };

/** Shows the Activity view; `kind` narrows it (a notification's click: 'worse'). */
async function showActivity({ kind } = {}) {
  activity.seenAt = state.settings.activity_seen_at || null;
  if (kind) {
    $('#activity-account').value = '';
    $('#activity-login').value = '';
    $('#activity-kind').value = kind;
  }
  show('activity');
  try {
    activity.changes = await api.changes({ limit: 2000 });
  } catch (error) {
    activity.changes = [];
    showError(error);
  }
  const logins = $('#activity-login');
  logins.replaceChildren(new Option('All logins', ''), ...state.logins.map((l) => new Option(l.name, l.id)));
  renderActivityList();
  api.markActivitySeen().then(() => {
    state.settings.activity_seen_at = new Date().toISOString();
    $('#activity-new').hidden = true;
  }).catch(() => {});
}

function renderActivityList() {
  const query = $('#activity-account').value.trim().toLowerCase();
  const login = $('#activity-login').value;
  const kind = $('#activity-kind').value;
  const shown = activity.changes.filter((c) => (!query || `${c.account_name || ''} ${c.account_id || ''}`.toLowerCase().includes(query))
    && (!login || c.login === login || (c.account_id && (list.get(c.account_id)?.logins || []).some((l) => l.id === login)))
    && (!kind || (kind === 'worse' ? c.worse : c.kind === kind)));
  const names = new Map(state.logins.map((l) => [l.id, l.name]));
  renderActivity($('#activity-list'), shown, { seenAt: activity.seenAt, loginName: (id) => names.get(id) || id });
  $('#activity-empty').hidden = shown.length > 0;
  const fresh = countNew(activity.changes, activity.seenAt);
  $('#activity-summary').textContent = `${plural(activity.changes.length, 'change', 'changes')} recorded${fresh ? ` · ${fresh.toLocaleString(LOCALE)} since you last looked` : ''}`;
}

/** The count of changes since the Activity view was last opened, on its tab. */
async function refreshActivityBadge() {
  const seen = state.settings.activity_seen_at;
  if (!seen || screen === 'activity') return;
  try {
    const fresh = await api.changes({ since: seen, limit: 500 });
    const badge = $('#activity-new');
    badge.hidden = fresh.length === 0;
    badge.textContent = fresh.length >= 500 ? '500+' : String(fresh.length);
    badge.setAttribute('aria-label', `${fresh.length} new`);
  } catch {
    // No history: no badge.
  }
}

async function exportCsv(history) {
  try {
    const path = await api.exportCsv(history);
    addNotice('info', `Exported to ${path}`);
    announce(`Exported to ${path}`);
  } catch (error) {
    showError(error);
  }
}

function renderCheckPlan() {
  const parts = [];
  if (state.last_check) parts.push(`Last scheduled check ${clock(state.last_check)}`);
  if (state.next_check) parts.push(`next ${clock(state.next_check)}`);
  $('#check-plan').textContent = parts.join(' · ');
}

function renderLoginSettings() {
  $('#login-status').textContent = loginStatus(state);
  renderLoginList(state, $('#login-list'));
  $('#set-plaintext').checked = Boolean(state.settings.allow_plaintext_token);
  $('#forget-secret').hidden = !state.settings.has_app_secret;
  $('#secret-status').textContent = state.settings.has_app_secret ? 'An app secret is stored.' : '';
  $('#custody-banner').hidden = !state.logins.some((l) => l.custody === 'memory');
}

async function runProblemAction(action, problem, login) {
  switch (action) {
    case 'reauthenticate':
      return reauthenticate(login);
    case 'open_facebook':
    case 'open_account_quality':
    case 'accept_tos':
      if (problem.action_url) {
        try { await api.openLink(problem.action_url); } catch (error) { showError(error); }
      }
      return undefined;
    case 'wait':
    case 'refresh':
    default:
      return refreshAll();
  }
}

async function copy(text) {
  const out = $('#copy-result');
  try {
    await navigator.clipboard.writeText(text);
    out.textContent = 'Copied.';
  } catch {
    // Clipboard access can be refused: select the details instead.
    const range = document.createRange();
    range.selectNodeContents($('#problem-details dl'));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    out.textContent = 'Selected: press Ctrl+C to copy.';
  }
}

const rowKeys = new RowKeys($('#accounts-table'));

document.addEventListener('click', (event) => {
  if (!event.target.closest('.menu-anchor')) closeMenu();
  const target = event.target.closest('[data-action]');
  if (!target) {
    const row = event.target.closest('.account-row');
    if (row) rowKeys.click(row, { additive: event.ctrlKey || event.metaKey, extend: event.shiftKey });
    return;
  }
  switch (target.dataset.action) {
    case 'row-action': {
      const row = target.closest('.account-row');
      const account = row && list.get(row.dataset.id);
      if (account && account.error) runProblemAction(account.error.action, account.error, loginToFix(account));
      break;
    }
    case 'sort-by': sortBy(target.dataset.sort); break;
    case 'refresh-row': {
      const row = target.closest('.account-row');
      if (row) refreshRow(row.dataset.id);
      break;
    }
    case 'acknowledge-flag': {
      const flag = flagOf(target);
      if (flag) setAside(flag, null);
      break;
    }
    case 'restore-flag': {
      const flag = flagOf(target);
      if (flag) setAside(flag, null, true);
      break;
    }
    case 'toggle-aside': {
      const row = target.closest('.account-row');
      if (row) list.toggleAside(row.dataset.id);
      break;
    }
    case 'reauth-login': reauthenticate(target.dataset.login); break;
    case 'login-problem':
      problemOf = target.dataset.login;
      route();
      break;
    case 'add-login':
      $('#add-login-fresh').checked = false;
      $('#add-login-dialog').showModal();
      break;
    case 'add-login-go':
      $('#add-login-dialog').close();
      runLogin(() => api.addLogin($('#add-login-fresh').checked));
      break;
    case 'rename-login': {
      const login = loginOf(target);
      if (login) askRename(login);
      break;
    }
    case 'remove-login': {
      const login = loginOf(target);
      if (login) askRemove(login);
      break;
    }
    case 'remove-login-go': removeLogin(); break;
    case 'close-dialog': target.closest('dialog').close(); break;
    case 'refresh-all': refreshAll(); break;
    case 'cancel-refresh': api.cancelRefresh(); break;
    case 'reauthenticate': reauthenticate(); break;
    case 'enter-sandbox':
      target.disabled = true;
      api.enterSandbox().then(async () => {
        await load();
        refreshAll();
      }).catch(showError).finally(() => { target.disabled = false; });
      break;
    case 'leave-sandbox':
      api.leaveSandbox().then(load).catch(showError);
      break;
    case 'show-accounts':
      screen = 'accounts';
      problemOf = null;
      route();
      break;
    case 'show-accounts-anyway':
      showDataAnyway = true;
      problemOf = null;
      show('accounts');
      break;
    case 'show-activity': showActivity(); break;
    case 'show-account': {
      const id = target.dataset.id;
      $('#search').value = id;
      list.setQuery(id);
      screen = 'accounts';
      route();
      break;
    }
    case 'check-updates': checkForUpdates(); break;
    case 'install-update': installUpdate(); break;
    case 'export-accounts': exportCsv(false); break;
    case 'export-changes': exportCsv(true); break;
    case 'show-settings':
      fillSettings($('#settings-form'), state.settings);
      renderLoginSettings();
      show('settings');
      break;
    case 'switch-add': switchUser(true); break;
    case 'switch-keep': switchUser(false); break;
    case 'save-secret': {
      const input = $('#set-app-secret');
      api.setAppSecret(input.value).then((custody) => {
        input.value = '';
        $('#secret-status').textContent = custody === 'keychain' ? 'Saved in the keychain.' : 'Kept for this session only (no keychain).';
        reloadSoon();
      }).catch((e) => { $('#secret-status').textContent = errorText(e); });
      break;
    }
    case 'forget-secret':
      api.clearAppSecret().then(reloadSoon).catch(showError);
      break;
    case 'disconnect':
      api.disconnect($('#forget-facebook-session').checked).then(() => {
        announce('Disconnected. Your accounts and their last data stay.');
        reloadSoon();
      }).catch(showError);
      break;
    default:
      break;
  }
});

document.addEventListener('change', (event) => {
  const select = event.target;
  if (!select.matches('select.snooze') || !select.value) return;
  const flag = flagOf(select);
  if (flag) setAside(flag, Number(select.value));
});

document.addEventListener('keydown', (event) => {
  const refreshKey = event.key === 'F5' || ((event.ctrlKey || event.metaKey) && (event.key === 'r' || event.key === 'R'));
  if (refreshKey) {
    // The webview's own reload would throw the page away: refresh accounts instead.
    event.preventDefault();
    if (screen === 'accounts') refreshSelectedOrAll();
  } else if (event.key === 'Escape' && !$('#reauth-menu').hidden) {
    closeMenu();
    $('#reauthenticate').focus();
  } else if (event.key === 'Escape') {
    rowKeys.clear();
  } else if ((event.ctrlKey || event.metaKey) && (event.key === 'a' || event.key === 'A') && screen === 'accounts'
    && !event.target.closest('input, textarea, select')) {
    // Every row shown, not the page's text.
    event.preventDefault();
    rowKeys.selectAll();
  } else if ((event.ctrlKey || event.metaKey) && event.key === 'f' && screen === 'accounts') {
    event.preventDefault();
    $('#search').focus();
  }
});

$('#set-plaintext').addEventListener('change', (event) => {
  api.allowPlaintextToken(event.target.checked).then(reloadSoon).catch(showError);
});

$('#rename-login-form').addEventListener('submit', async () => {
  if (!renaming) return;
  try {
    await api.renameLogin(renaming.id, $('#rename-login-name').value);
  } catch (error) {
    showError(error);
  } finally {
    renaming = null;
    reloadSoon();
  }
});

$('#activity-account').addEventListener('input', renderActivityList);
$('#activity-login').addEventListener('change', renderActivityList);
$('#activity-kind').addEventListener('change', renderActivityList);

$('#search').addEventListener('input', (event) => list.setQuery(event.target.value));
$('#filter').addEventListener('change', (event) => list.setFilter(event.target.value));
$('#sort').addEventListener('change', (event) => {
  list.setSort(event.target.value);
  renderSortHeads();
});

/** Column headers say how the list is sorted (`aria-sort`, an arrow). */
function renderSortHeads() {
  for (const head of document.querySelectorAll('[data-sort-key]')) {
    const active = head.dataset.sortKey === list.sort;
    const direction = active ? list.sortDirection() : 'none';
    head.setAttribute('aria-sort', direction);
    head.querySelector('.sort-arrow').textContent = { ascending: ' ▲', descending: ' ▼' }[direction] || '';
  }
}

/** A click on a column header sorts by it; a second click reverses. */
function sortBy(key) {
  list.setSort(key, list.sort === key ? !list.reversed : false);
  $('#sort').value = key;
  renderSortHeads();
}

$('#settings-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = $('#settings-error');
  const ok = $('#settings-ok');
  error.hidden = true;
  ok.hidden = true;
  try {
    state.settings = await api.saveSettings(readSettings(event.target, state.settings));
    fillSettings(event.target, state.settings);
    ok.hidden = false;
  } catch (e) {
    error.textContent = errorText(e);
    error.hidden = false;
  }
});

$('#connect-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = $('#connect-error');
  error.hidden = true;
  try {
    state.settings = await api.saveSettings({ ...state.settings, app_id: $('#connect-app-id').value.trim(), mode: 'meta' });
    await reauthenticate();
  } catch (e) {
    error.textContent = errorText(e);
    error.hidden = false;
  }
});

async function start() {
  try {
    await on(EVENTS.ACCOUNTS_CHANGED, (views) => list.update(views));
    await on(EVENTS.REFRESH_PROGRESS, (status) => renderProgress(status));
    await on(EVENTS.STATE_CHANGED, () => reloadSoon());
    await on(EVENTS.LOGIN_OUTCOME, (outcome) => showLoginOutcome(outcome));
    await on(EVENTS.OPEN_WORSE, () => showActivity({ kind: 'worse' }));
    await load();
    if (state.settings.check_updates !== false) {
      // After the first paint: the list comes first.
      setTimeout(() => checkForUpdates({ quiet: true, tell: (text) => addNotice('info', text) }), 5_000);
    }
    setInterval(() => list.tick(), 60_000);
    document.body.dataset.ready = 'true';
    requestAnimationFrame(() => performance.mark('adkeep:first-paint'));
  } catch (error) {
    show('accounts');
    ui.summary.textContent = `Adkeep could not start: ${errorText(error)}`;
  }
}

start();
