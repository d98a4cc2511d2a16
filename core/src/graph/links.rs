//! Which `paging.next` links Adkeep follows. A link carries our bearer token
//! when followed, so it must lead back to the configured Graph server and
//! nowhere else: same scheme, host and port, a path under the base that
//! starts with `vNN.N/`, no userinfo, no `//`, no scheme or encoded
//! separators hidden in the path. The link is used as parsed, never joined
//! onto anything (a join re-interprets a path that is itself a URL).

use url::Url;

/// Why a link was refused; the text names the link's host, never its query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The link to request, or why not. `access_token` is dropped from it (the
/// header carries ours) and the fragment too.
pub fn checked_next(graph_base: &Url, raw: &str) -> Result<Url, Refused> {
    let mut url = Url::parse(raw.trim())
        .map_err(|_| Refused("the next-page link is not an absolute URL".to_owned()))?;
    if !same_origin(&url, graph_base) {
        return Err(Refused(format!(
            "the next-page link leads to {} instead of the configured Graph server {}",
            printable_origin(&url),
            printable_origin(graph_base)
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refused(
            "the next-page link carries a user name or password".to_owned(),
        ));
    }
    if !is_versioned_path(url.path(), graph_base.path()) {
        return Err(Refused(
            "the next-page link's path is not a Graph API path".to_owned(),
        ));
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "access_token")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_fragment(None);
    url.set_query(None);
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    Ok(url)
}

/// The same link with `limit` set to `size` (page sizes shrink when Meta
/// asks for less data).
pub fn with_limit(url: &Url, size: usize) -> Url {
    let mut out = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "limit")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    out.set_query(None);
    {
        let mut query = out.query_pairs_mut();
        query.extend_pairs(pairs);
        query.append_pair("limit", &size.to_string());
    }
    out
}

/// The link without `limit`: two links that differ only in page size ask
/// for the same page.
pub fn page_key(url: &Url) -> String {
    let mut key = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "limit")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    key.set_query(None);
    if !pairs.is_empty() {
        key.query_pairs_mut().extend_pairs(pairs);
    }
    key.into()
}

fn same_origin(url: &Url, base: &Url) -> bool {
    url.scheme() == base.scheme()
        && url.host() == base.host()
        && url.port_or_known_default() == base.port_or_known_default()
}

/// `{base}vNN.N/…` with nothing that could re-point the request: no empty
/// segments, no scheme, no encoded slash, backslash or dot segment.
fn is_versioned_path(path: &str, base_path: &str) -> bool {
    let Some(rest) = path.strip_prefix(base_path) else {
        return false;
    };
    let Some((version, tail)) = rest.split_once('/') else {
        return false;
    };
    let lower = path.to_ascii_lowercase();
    super::endpoints::is_valid_version(version)
        && !tail.is_empty()
        && !path.contains("//")
        && !lower.contains(':')
        && !["%2f", "%5c", "%2e", "%3a"]
            .iter()
            .any(|s| lower.contains(s))
}

/// `https://host:port`, with anything unprintable dropped and bounded, for
/// messages.
pub(crate) fn printable_origin(url: &Url) -> String {
    let host = url.host_str().unwrap_or("no host");
    let mut text = format!("{}://{host}", url.scheme());
    if let Some(port) = url.port() {
        text.push_str(&format!(":{port}"));
    }
    text.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(80)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        super::super::endpoints::parse_base("https://graph.facebook.com").unwrap()
    }

    fn follows(raw: &str) -> bool {
        checked_next(&base(), raw).is_ok()
    }

    #[test]
    fn metas_own_links_are_followed_without_their_token() {
        let url = checked_next(
            &base(),
            "https://graph.facebook.com/v27.0/me/adaccounts?access_token=SECRET&fields=id&limit=100&after=QVFI#x",
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://graph.facebook.com/v27.0/me/adaccounts?fields=id&limit=100&after=QVFI"
        );
    }

    #[test]
    fn links_elsewhere_are_refused_and_name_the_host() {
        let err =
            checked_next(&base(), "https://evil.example/v27.0/me/adaccounts?after=x").unwrap_err();
        assert!(err.0.contains("evil.example"), "{}", err.0);
        for raw in [
            "https://graph.facebook.com/http://other.host/v27.0/me",
            "https://graph.facebook.com/https:other.host/v27.0/me",
            "http:other.host/v27.0/me/adaccounts",
            "https:other.host/v27.0/me/adaccounts",
            "//other.host/v27.0/me/adaccounts",
            "http://graph.facebook.com/v27.0/me/adaccounts",
            "https://graph.facebook.com:8443/v27.0/me/adaccounts",
            "https://graph.facebook.com.evil.example/v27.0/me",
            "https://user@graph.facebook.com/v27.0/me/adaccounts",
            "https://graph.facebook.com@other.host/v27.0/me/adaccounts",
            "https://graph.facebook.com/me/adaccounts?after=x",
            "https://graph.facebook.com/v27.0//other.host/me",
            "https://graph.facebook.com/v27.0/%2F%2Fother.host/me",
            "https://graph.facebook.com/v27.0/..%2F..%2Fx",
            "https://graph.facebook.com/v27.0/",
            "/v27.0/me/adaccounts?after=x",
            "javascript:alert(1)",
            "",
        ] {
            assert!(!follows(raw), "{raw} must be refused");
        }
    }

    #[test]
    fn a_base_with_a_path_needs_links_under_it() {
        let base = super::super::endpoints::parse_base("http://127.0.0.1:9/graph").unwrap();
        assert!(
            checked_next(
                &base,
                "http://127.0.0.1:9/graph/v27.0/me/adaccounts?after=1"
            )
            .is_ok()
        );
        assert!(checked_next(&base, "http://127.0.0.1:9/v27.0/me/adaccounts?after=1").is_err());
    }

    #[test]
    fn limits_are_replaced_and_ignored_for_identity() {
        let url = checked_next(
            &base(),
            "https://graph.facebook.com/v27.0/me/adaccounts?limit=100&after=Q",
        )
        .unwrap();
        let smaller = with_limit(&url, 25);
        assert!(smaller.as_str().ends_with("after=Q&limit=25"), "{smaller}");
        assert_eq!(page_key(&url), page_key(&smaller));
    }
}
