// The notice line above the list: the backend's notices and the window's
// own (errors from commands, outcomes), with dismissing and "+N more".

import { $, announce, app } from './app-state.js';
import { api, errorText } from './ipc.js';
import { renderNotices as drawNotices } from './notices.js';

/** Notices already said to screen readers. */
const told = new Set();

export function renderNotices() {
  const notices = [...app.state.notices, ...app.localNotices];
  for (const n of notices) {
    if (told.has(n.id)) continue;
    told.add(n.id);
    announce(n.text);
  }
  drawNotices($('#notices'), notices, {
    expanded: app.noticesExpanded,
    onDismiss: (n) => {
      if (n.id.startsWith('local-')) {
        app.localNotices = app.localNotices.filter((l) => l.id !== n.id);
        renderNotices();
      } else {
        api.dismissNotice(n.id);
      }
    },
    onToggle: (expanded) => {
      app.noticesExpanded = expanded;
      renderNotices();
    },
  });
}

/** A notice of the window's own; the newest four are kept. */
export function addNotice(level, text) {
  const id = `local-${Date.now()}-${app.localNotices.length}`;
  app.localNotices = [...app.localNotices, { id, level, text }].slice(-4);
  renderNotices();
}

export function showError(error) {
  if (error && error.kind === 'not_connected') {
    announce('Log in with Facebook first: use Reauthenticate.');
  }
  addNotice('error', errorText(error));
}
