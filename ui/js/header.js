// The window's top: who is logged in, the sandbox bar, login banners, the
// page summary line, the Reauthenticate button; and the Settings parts that
// follow the state (logins, secret, scheduled checks).

import { $, app } from './app-state.js';
import { LOCALE, ago, clock, plural } from './format.js';
import {
  loginStatus, reauthPlan, renderIdentity, renderLoginBanners, renderLoginList,
} from './logins.js';
import { renderAlertBanners } from './alerts.js';

/** "3 blocked · 5 warnings", or that nothing needs the person. */
export function attentionSummary(counts) {
  const parts = [];
  if (counts && counts.blocking) parts.push(`${counts.blocking.toLocaleString(LOCALE)} blocked`);
  if (counts && counts.warning) parts.push(plural(counts.warning, 'warning', 'warnings'));
  return parts.length ? parts.join(' · ') : 'nothing needs you';
}

function summaryText(state) {
  const memory = state.logins.some((l) => l.custody === 'memory');
  const custody = memory ? ' · login kept for this session only (no keychain)' : '';
  const last = state.last_full_refresh ? `Last full refresh ${ago(state.last_full_refresh)}` : 'Not refreshed yet';
  const logins = state.logins.length > 1 ? ` · through ${plural(state.logins.length, 'Facebook login', 'Facebook logins')}` : '';
  return `${plural(state.account_count, 'ad account', 'ad accounts')}${logins} · ${attentionSummary(state.attention)} · ${last}${custody}`;
}

export function renderHeader() {
  const { state } = app;
  renderLoginSettings();
  renderLoginBanners(state, $('#login-banners'));
  renderAlertBanners(state.alerts, $('#alert-banners'));
  renderIdentity(state, $);
  const sandbox = state.mode === 'sandbox';
  $('#sandbox-banner').hidden = !sandbox;
  document.body.classList.toggle('sandbox', sandbox);
  $('#summary').textContent = summaryText(state);
  const plan = reauthPlan(state);
  const reauth = $('#reauthenticate');
  reauth.textContent = plan.label;
  reauth.setAttribute('aria-haspopup', plan.kind === 'menu' ? 'menu' : 'false');
  $('#add-login').hidden = state.logins.length === 0 || state.mode === 'unconfigured';
}

export function renderCheckPlan() {
  const { state } = app;
  const parts = [];
  if (state.last_check) parts.push(`Last scheduled check ${clock(state.last_check)}`);
  if (state.next_check) parts.push(`next ${clock(state.next_check)}`);
  $('#check-plan').textContent = parts.join(' · ');
}

export function renderLoginSettings() {
  const { state } = app;
  $('#login-status').textContent = loginStatus(state);
  renderLoginList(state, $('#login-list'));
  $('#set-plaintext').checked = Boolean(state.settings.allow_plaintext_token);
  $('#forget-secret').hidden = !state.settings.has_app_secret;
  // What the last save said ("Saved in the keychain.") stays while the secret does.
  const status = $('#secret-status');
  if (!state.settings.has_app_secret) {
    status.textContent = '';
    delete status.dataset.saved;
  } else if (!status.dataset.saved) {
    status.textContent = 'An app secret is stored.';
  }
  $('#custody-banner').hidden = !state.logins.some((l) => l.custody === 'memory');
}
