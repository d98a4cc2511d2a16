//! The house's rules, read from the sources: no import circles (between
//! files, and between the top-level rooms of each crate), each layer
//! importing only those below it, no Tauri in the backend, the views or
//! the core, and no function longer than a screen. `ARCHITECTURE.md`
//! describes the layers these rules hold.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The longest a function may be, signature to closing brace (tests apart).
const MAX_FUNCTION_LINES: usize = 60;

/// One crate's sources: each module (its path from the crate root, `""`
/// for the root) with the code that counts (comments and tests left out).
struct Crate {
    name: &'static str,
    modules: BTreeMap<String, Source>,
}

struct Source {
    file: PathBuf,
    code: String,
}

fn read_crate(name: &'static str, src: &str) -> Crate {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(src);
    let mut modules = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let file = path.file_name().unwrap().to_str().unwrap().to_owned();
            if !file.ends_with(".rs") || file.ends_with("_tests.rs") || file == "main.rs" {
                continue;
            }
            let relative = path.strip_prefix(&root).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_str().unwrap().to_owned())
                .collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            let text = fs::read_to_string(&path).unwrap();
            modules.insert(
                parts.join("::"),
                Source {
                    file: path,
                    code: without_tests_and_comments(&text),
                },
            );
        }
    }
    Crate { name, modules }
}

/// The code before its `#[cfg(test)]` module, without `//` comments.
fn without_tests_and_comments(text: &str) -> String {
    let mut code = String::new();
    for line in text.lines() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        let line = line.trim_start();
        if line.starts_with("//") {
            code.push('\n');
            continue;
        }
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// Every path a module names through `crate::` or `super::`, in `use`
/// trees (braces expanded) and inline.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = &rest[..at];
        // A `use` statement starts a line (the code is trimmed), maybe after `pub`.
        let line = before.rsplit('\n').next().unwrap_or("");
        let statement_start = line.is_empty()
            || line.starts_with("pub") && line.ends_with(' ') && !line.contains('"');
        let tail = &rest[at + 4..];
        let Some(end) = tail.find(';') else { break };
        if statement_start {
            expand(tail[..end].trim(), &mut Vec::new(), &mut paths);
        }
        rest = &tail[end..];
    }
    for (index, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        let start_ok = index == 0
            || !code[..index].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':');
        if !start_ok {
            continue;
        }
        let path: Vec<String> = code[index..]
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .next()
            .unwrap_or("")
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        paths.push(path);
    }
    paths
        .into_iter()
        .filter(|p| matches!(p.first().map(String::as_str), Some("crate" | "super")))
        .collect()
}

/// Expands a use tree (`a::{b, c::{d, e}}`) into whole paths.
fn expand(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let Some(close) = tree.rfind('}').filter(|close| *close > open) else {
            return;
        };
        let inner = &tree[open + 1..close];
        let depth = prefix.len();
        prefix.extend(head);
        for part in split_top_level(inner) {
            expand(part, prefix, out);
        }
        prefix.truncate(depth);
    } else if !tree.is_empty() {
        let mut path = prefix.clone();
        let name = tree.split(" as ").next().unwrap_or(tree);
        path.extend(
            name.split("::")
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
        );
        out.push(path);
    }
}

fn split_top_level(list: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in list.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    parts
}

impl Crate {
    /// The module a path from `from` lands in (the longest module prefix).
    fn resolve(&self, from: &str, path: &[String]) -> Option<String> {
        let mut base: Vec<&str> = if from.is_empty() {
            Vec::new()
        } else {
            from.split("::").collect()
        };
        let mut segments = path;
        match segments.first().map(String::as_str) {
            Some("crate") => {
                base.clear();
                segments = &segments[1..];
            }
            Some("super") => {
                while segments.first().map(String::as_str) == Some("super") {
                    base.pop();
                    segments = &segments[1..];
                }
            }
            _ => return None,
        }
        let mut best = base.join("::");
        for segment in segments {
            let mut next = base.clone();
            next.push(segment);
            if self.modules.contains_key(&next.join("::")) {
                base = next;
                best = base.join("::");
            } else {
                break;
            }
        }
        // A name the crate root re-exports (`crate::Error`) is its module's.
        if best.is_empty()
            && let Some(name) = segments.first()
        {
            return Some(self.reexported(name).unwrap_or_default());
        }
        Some(best)
    }

