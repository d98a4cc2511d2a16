// Updates: "Check for updates" in Settings, and a quiet check at start (when
// the setting allows). Installing happens only after the backend verified the
// update's signature; a refused update says why and nothing changes.

import { api } from './ipc.js';

const $ = (css) => document.querySelector(css);

function say(text) {
  $('#update-status').textContent = text;
}

/**
 * Asks for a newer Adkeep. `quiet`: at start, saying nothing unless there is
 * one (then `tell` gets a line for the notices).
 */
export async function checkForUpdates({ quiet = false, tell = () => {} } = {}) {
  const install = $('#install-update');
  if (!quiet) say('Checking…');
  try {
    const found = await api.checkUpdate();
    install.hidden = !found.available;
    if (found.available) {
      say(`Adkeep ${found.available} is available (you have ${found.current}).${found.notes ? ` ${found.notes}` : ''}`);
      if (quiet) tell(`Adkeep ${found.available} is available: install it from Settings → Updates.`);
    } else {
      say(`Adkeep ${found.current} is the newest version.`);
    }
  } catch (error) {
    install.hidden = true;
    if (!quiet) say(error && error.message ? error.message : String(error));
  }
}

/** Downloads, verifies and installs; Adkeep restarts when it worked. */
export async function installUpdate() {
  const install = $('#install-update');
  install.disabled = true;
  say('Downloading and checking the signature…');
  try {
    await api.installUpdate();
    say('Installed. Adkeep restarts…');
  } catch (error) {
    say(error && error.message ? error.message : String(error));
  } finally {
    install.disabled = false;
  }
}
