// What each `data-action` control does: one map from action to handler,
// called by one click listener (main.js). A handler gets the control.

import { $, announce, app, screens } from './app-state.js';
import { api, errorText } from './ipc.js';
import { fillSettings } from './settings.js';
import { checkForUpdates, installUpdate } from './updates.js';
import { addNotice, showError } from './messages.js';
import {
  closeDetails, details, flagOf, list, openDetails, refreshAll, refreshRow, setAside, sortBy, toggleAside, toggleDensity,
} from './accounts-view.js';
import { showActivity } from './activity-view.js';
import {
  askRemove, askRename, loginOf, loginToFix, reauthenticate, removeLogin, runLogin, switchUser,
} from './logins-flow.js';
import { renderLoginSettings } from './header.js';
import {
  editAlert, loadAlerts, openAlertDialog, removeAlert, testAlert,
} from './alerts-flow.js';

function showSettings() {
  fillSettings($('#settings-form'), app.state.settings);
  renderLoginSettings();
  screens.show('settings');
  $('#alert-status').textContent = '';
  return loadAlerts();
}

/** The account a control sits on: its row, or the details pane. */
function accountOf(target) {
  const holder = target.closest('[data-id]');
  return holder ? list.get(holder.dataset.id) : null;
}

export async function runProblemAction(action, problem, login) {
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
      return refreshAll(api.tryNow);
    default:
      return refreshAll();
  }
}

export async function copy(text) {
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

async function exportCsv(history) {
  try {
    const path = await api.exportCsv(history);
    addNotice('info', `Exported to ${path}`);
    announce(`Exported to ${path}`);
  } catch (error) {
    showError(error);
  }
}

function saveSecret() {
  const input = $('#set-app-secret');
  const status = $('#secret-status');
  api.setAppSecret(input.value).then((custody) => {
    input.value = '';
    status.textContent = custody === 'keychain' ? 'Saved in the keychain.' : 'Kept for this session only (no keychain).';
    status.dataset.saved = 'true';
    screens.reloadSoon();
  }).catch((e) => { status.textContent = errorText(e); });
}

function enterSandbox(target) {
  target.disabled = true;
  api.enterSandbox().then(async () => {
    await screens.load();
    refreshAll();
  }).catch(showError).finally(() => { target.disabled = false; });
}

function showAccount(id) {
  $('#search').value = id;
  list.setQuery(id);
  app.screen = 'accounts';
  screens.route();
  openDetails(id);
}

export const ACTIONS = {
  'row-action': (target) => {
    const account = accountOf(target);
    if (account && account.error) runProblemAction(account.error.action, account.error, loginToFix(account));
  },
  'sort-by': (target) => sortBy(target.dataset.sort),
  'refresh-row': (target) => {
    const account = accountOf(target);
    if (account) refreshRow(account.id);
  },
  'acknowledge-flag': (target) => {
    const flag = flagOf(target);
    if (flag) setAside(flag, null);
  },
  'restore-flag': (target) => {
    const flag = flagOf(target);
    if (flag) setAside(flag, null, true);
  },
  'toggle-aside': (target) => toggleAside(target),
  'toggle-density': () => toggleDensity(),
  'close-details': () => closeDetails(),
  'open-page': (target) => {
    if (details.id) api.openAccountPage(details.id, target.dataset.page).catch(showError);
  },
  'reauth-login': (target) => reauthenticate(target.dataset.login),
  'login-problem': (target) => {
    app.problemOf = target.dataset.login;
    screens.route();
  },
  'add-login': () => {
    $('#add-login-fresh').checked = false;
    $('#add-login-dialog').showModal();
  },
  'add-login-go': () => {
    $('#add-login-dialog').close();
    runLogin(() => api.addLogin($('#add-login-fresh').checked));
  },
  'rename-login': (target) => {
    const login = loginOf(target);
    if (login) askRename(login);
  },
  'remove-login': (target) => {
    const login = loginOf(target);
    if (login) askRemove(login);
  },
  'remove-login-go': () => removeLogin(),
  'close-dialog': (target) => target.closest('dialog').close(),
  'refresh-all': () => refreshAll(),
  'cancel-refresh': () => api.cancelRefresh(),
  'try-now': () => refreshAll(api.tryNow),
  reauthenticate: () => reauthenticate(),
  'enter-sandbox': (target) => enterSandbox(target),
  'leave-sandbox': () => api.leaveSandbox().then(() => screens.load()).catch(showError),
  'show-accounts': () => {
    app.screen = 'accounts';
    app.problemOf = null;
    screens.route();
  },
  'show-accounts-anyway': () => {
    app.showDataAnyway = true;
    app.problemOf = null;
    screens.show('accounts');
  },
  'show-activity': () => showActivity(),
  'show-account': (target) => showAccount(target.dataset.id),
  'check-updates': () => checkForUpdates(),
  'install-update': () => installUpdate(),
  'export-accounts': () => exportCsv(false),
  'export-changes': () => exportCsv(true),
  'show-settings': () => showSettings(),
  'show-alert-settings': async () => {
    await showSettings();
    $('#alerts-settings').scrollIntoView({ block: 'start' });
  },
  'add-alert': () => openAlertDialog(),
  'edit-alert': (target) => editAlert(target),
  'remove-alert': (target) => removeAlert(target),
  'test-alert': (target) => testAlert(target),
  'add-login-token': () => {
    $('#token-login-value').value = '';
    $('#token-login-error').hidden = true;
    $('#token-login-dialog').showModal();
  },
  'switch-add': () => switchUser(true),
  'switch-keep': () => switchUser(false),
  'save-secret': () => saveSecret(),
  'forget-secret': () => api.clearAppSecret().then(screens.reloadSoon).catch(showError),
  disconnect: () => {
    api.disconnect($('#forget-facebook-session').checked).then(() => {
      announce('Disconnected. Your accounts and their last data stay.');
      screens.reloadSoon();
    }).catch(showError);
  },
};