    /// The module the root re-exports `name` from (`pub use error::{Error, …}`).
    fn reexported(&self, name: &str) -> Option<String> {
        let root = &self.modules.get("")?.code;
        root.lines()
            .filter(|l| l.starts_with("pub use ") && l.contains(name))
            .find_map(|l| {
                l.trim_start_matches("pub use ")
                    .split("::")
                    .next()
                    .map(str::to_owned)
            })
    }

    /// Which module imports which. A module may use its ancestors' items
    /// (Rust's own nesting), so those arrows are not drawn; the crate root
    /// only composes and is left out.
    fn imports(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, source) in self.modules.iter().filter(|(m, _)| !m.is_empty()) {
            let targets = graph.entry(module.clone()).or_default();
            for path in named_paths(&source.code) {
                let Some(target) = self.resolve(module, &path) else {
                    continue;
                };
                let ancestor = target.is_empty() || module.starts_with(&format!("{target}::"));
                if target != *module && !ancestor {
                    targets.insert(target);
                }
            }
        }
        graph
    }
}

/// The circles in a graph, each as the nodes it ties.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Tarjan's strongly connected components.
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, node: &'a str) {
        let n = w.index.len();
        w.index.insert(node, n);
        w.low.insert(node, n);
        w.stack.push(node);
        w.on_stack.insert(node);
        for next in w.graph.get(node).into_iter().flatten() {
            if !w.index.contains_key(next.as_str()) {
                visit(w, next);
                let low = w.low[next.as_str()].min(w.low[node]);
                w.low.insert(node, low);
            } else if w.on_stack.contains(next.as_str()) {
                let low = w.index[next.as_str()].min(w.low[node]);
                w.low.insert(node, low);
            }
        }
        if w.low[node] == w.index[node] {
            let mut component = Vec::new();
            while let Some(top) = w.stack.pop() {
                w.on_stack.remove(top);
                component.push(top.to_owned());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                w.found.push(component);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node.as_str()) {
            visit(&mut walk, node);
        }
    }
    walk.found
}

/// The graph between top-level rooms (`backend::refresh` is `backend`).
fn rooms(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let room = |m: &str| m.split("::").next().unwrap_or(m).to_owned();
    let mut rooms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in graph {
        let entry = rooms.entry(room(from)).or_default();
        entry.extend(targets.iter().map(|t| room(t)).filter(|t| *t != room(from)));
    }
    rooms
}

fn crates() -> [Crate; 2] {
    [
        read_crate("adkeep-core", "core/src"),
        read_crate("adkeep", "src-tauri/src"),
    ]
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    for krate in crates() {
        let graph = krate.imports();
        assert!(graph.len() > 10, "{}: too few modules read", krate.name);
        let files = circles(&graph);
        assert!(
            files.is_empty(),
            "{}: import circles between files: {files:?}",
            krate.name
        );
        let between_rooms = circles(&rooms(&graph));
        assert!(
            between_rooms.is_empty(),
            "{}: import circles between rooms: {between_rooms:?}",
            krate.name
        );
    }
}

#[test]
fn each_layer_imports_only_those_below_it() {
    let [core, app] = crates();
    let app_rooms = rooms(&app.imports());
    // Who may be imported by whom, from the top down.
    let below: [(&str, &[&str]); 8] = [
        (
            "commands",
            &["desktop", "views", "backend", "store", "secrets"],
        ),
        (
            "desktop",
            &["views", "backend", "store", "secrets", "logging"],
        ),
        (
            "cli",
            &["watch", "views", "backend", "store", "secrets", "logging"],
        ),
        (
            "watch",
            &["views", "backend", "store", "secrets", "logging"],
        ),
        ("views", &["backend", "secrets"]),
        ("backend", &["store", "secrets"]),
        ("store", &[]),
        ("secrets", &[]),
    ];
    for (room, allowed) in below {
        let uses = app_rooms.get(room).cloned().unwrap_or_default();
        let extra: Vec<_> = uses
            .iter()
            .filter(|u| !allowed.contains(&u.as_str()))
            .collect();
        assert!(
            extra.is_empty(),
            "{room} imports {extra:?}, which it may not"
        );
    }
    // The HTTP layer knows nothing of ad accounts.
    let core_rooms = rooms(&core.imports());
    let graph_uses = core_rooms.get("graph").cloned().unwrap_or_default();
    let domain: Vec<_> = graph_uses.iter().filter(|u| *u != "token").collect();
    assert!(domain.is_empty(), "core's graph/ imports {domain:?}");
}

