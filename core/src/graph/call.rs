//! A typed Graph read: a path and a query, answered by a `T`. What to ask for
//! (`api::calls`) builds these; the client only sends them.

use std::marker::PhantomData;

/// A read of `path?query` (without the version) that answers with a `T`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call<T> {
    path: String,
    query: Vec<(&'static str, String)>,
    wire: PhantomData<fn() -> T>,
}

impl<T> Call<T> {
    pub fn new(path: impl Into<String>, query: Vec<(&'static str, String)>) -> Self {
        Self {
            path: path.into(),
            query,
            wire: PhantomData,
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn query(&self) -> &[(&'static str, String)] {
        &self.query
    }

    /// `path?query`, as a batch item names it (the batch's version applies).
    pub fn relative_url(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in &self.query {
            query.append_pair(key, value);
        }
        let query = query.finish();
        if query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{query}", self.path)
        }
    }

    /// The same read, continuing after `cursor`.
    pub fn after(mut self, cursor: &str) -> Self {
        self.query.retain(|(k, _)| *k != "after");
        self.query.push(("after", cursor.to_owned()));
        self
    }
}
