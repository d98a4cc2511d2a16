// The app's commands, listed once: build.rs registers them with the ACL and
// commands.rs exports them (capabilities/main.json must allow each).
&[
    "app_state",
    "refresh_account",
    "refresh_selected",
    "refresh_all",
    "set_aside",
    "restore_attention",
    "cancel_refresh",
    "enter_sandbox",
    "leave_sandbox",
    "save_settings",
    "dismiss_notice",
    "open_link",
    "reauthenticate",
    "confirm_switch_user",
    "disconnect",
    "set_app_secret",
    "clear_app_secret",
    "allow_plaintext_token",
]
