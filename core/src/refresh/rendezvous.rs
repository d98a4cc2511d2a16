//! Where the parts of a row meet.
//!
//! A row needs the account's fields, its last-30-days spend (v27.0 has no
//! field aliases, so that is a request of its own; the ad limit is asked
//! and handed over with it), and confirmation that this
//! run's listing reaches the account. They arrive from different places: the
//! listing brings fields and confirmation; the business discovery brings
//! confirmation only; a repeat run asks ahead, alongside the listing, for the
//! spend of every account it knows (and the fields of those it knows are
//! reached only through a business). Whichever part arrives last completes the
//! row, so the run costs about the listing's own round trips.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

use crate::ads::AdLimit;
use crate::api::wire::FetchedAccount;
use crate::graph::client::Reply;
use crate::graph::ids::AccountId;
use crate::problem::Problem;

/// The account's fields, or why they could not be read.
pub(super) type Fields = Result<FetchedAccount, Problem>;
/// The last-30-days insights reply, or why it failed.
pub(super) type Spend = Result<Reply<Value>, Problem>;
/// A row's parts, all here.
pub(super) struct Ready {
    pub id: AccountId,
    pub fields: Fields,
    pub spend: Spend,
    pub ad_limit: AdLimit,
}

/// One part of a row.
pub(super) enum Part {
    Fields(Fields),
    /// Fields read from a business edge ahead of the listing: used when the
    /// listing does not bring the account, replaced when it does.
    Prefilled(FetchedAccount),
    Spend(Spend),
    /// The ad limit: asked with the spend and handed over with it, so a
    /// row whose spend is in has it too.
    AdLimit(AdLimit),
    /// This run's listing reaches the account.
    Confirmed,
}

/// Parts of a confirmed row that nobody is fetching: the caller fetches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Need {
    pub id: AccountId,
    pub fields: bool,
    pub spend: bool,
}

/// What one arrival led to.
pub(super) enum Outcome {
    Ready(Box<Ready>),
    Needs(Need),
    Waiting,
}

#[derive(Default)]
pub(super) struct Rendezvous {
    slots: Mutex<HashMap<AccountId, Slot>>,
}

#[derive(Default)]
struct Slot {
    fields: Option<Fields>,
    /// `fields` came from a business edge, not from the listing or the node.
    prefilled: bool,
    spend: Option<Spend>,
    ad_limit: Option<AdLimit>,
    confirmed: bool,
    fields_coming: bool,
    spend_coming: bool,
    /// The row went out; later parts are ignored.
    done: bool,
}

impl Rendezvous {
    /// Records that the caller is fetching these parts ahead of confirmation.
    pub fn asked_ahead(&self, needs: &[Need]) {
        let mut slots = self.slots();
        for need in needs {
            let slot = slots.entry(need.id.clone()).or_default();
            slot.fields_coming |= need.fields;
            slot.spend_coming |= need.spend;
        }
    }

