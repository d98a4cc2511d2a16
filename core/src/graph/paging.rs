//! The bounds every listing keeps: a page cap, a cap on empty pages in a
//! row, and no page asked for twice (by link or by cursor). Meta's paging
//! doc says only a missing `next` ends a list and that empty pages may still
//! have one; these bounds stop a listing that never ends, not an honest one.

use std::collections::HashSet;

use super::error::GraphError;

/// The most pages one listing may take. At the smallest page size Adkeep
/// shrinks to (5 accounts), 2,000 pages hold 10,000 accounts; at the normal
/// 100 per page, 200,000.
pub const MAX_PAGES: usize = 2_000;

/// Empty pages in a row (each with a `next`) before a listing is judged to
/// go nowhere.
pub const MAX_EMPTY_IN_A_ROW: usize = 25;

#[derive(Debug, Default)]
pub struct PageGuard {
    pages: usize,
    empty_in_a_row: usize,
    links: HashSet<String>,
    cursors: HashSet<String>,
}

impl PageGuard {
    /// Starts a listing whose first request is `first` (a page key: see
    /// `links::page_key`).
    pub fn starting_at(first: String) -> Self {
        let mut guard = Self::default();
        guard.links.insert(first);
        guard
    }

    /// Records a page that arrived with `items` items and, if it goes on,
    /// its `after` cursor and the key of its next link. An error ends the
    /// listing: what was read so far stays, the rest is unknown.
    pub fn admit(
        &mut self,
        items: usize,
        after: Option<&str>,
        next_key: Option<&str>,
    ) -> Result<(), GraphError> {
        self.pages += 1;
        if self.pages > MAX_PAGES {
            return Err(stop(format!("the listing went on past {MAX_PAGES} pages")));
        }
        self.empty_in_a_row = if items == 0 {
            self.empty_in_a_row + 1
        } else {
            0
        };
        let Some(next_key) = next_key else {
            return Ok(());
        };
        if self.empty_in_a_row >= MAX_EMPTY_IN_A_ROW {
            return Err(stop(format!(
                "the listing sent {MAX_EMPTY_IN_A_ROW} empty pages in a row"
            )));
        }
        if let Some(after) = after
            && !self.cursors.insert(after.to_owned())
        {
            return Err(stop("the listing repeated a page cursor".to_owned()));
        }
        if !self.links.insert(next_key.to_owned()) {
            return Err(stop("the listing repeated a page link".to_owned()));
        }
        Ok(())
    }

    pub fn pages(&self) -> usize {
        self.pages
    }
}

fn stop(message: String) -> GraphError {
    GraphError::refused(Some(200), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_honest_listing_passes_with_short_and_empty_pages() {
        let mut g = PageGuard::starting_at("p0".into());
        g.admit(25, Some("c1"), Some("p1")).unwrap();
        g.admit(0, Some("c2"), Some("p2")).unwrap();
        g.admit(3, Some("c3"), Some("p3")).unwrap();
        g.admit(7, Some("c4"), None).unwrap();
        assert_eq!(g.pages(), 4);
    }

    #[test]
    fn a_link_or_cursor_seen_before_ends_it() {
        let mut g = PageGuard::starting_at("p0".into());
        assert!(
            g.admit(1, None, Some("p0")).is_err(),
            "the first page again"
        );
        let mut g = PageGuard::starting_at("p0".into());
        g.admit(1, Some("c1"), Some("p1")).unwrap();
        assert!(g.admit(1, Some("c1"), Some("p2")).is_err());
    }

    #[test]
    fn endless_empty_pages_end_it() {
        let mut g = PageGuard::starting_at("p".into());
        let mut ended = None;
        for i in 0..1_000 {
            if g.admit(0, Some(&format!("c{i}")), Some(&format!("p{i}")))
                .is_err()
            {
                ended = Some(i);
                break;
            }
        }
        assert_eq!(ended, Some(MAX_EMPTY_IN_A_ROW - 1));
    }

    #[test]
    fn the_page_cap_ends_it() {
        let mut g = PageGuard::starting_at("p".into());
        for i in 0..MAX_PAGES {
            g.admit(1, Some(&format!("c{i}")), Some(&format!("p{i}")))
                .unwrap();
        }
        assert!(g.admit(1, Some("last"), Some("last")).is_err());
    }
}
