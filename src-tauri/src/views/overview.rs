//! Health at a glance, in words: the tray's icon level, its tooltip and its
//! status line ("2 logins ok, Jane Doe's expires in 3 days · 3 blocked").

use serde::Serialize;

use adkeep_core::session;

use super::state::{LoginView, login_views};
use crate::backend::{ActiveMode, Backend, TokenWarning};

/// The app's health at a glance (the tray icon, its tooltip and status line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    Attention,
    Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overview {
    pub level: Level,
    /// The menu's status line.
    pub status: String,
    pub tooltip: String,
}

/// Health at a glance, for the tray: every login ("2 logins ok, Jane
/// Doe's expires in 3 days"), the accounts that need attention, and when
/// the list was last refreshed.
pub fn overview(backend: &Backend) -> Overview {
    let (problem, logins, empty, last) = {
        let book = backend.session().snapshot();
        let last = book.last_full_refresh.map_or_else(
            || "not refreshed yet".to_owned(),
            |t| format!("refreshed {}", local_time(t)),
        );
        let problem = book
            .every_login_broken()
            .cloned()
            .filter(session::opens_problem_page);
        (problem, login_views(backend, &book), book.is_empty(), last)
    };
    if let Some(problem) = problem {
        return broken(&problem, logins.len());
    }
    let (mut parts, logins_need_you) = logins_summary(&logins);
    let counts = backend.attention_counts();
    parts.extend(money_at_risk(backend.money_at_risk()));
    let level = if logins_need_you || counts.blocking + counts.warning > 0 {
        Level::Attention
    } else {
        Level::Ok
    };
    parts.extend(counts.summary());
    if parts.is_empty() {
        parts.push(nothing_to_say(empty, backend.mode()).to_owned());
    }
    parts.push(last);
    if let (_, Some(next)) = backend.check_plan() {
        parts.push(format!("next check {}", local_time(next)));
    }
    if backend.refresh_status().running {
        parts.insert(0, "Refreshing…".to_owned());
    }
    let status = parts.join(" · ");
    Overview {
        level,
        tooltip: format!("Adkeep — {status}"),
        status,
    }
}

/// Every login is broken: the problem is all there is to say.
fn broken(problem: &adkeep_core::problem::Problem, logins: usize) -> Overview {
    let status = if logins == 1 {
        format!("Problem: {}", problem.title)
    } else {
        format!("Problem: every login is broken ({})", problem.title)
    };
    Overview {
        level: Level::Problem,
        tooltip: format!("Adkeep — {}", status.trim_start_matches("Problem: ")),
        status,
    }
}

fn money_at_risk(accounts: usize) -> Option<String> {
    let runs = if accounts == 1 {
        "account runs"
    } else {
        "accounts run"
    };
    (accounts > 0).then(|| format!("{accounts} {runs} out of money soon"))
}

fn nothing_to_say(empty: bool, mode: ActiveMode) -> &'static str {
    match (empty, mode) {
        (true, ActiveMode::Unconfigured) => "Not connected yet",
        (true, _) => "No ad accounts yet",
        (false, _) => "Nothing needs you",
    }
}

fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::Local).format("%H:%M").to_string()
}

/// The logins in a few words ("2 logins ok, Jane Doe's expires in 3 days",
/// "Sam Lee's login expired"), and whether any needs the person.
fn logins_summary(logins: &[LoginView]) -> (Vec<String>, bool) {
    let mut parts = Vec::new();
    let mut ok = 0;
    for login in logins {
        let days = login
            .token
            .as_ref()
            .filter(|t| t.warning != TokenWarning::None)
            .map(|t| t.days_left.unwrap_or(0).max(0));
        match (&login.problem, days) {
            (Some(problem), _) if login.broken => {
                parts.push(format!("{}'s {}", login.name, problem.reason.of_login()));
            }
            (_, Some(days)) if logins.len() == 1 => {
                parts.push(format!("Login expires in {days} days"));
            }
            (_, Some(days)) => parts.push(format!("{}'s expires in {days} days", login.name)),
            _ => ok += 1,
        }
    }
    let need_you = !parts.is_empty();
    if logins.len() > 1 && ok > 0 {
        parts.insert(
            0,
            format!("{ok} login{} ok", if ok == 1 { "" } else { "s" }),
        );
    }
    let summary = (!parts.is_empty()).then(|| parts.join(", "));
    (summary.into_iter().collect(), need_you)
}