    /// The spend of each of `ids` that nobody has asked for yet, now counted
    /// as coming: the caller fetches it (an account found through a business
    /// before the listing reaches it needs its spend either way).
    pub fn claim_spend(&self, ids: impl IntoIterator<Item = AccountId>) -> Vec<Need> {
        let mut slots = self.slots();
        let mut needs = Vec::new();
        for id in ids {
            let slot = slots.entry(id.clone()).or_default();
            if slot.done || slot.spend.is_some() || slot.spend_coming {
                continue;
            }
            slot.spend_coming = true;
            needs.push(Need {
                id,
                fields: false,
                spend: true,
            });
        }
        needs
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<AccountId, Slot>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Hands over parts of a row. Confirming a row whose other parts nobody
    /// is fetching returns them as a `Need`, now counted as coming.
    pub fn arrive(&self, id: &AccountId, parts: impl IntoIterator<Item = Part>) -> Outcome {
        let mut slots = self.slots();
        let slot = slots.entry(id.clone()).or_default();
        if slot.done {
            return Outcome::Waiting;
        }
        for part in parts {
            match part {
                // The first fields win (a second copy is no newer), except
                // over fields read ahead from a business edge.
                Part::Fields(fields) => {
                    slot.fields_coming = false;
                    if slot.fields.is_none() || slot.prefilled {
                        slot.fields = Some(fields);
                        slot.prefilled = false;
                    }
                }
                Part::Prefilled(fetched) => {
                    if slot.fields.is_none() {
                        slot.fields = Some(Ok(fetched));
                        slot.prefilled = true;
                    }
                }
                Part::Spend(spend) => {
                    slot.spend_coming = false;
                    slot.spend.get_or_insert(spend);
                }
                Part::AdLimit(limit) => {
                    slot.ad_limit.get_or_insert(limit);
                }
                Part::Confirmed => slot.confirmed = true,
            }
        }
        if !slot.confirmed {
            return Outcome::Waiting;
        }
        if let (Some(_), Some(_)) = (&slot.fields, &slot.spend) {
            slot.done = true;
            return match (slot.fields.take(), slot.spend.take()) {
                (Some(fields), Some(spend)) => Outcome::Ready(Box::new(Ready {
                    id: id.clone(),
                    fields,
                    spend,
                    ad_limit: slot.ad_limit.take().unwrap_or_default(),
                })),
                _ => Outcome::Waiting,
            };
        }
        let need = Need {
            id: id.clone(),
            fields: slot.fields.is_none() && !slot.fields_coming,
            spend: slot.spend.is_none() && !slot.spend_coming,
        };
        if !need.fields && !need.spend {
            return Outcome::Waiting;
        }
        slot.fields_coming |= need.fields;
        slot.spend_coming |= need.spend;
        Outcome::Needs(need)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::decode_account;
    use crate::graph::usage::Usage;

    fn act(id: &str) -> AccountId {
        AccountId::parse(id).expect("an account id")
    }

    fn fields(id: &str) -> Part {
        Part::Fields(Ok(decode_account(
            &serde_json::json!({"id": id, "name": id, "currency": "USD"}),
            chrono::Utc::now(),
        )
        .expect("a minimal account decodes")))
    }

    fn spend() -> Part {
        Part::Spend(Ok(Reply {
            status: 200,
            body: serde_json::json!({"data": [{"spend": "1.00"}]}),
            usage: Usage::default(),
        }))
    }

    fn need(id: &str, fields: bool, spend: bool) -> Need {
        Need {
            id: act(id),
            fields,
            spend,
        }
    }

    fn is_ready(outcome: &Outcome) -> bool {
        matches!(outcome, Outcome::Ready(_))
    }

    fn needs(outcome: Outcome) -> Option<Need> {
        match outcome {
            Outcome::Needs(need) => Some(need),
            _ => None,
        }
    }

    #[test]
    fn a_listed_account_waits_for_spend_asked_ahead() {
        let meet = Rendezvous::default();
        meet.asked_ahead(&[need("act_1", false, true)]);
        let listed = meet.arrive(&act("act_1"), [fields("act_1"), Part::Confirmed]);
        assert!(matches!(listed, Outcome::Waiting));
        assert!(is_ready(&meet.arrive(&act("act_1"), [spend()])));
    }

    #[test]
    fn spend_asked_ahead_waits_for_the_listing() {
        let meet = Rendezvous::default();
        meet.asked_ahead(&[need("act_1", false, true)]);
        assert!(matches!(
            meet.arrive(&act("act_1"), [spend()]),
            Outcome::Waiting
        ));
        assert!(is_ready(
            &meet.arrive(&act("act_1"), [fields("act_1"), Part::Confirmed])
        ));
    }

    #[test]
    fn an_account_new_to_this_run_needs_its_spend_fetched_once() {
        let meet = Rendezvous::default();
        let outcome = meet.arrive(&act("act_2"), [fields("act_2"), Part::Confirmed]);
        assert_eq!(needs(outcome), Some(need("act_2", false, true)));
        // Now counted as coming: confirming again does not ask twice.
        assert!(matches!(
            meet.arrive(&act("act_2"), [Part::Confirmed]),
            Outcome::Waiting
        ));
        assert!(is_ready(&meet.arrive(&act("act_2"), [spend()])));
    }

    #[test]
    fn a_business_account_confirmed_alone_needs_fields_and_spend() {
        let meet = Rendezvous::default();
        let outcome = meet.arrive(&act("act_3"), [Part::Confirmed]);
        assert_eq!(needs(outcome), Some(need("act_3", true, true)));
    }

    #[test]
    fn a_known_business_account_asked_ahead_needs_only_confirmation() {
        let meet = Rendezvous::default();
        meet.asked_ahead(&[need("act_4", true, true)]);
        assert!(matches!(
            meet.arrive(&act("act_4"), [fields("act_4"), spend()]),
            Outcome::Waiting
        ));
        assert!(is_ready(&meet.arrive(&act("act_4"), [Part::Confirmed])));
    }

    #[test]
    fn spend_claimed_early_is_asked_once_and_the_fields_come_later() {
        let meet = Rendezvous::default();
        meet.asked_ahead(&[need("act_8", false, true)]);
        let claimed = meet.claim_spend([act("act_8"), act("act_9"), act("act_9")]);
        assert_eq!(
            claimed,
            vec![need("act_9", false, true)],
            "once, and not act_8's"
        );
        assert!(meet.claim_spend([act("act_9")]).is_empty());
        meet.arrive(&act("act_9"), [spend()]);
        // Reached only through the business: confirmed alone, it needs its fields only.
        let outcome = meet.arrive(&act("act_9"), [Part::Confirmed]);
        assert_eq!(needs(outcome), Some(need("act_9", true, false)));
        assert!(is_ready(&meet.arrive(&act("act_9"), [fields("act_9")])));
    }

    #[test]
    fn a_listed_account_whose_spend_was_claimed_early_is_not_asked_again() {
        let meet = Rendezvous::default();
        assert_eq!(meet.claim_spend([act("act_6")]).len(), 1);
        let listed = meet.arrive(&act("act_6"), [fields("act_6"), Part::Confirmed]);
        assert!(matches!(listed, Outcome::Waiting));
        assert!(is_ready(&meet.arrive(&act("act_6"), [spend()])));
    }

    #[test]
    fn the_listing_s_fields_win_over_those_read_ahead_from_a_business() {
        let meet = Rendezvous::default();
        let ahead = decode_account(
            &serde_json::json!({"id": "act_7", "name": "from the business", "currency": "USD"}),
            chrono::Utc::now(),
        )
        .unwrap();
        meet.arrive(&act("act_7"), [Part::Prefilled(ahead), spend()]);
        let Outcome::Ready(row) = meet.arrive(&act("act_7"), [fields("act_7"), Part::Confirmed])
        else {
            panic!("ready once listed");
        };
        assert_eq!(row.fields.unwrap().account.name, "act_7");
    }

    #[test]
    fn parts_of_an_unconfirmed_account_never_make_a_row() {
        let meet = Rendezvous::default();
        meet.asked_ahead(&[need("act_77", false, true)]);
        assert!(!is_ready(&meet.arrive(&act("act_77"), [spend()])));
        assert!(!is_ready(&meet.arrive(&act("act_77"), [fields("act_77")])));
    }

    #[test]
    fn a_row_goes_out_once_even_if_listed_twice() {
        let meet = Rendezvous::default();
        meet.asked_ahead(&[need("act_5", false, true)]);
        meet.arrive(&act("act_5"), [spend()]);
        assert!(is_ready(
            &meet.arrive(&act("act_5"), [fields("act_5"), Part::Confirmed])
        ));
        let again = meet.arrive(&act("act_5"), [fields("act_5"), Part::Confirmed]);
        assert!(matches!(again, Outcome::Waiting));
    }
}
