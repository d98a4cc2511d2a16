// The settings screen: the Meta app, the login method, behaviour.

export function fillSettings(form, settings) {
  form.querySelector('#set-app-id').value = settings.app_id || '';
  form.querySelector('#set-config-id').value = settings.config_id || '';
  form.querySelector('#set-login-method').value = settings.login_method || 'popup';
  form.querySelector('#set-api-version').value = settings.api_version || 'v27.0';
  form.querySelector('#set-notifications').checked = Boolean(settings.notifications);
  form.querySelector('#set-close-to-tray').checked = Boolean(settings.close_to_tray);
  form.querySelector('#set-launch-at-login').checked = Boolean(settings.launch_at_login);
  form.querySelector('#set-check-updates').checked = settings.check_updates !== false;
  form.querySelector('#set-check-every').value = settings.check_every_hours ? String(settings.check_every_hours) : '';
  const alerts = settings.money_alerts || { warn_days: 3, urgent_days: 1, stopped_spending: true };
  form.querySelector('#set-warn-days').value = String(alerts.warn_days);
  form.querySelector('#set-urgent-days').value = String(alerts.urgent_days);
  form.querySelector('#set-stopped-spending').checked = Boolean(alerts.stopped_spending);
  const muted = new Set(settings.muted_attention || []);
  for (const box of form.querySelectorAll('#muted-attention input[type=checkbox]')) {
    box.checked = muted.has(box.value);
  }
}

export function readSettings(form, current) {
  return {
    ...current,
    app_id: form.querySelector('#set-app-id').value.trim(),
    config_id: form.querySelector('#set-config-id').value.trim(),
    login_method: form.querySelector('#set-login-method').value,
    api_version: form.querySelector('#set-api-version').value.trim(),
    notifications: form.querySelector('#set-notifications').checked,
    close_to_tray: form.querySelector('#set-close-to-tray').checked,
    launch_at_login: form.querySelector('#set-launch-at-login').checked,
    check_updates: form.querySelector('#set-check-updates').checked,
    check_every_hours: form.querySelector('#set-check-every').value ? Number(form.querySelector('#set-check-every').value) : null,
    muted_attention: [...form.querySelectorAll('#muted-attention input:checked')].map((box) => box.value),
    money_alerts: {
      warn_days: wholeDays(form.querySelector('#set-warn-days').value),
      urgent_days: wholeDays(form.querySelector('#set-urgent-days').value),
      stopped_spending: form.querySelector('#set-stopped-spending').checked,
    },
  };
}

/** A day count as typed (the backend checks the range and says what is wrong). */
function wholeDays(raw) {
  const n = Number.parseInt(String(raw).trim(), 10);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}
