// The one module that talks to Tauri. Everything else goes through `api` and `on`.
// Command and event names come from contract.js, generated from the Rust side.

import { COMMANDS, EVENTS } from './contract.js';

export { EVENTS };

function tauri() {
  const t = window.__TAURI__;
  if (!t || !t.core || !t.event) {
    throw new Error("Adkeep's backend is not available");
  }
  return t;
}

export function invoke(command, args) {
  return tauri().core.invoke(command, args);
}

/** Listens to a backend event; resolves to a function that stops listening. */
export function on(event, handler) {
  return tauri().event.listen(event, (e) => handler(e.payload));
}

export const api = {
  /** `accounts`: false leaves the accounts out (see `accounts_key`). */
  state: (accounts = true) => invoke(COMMANDS.app_state, { accounts }),
  /** One account's whole view (dense rows hold only the list's fields). */
  accountView: (id) => invoke(COMMANDS.account_view, { id }),
  refreshAccount: (id) => invoke(COMMANDS.refresh_account, { id }),
  refreshSelected: (ids) => invoke(COMMANDS.refresh_selected, { ids }),
  refreshAll: () => invoke(COMMANDS.refresh_all),
  cancelRefresh: () => invoke(COMMANDS.cancel_refresh),
  tryNow: () => invoke(COMMANDS.try_now),
  setAside: (id, key, days) => invoke(COMMANDS.set_aside, { id, key, days }),
  restoreAttention: (id, key) => invoke(COMMANDS.restore_attention, { id, key }),
  enterSandbox: () => invoke(COMMANDS.enter_sandbox),
  leaveSandbox: () => invoke(COMMANDS.leave_sandbox),
  saveSettings: (settings) => invoke(COMMANDS.save_settings, { settings }),
  dismissNotice: (id) => invoke(COMMANDS.dismiss_notice, { id }),
  openLink: (url) => invoke(COMMANDS.open_link, { url }),
  openAccountPage: (id, page) => invoke(COMMANDS.open_account_page, { id, page }),
  reauthenticate: (login) => invoke(COMMANDS.reauthenticate, { login }),
  addLogin: (freshSession) => invoke(COMMANDS.add_login, { freshSession }),
  confirmSwitchUser: (add) => invoke(COMMANDS.confirm_switch_user, { add }),
  removeLogin: (login) => invoke(COMMANDS.remove_login, { login }),
  renameLogin: (login, name) => invoke(COMMANDS.rename_login, { login, name }),
  disconnect: (forgetFacebookSession) => invoke(COMMANDS.disconnect, { forgetFacebookSession }),
  setAppSecret: (secret) => invoke(COMMANDS.set_app_secret, { secret }),
  clearAppSecret: () => invoke(COMMANDS.clear_app_secret),
  allowPlaintextToken: (allow) => invoke(COMMANDS.allow_plaintext_token, { allow }),
  changes: (filter) => invoke(COMMANDS.changes, filter),
  markActivitySeen: () => invoke(COMMANDS.mark_activity_seen),
  exportCsv: (history) => invoke(COMMANDS.export_csv, { history }),
  checkUpdate: () => invoke(COMMANDS.check_update),
  installUpdate: () => invoke(COMMANDS.install_update),
  addLoginToken: (token) => invoke(COMMANDS.add_login_token, { token }),
  alertDestinations: () => invoke(COMMANDS.alert_destinations),
  saveAlertDestination: (form) => invoke(COMMANDS.save_alert_destination, { form }),
  removeAlertDestination: (id) => invoke(COMMANDS.remove_alert_destination, { id }),
  testAlertDestination: (id) => invoke(COMMANDS.test_alert_destination, { id }),
};

/** A readable sentence from whatever a command rejected with. */
export function errorText(error) {
  if (error && typeof error === 'object') {
    if (error.problem && error.problem.title) {
      return `${error.problem.title}. ${error.problem.explanation || ''}`.trim();
    }
    if (typeof error.message === 'string') return error.message;
  }
  return String(error);
}
