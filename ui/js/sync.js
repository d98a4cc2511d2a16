// Reading the backend's state and showing it: the first load, the debounced
// re-read after events, and choosing the screen.

import { $, app, screens } from './app-state.js';
import { api } from './ipc.js';
import { plural } from './format.js';
import { fillSettings } from './settings.js';
import { renderCheckPlan, renderHeader } from './header.js';
import { renderNotices } from './messages.js';
import { ProblemPage } from './problem.js';
import {
  applyDensity, list, renderProgress, renderSortHeads, updateDetails,
} from './accounts-view.js';
import { refreshActivityBadge } from './activity-view.js';
import { copy, runProblemAction } from './actions.js';

const SCREENS = ['first_run', 'accounts', 'problem', 'settings', 'activity'];

export const problemPage = new ProblemPage($('#screen-problem'), {
  onAction: (action, problem, login) => runProblemAction(action, problem, login),
  onCopy: (text) => copy(text),
});

export function show(name) {
  app.screen = name;
  $('#app').dataset.screen = name;
  for (const key of SCREENS) $(`#screen-${key.replace('_', '-')}`).hidden = key !== name;
  if (name !== 'problem') problemPage.hide();
  for (const nav of ['accounts', 'settings', 'activity']) {
    $(`#nav-${nav}`).setAttribute('aria-current', name === nav ? 'page' : 'false');
  }
  // The list draws only what its box shows: draw now that it has one.
  if (name === 'accounts') list.render();
}

/** What the problem page adds about one login among several. */
function loginNote(login) {
  if (app.state.logins.length < 2) return '';
  const alone = login.only
    ? `${plural(login.only, 'account', 'accounts')} only ${login.name} reaches ${login.only === 1 ? 'is' : 'are'} not refreshing.`
    : `No account depends on ${login.name} alone.`;
  return `${login.name}'s login. ${alone} The other logins still refresh the rest.`;
}

/** Chooses the screen from the state (unless the person is in Settings or Activity). */
export function route() {
  const { state } = app;
  if (app.screen === 'settings' || app.screen === 'activity') return;
  const chosen = app.problemOf && state.logins.find((l) => l.id === app.problemOf && l.problem);
  if (state.mode === 'unconfigured' && !state.connected && state.account_count === 0) {
    show('first_run');
  } else if (chosen) {
    show('problem');
    problemPage.show(chosen.problem, chosen.profile, loginNote(chosen), chosen.id);
  } else if (state.opens_problem_page && !app.showDataAnyway) {
    show('problem');
    const first = state.logins.find((l) => l.problem) || null;
    const note = state.logins.length > 1 ? 'Every Facebook login Adkeep has stopped working; this is the first one\'s reason.' : '';
    problemPage.show(state.problem, first && first.profile, note, first && first.id);
  } else {
    app.problemOf = null;
    show('accounts');
  }
}

/** Draws everything that follows the state (not the list: callers choose how). */
function renderState() {
  list.setNamesLogins(app.state.logins.length > 1);
  applyDensity(app.state.settings);
  renderHeader();
  renderCheckPlan();
  refreshActivityBadge();
  renderNotices();
  renderProgress(app.state.refresh);
  route();
}

export async function load() {
  app.state = await api.state();
  performance.mark('adkeep:state-read');
  app.accountsKey = app.state.accounts_key;
  list.setAll(app.state.accounts);
  renderSortHeads();
  fillSettings($('#settings-form'), app.state.settings);
  renderState();
  updateDetails();
}

let reloadTimer = null;

/** Re-reads the state shortly (several events in a row make one read). The
 * accounts come along only when they may read differently (`accounts_key`):
 * thousands of them are megabytes, and their changes arrive as events. */
export function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(async () => {
    const previousMode = app.state && app.state.mode;
    let next = await api.state(false);
    if (next.mode !== previousMode || next.accounts_key !== app.accountsKey) {
      next = await api.state();
      if (next.mode !== previousMode) list.setAll(next.accounts); else list.update(next.accounts);
      app.accountsKey = next.accounts_key;
    }
    app.state = next;
    renderState();
    updateDetails();
  }, 60);
}

Object.assign(screens, {
  reloadSoon, load, route, show,
});
