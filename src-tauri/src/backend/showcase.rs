//! The sandbox's first listing sets aside what `graph_double::sandbox`
//! names: one reason acknowledged, one snoozed, so a newcomer sees how
//! attention that was dealt with looks (and can show it again).

use chrono::Utc;

use adkeep_core::graph::AccountId;

use super::Backend;

impl Backend {
    pub(super) fn showcase_set_aside(&self) {
        let now = Utc::now();
        let alerts = self.settings().money_alerts;
        let mut book = self.session.book();
        for (raw, kind, days) in graph_double::sandbox::set_aside_showcase() {
            let Some(id) = AccountId::parse(&raw) else {
                continue;
            };
            let key = book.get(&id).and_then(|account| {
                account
                    .attention(now, &alerts)
                    .iter()
                    .map(|a| a.key())
                    .find(|k| k.split(':').next() == Some(kind))
            });
            if let Some(key) = key {
                let until = days.map(|d| now + chrono::Duration::days(i64::from(d)));
                book.dismiss(&id, &key, until, now, &alerts);
            }
        }
    }
}
