// Generated from src-tauri/src/command_names.rs and events.rs by tests/contract.rs.
// Do not edit: run `ADKEEP_WRITE_CONTRACT=1 cargo test --test contract`.

/** The backend's commands (each allowed by capabilities/main.json). */
export const COMMANDS = Object.freeze({
  app_state: 'app_state',
  account_view: 'account_view',
  refresh_account: 'refresh_account',
  refresh_selected: 'refresh_selected',
  refresh_all: 'refresh_all',
  set_aside: 'set_aside',
  restore_attention: 'restore_attention',
  cancel_refresh: 'cancel_refresh',
  try_now: 'try_now',
  enter_sandbox: 'enter_sandbox',
  leave_sandbox: 'leave_sandbox',
  save_settings: 'save_settings',
  dismiss_notice: 'dismiss_notice',
  open_link: 'open_link',
  open_account_page: 'open_account_page',
  reauthenticate: 'reauthenticate',
  add_login: 'add_login',
  confirm_switch_user: 'confirm_switch_user',
  remove_login: 'remove_login',
  rename_login: 'rename_login',
  disconnect: 'disconnect',
  set_app_secret: 'set_app_secret',
  clear_app_secret: 'clear_app_secret',
  allow_plaintext_token: 'allow_plaintext_token',
  changes: 'changes',
  mark_activity_seen: 'mark_activity_seen',
  export_csv: 'export_csv',
  check_update: 'check_update',
  install_update: 'install_update',
  add_login_token: 'add_login_token',
  alert_destinations: 'alert_destinations',
  save_alert_destination: 'save_alert_destination',
  remove_alert_destination: 'remove_alert_destination',
  test_alert_destination: 'test_alert_destination',
});

/** The events the backend sends the main window. */
export const EVENTS = Object.freeze({
  ACCOUNTS_CHANGED: 'accounts-changed',
  REFRESH_PROGRESS: 'refresh-progress',
  STATE_CHANGED: 'state-changed',
  LOGIN_OUTCOME: 'login-outcome',
  OPEN_WORSE: 'open-worse',
});

/** The button for each problem's action. */
export const ACTION_LABELS = Object.freeze({
  reauthenticate: 'Reauthenticate',
  refresh: 'Try again',
  open_facebook: 'Open facebook.com',
  open_account_quality: 'Open Account Quality',
  accept_tos: 'Review the terms',
  wait: 'Try now',
});
