// The settings screen: the Meta app, the login method, behaviour.

export function fillSettings(form, settings) {
  form.querySelector('#set-app-id').value = settings.app_id || '';
  form.querySelector('#set-config-id').value = settings.config_id || '';
  form.querySelector('#set-login-method').value = settings.login_method || 'popup';
  form.querySelector('#set-api-version').value = settings.api_version || 'v27.0';
  form.querySelector('#set-notifications').checked = Boolean(settings.notifications);
  form.querySelector('#set-close-to-tray').checked = Boolean(settings.close_to_tray);
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
    muted_attention: [...form.querySelectorAll('#muted-attention input:checked')].map((box) => box.value),
  };
}
