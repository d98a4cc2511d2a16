//! Where Graph and the Facebook website are, and which API version to call.
//! Injected everywhere, so the same code talks to Meta or to the double.

use url::Url;

pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_FACEBOOK_URL: &str = "https://www.facebook.com";
pub const DEFAULT_API_VERSION: &str = "v27.0";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub graph: Url,
    pub facebook: Url,
    pub version: String,
}

impl Default for Endpoints {
    /// Meta's production servers.
    #[allow(clippy::expect_used)] // constant URLs, checked by a test
    fn default() -> Self {
        Self {
            graph: parse_base(DEFAULT_GRAPH_URL).expect("constant URL"),
            facebook: parse_base(DEFAULT_FACEBOOK_URL).expect("constant URL"),
            version: DEFAULT_API_VERSION.to_owned(),
        }
    }
}

/// Parses a base URL and makes sure it ends with `/` so `join` appends.
pub fn parse_base(raw: &str) -> Result<Url, url::ParseError> {
    let mut url = Url::parse(raw.trim())?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// Whether `host` is this computer (127.0.0.0/8, ::1, localhost).
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `https://`, or `http://` to this computer: where a token may be sent.
pub fn is_safe_base(url: &Url) -> bool {
    match url.scheme() {
        "https" => url.host_str().is_some_and(|h| !h.is_empty()),
        "http" => url.host_str().is_some_and(is_loopback),
        _ => false,
    }
}

/// `v27.0`, `v26.0`, …
pub fn is_valid_version(version: &str) -> bool {
    let Some(rest) = version.strip_prefix('v') else {
        return false;
    };
    let mut parts = rest.split('.');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(major), Some(minor), None)
            if (1..=4).contains(&major.len()) && (1..=4).contains(&minor.len())
                && major.chars().all(|c| c.is_ascii_digit())
                && minor.chars().all(|c| c.is_ascii_digit())
    )
}

impl Endpoints {
    /// Graph and the Facebook website on one host (the Graph double), at
    /// the default API version.
    pub fn one_host(base: &str) -> Result<Self, url::ParseError> {
        let url = parse_base(base)?;
        Ok(Self {
            graph: url.clone(),
            facebook: url,
            version: DEFAULT_API_VERSION.to_owned(),
        })
    }

    /// `{graph}/{version}/{path}`
    pub fn graph_url(&self, path: &str) -> Result<Url, url::ParseError> {
        self.graph.join(&format!(
            "{}/{}",
            self.version,
            path.trim_start_matches('/')
        ))
    }

    /// `{facebook}/{version}/{path}`
    pub fn facebook_versioned(&self, path: &str) -> Result<Url, url::ParseError> {
        self.facebook.join(&format!(
            "{}/{}",
            self.version,
            path.trim_start_matches('/')
        ))
    }

    /// The redirect target of the login dialog: `{facebook}/connect/login_success.html`.
    pub fn login_redirect(&self) -> Result<Url, url::ParseError> {
        self.facebook.join("connect/login_success.html")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_metas_servers() {
        let e = Endpoints::default();
        assert_eq!(
            e.graph_url("me").unwrap().as_str(),
            "https://graph.facebook.com/v27.0/me"
        );
        assert_eq!(
            e.login_redirect().unwrap().as_str(),
            "https://www.facebook.com/connect/login_success.html"
        );
    }

    #[test]
    fn one_host_serves_graph_and_the_website() {
        let e = Endpoints::one_host("http://127.0.0.1:4100").unwrap();
        assert_eq!(
            e.graph_url("me").unwrap().as_str(),
            "http://127.0.0.1:4100/v27.0/me"
        );
        assert_eq!(
            e.facebook_versioned("dialog/oauth").unwrap().as_str(),
            "http://127.0.0.1:4100/v27.0/dialog/oauth"
        );
    }

    #[test]
    fn a_base_with_a_path_keeps_it() {
        let e = Endpoints {
            graph: parse_base("http://127.0.0.1:9/graph").unwrap(),
            ..Endpoints::default()
        };
        assert_eq!(
            e.graph_url("me/adaccounts").unwrap().as_str(),
            "http://127.0.0.1:9/graph/v27.0/me/adaccounts"
        );
    }

    #[test]
    fn versions_are_validated() {
        assert!(is_valid_version("v27.0"));
        assert!(is_valid_version("v3.3"));
        assert!(!is_valid_version("27.0"));
        assert!(!is_valid_version("v27"));
        assert!(!is_valid_version("v27.0/../x"));
        assert!(!is_valid_version("v99999.0"));
    }
}
