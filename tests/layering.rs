//! The import graph of the top-level modules of `src/`, and the rules it must keep:
//!
//! - no circle between top-level modules (a module that needs another's type while that one
//!   needs it back has a seam in the wrong place: move the shared shape down);
//! - `domain` imports no other module, `db` only the bottom utilities (`domain`, `chain`,
//!   `telemetry`): the store never calls a service;
//! - `config` holds no handler or service types (it may name the settings types of the
//!   modules below it, never `routes`, `reads`, `editorial` or `transfer`);
//! - SQL only in `db/`: no other file names a table (`crate::db::schema`) or writes SQL
//!   (`sql_query`), and only `db/` tells the backends apart (`DbConnection::Pg`/`Sqlite`).
//!
//! `cargo test --test layering -- --nocapture` prints the graph (who imports whom).
//! References are read from the source text: `crate::x`, `use crate::{x, …}`, and `super::x`
//! in a file whose parent is the crate root; comments and `#[cfg(test)]` modules are left out
//! (a test may reach anywhere).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The text without comments and without the `#[cfg(test)]` module (which ends every file
/// that has one).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut code = String::with_capacity(text.len());
    for line in text.lines() {
        let line = match line.find("//") {
            // Not inside a string: a URL's `//` in a literal follows a quote on the line.
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        };
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The module names a path expression starting at `at` names: `x` of `x::…`, each of `{x, y}`.
fn names_after(code: &str, at: usize) -> Vec<String> {
    let rest = &code[at..];
    if let Some(group) = rest.strip_prefix('{') {
        let end = group.find('}').unwrap_or(group.len());
        return group[..end]
            .split(',')
            .map(|part| part.trim().split("::").next().unwrap_or_default().to_owned())
            .collect();
    }
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    vec![name]
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let top_of = |path: &Path| -> (String, bool) {
        let rel = path.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        let in_root =
            rel.components().count() == 1 || rel.ends_with("mod.rs") && rel.components().count() == 2;
        (first.trim_end_matches(".rs").to_owned(), in_root)
    };
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| top_of(f).0)
        .filter(|m| m != "main" && m != "lib")
        .collect();
    let mut graph = Graph::new();
    for file in &files {
        let (module, in_root) = top_of(file);
        if !modules.contains(&module) {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        let mut prefixes = vec!["crate::"];
        if in_root {
            prefixes.push("super::");
        }
        let targets = graph.entry(module.clone()).or_default();
        for prefix in prefixes {
            for (at, _) in code.match_indices(prefix) {
                let before = code[..at].chars().last();
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                for name in names_after(&code, at + prefix.len()) {
                    if name != module && modules.contains(&name) {
                        let rel = file.strip_prefix(&src).unwrap().display().to_string();
                        targets.entry(name).or_default().insert(rel);
                    }
                }
            }
        }
    }
    graph
}

/// The strongly connected components with more than one module (Tarjan).
fn circles(graph: &Graph) -> Vec<BTreeSet<String>> {
    struct Walk<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<BTreeSet<String>>,
    }
    fn visit<'a>(walk: &mut Walk<'a>, node: &'a str) {
        let n = walk.index.len();
        walk.index.insert(node, n);
        walk.low.insert(node, n);
        walk.stack.push(node);
        let graph = walk.graph;
        for next in graph.get(node).into_iter().flat_map(|t| t.keys()) {
            let next = next.as_str();
            if !walk.index.contains_key(next) {
                visit(walk, next);
                let low = walk.low[node].min(walk.low[next]);
                walk.low.insert(node, low);
            } else if walk.stack.contains(&next) {
                let low = walk.low[node].min(walk.index[next]);
                walk.low.insert(node, low);
            }
        }
        if walk.low[node] == walk.index[node] {
            let mut component = BTreeSet::new();
            while let Some(top) = walk.stack.pop() {
                component.insert(top.to_owned());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                walk.found.push(component);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node.as_str()) {
            visit(&mut walk, node);
        }
    }
    walk.found
}

#[test]
fn top_level_modules_form_no_circle_and_keep_their_layers() {
    let graph = graph();
    assert!(
        graph.len() > 20,
        "the walk found too few modules: {:?}",
        graph.keys()
    );
    println!("the import graph of src/ (module -> what it imports):");
    for (module, targets) in &graph {
        let names: Vec<&str> = targets.keys().map(String::as_str).collect();
        println!("  {module:<10} -> {}", names.join(", "));
    }
    let found = circles(&graph);
    let explain = |component: &BTreeSet<String>| -> String {
        let mut lines = Vec::new();
        for from in component {
            for (to, files) in &graph[from] {
                if component.contains(to) {
                    lines.push(format!("{from} -> {to} in {files:?}"));
                }
            }
        }
        lines.join("\n")
    };
    assert!(
        found.is_empty(),
        "import circles between top-level modules:\n{}",
        found.iter().map(explain).collect::<Vec<_>>().join("\n\n")
    );
    let allowed = |module: &str, may: &[&str]| {
        let extra: Vec<(&String, &BTreeSet<String>)> = graph[module]
            .iter()
            .filter(|(to, _)| !may.contains(&to.as_str()))
            .collect();
        assert!(extra.is_empty(), "{module} imports what it may not: {extra:?}");
    };
    allowed("domain", &[]);
    allowed("db", &["domain", "chain", "telemetry"]);
    let config = &graph["config"];
    for service in ["routes", "reads", "editorial", "transfer", "delivery", "startup"] {
        assert!(
            !config.contains_key(service),
            "config imports {service}: {:?}",
            config[service]
        );
    }
}

#[test]
fn sql_and_backend_differences_stay_in_db() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut outside = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(src.join("db"))) {
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for needle in [
            "crate::db::schema",
            "sql_query",
            "DbConnection::Pg",
            "DbConnection::Sqlite",
        ] {
            if code.contains(needle) {
                outside.push(format!(
                    "{} uses {needle}",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    assert!(
        outside.is_empty(),
        "SQL or a backend's own code outside db/: {outside:#?}"
    );
}

/// The reader sees what it must: a reference through a group, through `super::` from a root
/// file, and not one in a comment or a test module.
#[test]
fn references_are_read_from_code_only() {
    let code = code_of(
        "use crate::{db, domain::x};\n// crate::routes\nfn f() { super::config::g(); }\n#[cfg(test)]\nmod tests { use crate::startup; }\n",
    );
    assert!(!code.contains("routes") && !code.contains("startup"));
    let at = code.find("crate::").unwrap() + "crate::".len();
    assert_eq!(names_after(&code, at), ["db", "domain"]);
    let at = code.find("super::").unwrap() + "super::".len();
    assert_eq!(names_after(&code, at), ["config"]);
    let mut graph = Graph::new();
    graph
        .entry("a".into())
        .or_default()
        .entry("b".into())
        .or_default();
    graph
        .entry("b".into())
        .or_default()
        .entry("a".into())
        .or_default();
    graph
        .entry("c".into())
        .or_default()
        .entry("a".into())
        .or_default();
    assert_eq!(
        circles(&graph),
        vec![BTreeSet::from(["a".to_owned(), "b".to_owned()])]
    );
}
