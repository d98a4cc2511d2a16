// How values read: money, times, statuses, roles. Pure functions, no DOM.

const STATUS = {
  active: { text: 'Active', tone: 'ok', icon: '✓' },
  disabled: { text: 'Disabled', tone: 'bad', icon: '✖' },
  unsettled: { text: 'Unsettled', tone: 'bad', icon: '!' },
  pending_risk_review: { text: 'Under review', tone: 'warn', icon: '◔' },
  pending_settlement: { text: 'Payment pending', tone: 'warn', icon: '◔' },
  in_grace_period: { text: 'Payment failed', tone: 'warn', icon: '!' },
  pending_closure: { text: 'Closing', tone: 'muted', icon: '⏏' },
  closed: { text: 'Closed', tone: 'muted', icon: '✕' },
  unknown: { text: 'Unknown', tone: 'muted', icon: '?' },
};

/** Every status a badge can show (for sizing the column to the widest). */
export const STATUS_BADGES = [...Object.values(STATUS), { text: 'No access', tone: 'muted', icon: '⊘' }];

export function statusOf(account) {
  if (account.reach === 'no_longer_accessible') {
    return STATUS_BADGES[STATUS_BADGES.length - 1];
  }
  return STATUS[account.status] || STATUS.unknown;
}

const STATUS_ORDER = ['disabled', 'unsettled', 'in_grace_period', 'pending_risk_review', 'pending_settlement', 'pending_closure', 'unknown', 'active', 'closed'];
export function statusRank(account) {
  if (account.reach === 'no_longer_accessible') return -1;
  const i = STATUS_ORDER.indexOf(account.status);
  return i < 0 ? STATUS_ORDER.length : i;
}

const DISABLE_REASONS = {
  ads_integrity_policy: 'ads integrity policy',
  ads_ip_review: 'intellectual property review',
  risk_payment: 'payment risk',
  gray_account_shut_down: 'account shut down',
  ads_afc_review: 'AFC review',
  business_integrity_rar: 'business integrity',
  permanent_close: 'permanently closed',
  unused_reseller_account: 'unused reseller account',
  unused_account: 'unused account',
  umbrella_ad_account: 'umbrella account',
  business_manager_integrity_policy: 'Business Manager integrity policy',
  misrepresented_ad_account: 'misrepresented account',
  aoab_deshare_legal_entity: 'legal entity unshared',
  ctx_thread_review: 'thread review',
  compromised_ad_account: 'compromised account',
};

export function disableReasonText(reason) {
  return DISABLE_REASONS[reason] || '';
}

/**
 * The locale for numbers and dates: the OS's, except that a C/POSIX locale
 * (WebKitGTK then formats "$ 684579.65", without grouping) reads as en-US.
 */
export const LOCALE = (() => {
  const language = (globalThis.navigator && navigator.language) || '';
  const resolved = new Intl.NumberFormat().resolvedOptions().locale;
  return /^(c|posix)$/i.test(language) || /-u-va-posix/i.test(resolved) ? 'en-US' : undefined;
})();

/** Number formats by currency and digits: building one costs more than formatting. */
const formats = new Map();
function currencyFormat(currency, minimumFractionDigits, maximumFractionDigits) {
  const key = `${currency}|${minimumFractionDigits}|${maximumFractionDigits}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, {
      style: 'currency', currency, minimumFractionDigits, maximumFractionDigits,
    });
    formats.set(key, format);
  }
  return format;
}

/** Formats a decimal string exactly (no float) in the account's currency. */
export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === '') return '—';
  try {
    const digits = (String(amount).split('.')[1] || '').length;
    const formatter = currencyFormat(currency, Math.min(digits, 2), Math.max(digits, 0));
    // Intl formats decimal strings exactly (no conversion to a float).
    return formatter.format(String(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

/**
 * One of an account's amounts (`spend_today`, `amount_spent`, …), or
 * "unreadable" when Meta sent a value Adkeep could not read exactly.
 */
export function amountOf(account, field) {
  if ((account.field_errors || []).some((e) => e.field === field)) return 'unreadable';
  return money(account[field], account.currency);
}

const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(LOCALE, { timeStyle: 'short' });

export function ago(iso, now = Date.now()) {
  if (!iso) return 'never';
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86400), 'day');
}

export function fullTime(iso) {
  return iso ? absolute.format(new Date(iso)) : '';
}

export function clock(iso) {
  return iso ? timeOnly.format(new Date(iso)) : '';
}

/** "Admin", "Advertiser", "Analyst" from the user's tasks. */
export function roleOf(tasks) {
  if (!tasks || tasks.length === 0) return 'No role';
  if (tasks.includes('MANAGE')) return 'Admin';
  if (tasks.includes('ADVERTISE')) return 'Advertiser';
  if (tasks.includes('ANALYZE') || tasks.includes('AA_ANALYZE')) return 'Analyst';
  if (tasks.includes('DRAFT')) return 'Drafts only';
  return tasks.join(', ');
}

const TOS_NAMES = {
  custom_audience_tos: 'Customer lists',
  web_custom_audience_tos: 'Website audiences',
  value_based_custom_audience_tos: 'Value-based audiences',
};

export function tosName(key) {
  return TOS_NAMES[key] || key.replace(/_/g, ' ');
}

export const HEALTH = {
  active: { text: 'firing', tone: 'ok' },
  quiet: { text: 'quiet 1–7 days', tone: 'warn' },
  stopped: { text: 'stopped', tone: 'bad' },
  never_fired: { text: 'never fired', tone: 'muted' },
  unavailable: { text: 'unavailable', tone: 'bad' },
};

export function plural(n, one, many) {
  return `${n.toLocaleString(LOCALE)} ${n === 1 ? one : many}`;
}
