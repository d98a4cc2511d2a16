// Injected before the page's scripts: a fake Tauri backend. Tests set
// `window.__fixture` (the state) and read `window.__calls`; `window.__emit`
// sends backend events; `window.__handlers` overrides commands.
(() => {
  const listeners = new Map();
  window.__calls = [];
  window.__handlers = window.__handlers || {};
  window.__emit = (event, payload) => {
    for (const handler of listeners.get(event) || []) handler({ event, payload });
  };
  // As the backend (views/row.rs): with dense rows the state carries each
  // account's list fields only; `account_view` gives the whole view.
  // Fields at their default (null, false, empty, reachable) are left out.
  const ROW_FIELDS = ['id', 'name', 'revision', 'status', 'disable_reason', 'currency', 'business',
    'amount_spent', 'spend_today', 'spend_last_30d', 'refreshed_at', 'error', 'reach', 'is_new',
    'field_errors', 'attention', 'severity', 'needs_attention'];
  const ALWAYS = new Set(['id', 'name', 'revision', 'status', 'disable_reason', 'currency', 'amount_spent', 'spend_today', 'spend_last_30d', 'refreshed_at']);
  const isDefault = (v) => v === null || v === undefined || v === false || v === 'reachable' || (Array.isArray(v) && v.length === 0);
  const leanFlag = (f) => Object.fromEntries(Object.entries(f).filter(([k, v]) => !['acknowledged', 'snoozed_until', 'muted'].includes(k) || !isDefault(v)));
  const rowOf = (a) => {
    const row = {};
    for (const k of ROW_FIELDS) {
      const v = a[k] === undefined ? null : a[k];
      if (ALWAYS.has(k) || !isDefault(v)) row[k] = k === 'attention' ? v.map(leanFlag) : v;
    }
    row.logins = (a.logins || []).map(({ id, name }) => ({ id, name }));
    if (a.via && !(row.logins.length === 1 && row.logins[0].id === a.via.id)) row.via = a.via;
    const f = a.forecast || {};
    const forecast = { cap_days_left: f.cap_days_left ?? null, funds_days_left: f.funds_days_left ?? null, payment_risk: Boolean(f.payment_risk) };
    if (forecast.cap_days_left !== null || forecast.funds_days_left !== null || forecast.payment_risk) row.forecast = forecast;
    // The ads cell's fields, the unknown and the false left out.
    const cell = {};
    for (const k of ['cannot_run', 'at_least', 'running_or_in_review', 'limit', 'limit_level']) {
      const v = (a.ads || {})[k];
      if (!isDefault(v)) cell[k] = v;
    }
    if (cell.cannot_run !== undefined || cell.running_or_in_review !== undefined || cell.limit !== undefined) row.ads = cell;
    row.partial = true;
    return row;
  };
  const dense = () => (window.__fixture.settings.row_density || 'dense') === 'dense';
  const defaults = {
    app_state: ({ accounts } = {}) => {
      const state = structuredClone(window.__fixture);
      state.account_count = state.accounts.length;
      // As the backend: the key changes when any account or setting does.
      state.accounts_key = JSON.stringify([state.accounts, state.settings, state.logins]);
      if (accounts === false) state.accounts = [];
      else if (dense()) state.accounts = state.accounts.map(rowOf);
      return state;
    },
    account_view: ({ id }) => structuredClone(window.__fixture.accounts.find((a) => a.id === id)),
    refresh_account: ({ id }) => {
      const account = window.__fixture.accounts.find((a) => a.id === id);
      return { ...account, refreshed_at: new Date().toISOString(), spend_today: '999.99', revision: (account.revision || 0) + 1000 };
    },
    refresh_all: () => ({ total: window.__fixture.accounts.length, refreshed: window.__fixture.accounts.length, failed: 0, listing_complete: true, cancelled: false, problem: null }),
    refresh_selected: ({ ids }) => ({ total: ids.length, refreshed: ids.length, failed: 0, listing_complete: true, cancelled: false, problem: null }),
    cancel_refresh: () => null,
    try_now: () => ({ total: window.__fixture.accounts.length, refreshed: window.__fixture.accounts.length, failed: 0, listing_complete: true, cancelled: false, problem: null }),
    set_aside: ({ id, key, days }) => {
      const account = structuredClone(window.__fixture.accounts.find((a) => a.id === id));
      const flag = account.attention.find((f) => f.key === key);
      if (days) flag.snoozed_until = new Date(Date.now() + days * 86400000).toISOString();
      else flag.acknowledged = true;
      account.needs_attention = account.attention.some((f) => f.severity !== 'info' && !f.acknowledged && !f.snoozed_until && !f.muted);
      account.revision = (account.revision || 0) + 500;
      return account;
    },
    restore_attention: ({ id }) => structuredClone(window.__fixture.accounts.find((a) => a.id === id)),
    dismiss_notice: () => null,
    open_link: () => null,
    open_account_page: () => null,
    save_settings: ({ settings }) => {
      // Kept, as the backend keeps them: the next app_state returns them.
      window.__fixture.settings = structuredClone(settings);
      return settings;
    },
    enter_sandbox: () => null,
    leave_sandbox: () => null,
    reauthenticate: () => ({ outcome: 'connected', login: '1021', user: { id: '1021', name: 'Jane Doe' }, added: false, declined: [], custody: 'keychain', new_accounts: 2, message: 'Connected as Jane Doe. 2 new ad accounts appeared.' }),
    add_login: () => ({ outcome: 'connected', login: '2', user: { id: '2', name: 'Sam Lee' }, added: true, declined: [], custody: 'keychain', new_accounts: 3, message: "Added Sam Lee's login. 3 new ad accounts appeared." }),
    confirm_switch_user: ({ add }) => (add ? { outcome: 'connected', login: '2', user: { id: '2', name: 'Sam Lee' }, added: true, declined: [], custody: 'keychain', new_accounts: 0, message: "Added Sam Lee's login." } : null),
    remove_login: ({ login }) => `Removed ${login}'s login.`,
    rename_login: () => null,
    disconnect: () => null,
    set_app_secret: () => {
      window.__fixture.settings.has_app_secret = true;
      return 'keychain';
    },
    clear_app_secret: () => {
      window.__fixture.settings.has_app_secret = false;
      return null;
    },
    allow_plaintext_token: () => 'plaintext_file',
    changes: ({ since }) => structuredClone((window.__changes || []).filter((c) => !since || Date.parse(c.at) >= Date.parse(since))),
    mark_activity_seen: () => null,
    check_update: () => ({ current: '0.1.0', available: null, notes: null }),
    install_update: () => null,
    add_login_token: ({ token }) => {
      if (!token || token.length < 20) throw { kind: 'settings', message: 'That is not a Facebook access token.', problem: null };
      return { outcome: 'connected', login: '3', user: { id: '3', name: 'Ads Server (system user)' }, added: true, declined: [], custody: 'keychain', new_accounts: 4, message: 'Added Ads Server (system user)\'s login. 4 new ad accounts appeared.' };
    },
    alert_destinations: () => structuredClone(window.__alerts || []),
    save_alert_destination: ({ form }) => {
      window.__alerts = window.__alerts || [];
      const url = form.kind === 'webhook' ? form.url : '';
      const target = {
        slack: 'Slack (webhook URL in the keychain)',
        teams: 'Teams (workflow URL in the keychain)',
        webhook: `webhook to ${form.url.replace(/^(https?:\/\/[^/]+).*$/, '$1')}/… (${form.secret ? 'signed, secret in the keychain' : 'unsigned'})`,
        email: `e-mail to ${form.to.join(', ')} via ${form.smtp.replace(/^smtps?:\/\//, '')}`,
      }[form.kind];
      if (form.kind !== 'email' && !form.id && !form.url) throw { kind: 'settings', message: 'Paste the webhook URL the channel gave you.', problem: null };
      const saved = {
        id: form.id || `d${(window.__alerts.length + 1).toString(16).padStart(8, '0')}`,
        kind: form.kind, target, rules: form.rules,
        form: { url, has_secret: Boolean(form.secret || form.password), smtp: form.smtp, to: form.to, from: form.from, user: form.user },
        failing: null, failing_since: null, pending: 0, last_sent: null, last_error: null,
      };
      window.__alerts = window.__alerts.filter((a) => a.id !== saved.id).concat([saved]);
      return structuredClone(saved);
    },
    remove_alert_destination: ({ id }) => {
      window.__alerts = (window.__alerts || []).filter((a) => a.id !== id);
      return null;
    },
    test_alert_destination: ({ id }) => {
      const alert = (window.__alerts || []).find((a) => a.id === id);
      if (alert && alert.failing) throw { kind: 'settings', message: `Refused: ${alert.failing}.`, problem: null };
      return 'Delivered: the test message reached it.';
    },
    export_csv: ({ history }) => `/home/jane/Downloads/adkeep-${history ? 'changes' : 'accounts'}-2026-12-03-101500.csv`,
  };
  // For tests/ui/contract.test.mjs: every command the fake answers.
  window.__fakeCommands = Object.keys(defaults);
  window.__TAURI__ = {
    core: {
      invoke: async (command, args) => {
        window.__calls.push({ command, args: args || {} });
        const handler = window.__handlers[command] || defaults[command];
        if (!handler) throw { kind: 'internal', message: `unknown command ${command}`, problem: null };
        const delay = window.__delays && window.__delays[command];
        if (delay) await new Promise((r) => setTimeout(r, delay));
        return handler(args || {});
      },
    },
    event: {
      listen: async (event, handler) => {
        if (!listeners.has(event)) listeners.set(event, []);
        listeners.get(event).push(handler);
        return () => {};
      },
    },
  };
})();
