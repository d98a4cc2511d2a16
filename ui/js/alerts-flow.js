// Settings → Alerts: loading the destinations, the add/edit dialog, "Send a
// test" and removing one. Secrets typed here go to the keychain; an edit
// shows none of them again (left empty, the kept one stays).

import { $, announce, app, screens } from './app-state.js';
import { api, errorText } from './ipc.js';
import { renderAlertList } from './alerts.js';
import { showError } from './messages.js';

let editing = null;

function loginName(id) {
  const login = app.state.logins.find((l) => l.id === id);
  return login ? login.name : id;
}

/** Reads the destinations and draws the list. */
export async function loadAlerts() {
  try {
    app.alerts = await api.alertDestinations();
  } catch (error) {
    app.alerts = [];
    $('#alert-status').textContent = errorText(error);
  }
  renderAlertList(app.alerts, $('#alert-list'), $('#alert-empty'), loginName);
}

function showKindFields(kind) {
  for (const field of document.querySelectorAll('#alert-form [data-kinds]')) {
    field.hidden = !field.dataset.kinds.split(' ').includes(kind);
  }
  const secretUrl = kind === 'slack' || kind === 'teams';
  $('#alert-url').type = secretUrl ? 'password' : 'url';
  $('#alert-url-label').textContent = kind === 'webhook' ? 'Webhook URL (https://)' : 'Webhook URL';
  $('#alert-url').placeholder = {
    slack: 'https://hooks.slack.com/services/…',
    teams: 'https://….logic.azure.com/workflows/…',
    webhook: 'https://hooks.example.com/adkeep',
  }[kind] || '';
}

function renderLoginChoices(chosen) {
  const box = $('#alert-logins');
  box.hidden = app.state.logins.length < 2;
  for (const old of box.querySelectorAll('label')) old.remove();
  for (const login of app.state.logins) {
    const label = document.createElement('label');
    label.className = 'check';
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.value = login.id;
    input.checked = chosen.includes(login.id);
    label.append(input, document.createTextNode(` ${login.name}`));
    box.append(label);
  }
}

/** Opens the dialog empty (a new destination) or on `alert` (an edit). */
export function openAlertDialog(alert = null) {
  editing = alert;
  const form = alert ? alert.form : {};
  const rules = alert ? alert.rules : { min_severity: 'blocking', logins: [], send_resolved: true, remind_after_secs: null };
  $('#alert-dialog-title').textContent = alert ? 'Edit the destination' : 'Add a destination';
  $('#alert-kind').value = alert ? alert.kind : 'slack';
  $('#alert-kind').disabled = Boolean(alert);
  $('#alert-url').value = form.url || '';
  $('#alert-secret').value = '';
  $('#alert-secret').placeholder = form.has_secret ? 'Kept: type a new one to replace it' : '';
  $('#alert-password').value = '';
  $('#alert-password').placeholder = form.has_secret ? 'Kept: type a new one to replace it' : '';
  $('#alert-smtp').value = form.smtp || '';
  $('#alert-to').value = (form.to || []).join(', ');
  $('#alert-from').value = form.from || '';
  $('#alert-user').value = form.user || '';
  $('#alert-severity').value = rules.min_severity;
  $('#alert-resolved').checked = rules.send_resolved;
  $('#alert-remind').value = rules.remind_after_secs ? String(rules.remind_after_secs) : '';
  renderLoginChoices(rules.logins);
  const secretUrl = alert && (alert.kind === 'slack' || alert.kind === 'teams');
  $('#alert-error').hidden = true;
  showKindFields($('#alert-kind').value);
  if (secretUrl) $('#alert-url').placeholder = 'Kept: paste a new one to replace it';
  $('#alert-dialog').showModal();
}

function readForm() {
  const remind = $('#alert-remind').value;
  return {
    id: editing ? editing.id : null,
    kind: $('#alert-kind').value,
    url: $('#alert-url').value.trim(),
    secret: $('#alert-secret').value,
    smtp: $('#alert-smtp').value.trim(),
    to: $('#alert-to').value.split(',').map((a) => a.trim()).filter(Boolean),
    from: $('#alert-from').value.trim(),
    user: $('#alert-user').value.trim(),
    password: $('#alert-password').value,
    rules: {
      min_severity: $('#alert-severity').value,
      logins: [...document.querySelectorAll('#alert-logins input:checked')].map((box) => box.value),
      accounts: editing ? editing.rules.accounts : [],
      send_resolved: $('#alert-resolved').checked,
      remind_after_secs: remind ? Number(remind) : null,
    },
  };
}

export async function saveAlert() {
  const error = $('#alert-error');
  error.hidden = true;
  try {
    const saved = await api.saveAlertDestination(readForm());
    $('#alert-dialog').close();
    announce(`Saved. ${saved.target}`);
    $('#alert-status').textContent = `Saved: ${saved.target}. Send a test to check it.`;
    await loadAlerts();
    screens.reloadSoon();
  } catch (e) {
    error.textContent = errorText(e);
    error.hidden = false;
  }
}

export async function testAlert(target) {
  const status = $('#alert-status');
  target.disabled = true;
  status.textContent = 'Sending a test…';
  try {
    status.textContent = await api.testAlertDestination(target.dataset.alert);
  } catch (e) {
    status.textContent = errorText(e);
  } finally {
    target.disabled = false;
    announce(status.textContent);
    await loadAlerts();
  }
}

export async function removeAlert(target) {
  const alert = (app.alerts || []).find((a) => a.id === target.dataset.alert);
  if (!alert) return;
  try {
    await api.removeAlertDestination(alert.id);
    $('#alert-status').textContent = `Removed ${alert.target}.`;
    await loadAlerts();
    screens.reloadSoon();
  } catch (e) {
    showError(e);
  }
}

export function editAlert(target) {
  const alert = (app.alerts || []).find((a) => a.id === target.dataset.alert);
  if (alert) openAlertDialog(alert);
}

export function onKindChange() {
  showKindFields($('#alert-kind').value);
}
