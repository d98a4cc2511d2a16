// Logging in and managing logins from the window: Reauthenticate (one
// login, or a menu of them), adding, renaming, removing, and what a
// finished login says.

import { $, announce, app, screens } from './app-state.js';
import { api } from './ipc.js';
import { plural } from './format.js';
import { reauthPlan, renderReauthMenu } from './logins.js';
import { addNotice, showError } from './messages.js';

/** What a finished login says (from the button, or from the tray). */
export function showLoginOutcome(outcome) {
  if (outcome && outcome.kind) {
    // A failed login (an error object).
    if (outcome.kind === 'cancelled') announce('Login cancelled. Nothing changed.');
    else showError(outcome);
  } else if (outcome && outcome.outcome === 'different_user') {
    $('#switch-message').textContent = outcome.message;
    $('#switch-add').textContent = outcome.known ? `Renew ${outcome.user.name}'s login` : 'Add as another login';
    $('#switch-dialog').showModal();
  } else if (outcome) {
    app.showDataAnyway = false;
    announce(outcome.message);
    addNotice(outcome.declined && outcome.declined.length ? 'warning' : 'info', outcome.message);
  }
  screens.reloadSoon();
}

/** Runs a login (the popup) with the Reauthenticate button held down meanwhile. */
export async function runLogin(start) {
  const button = $('#reauthenticate');
  button.disabled = true;
  try {
    showLoginOutcome(await start());
  } catch (error) {
    showLoginOutcome(error);
  } finally {
    button.disabled = false;
  }
}

/** Renews one login (`login`: its id), or what the Reauthenticate button stands for. */
export function reauthenticate(login) {
  closeMenu();
  if (login) return runLogin(() => api.reauthenticate(login));
  const plan = reauthPlan(app.state);
  if (plan.kind === 'menu') return openMenu();
  if (plan.kind === 'login') return runLogin(() => api.reauthenticate(plan.id));
  return runLogin(() => api.addLogin(false));
}

function openMenu() {
  const menu = $('#reauth-menu');
  renderReauthMenu(app.state, menu);
  menu.hidden = false;
  $('#reauthenticate').setAttribute('aria-expanded', 'true');
  const first = menu.querySelector('button');
  if (first) first.focus();
}

export function closeMenu() {
  $('#reauth-menu').hidden = true;
  $('#reauthenticate').setAttribute('aria-expanded', 'false');
}

export function menuOpen() {
  return !$('#reauth-menu').hidden;
}

/** The login a failed row's Reauthenticate renews: a broken one that reaches it, else the one it was read through. */
export function loginToFix(account) {
  const reaching = (account.logins || []).map((l) => l.id);
  const broken = app.state.logins.find((l) => l.problem && reaching.includes(l.id));
  if (broken) return broken.id;
  // A list row leaves `via` out when it is the one login that reaches it.
  if (account.via) return account.via.id;
  return reaching.length === 1 ? reaching[0] : undefined;
}

/** The login a control in a banner, the menu or Settings is about. */
export function loginOf(target) {
  return app.state.logins.find((l) => l.id === target.dataset.login) || null;
}

export function askRemove(login) {
  app.removing = login;
  $('#remove-login-title').textContent = `Remove ${login.name}?`;
  const kept = login.only
    ? ` The ${plural(login.only, 'account', 'accounts')} only ${login.name} reaches stay with their last data, marked no longer accessible.`
    : ' Every account it reaches is also reached by another login.';
  $('#remove-login-text').textContent = `Its token is deleted from this computer.${kept}`;
  $('#remove-login-dialog').showModal();
}

export async function removeLogin() {
  $('#remove-login-dialog').close();
  if (!app.removing) return;
  try {
    const message = await api.removeLogin(app.removing.id);
    announce(message);
    addNotice('info', message);
  } catch (error) {
    showError(error);
  } finally {
    app.removing = null;
    screens.reloadSoon();
  }
}

export function askRename(login) {
  app.renaming = login;
  $('#rename-login-name').value = login.label || '';
  $('#rename-login-name').placeholder = login.profile ? login.profile.name : login.name;
  $('#rename-login-dialog').showModal();
}

export async function switchUser(add) {
  $('#switch-dialog').close();
  try {
    const outcome = await api.confirmSwitchUser(add);
    const text = outcome ? outcome.message : 'Kept the current accounts. Nothing changed.';
    announce(text);
    addNotice('info', text);
  } catch (error) {
    showError(error);
  } finally {
    screens.reloadSoon();
  }
}

$('#rename-login-form').addEventListener('submit', async () => {
  if (!app.renaming) return;
  try {
    await api.renameLogin(app.renaming.id, $('#rename-login-name').value);
  } catch (error) {
    showError(error);
  } finally {
    app.renaming = null;
    screens.reloadSoon();
  }
});
