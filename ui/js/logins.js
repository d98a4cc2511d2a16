// Facebook logins as the window shows them: who is logged in (the header),
// which login needs the person (banners, the Reauthenticate button and its
// menu), and the list in Settings. Names come from Facebook or the person:
// always set as text, never as HTML.

import { LOCALE, plural } from './format.js';

const CUSTODY = {
  keychain: 'kept in the OS keychain',
  memory: 'kept for this session only (no keychain answered)',
  plaintext_file: 'kept in a file only you can read (no keychain)',
  environment: 'taken from ADKEEP_ACCESS_TOKEN (never stored)',
  sandbox: 'the sandbox login (never stored)',
  unchecked: 'not looked up yet',
  none: 'no token here: reauthenticate to use it',
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(text, action, login, kind = 'link') {
  const b = el('button', kind, text);
  b.type = 'button';
  b.dataset.action = action;
  if (login) b.dataset.login = login.id;
  return b;
}

/** Whole days left before the login expires, when it warns. */
function daysLeft(login) {
  const t = login.token;
  if (!t || t.warning === 'none' || t.days_left === null || t.days_left === undefined) return null;
  return Math.max(t.days_left, 0);
}

/** A login's health in a few words ("ok", "login expired", "expires in 3 days"). */
export function loginHealth(login) {
  if (login.problem && (login.broken || login.problem.scope === 'token')) return login.problem.title;
  if (login.custody === 'none') return 'no token here';
  if (login.missing_scopes.length) return `missing ${login.missing_scopes.join(', ')}`;
  const days = daysLeft(login);
  if (days !== null) return days < 1 ? 'expires within a day' : `expires in ${plural(days, 'day', 'days')}`;
  return 'ok';
}

/** The header: who is logged in, and the soonest trouble. */
export function renderIdentity(state, $) {
  const logins = state.logins;
  const identity = $('#identity');
  identity.hidden = logins.length === 0;
  const name = $('#profile-name');
  name.textContent = logins.length === 1 ? logins[0].name : logins.length > 1 ? `${logins.length} Facebook logins` : '';
  name.title = logins.map((l) => `${l.name}: ${loginHealth(l)}`).join('\n');
  const health = $('#token-health');
  const broken = logins.filter((l) => l.problem);
  const expiring = logins.filter((l) => daysLeft(l) !== null).sort((a, b) => daysLeft(a) - daysLeft(b));
  const someone = (l) => (logins.length > 1 ? `${l.name}'s login` : 'login');
  if (broken.length) {
    health.textContent = logins.length > 1 ? `${plural(broken.length, 'login needs', 'logins need')} you` : broken[0].problem.title;
    health.dataset.tone = 'bad';
  } else if (expiring.length) {
    const days = daysLeft(expiring[0]);
    health.textContent = days < 1 ? `${someone(expiring[0])} expires within a day` : `${someone(expiring[0])} expires in ${plural(days, 'day', 'days')}`;
    health.dataset.tone = expiring[0].token.warning === 'week' ? 'warn' : 'bad';
  } else if (logins.length === 1 && logins[0].token && logins[0].token.days_left !== null && logins[0].token.days_left !== undefined) {
    health.textContent = `login expires in ${plural(Math.max(logins[0].token.days_left, 0), 'day', 'days')}`;
    health.dataset.tone = 'ok';
  } else {
    health.textContent = logins.length > 1 ? 'all ok' : '';
    health.dataset.tone = 'ok';
  }
}

/** What the banner says about one login that needs the person. */
function bannerText(login, several) {
  const whose = several ? `${login.name}'s Facebook login` : 'Your Facebook login';
  if (login.problem) {
    const alone = login.only
      ? ` The ${plural(login.only, 'account', 'accounts')} only ${login.name} reaches ${login.only === 1 ? 'is' : 'are'} not refreshing`
      : ' No account depends on it alone';
    const others = several ? '; the other logins keep refreshing the rest.' : '.';
    return `${several ? `${login.name}: ` : ''}${login.problem.title}.${alone}${others}`;
  }
  if (login.custody === 'none') {
    return `${whose} has no token on this computer: reauthenticate it to refresh the ${plural(login.reaches, 'account', 'accounts')} it reaches.`;
  }
  if (login.missing_scopes.length) {
    return `${whose} does not have ${login.missing_scopes.join(', ')}: some ad accounts or businesses may be missing. Reauthenticate and allow it.`;
  }
  const days = daysLeft(login);
  return days < 1
    ? `${whose} expires within a day. Reauthenticate now to keep its accounts refreshing.`
    : `${whose} expires in ${plural(days, 'day', 'days')}. Reauthenticate before then to avoid an interruption.`;
}

/** One banner per login that needs the person (none while the problem page shows). */
export function renderLoginBanners(state, container) {
  const several = state.logins.length > 1;
  const needing = state.opens_problem_page || state.mode === 'unconfigured'
    ? []
    : state.logins.filter((l) => l.needs_login && l.custody !== 'unchecked');
  container.replaceChildren(...needing.map((login) => {
    const banner = el('div', 'notice banner login-banner');
    banner.dataset.level = login.problem ? 'error' : 'warning';
    banner.dataset.login = login.id;
    banner.setAttribute('role', 'status');
    banner.append(el('span', 'banner-text', bannerText(login, several)));
    banner.append(button(several ? `Reauthenticate ${login.name}` : 'Reauthenticate', 'reauth-login', login));
    if (login.problem) banner.append(button('What happened', 'login-problem', login));
    return banner;
  }));
}

/**
 * What the Reauthenticate button does: log in (no login yet), renew the one
 * login (or the only one that needs it), or open a menu of logins.
 */
export function reauthPlan(state) {
  const logins = state.logins;
  if (logins.length === 0) return { kind: 'add', label: 'Log in with Facebook' };
  if (logins.length === 1) return { kind: 'login', id: logins[0].id, label: 'Reauthenticate' };
  const needing = logins.filter((l) => l.needs_login && l.custody !== 'unchecked');
  if (needing.length === 1) return { kind: 'login', id: needing[0].id, label: `Reauthenticate ${needing[0].name}` };
  return { kind: 'menu', label: 'Reauthenticate…' };
}

/** The menu of logins (the ones that need it first, as the state orders them). */
export function renderReauthMenu(state, menu) {
  menu.replaceChildren(...state.logins.map((login) => {
    const item = button('', 'reauth-login', login, 'menu-item');
    item.setAttribute('role', 'menuitem');
    item.append(el('span', 'menu-name', login.name), el('span', 'menu-note', loginHealth(login)));
    item.dataset.tone = login.needs_login ? 'warn' : 'ok';
    return item;
  }));
}

/** Settings → Facebook logins: each with its health, reach, and what to do. */
export function renderLoginList(state, list) {
  list.replaceChildren(...state.logins.map((login) => {
    const li = el('li', 'login-item');
    li.dataset.login = login.id;
    const head = el('div', 'login-head');
    head.append(el('strong', 'login-name', login.name));
    if (login.label && login.profile) head.append(el('span', 'login-fb', ` (${login.profile.name} on Facebook)`));
    const health = el('span', 'login-health', loginHealth(login));
    health.dataset.tone = login.needs_login ? (login.problem ? 'bad' : 'warn') : 'ok';
    head.append(health);
    const facts = el('p', 'field-note login-facts',
      `Reaches ${plural(login.reaches, 'ad account', 'ad accounts')}${login.only ? ` (${login.only.toLocaleString(LOCALE)} only through this login)` : ''} · token ${CUSTODY[login.custody] || login.custody}${login.profile ? ` · Facebook id ${login.profile.id}` : ''}`);
    const actions = el('div', 'inline-actions');
    actions.append(
      button('Reauthenticate', 'reauth-login', login, 'secondary'),
      button('Rename', 'rename-login', login, 'ghost'),
      button('Remove', 'remove-login', login, 'danger'),
    );
    li.append(head, facts, actions);
    return li;
  }));
}

/** Settings' one-line summary of the logins (and where tokens are kept). */
export function loginStatus(state) {
  const logins = state.logins;
  if (logins.length === 0) return 'Not logged in.';
  if (logins.length === 1) {
    const [one] = logins;
    return `Logged in as ${one.name}. Login: ${CUSTODY[one.custody] || one.custody}.`;
  }
  const need = logins.filter((l) => l.needs_login).length;
  return `${plural(logins.length, 'Facebook login', 'Facebook logins')}${need ? `, ${need.toLocaleString(LOCALE)} needing you` : ', all ok'}.`;
}
