//! Which links Adkeep opens in the system browser: Facebook's own pages, and
//! pages of the Facebook base Adkeep is configured with (the Graph double in
//! tests and the sandbox).

use serde::Deserialize;
use url::Url;

use adkeep_core::graph::ids::AccountId;

/// A page about one ad account on Facebook, opened from its details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountPage {
    /// Ads Manager's campaigns for the account.
    AdsManager,
    /// Ads Manager's billing (payment methods, transactions).
    Billing,
    /// Account Quality (disabled accounts, restrictions, appeals).
    AccountQuality,
    /// Ads Manager's ads, filtered to those disapproved in review.
    DisapprovedAds,
}

/// Ads Manager's filter for ads its delivery column calls "Rejected"
/// (disapproved). UNVERIFIED: taken from Ads Manager's own share links, not
/// from a documented contract; if Ads Manager ignores it, the page shows the
/// account's ads unfiltered.
const DISAPPROVED_FILTER: &str = "DELIVERY_STATUS-STRING_SET\u{1e}IN\u{1e}[\"rejected\"]";

/// The page on the configured Facebook site (`act=` is the account's number).
pub fn account_page(base: &Url, account: &AccountId, page: AccountPage) -> Option<Url> {
    let path = match page {
        AccountPage::AdsManager => "adsmanager/manage/campaigns",
        AccountPage::Billing => "ads/manager/billing/transactions/",
        AccountPage::AccountQuality => "accountquality/",
        AccountPage::DisapprovedAds => "adsmanager/manage/ads",
    };
    let mut url = base.join(path).ok()?;
    url.query_pairs_mut()
        .append_pair("act", account.as_str().trim_start_matches("act_"));
    if page == AccountPage::DisapprovedAds {
        url.query_pairs_mut()
            .append_pair("filter_set", DISAPPROVED_FILTER);
    }
    Some(url)
}

pub fn is_allowed(raw: &str, facebook_base: &Url) -> bool {
    let Ok(url) = Url::parse(raw) else {
        return false;
    };
    let facebook_host = |host: &str| {
        host == "facebook.com"
            || host.ends_with(".facebook.com")
            || host == "fb.com"
            || host.ends_with(".meta.com")
    };
    if url.scheme() == "https" && url.host_str().is_some_and(facebook_host) {
        return true;
    }
    matches!(url.scheme(), "http" | "https") && url.origin() == facebook_base.origin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_pages_stay_on_the_configured_site() {
        let meta = Url::parse("https://www.facebook.com/").unwrap();
        let id = AccountId::parse("act_1234").unwrap();
        let ads = account_page(&meta, &id, AccountPage::AdsManager).unwrap();
        assert_eq!(
            ads.as_str(),
            "https://www.facebook.com/adsmanager/manage/campaigns?act=1234"
        );
        let billing = account_page(&meta, &id, AccountPage::Billing).unwrap();
        assert_eq!(
            billing.as_str(),
            "https://www.facebook.com/ads/manager/billing/transactions/?act=1234"
        );
        let double = Url::parse("http://127.0.0.1:4100/").unwrap();
        let quality = account_page(&double, &id, AccountPage::AccountQuality).unwrap();
        assert_eq!(
            quality.as_str(),
            "http://127.0.0.1:4100/accountquality/?act=1234"
        );
        let disapproved = account_page(&meta, &id, AccountPage::DisapprovedAds).unwrap();
        assert_eq!(
            disapproved.as_str(),
            "https://www.facebook.com/adsmanager/manage/ads?act=1234&filter_set=DELIVERY_STATUS-STRING_SET%1EIN%1E%5B%22rejected%22%5D"
        );
        for page in [
            AccountPage::AdsManager,
            AccountPage::Billing,
            AccountPage::AccountQuality,
            AccountPage::DisapprovedAds,
        ] {
            assert!(is_allowed(
                account_page(&meta, &id, page).unwrap().as_str(),
                &meta
            ));
        }
    }

    #[test]
    fn only_facebook_pages_open() {
        let meta = Url::parse("https://www.facebook.com/").unwrap();
        assert!(is_allowed("https://www.facebook.com/accountquality", &meta));
        assert!(is_allowed("https://business.facebook.com/settings", &meta));
        assert!(!is_allowed("http://www.facebook.com/", &meta));
        assert!(!is_allowed("https://evil.example/facebook.com", &meta));
        assert!(!is_allowed("https://facebook.com.evil.example/", &meta));
        assert!(!is_allowed("javascript:alert(1)", &meta));
        assert!(!is_allowed("file:///etc/passwd", &meta));
    }

    #[test]
    fn the_configured_base_is_allowed_and_nothing_else_local() {
        let double = Url::parse("http://127.0.0.1:4100/").unwrap();
        assert!(is_allowed("http://127.0.0.1:4100/accountquality", &double));
        assert!(!is_allowed("http://127.0.0.1:9999/", &double));
        assert!(!is_allowed("http://localhost:4100/", &double));
    }
}