#[test]
fn tauri_stays_out_of_the_core_the_backend_and_the_views() {
    let [core, app] = crates();
    let tauri_free = core
        .modules
        .iter()
        .chain(app.modules.iter().filter(|(m, _)| {
            ["backend", "views", "cli", "watch"]
                .iter()
                .any(|room| m.starts_with(room))
        }));
    for (module, source) in tauri_free {
        assert!(
            !source.code.contains("tauri::") && !source.code.contains("tauri_plugin"),
            "{module} ({}) uses Tauri",
            source.file.display()
        );
    }
}

#[test]
fn no_function_is_longer_than_a_screen() {
    let mut long = Vec::new();
    for krate in crates() {
        for source in krate.modules.values() {
            long.extend(
                long_functions(&source.code)
                    .into_iter()
                    .map(|(name, lines)| {
                        format!("{}: {name} ({lines} lines)", source.file.display())
                    }),
            );
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines: {long:#?}"
    );
}

/// Functions of `code` longer than the limit, by name and length.
fn long_functions(code: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(name) = function_name(lines[i]) else {
            i += 1;
            continue;
        };
        let (mut depth, mut opened, mut j) = (0i32, false, i);
        while j < lines.len() {
            let text = without_literals(lines[j]);
            if !opened && text.trim_end().ends_with(';') {
                break;
            }
            for c in text.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if opened && depth <= 0 {
                break;
            }
            j += 1;
        }
        if opened && j + 1 - i > MAX_FUNCTION_LINES {
            found.push((name, j + 1 - i));
        }
        i = if opened { j + 1 } else { i + 1 };
    }
    found
}

fn function_name(line: &str) -> Option<String> {
    let mut words = line.split_whitespace().peekable();
    while let Some(word) = words.peek() {
        if word.starts_with("pub") || matches!(*word, "async" | "const" | "unsafe" | "extern") {
            words.next();
        } else {
            break;
        }
    }
    if words.next()? != "fn" {
        return None;
    }
    let name: String = words
        .next()?
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// A line without its string and char literals (their braces do not count).
fn without_literals(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match (c, in_string) {
            ('\\', true) => {
                chars.next();
            }
            ('"', _) => in_string = !in_string,
            ('\'', false) if chars.peek().is_some_and(|n| *n == '{' || *n == '}') => {
                chars.next();
            }
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    out
}

#[test]
fn the_rules_would_catch_a_circle_and_a_long_function() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b::x".into());
    graph.entry("b::x".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(circles(&graph).len(), 1);
    let body = "    let x = 1;\n".repeat(MAX_FUNCTION_LINES);
    let code = format!("pub async fn long() {{\n{body}}}\nfn short() {{ \"{{\" }}\n");
    assert_eq!(
        long_functions(&code),
        vec![("long".to_owned(), MAX_FUNCTION_LINES + 2)]
    );
    let app = read_crate("adkeep", "src-tauri/src");
    assert_eq!(
        app.resolve(
            "backend::refresh",
            &[
                "super".into(),
                "single_flight".into(),
                "SingleFlight".into()
            ]
        ),
        Some("backend::single_flight".to_owned())
    );
    let named = named_paths("use crate::views::{AccountView, state::{A, B}};");
    for path in [
        vec!["crate".to_owned(), "views".into(), "AccountView".into()],
        vec![
            "crate".to_owned(),
            "views".into(),
            "state".into(),
            "A".into(),
        ],
        vec![
            "crate".to_owned(),
            "views".into(),
            "state".into(),
            "B".into(),
        ],
    ] {
        assert!(named.contains(&path), "{path:?} in {named:?}");
    }
}
