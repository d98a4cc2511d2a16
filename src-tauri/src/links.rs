//! Which links Adkeep opens in the system browser: Facebook's own pages (or
//! the configured Facebook base, so the double's pages in tests).

use adkeep_core::settings::Settings;

use crate::views::ActiveMode;

pub fn is_allowed(raw: &str, settings: &Settings, mode: ActiveMode) -> bool {
    let Ok(url) = url::Url::parse(raw) else {
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
    // The configured Facebook base (the Graph double in tests and the sandbox).
    if mode != ActiveMode::Sandbox {
        if let Ok(base) = adkeep_core::config::endpoints_from_env(&settings.api_version) {
            return url.origin() == base.facebook.origin();
        }
    }
    url.scheme() == "http"
        && matches!(url.host_str(), Some("127.0.0.1"))
        && mode == ActiveMode::Sandbox
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_facebook_pages_open() {
        let s = Settings::default();
        assert!(is_allowed(
            "https://www.facebook.com/accountquality",
            &s,
            ActiveMode::Meta
        ));
        assert!(is_allowed(
            "https://business.facebook.com/settings",
            &s,
            ActiveMode::Meta
        ));
        assert!(!is_allowed(
            "http://www.facebook.com/",
            &s,
            ActiveMode::Meta
        ));
        assert!(!is_allowed(
            "https://evil.example/facebook.com",
            &s,
            ActiveMode::Meta
        ));
        assert!(!is_allowed(
            "https://facebook.com.evil.example/",
            &s,
            ActiveMode::Meta
        ));
        assert!(!is_allowed("javascript:alert(1)", &s, ActiveMode::Meta));
        assert!(!is_allowed("file:///etc/passwd", &s, ActiveMode::Meta));
    }
}
