//! Assembling rows: the parts a row lacks are fetched in batches, handed to
//! the rendezvous, and a row whose parts are all in is finished (its
//! last-30-days spend added, datasets beyond the first page read).

use chrono::Utc;
use futures::StreamExt;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::jobs::Job;
use super::pages::{Pager, Start};
use super::rendezvous::{Need, Outcome, Part, Rendezvous};
use super::stop::Stop;
use super::{Engine, RowUpdate};
use crate::ads::{AdCounts, AdLimit, Counter};
use crate::api::calls;
use crate::api::wire::{self, DatasetWire, FetchedAccount, More};
use crate::api::wire_ads::{self, AdWire};
use crate::api::wire_money;
use crate::forecast::{self, Funds};
use crate::graph::ids::AccountId;
use crate::model::{Account, FieldError};
use crate::problem::Scope;

/// Parts of rows, by account, as they arrive.
pub(super) type Arrivals = Vec<(AccountId, Vec<Part>)>;

impl Engine {
    /// Hands parts of rows to `meet`, fetches what confirmed rows still
    /// lack, and returns the rows that are now complete.
    pub(super) async fn gather(
        &self,
        mut arrivals: Arrivals,
        meet: &Rendezvous,
        cancel: &CancellationToken,
    ) -> Result<Vec<RowUpdate>, Stop> {
        let mut ready = Vec::new();
        loop {
            let mut needs = Vec::new();
            for (id, parts) in arrivals.drain(..) {
                match meet.arrive(&id, parts) {
                    Outcome::Ready(row) => ready.push(*row),
                    Outcome::Needs(need) => needs.push(need),
                    Outcome::Waiting => {}
                }
            }
            if needs.is_empty() {
                break;
            }
            arrivals = self.fetch_parts(&needs, cancel).await?;
        }
        let mut rows = Vec::with_capacity(ready.len());
        for row in ready {
            rows.push(match (row.fields, row.spend) {
                (Err(problem), _) => RowUpdate::Failed {
                    id: row.id,
                    problem,
                    listed: None,
                },
                (Ok(fetched), Err(problem)) => RowUpdate::Failed {
                    id: row.id,
                    problem,
                    listed: Some(Box::new(fetched.account)),
                },
                (Ok(fetched), Ok(insights)) => {
                    self.completed_row(fetched, &insights.body, row.ad_limit, cancel)
                        .await?
                }
            });
        }
        self.prepaid_funds(&mut rows, cancel).await?;
        Ok(rows)
    }

    /// Reads the remaining funds of the prepaid accounts among `rows`, in
    /// one batch. Without the Admin role Meta refuses (and may fail the whole
    /// request), so those are not asked: they say it needs the Admin role.
    async fn prepaid_funds(
        &self,
        rows: &mut [RowUpdate],
        cancel: &CancellationToken,
    ) -> Result<(), Stop> {
        let mut asked = Vec::new();
        for (i, row) in rows.iter_mut().enumerate() {
            let RowUpdate::Refreshed(account) = row else {
                continue;
            };
            if account.funds != Funds::NeedsAdmin {
                continue;
            }
            if account.tasks.iter().any(|t| t == "MANAGE") {
                asked.push(i);
            }
        }
        for chunk in asked.chunks(crate::graph::MAX_BATCH) {
            let jobs = chunk
                .iter()
                .filter_map(|&i| match &rows[i] {
                    RowUpdate::Refreshed(a) => Some(Job::funding(&a.id)),
                    RowUpdate::Failed { .. } => None,
                })
                .collect();
            let results = match self.run_jobs(jobs, cancel).await {
                Ok(results) => results,
                Err(Stop::Failed(problem)) if problem.scope != Scope::Token => {
                    vec![Err(problem); chunk.len()]
                }
                Err(stop) => return Err(stop),
            };
            for (&i, result) in chunk.iter().zip(results) {
                if let RowUpdate::Refreshed(account) = &mut rows[i] {
                    account.funds = funds_from(result, &account.currency);
                }
            }
        }
        Ok(())
    }

    /// Fetches parts of rows: the account node, the last-30-days insights,
    /// or both, in as few batches as fit. A failure that does not end the
    /// run becomes the failure of each part.
    pub(super) async fn fetch_parts(
        &self,
        needs: &[Need],
        cancel: &CancellationToken,
    ) -> Result<Arrivals, Stop> {
        let mut jobs = Vec::with_capacity(needs.len() * 2);
        for need in needs {
            if need.fields {
                jobs.push(Job::node(&need.id));
            }
            if need.spend {
                jobs.push(Job::spend(&need.id));
                jobs.push(Job::ad_volume(&need.id));
            }
        }
        let count = jobs.len();
        let mut results = match self.run_jobs(jobs, cancel).await {
            Ok(results) => results.into_iter(),
            Err(Stop::Failed(problem)) if problem.scope != Scope::Token => {
                vec![Err(problem); count].into_iter()
            }
            Err(stop) => return Err(stop),
        };
        let mut next = || {
            results
                .next()
                .unwrap_or_else(|| Err(self.unreadable_problem("no result")))
        };
        let mut arrivals = Vec::with_capacity(needs.len());
        for need in needs {
            let mut parts = Vec::with_capacity(2);
            if need.fields {
                let node = next().and_then(|node| {
                    wire::decode_account(&node.body, Utc::now())
                        .map_err(|e| self.unreadable_problem(&e.to_string()))
                });
                parts.push(Part::Fields(node));
            }
            if need.spend {
                parts.push(Part::Spend(next()));
                let volume = next();
                parts.push(Part::AdLimit(wire_ads::ad_limit(
                    volume.as_ref().map(|reply| &reply.body),
                )));
            }
            arrivals.push((need.id.clone(), parts));
        }
        Ok(arrivals)
    }

