// The window's state, in one place: what the backend last said, which screen
// shows, and what the person opened or chose. Modules read and set it here
// instead of keeping their own module-level variables.

export const $ = (selector) => document.querySelector(selector);

export const app = {
  /** The backend's `app_state` as last read (its accounts are in the list). */
  state: null,
  /** The `accounts_key` of the views the list holds. */
  accountsKey: null,
  /** 'loading', 'first_run', 'accounts', 'problem', 'settings' or 'activity'. */
  screen: 'loading',
  /** The person chose to see the last data despite a broken login. */
  showDataAnyway: false,
  /** A login whose problem the person asked to see ("What happened"). */
  problemOf: null,
  /** Notices the window itself raised (the backend's come with the state). */
  localNotices: [],
  /** Every notice shown, or only the most severe with "+N more". */
  noticesExpanded: false,
  /** A refresh-all was running at the last progress report. */
  refreshing: false,
  /** The login a dialog (remove, rename) is about. */
  removing: null,
  renaming: null,
  /** The alert destinations Settings shows, as last read. */
  alerts: [],
  /** The changes the Activity view shows, as loaded, and when the person last looked. */
  activity: { changes: [], seenAt: null },
};

/** What the modules below ask of `sync.js` at the top (it fills these in
 * when it loads): they call these rather than import it, so no module
 * imports one that imports it back. */
export const screens = {
  /** Re-read the state shortly (several requests make one read). */
  reloadSoon: () => {},
  /** Read the whole state now. */
  load: async () => {},
  /** Choose the screen from the state. */
  route: () => {},
  /** Show one screen by name. */
  show: (_name) => {},
};

let said = [];

/** Says something to screen readers through the window's one polite live
 * region (repeats too; what is said in the same moment is said together). */
export function announce(text) {
  if (!text || said.includes(text)) return;
  said.push(text);
  if (said.length > 1) return;
  const live = $('#live');
  live.textContent = '';
  requestAnimationFrame(() => {
    live.textContent = said.join('. ');
    said = [];
  });
}
