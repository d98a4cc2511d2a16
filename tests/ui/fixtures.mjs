// Account views as the backend sends them (see src-tauri/src/views.rs).

const STATUSES = ['active', 'active', 'active', 'active', 'disabled', 'unsettled', 'in_grace_period', 'pending_risk_review', 'closed'];
const CURRENCIES = ['USD', 'EUR', 'JPY', 'GBP', 'KRW'];

const STATUS_SEVERITY = { disabled: 'blocking', unsettled: 'blocking', closed: 'blocking', in_grace_period: 'blocking', pending_risk_review: 'warning' };

/** One judged reason for attention, as `attention::Flag` serializes it. */
export function flag(kind, fields, severity, text, overrides = {}) {
  const subject = fields.dataset_id || fields.tos;
  return {
    kind,
    ...fields,
    text,
    severity,
    key: subject ? `${kind}:${subject}` : kind,
    acknowledged: false,
    snoozed_until: null,
    muted: false,
    ...overrides,
  };
}

/** What the backend derives from a list of flags. */
export function judged(flags) {
  const shown = flags.filter((f) => !f.acknowledged && !f.snoozed_until && !f.muted);
  const rank = { blocking: 2, warning: 1, info: 0 };
  const worst = shown.reduce((m, f) => (m === null || rank[f.severity] > rank[m] ? f.severity : m), null);
  return { attention: flags, severity: worst, needs_attention: worst === 'blocking' || worst === 'warning' };
}

function statusFlags(status) {
  if (status === 'active') return [];
  const severity = STATUS_SEVERITY[status] || 'warning';
  if (status === 'in_grace_period') return [flag('billing', { status }, severity, 'Payment failed: fix billing before ads stop')];
  return [flag('status', { status, disable_reason: 'none' }, severity, `Account is ${status.replace(/_/g, ' ')}`)];
}

/** `ads` as views/ads.rs sends it: counted, and the ad limit read. */
export function ads(overrides = {}) {
  const base = {
    disapproved: 0, with_issues: 0, pending_billing_info: 0, pending_review: 0,
    running_or_in_review: 12, limit: 250, limit_level: 'clear', cannot_run: 0, at_least: false,
    total: 0, future_limit: null, future_limit_from: null, reasons: [], counts_state: 'read', limit_state: 'read',
  };
  const merged = { ...base, ...overrides };
  if (overrides.cannot_run === undefined && merged.disapproved !== null) {
    merged.cannot_run = merged.disapproved + merged.with_issues + merged.pending_billing_info;
  }
  return merged;
}

export function account(i, overrides = {}) {
  const currency = CURRENCIES[i % CURRENCIES.length];
  const zeroDecimals = currency === 'JPY' || currency === 'KRW';
  const money = (n) => (zeroDecimals ? String(n) : `${n}.${String(i % 100).padStart(2, '0')}`);
  const status = STATUSES[i % STATUSES.length];
  const base = {
    id: `act_${100000 + i}`,
    name: `Account ${String(i).padStart(4, '0')}`,
    status,
    status_code: 1,
    disable_reason: status === 'disabled' ? 'risk_payment' : 'none',
    currency,
    timezone: 'Europe/Berlin',
    business: i % 7 === 0 ? null : { id: `9${i % 3}`, name: `Business ${i % 3}` },
    amount_spent: money(100000 + i),
    spend_cap: i % 4 === 0 ? money(900000) : null,
    balance: money(0),
    spend_today: money(i % 50),
    spend_last_30d: money(1000 + i),
    datasets: [{ id: `8${i}`, name: `Pixel ${i}`, last_fired_time: '2026-11-27T09:00:00Z', is_unavailable: false }],
    tos_accepted: ['custom_audience_tos', 'web_custom_audience_tos'],
    user_tos_accepted: [],
    tasks: ['MANAGE', 'ADVERTISE', 'ANALYZE'],
    logins: [{ id: '1021', name: 'Jane Doe', tasks: ['MANAGE', 'ADVERTISE', 'ANALYZE'] }],
    via: { id: '1021', name: 'Jane Doe' },
    via_note: null,
    spend_daily: [],
    utc_offset_minutes: 0,
    funds: { state: 'not_prepaid' },
    forecast: { pace_per_day: null, cap_left: null, cap_days_left: null, funds_left: null, funds_days_left: null, funds_unknown: null, payment_risk: null, spend_stopped: null, billing_url: null },
    refreshed_at: '2026-11-27T10:00:00Z',
    error: null,
    reach: 'reachable',
    is_new: false,
    revision: i + 1,
    field_errors: [],
    dataset_health: ['active'],
    ads: ads(),
    ...judged(statusFlags(status)),
  };
  return { ...base, ...overrides };
}

export function accounts(n) {
  return Array.from({ length: n }, (_, i) => account(i));
}

/** A Facebook login as the state lists it (Jane, healthy, in the keychain). */
export function login(overrides = {}) {
  const profile = overrides.profile || { id: '1021', name: 'Jane Doe' };
  return {
    id: profile.id,
    name: profile.name,
    label: null,
    profile,
    custody: 'keychain',
    token: { expires_at: '2027-01-20T00:00:00Z', data_access_expires_at: null, days_left: 54, warning: 'none' },
    permissions: { granted: ['ads_read', 'ads_management', 'business_management'], declined: [], expired: [] },
    missing_scopes: [],
    problem: null,
    broken: false,
    reaches: 12,
    only: 12,
    last_full_refresh: new Date().toISOString(),
    needs_login: false,
    ...overrides,
  };
}

export function state(overrides = {}) {
  return {
    mode: 'meta',
    connected: true,
    logins: [login()],
    settings: { mode: 'meta', app_id: '1234', config_id: '', login_method: 'popup', api_version: 'v27.0', loopback_ports: [47711], notifications: true, close_to_tray: false, launch_at_login: false, has_app_secret: false, allow_plaintext_token: false, muted_attention: [], money_alerts: { warn_days: 3, urgent_days: 1, stopped_spending: true }, check_every_hours: 3, activity_seen_at: null, check_updates: true, row_density: 'dense' },
    problem: null,
    opens_problem_page: false,
    accounts: accounts(12),
    account_count: 0,
    accounts_key: '',
    attention: { blocking: 0, warning: 0, info: 0, set_aside: 0 },
    last_full_refresh: new Date().toISOString(),
    refresh: { running: false, done: 0, total: 0, listing_complete: false, waiting: null, next_try: null },
    notices: [],
    last_check: null,
    alerts: { destinations: 0, pending: 0, failing: [] },
    next_check: null,
    ...overrides,
  };
}

/** The same state with the tall rows of the comfortable density. */
export function comfortable(fixture) {
  return { ...fixture, settings: { ...fixture.settings, row_density: 'comfortable' } };
}

export function problem(reason, action, overrides = {}) {
  return {
    reason,
    action,
    scope: 'token',
    title: `Title for ${reason}`,
    explanation: `Explanation for ${reason}.`,
    code: 190,
    subcode: 463,
    http_status: 400,
    message: 'Error validating access token: Session has expired',
    user_title: null,
    user_msg: null,
    fbtrace_id: 'AbCdEf123',
    retry_at: null,
    action_url: null,
    at: '2026-11-27T10:00:00Z',
    ...overrides,
  };
}
