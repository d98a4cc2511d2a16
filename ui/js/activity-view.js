// The Activity screen's behaviour: loading the changes, its filters, the
// count of new changes on its tab.

import { $, app, screens } from './app-state.js';
import { api } from './ipc.js';
import { LOCALE, plural } from './format.js';
import { countNew, renderActivity } from './activity.js';
import { showError } from './messages.js';
import { list } from './accounts-view.js';

/** Shows the Activity view; `kind` narrows it (a notification's click: 'worse'). */
export async function showActivity({ kind } = {}) {
  const { activity, state } = app;
  activity.seenAt = state.settings.activity_seen_at || null;
  if (kind) {
    $('#activity-account').value = '';
    $('#activity-login').value = '';
    $('#activity-kind').value = kind;
  }
  screens.show('activity');
  try {
    activity.changes = await api.changes({ limit: 2000 });
  } catch (error) {
    activity.changes = [];
    showError(error);
  }
  const logins = $('#activity-login');
  logins.replaceChildren(new Option('All logins', ''), ...state.logins.map((l) => new Option(l.name, l.id)));
  renderActivityList();
  api.markActivitySeen().then(() => {
    state.settings.activity_seen_at = new Date().toISOString();
    $('#activity-new').hidden = true;
  }).catch(() => {});
}

export function renderActivityList() {
  const { activity, state } = app;
  const query = $('#activity-account').value.trim().toLowerCase();
  const login = $('#activity-login').value;
  const kind = $('#activity-kind').value;
  const reaches = (c) => c.login === login || (c.account_id && (list.get(c.account_id)?.logins || []).some((l) => l.id === login));
  const shown = activity.changes.filter((c) => (!query || `${c.account_name || ''} ${c.account_id || ''}`.toLowerCase().includes(query))
    && (!login || reaches(c))
    && (!kind || (kind === 'worse' ? c.worse : c.kind === kind)));
  const names = new Map(state.logins.map((l) => [l.id, l.name]));
  renderActivity($('#activity-list'), shown, { seenAt: activity.seenAt, loginName: (id) => names.get(id) || id });
  $('#activity-empty').hidden = shown.length > 0;
  const fresh = countNew(activity.changes, activity.seenAt);
  $('#activity-summary').textContent = `${plural(activity.changes.length, 'change', 'changes')} recorded${fresh ? ` · ${fresh.toLocaleString(LOCALE)} since you last looked` : ''}`;
}

/** The count of changes since the Activity view was last opened, on its tab. */
export async function refreshActivityBadge() {
  const seen = app.state.settings.activity_seen_at;
  if (!seen || app.screen === 'activity') return;
  try {
    const fresh = await api.changes({ since: seen, limit: 500 });
    const badge = $('#activity-new');
    badge.hidden = fresh.length === 0;
    badge.textContent = fresh.length >= 500 ? '500+' : String(fresh.length);
    badge.setAttribute('aria-label', `${fresh.length} new`);
  } catch {
    // No history: no badge.
  }
}

$('#activity-account').addEventListener('input', renderActivityList);
$('#activity-login').addEventListener('change', renderActivityList);
$('#activity-kind').addEventListener('change', renderActivityList);