    /// The finished row for an account, or its failure; only a failure that
    /// ends the run is an `Err`.
    async fn completed_row(
        &self,
        fetched: FetchedAccount,
        insights: &Value,
        ad_limit: AdLimit,
        cancel: &CancellationToken,
    ) -> Result<RowUpdate, Stop> {
        let mut account = fetched.account;
        add_daily_spend(&mut account, insights, Utc::now());
        if ad_limit == AdLimit::Unreadable {
            account.field_errors.push(FieldError::new(
                "ad_limit",
                "the ad limit could not be read",
            ));
        }
        account.ads.limit = ad_limit;
        if let Some((counter, more)) = fetched.more_ads {
            self.more_ads(&mut account, counter, more, cancel).await?;
        }
        if fetched.prepaid {
            // Until its funding source is read (`prepaid_funds`).
            account.funds = Funds::NeedsAdmin;
        }
        if let Some(more) = fetched.more_datasets {
            self.more_datasets(&mut account, more, cancel).await?;
        }
        Ok(RowUpdate::Refreshed(Box::new(account)))
    }

    /// Datasets beyond the first nested page. If they cannot all be read the
    /// row still refreshes, saying its datasets are incomplete.
    async fn more_datasets(
        &self,
        account: &mut Account,
        more: More,
        cancel: &CancellationToken,
    ) -> Result<(), Stop> {
        let id = account.id.clone();
        let start = match more.after {
            Some(after) => Start::Call(calls::datasets(&id).after(&after)),
            None => Start::Link(more.next),
        };
        let pages = self.pages::<DatasetWire>(start, Pager::token_wide(cancel).about(&id));
        futures::pin_mut!(pages);
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => account.datasets.extend(wire::dataset_page(&page)),
                Err(stop) if stop.ends_run() => return Err(stop),
                Err(_) => {
                    account.field_errors.push(FieldError::new(
                        "datasets",
                        "only some of the datasets could be read",
                    ));
                    break;
                }
            }
        }
        Ok(())
    }
}

impl Engine {
    /// Ads held back beyond the nested page, up to `ads::MAX_COUNTED`. A
    /// page that cannot be read leaves the counts "at least" what was read.
    async fn more_ads(
        &self,
        account: &mut Account,
        mut counter: Counter,
        more: More,
        cancel: &CancellationToken,
    ) -> Result<(), Stop> {
        let id = account.id.clone();
        let start = match more.after {
            Some(after) => Start::Call(calls::held_back_ads(&id, counter.room()).after(&after)),
            None => Start::Link(more.next),
        };
        let pages = self.pages::<AdWire>(start, Pager::token_wide(cancel).about(&id));
        futures::pin_mut!(pages);
        let mut complete = false;
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => {
                    let goes_on = wire_ads::count_page(&mut counter, &page).is_some();
                    if !goes_on {
                        complete = page.skipped == 0;
                        break;
                    }
                    if !counter.wants_more() {
                        break;
                    }
                }
                Err(stop) if stop.ends_run() => return Err(stop),
                Err(_) => {
                    account
                        .field_errors
                        .push(FieldError::new("ads", "only some of the ads could be read"));
                    break;
                }
            }
        }
        account.ads.counts = AdCounts::Counted(counter.finish(complete));
        Ok(())
    }
}

/// The last 30 days' total and the last 7 complete days (in the account's
/// own day) from a daily insights reply; what cannot be read exactly is a
/// field error, never zero.
fn add_daily_spend(account: &mut Account, insights: &Value, now: chrono::DateTime<Utc>) {
    match wire_money::daily_spend(insights, &account.currency) {
        Ok(daily) if !daily.partial => {
            match daily.total(&account.currency) {
                Ok(total) => account.spend_last_30d = Some(total),
                Err(e) => account
                    .field_errors
                    .push(FieldError::new("spend_last_30d", e.to_string())),
            }
            let today = forecast::local_today(now, account.utc_offset_minutes);
            account.spend_daily = forecast::complete_days(today, &daily.days);
        }
        Ok(_) => {
            for field in ["spend_last_30d", "spend_daily"] {
                account.field_errors.push(FieldError::new(
                    field,
                    "only part of the days could be read",
                ));
            }
        }
        Err(e) => {
            for field in ["spend_last_30d", "spend_daily"] {
                account
                    .field_errors
                    .push(FieldError::new(field, e.to_string()));
            }
        }
    }
}

/// What a funding-source read says about a prepaid account's funds.
fn funds_from(result: super::jobs::JobResult, currency: &str) -> Funds {
    match result {
        Ok(reply) => wire_money::prepaid_funds(reply.body.get("funding_source_details"), currency),
        // Refused: Meta answers code 100 ("Unsupported request") or a
        // permission error when the role is not enough.
        Err(problem) if matches!(problem.code, Some(100 | 200 | 10 | 278)) => Funds::NeedsAdmin,
        Err(_) => Funds::Unreadable,
    }
}
