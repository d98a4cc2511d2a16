//! `Page<T>`: one page of a Graph edge, read straight from the body item by
//! item. An item that cannot be read is counted and skipped (a listing that
//! skipped items is not trusted to say what is gone); a page without a `data`
//! list, or with a `next` that is not text, is unreadable as a whole. Items
//! past `MAX_ITEMS` are counted, not kept, so no page can hold more than a
//! bounded number of values in memory.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde_json::Value;

/// Adkeep asks for at most a few hundred items per page; more than this in
/// one page is not an honest answer.
pub const MAX_ITEMS: usize = 5_000;

/// A nested edge with more items than its page held: its cursor (to read
/// the edge directly from there) and its `next` link as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct More {
    pub after: Option<String>,
    pub next: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Items that were not objects of the expected shape.
    pub skipped: usize,
    /// `paging.next`, as sent (checked before it is followed).
    pub next: Option<String>,
    /// `paging.cursors.after`, to notice a listing that goes round in circles.
    pub after: Option<String>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            skipped: 0,
            next: None,
            after: None,
        }
    }
}

impl<T: DeserializeOwned> Page<T> {
    /// A nested edge (`adspixels{…}` inside an account) read from its value.
    pub fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(value)
    }
}

#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct Wire<T> {
    data: Items<T>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize, Default)]
struct Paging {
    #[serde(default)]
    next: Option<Value>,
    #[serde(default)]
    cursors: Option<Value>,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::<T>::deserialize(deserializer)?;
        let paging = wire.paging.unwrap_or_default();
        let next = match paging.next {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => return Err(de::Error::custom("paging.next is not a link")),
        };
        let after = paging
            .cursors
            .as_ref()
            .and_then(|c| c.get("after"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(Self {
            items: wire.data.items,
            skipped: wire.data.skipped,
            next,
            after,
        })
    }
}

/// The `data` list, read one item at a time.
struct Items<T> {
    items: Vec<T>,
    skipped: usize,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Items<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ItemsVisitor(PhantomData))
    }
}

struct ItemsVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for ItemsVisitor<T> {
    type Value = Items<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        let mut skipped = 0usize;
        while items.len() < MAX_ITEMS {
            let Some(value) = seq.next_element::<Value>()? else {
                return Ok(Items { items, skipped });
            };
            match T::deserialize(value) {
                Ok(item) => items.push(item),
                Err(_) => skipped = skipped.saturating_add(1),
            }
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {
            skipped = skipped.saturating_add(1);
        }
        Ok(Items { items, skipped })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        id: String,
    }

    fn page(json: &str) -> Result<Page<Item>, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn reads_items_next_and_cursor() {
        let p = page(r#"{"data":[{"id":"1"},{"id":"2"}],"paging":{"cursors":{"before":"A","after":"B"},"next":"https://x/v27.0/me?after=B"}}"#).unwrap();
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.after.as_deref(), Some("B"));
        assert!(p.next.is_some());
    }

    #[test]
    fn empty_pages_may_go_on_and_missing_next_ends() {
        let p = page(r#"{"data":[],"paging":{"next":"x"}}"#).unwrap();
        assert!(p.items.is_empty() && p.next.is_some());
        let p = page(r#"{"data":[{"id":"1"}]}"#).unwrap();
        assert!(p.next.is_none());
        let p = page(r#"{"data":[],"paging":{"next":null}}"#).unwrap();
        assert!(p.next.is_none());
    }

    #[test]
    fn unreadable_items_are_counted_not_fatal() {
        let p = page(r#"{"data":[{"id":"1"},7,null,{"id":5},{"id":"2"}]}"#).unwrap();
        assert_eq!(
            p.items,
            vec![Item { id: "1".into() }, Item { id: "2".into() }]
        );
        assert_eq!(p.skipped, 3);
    }

    #[test]
    fn a_page_without_data_or_with_a_strange_next_is_unreadable() {
        assert!(page(r#"{"paging":{}}"#).is_err());
        assert!(page(r#"{"data":null}"#).is_err());
        assert!(page(r#"{"data":{"id":"1"}}"#).is_err());
        assert!(page(r#"{"data":[],"paging":{"next":42}}"#).is_err());
        assert!(page(r#"[]"#).is_err());
    }

    #[test]
    fn oversized_pages_keep_a_bounded_number_of_items() {
        let body = format!(
            r#"{{"data":[{}]}}"#,
            vec![r#"{"id":"1"}"#; MAX_ITEMS + 7].join(",")
        );
        let p = page(&body).unwrap();
        assert_eq!(p.items.len(), MAX_ITEMS);
        assert_eq!(p.skipped, 7);
    }
}
