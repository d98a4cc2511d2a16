// Alert destinations as the window shows them: the list in Settings, and a
// banner for each destination that is failing. Everything is set as text.

import { LOCALE, ago, plural } from './format.js';

const KIND = {
  slack: 'Slack', teams: 'Teams', webhook: 'Webhook', email: 'E-mail',
};

const SEVERITY = {
  blocking: 'blocking problems', warning: 'blocking problems and warnings', info: 'everything',
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(text, action, id, kind = 'link') {
  const b = el('button', kind, text);
  b.type = 'button';
  b.dataset.action = action;
  b.dataset.alert = id;
  return b;
}

/** "every 4 hours", "every day". */
function every(secs) {
  if (secs % 86400 === 0) return secs === 86400 ? 'every day' : `every ${secs / 86400} days`;
  if (secs % 3600 === 0) return secs === 3600 ? 'every hour' : `every ${secs / 3600} hours`;
  return `every ${Math.round(secs / 60)} minutes`;
}

/** A destination's rules in words. */
export function rulesText(alert, loginName) {
  const r = alert.rules;
  const parts = [`Tells about ${SEVERITY[r.min_severity] || r.min_severity}`];
  if (r.logins.length) parts.push(`of ${r.logins.map(loginName).join(', ')}`);
  if (r.accounts.length) parts.push(`for ${plural(r.accounts.length, 'account', 'accounts')}`);
  parts.push(r.send_resolved ? 'and when they are over' : 'not when they are over');
  if (r.remind_after_secs) parts.push(`reminds ${every(r.remind_after_secs)}`);
  return parts.join(', ');
}

/** How its deliveries go, in words, and a tone. */
export function deliveryText(alert) {
  if (alert.failing) return { text: `Failing: ${alert.failing}`, tone: 'bad' };
  const last = alert.last_sent ? `last delivered ${ago(alert.last_sent)}` : 'nothing delivered yet';
  if (alert.pending) {
    const waiting = `${alert.pending.toLocaleString(LOCALE)} waiting`;
    return { text: `${waiting}${alert.last_error ? ` (${alert.last_error})` : ''} · ${last}`, tone: 'warn' };
  }
  return { text: last, tone: 'ok' };
}

/** Settings → Alerts: each destination with its rules, health and actions. */
export function renderAlertList(alerts, list, empty, loginName) {
  empty.hidden = alerts.length > 0;
  list.replaceChildren(...alerts.map((alert) => {
    const li = el('li', 'login-item alert-item');
    li.dataset.alert = alert.id;
    const head = el('div', 'login-head');
    const name = el('strong', 'login-name', alert.target);
    name.dataset.kind = KIND[alert.kind] || alert.kind;
    head.append(name);
    const { text, tone } = deliveryText(alert);
    const health = el('span', 'login-health', text);
    health.dataset.tone = tone;
    head.append(health);
    const rules = el('p', 'field-note alert-rules', rulesText(alert, loginName));
    const actions = el('div', 'inline-actions');
    actions.append(
      button('Send a test', 'test-alert', alert.id, 'secondary'),
      button('Edit', 'edit-alert', alert.id, 'ghost'),
      button('Remove', 'remove-alert', alert.id, 'danger'),
    );
    li.append(head, rules, actions);
    return li;
  }));
}

/** One banner per failing destination, like a login that needs the person. */
export function renderAlertBanners(summary, container) {
  const failing = (summary && summary.failing) || [];
  container.replaceChildren(...failing.map((alert) => {
    const banner = el('div', 'notice banner login-banner');
    banner.dataset.level = 'error';
    banner.setAttribute('role', 'status');
    const waiting = alert.pending ? ` ${plural(alert.pending, 'alert waits', 'alerts wait')} for it.` : '';
    banner.append(el('span', 'banner-text', `Alerts to ${alert.target} are failing: ${alert.failing}.${waiting}`));
    banner.append(button('Fix in Settings', 'show-alert-settings', alert.id));
    return banner;
  }));
}
