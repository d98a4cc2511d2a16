// The one module that talks to Tauri. Everything else goes through `api` and `on`.

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
  state: () => invoke('app_state'),
  refreshAccount: (id) => invoke('refresh_account', { id }),
  refreshSelected: (ids) => invoke('refresh_selected', { ids }),
  refreshAll: () => invoke('refresh_all'),
  cancelRefresh: () => invoke('cancel_refresh'),
  setAside: (id, key, days) => invoke('set_aside', { id, key, days }),
  restoreAttention: (id, key) => invoke('restore_attention', { id, key }),
  enterSandbox: () => invoke('enter_sandbox'),
  leaveSandbox: () => invoke('leave_sandbox'),
  saveSettings: (settings) => invoke('save_settings', { settings }),
  dismissNotice: (id) => invoke('dismiss_notice', { id }),
  openLink: (url) => invoke('open_link', { url }),
  reauthenticate: (login) => invoke('reauthenticate', { login }),
  addLogin: (freshSession) => invoke('add_login', { freshSession }),
  confirmSwitchUser: (add) => invoke('confirm_switch_user', { add }),
  removeLogin: (login) => invoke('remove_login', { login }),
  renameLogin: (login, name) => invoke('rename_login', { login, name }),
  disconnect: (forgetFacebookSession) => invoke('disconnect', { forgetFacebookSession }),
  setAppSecret: (secret) => invoke('set_app_secret', { secret }),
  clearAppSecret: () => invoke('clear_app_secret'),
  allowPlaintextToken: (allow) => invoke('allow_plaintext_token', { allow }),
  changes: (filter) => invoke('changes', filter),
  markActivitySeen: () => invoke('mark_activity_seen'),
  exportCsv: (history) => invoke('export_csv', { history }),
  checkUpdate: () => invoke('check_update'),
  installUpdate: () => invoke('install_update'),
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
