// The Activity view: what changed, newest first, grouped by day, with a
// "since you last looked" marker. Each event links to its account. Names
// and values come from Meta: set as text only.

import { LOCALE, clock } from './format.js';

const KIND_WORDS = {
  account_added: 'New account',
  account_lost: 'No longer reachable',
  account_back: 'Reachable again',
  status: 'Status',
  disable_reason: 'Disable reason',
  dataset_stopped: 'Dataset stopped firing',
  dataset_resumed: 'Dataset firing again',
  tos_missing: 'Terms no longer accepted',
  tos_accepted: 'Terms accepted',
  role: 'Role',
  login_health: 'Login',
  money: 'Money',
  ads_disapproved: 'Ads disapproved',
  ads_with_issues: 'Ads with issues',
  ads_pending_billing: 'Ads waiting for billing information',
  ad_limit: 'Ad limit',
  alerts_dropped: 'Alerts dropped',
};

const AD_COUNTS = new Set(['ads_disapproved', 'ads_with_issues', 'ads_pending_billing']);

/** "3 more since the last check (9 → 12)", "2 fewer (12 → 10)". */
function countChange(change) {
  const [from, to] = [Number(change.from), Number(change.to)];
  if (!Number.isFinite(from) || !Number.isFinite(to)) return `${words(change.from)} → ${words(change.to)}`;
  const by = Math.abs(to - from).toLocaleString();
  return `${by} ${to > from ? 'more' : 'fewer'} since the last check (${from.toLocaleString()} → ${to.toLocaleString()})`;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const words = (value) => (value === null || value === undefined ? '' : String(value).replaceAll('_', ' '));

/** What an event says after its kind ("active → disabled"). */
function what(change) {
  if (change.kind === 'dataset_stopped' || change.kind === 'dataset_resumed') return `“${change.to}”`;
  if (change.kind === 'tos_missing' || change.kind === 'tos_accepted') return words(change.to);
  if (AD_COUNTS.has(change.kind)) return countChange(change);
  if (change.from && change.to) return `${words(change.from)} → ${words(change.to)}`;
  return words(change.to);
}

function dayOf(iso) {
  const d = new Date(iso);
  return d.toLocaleDateString(LOCALE, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

/**
 * Renders `changes` (newest first) into `list`; `seenAt` is when the person
 * last looked (events after it are marked new); `loginName` names logins.
 */
export function renderActivity(list, changes, { seenAt, loginName }) {
  const seen = seenAt ? Date.parse(seenAt) : null;
  const nodes = [];
  let day = null;
  let markerPlaced = false;
  for (const change of changes) {
    const isNew = seen !== null && Date.parse(change.at) > seen;
    if (!isNew && seen !== null && !markerPlaced && nodes.length > 0) {
      nodes.push(el('div', 'activity-marker', 'Since you last looked ↑'));
      markerPlaced = true;
    }
    const thisDay = dayOf(change.at);
    if (thisDay !== day) {
      day = thisDay;
      nodes.push(el('h2', 'activity-day', thisDay));
    }
    const item = el('div', 'activity-item');
    item.dataset.kind = change.kind;
    item.dataset.worse = String(Boolean(change.worse));
    if (isNew) item.classList.add('is-new');
    item.append(el('time', 'activity-time', clock(change.at)));
    item.querySelector('time').dateTime = change.at;
    item.append(el('span', 'activity-icon', change.worse ? '▼' : '•'));
    const body = el('span', 'activity-body');
    if (change.account_id) {
      const link = el('button', 'link activity-account', change.account_name || change.account_id);
      link.type = 'button';
      link.dataset.action = 'show-account';
      link.dataset.id = change.account_id;
      body.append(link);
    } else if (change.login) {
      body.append(el('strong', 'activity-login', `${loginName(change.login)}'s login`));
    }
    body.append(el('span', 'activity-kind', ` ${KIND_WORDS[change.kind] || words(change.kind)}: `));
    body.append(el('span', 'activity-what', what(change)));
    if (change.worse) body.append(el('span', 'visually-hidden', ' (got worse)'));
    item.append(body);
    nodes.push(item);
  }
  list.replaceChildren(...nodes);
}

/** Events newer than `seenAt`. */
export function countNew(changes, seenAt) {
  if (!seenAt) return 0;
  const seen = Date.parse(seenAt);
  return changes.filter((c) => Date.parse(c.at) > seen).length;
}
