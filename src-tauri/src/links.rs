//! Which links Adkeep opens in the system browser: Facebook's own pages, and
//! pages of the Facebook base Adkeep is configured with (the Graph double in
//! tests and the sandbox).

use url::Url;

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
