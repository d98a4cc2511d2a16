//! `adkeep refresh [ID…]`: refreshes every account (or those asked for),
//! then prints them. Exits 0 only when every reachable account was
//! refreshed and the listing ended.

use adkeep_core::Error;
use adkeep_core::graph::AccountId;
use adkeep_core::model::Reach;

use super::accounts::{print_accounts, sorted_views};
use super::args::{Only, Scope};
use super::terminal::warn;
use crate::backend::RefreshSummary;
use crate::views::AccountView;

/// `refresh [ID…]`: prints every account (or those asked for). A row this
/// run did not refresh carries the reason in its `error`; the status is 0
/// only when every reachable account was refreshed and the listing ended.
pub async fn run(ids: Vec<String>, only: Only, scope: Scope, json: bool) -> Result<i32, Error> {
    let mut wanted = Vec::with_capacity(ids.len());
    for raw in &ids {
        match AccountId::parse(raw) {
            Some(id) => wanted.push(id),
            None => {
                // A usage error, like an unknown flag.
                warn(&format!("{raw:?} is not an ad account id (act_123 or 123)"));
                return Ok(2);
            }
        }
    }
    let backend = super::open()?;
    let login = scope.resolve(&backend)?;
    let summary = if wanted.is_empty() {
        backend.refresh_all_of(login.clone()).await?
    } else {
        backend.refresh_accounts(&ids, login.as_ref()).await?
    };
    let asked = (!wanted.is_empty()).then_some(wanted.as_slice());
    let accounts = sorted_views(&backend, asked, login.as_ref());
    let fresh = all_fresh(&summary, &accounts);
    print_accounts(&only.filter(accounts), json)?;
    if let Some(problem) = &summary.problem {
        warn(&format!("{} — {}", problem.title, problem.explanation));
    }
    if summary.unreadable > 0 {
        warn(&format!(
            "{} listed account(s) could not be read; accounts were not marked as gone.",
            summary.unreadable
        ));
    }
    // Refreshed but not kept (a full disk): a script or a watcher must know.
    let troubles = backend.troubles();
    for trouble in &troubles {
        warn(trouble);
    }
    Ok(if fresh && troubles.is_empty() { 0 } else { 1 })
}

/// Every reachable row refreshed, nothing stopped the run.
fn all_fresh(summary: &RefreshSummary, accounts: &[AccountView]) -> bool {
    summary.problem.is_none()
        && !summary.cancelled
        && summary.listing_complete
        && summary.failed == 0
        && accounts
            .iter()
            .filter(|a| a.account.reach == Reach::Reachable)
            .all(|a| a.account.error.is_none())
}
