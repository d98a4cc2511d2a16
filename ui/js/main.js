// Adkeep's window: wires the controls, the keys and the backend's events to
// the modules that do the work (the action map, the accounts view, sync).

import { $, app } from './app-state.js';
import {
  EVENTS, api, errorText, on,
} from './ipc.js';
import { readSettings, fillSettings } from './settings.js';
import { checkForUpdates } from './updates.js';
import { addNotice, showError } from './messages.js';
import { ACTIONS } from './actions.js';
import {
  clickRow, closeDetails, details, flagOf, list, refreshSelectedOrAll, renderProgress, renderSortHeads, rowKeys, setAside,
  updateAccounts,
} from './accounts-view.js';
import { showActivity } from './activity-view.js';
import { closeMenu, menuOpen, reauthenticate, showLoginOutcome } from './logins-flow.js';
import { load, reloadSoon, show } from './sync.js';
import { onKindChange, saveAlert } from './alerts-flow.js';
import './tips.js';

document.addEventListener('click', (event) => {
  if (!event.target.closest('.menu-anchor')) closeMenu();
  const target = event.target.closest('[data-action]');
  if (target) {
    const run = ACTIONS[target.dataset.action];
    if (run) run(target, event);
    return;
  }
  const row = event.target.closest('.account-row');
  if (row) clickRow(row, event);
});

document.addEventListener('change', (event) => {
  const select = event.target;
  if (!select.matches('select.snooze') || !select.value) return;
  const flag = flagOf(select);
  if (flag) setAside(flag, Number(select.value));
});

function onKey(event) {
  const modifier = event.ctrlKey || event.metaKey;
  const inField = event.target.closest('input, textarea, select');
  if (event.key === 'F5' || (modifier && (event.key === 'r' || event.key === 'R'))) {
    // The webview's own reload would throw the page away: refresh accounts instead.
    event.preventDefault();
    if (app.screen === 'accounts') refreshSelectedOrAll();
  } else if (event.key === 'Escape' && menuOpen()) {
    closeMenu();
    $('#reauthenticate').focus();
  } else if (event.key === 'Escape' && details.open && !document.querySelector('dialog[open]')) {
    closeDetails();
  } else if (event.key === 'Escape') {
    rowKeys.clear();
  } else if (modifier && (event.key === 'a' || event.key === 'A') && app.screen === 'accounts' && !inField) {
    // Every row shown, not the page's text.
    event.preventDefault();
    rowKeys.selectAll();
  } else if (modifier && event.key === 'f' && app.screen === 'accounts') {
    event.preventDefault();
    $('#search').focus();
  }
}
document.addEventListener('keydown', onKey);

$('#set-plaintext').addEventListener('change', (event) => {
  api.allowPlaintextToken(event.target.checked).then(reloadSoon).catch(showError);
});

$('#search').addEventListener('input', (event) => list.setQuery(event.target.value));
// From the search box to what it found: ↓ or Enter reaches the first row.
$('#search').addEventListener('keydown', (event) => {
  const first = list.visibleIds()[0];
  if (!first || (event.key !== 'ArrowDown' && event.key !== 'Enter')) return;
  event.preventDefault();
  rowKeys.focus(first);
});
$('#filter').addEventListener('change', (event) => list.setFilter(event.target.value));
$('#sort').addEventListener('change', (event) => {
  list.setSort(event.target.value);
  renderSortHeads();
});

$('#settings-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = $('#settings-error');
  const ok = $('#settings-ok');
  error.hidden = true;
  ok.hidden = true;
  try {
    app.state.settings = await api.saveSettings(readSettings(event.target, app.state.settings));
    fillSettings(event.target, app.state.settings);
    ok.hidden = false;
  } catch (e) {
    error.textContent = errorText(e);
    error.hidden = false;
  }
});

$('#alert-form').addEventListener('submit', (event) => {
  event.preventDefault();
  saveAlert();
});
$('#alert-kind').addEventListener('change', () => onKindChange());

$('#token-login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = $('#token-login-error');
  error.hidden = true;
  const go = $('#token-login-go');
  go.disabled = true;
  try {
    const outcome = await api.addLoginToken($('#token-login-value').value);
    $('#token-login-dialog').close();
    showLoginOutcome(outcome);
    reloadSoon();
  } catch (e) {
    error.textContent = errorText(e);
    error.hidden = false;
  } finally {
    go.disabled = false;
    $('#token-login-value').value = '';
  }
});

$('#connect-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = $('#connect-error');
  error.hidden = true;
  try {
    app.state.settings = await api.saveSettings({ ...app.state.settings, app_id: $('#connect-app-id').value.trim(), mode: 'meta' });
    await reauthenticate();
  } catch (e) {
    error.textContent = errorText(e);
    error.hidden = false;
  }
});

async function start() {
  performance.mark('adkeep:script');
  try {
    await on(EVENTS.ACCOUNTS_CHANGED, (views) => updateAccounts(views));
    await on(EVENTS.REFRESH_PROGRESS, (status) => renderProgress(status));
    await on(EVENTS.STATE_CHANGED, () => reloadSoon());
    await on(EVENTS.LOGIN_OUTCOME, (outcome) => showLoginOutcome(outcome));
    await on(EVENTS.OPEN_WORSE, () => showActivity({ kind: 'worse' }));
    await load();
    if (app.state.settings.check_updates !== false) {
      // After the first paint: the list comes first.
      setTimeout(() => checkForUpdates({ quiet: true, tell: (text) => addNotice('info', text) }), 5_000);
    }
    setInterval(() => list.tick(), 60_000);
    // The accounts come along only when their key changed, which it does
    // hourly too: a snooze that ran out or a dataset gone quiet shows.
    setInterval(() => reloadSoon(), 10 * 60_000);
    document.body.dataset.ready = 'true';
    requestAnimationFrame(() => performance.mark('adkeep:first-paint'));
  } catch (error) {
    show('accounts');
    $('#summary').textContent = `Adkeep could not start: ${errorText(error)}`;
  }
}

start();
