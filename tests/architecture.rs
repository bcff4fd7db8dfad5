//! The stages depend one way (issue 17): no dependency cycle among the
//! top-level modules of `src/`, nor among the modules inside `src/render/`.
//!
//! The graph is read from the source text, not from the compiler: every
//! `crate::…` path, every `super::…` path and every bare path into a child
//! module (`render::Renderer` in lib.rs, `context::Page` in render/mod.rs) is
//! an edge from the module whose file holds it to the module it names. Code
//! under `#[cfg(test)]`, comments (doc links included) and string literals do
//! not count: tests may reach anywhere, and a doc link is no dependency.
//! Names that lib.rs (or a folder's mod.rs) re-exports with `pub use` are
//! followed to the module that defines them.
//!
//! Run `cargo test --test architecture -- --nocapture` to print the graphs.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Edges that still point the wrong way, each with the reason it is still
/// there. They are left out before looking for cycles, so that any new cycle
/// fails; a listed edge that no longer exists fails too, so the list only
/// shrinks.
const KNOWN_BACK_EDGES: &[(&str, &str, &str)] = &[];

/// Items of lib.rs that a module may name: the public build API. Anything
/// else there is the orchestrator's own; a command that needs it should find
/// it in the stage it belongs to.
const LIB_API: &[&str] = &[
    "build",
    "BuildOptions",
    "BuildReport",
    "NoProgress",
    "Progress",
];

/// Uses of lib.rs internals still to move, each with the reason.
const KNOWN_LIB_CALLS: &[(&str, &str, &str)] = &[];

/// The crate root (lib.rs) as a node: a module that calls back into it
/// depends on the one place that knows every stage.
const ROOT: &str = "lib";

#[test]
fn top_level_modules_of_src_form_no_cycle() {
    let files = source_files();
    let graph = graph(&files, &[], |module| {
        module.first().cloned().unwrap_or_else(|| ROOT.to_string())
    });
    report("src/ top-level modules", &graph);
    assert_acyclic("src/", &graph);
}

#[test]
fn modules_inside_render_form_no_cycle() {
    let files = source_files();
    let render = vec!["render".to_string()];
    let graph = graph(&files, &render, |module| {
        module
            .get(1)
            .cloned()
            .unwrap_or_else(|| "render".to_string())
    });
    report("src/render/ modules", &graph);
    assert_acyclic("src/render/", &graph);
}

#[test]
fn modules_use_only_the_public_api_of_lib() {
    let files = source_files();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|file| file.module.clone()).collect();
    let reexports = reexports(&files, &modules);
    let mut found = BTreeSet::new();
    for file in files.iter().filter(|file| !file.module.is_empty()) {
        for path in paths_named(file, &modules) {
            let module = resolve(&path, &modules, &reexports);
            if let (true, Some(item)) = (module.is_empty(), path.first()) {
                if !LIB_API.contains(&item.as_str()) {
                    found.insert((file.module.join("::"), item.clone()));
                }
            }
        }
    }
    let mut message = String::new();
    for (module, item) in &found {
        println!("  {module} -> lib::{item}");
        if !KNOWN_LIB_CALLS
            .iter()
            .any(|(from, name, _)| from == module && name == item)
        {
            message += &format!("{module} uses lib.rs's internal `crate::{item}`\n");
        }
    }
    for (from, name, _) in KNOWN_LIB_CALLS {
        if !found.contains(&(from.to_string(), name.to_string())) {
            message += &format!(
                "KNOWN_LIB_CALLS lists {from} -> {name}, which no longer exists: delete it\n"
            );
        }
    }
    assert!(message.is_empty(), "{message}");
}

/// lib.rs is the module list and the public API (re-exported from the
/// modules that define it), nothing else: the build's order of stages lives
/// in `build`, each command in `commands`.
#[test]
fn lib_rs_holds_only_the_module_list_and_reexports() {
    let files = source_files();
    let lib = files
        .iter()
        .find(|file| file.module.is_empty())
        .expect("src/lib.rs is read");
    let mut found = Vec::new();
    for line in lib.code.lines().map(str::trim) {
        let line = line.strip_prefix("pub ").unwrap_or(line);
        let line = line.strip_prefix("(crate) ").unwrap_or(line);
        let allowed = line.is_empty()
            || line.starts_with("mod ")
            || line.starts_with("use ")
            || line.starts_with("#")
            || !line.starts_with(|c: char| c.is_ascii_lowercase())
            || line.ends_with(',')
            || line.ends_with("};");
        let item = [
            "fn ", "struct ", "enum ", "impl", "const ", "static ", "type ", "trait ",
        ];
        if !allowed || item.iter().any(|kw| line.starts_with(kw)) {
            found.push(line.to_string());
        }
    }
    assert!(
        found.is_empty(),
        "src/lib.rs holds more than the module list and re-exports:\n{}",
        found.join("\n")
    );
}

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The most lines a function of `src/` may span (issue 17): a longer one is
/// read in parts, each named for what it does. Test code does not count.
const MAX_FUNCTION_LINES: usize = 120;

#[test]
fn no_function_is_longer_than_the_limit() {
    let mut long = Vec::new();
    for file in source_files() {
        for (name, lines) in function_lengths(&file.code) {
            if lines > MAX_FUNCTION_LINES {
                long.push(format!("{}::{name}: {lines} lines", file.module.join("::")));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines (split them into parts named for what they do):\n{}",
        long.join("\n")
    );
}

/// Each function with a body in `code` and the lines it spans, from its
/// `fn` to its closing brace.
fn function_lengths(code: &str) -> Vec<(String, usize)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = find(bytes, b"fn ", from) {
        from = at + 3;
        if at > 0 && is_ident(bytes[at - 1]) {
            continue;
        }
        let (name, after) = ident(bytes, at + 3);
        if name.is_empty() {
            continue;
        }
        // The body's brace, unless a `;` ends a declaration first.
        let mut open = after;
        while open < bytes.len() && bytes[open] != b'{' && bytes[open] != b';' {
            open += 1;
        }
        if open >= bytes.len() || bytes[open] == b';' {
            continue;
        }
        let close = matching_brace(bytes, open);
        let lines = bytes[at..=close].iter().filter(|&&b| b == b'\n').count() + 1;
        out.push((name, lines));
    }
    out
}

/// One source file: its module path (`["render", "context"]`; empty for
/// lib.rs) and its text with comments, literals and test code blanked.
struct SourceFile {
    module: Vec<String>,
    code: String,
    /// Whether the file is a folder's mod.rs (or lib.rs): its children are
    /// reachable by bare paths.
    is_folder: bool,
}

fn source_files() -> Vec<SourceFile> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    walk(&src, &mut paths);
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let relative = path.strip_prefix(&src).unwrap();
        let mut parts: Vec<String> = relative
            .iter()
            .map(|part| part.to_string_lossy().into_owned())
            .collect();
        let last = parts.pop().unwrap();
        let is_folder = last == "mod.rs" || (parts.is_empty() && last == "lib.rs");
        if parts.is_empty() && last == "main.rs" {
            // The binary is its own crate; it reaches the library as `pidsite::`.
            continue;
        }
        if !is_folder {
            parts.push(last.trim_end_matches(".rs").to_string());
        }
        let text = fs::read_to_string(&path).unwrap();
        files.push(SourceFile {
            module: parts,
            code: without_tests(&blank_comments_and_literals(&text)),
            is_folder,
        });
    }
    files
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// Builds the graph of the modules under `scope` (empty: the whole crate),
/// each module path mapped to its node by `node`.
fn graph(files: &[SourceFile], scope: &[String], node: impl Fn(&[String]) -> String) -> Graph {
    let modules: BTreeSet<Vec<String>> = files.iter().map(|file| file.module.clone()).collect();
    let reexports = reexports(files, &modules);
    let mut graph = Graph::new();
    for file in files {
        if !file.module.starts_with(scope) {
            continue;
        }
        let from = node(&file.module);
        graph.entry(from.clone()).or_default();
        for target in paths_named(file, &modules) {
            let target = resolve(&target, &modules, &reexports);
            if !target.starts_with(scope) {
                continue;
            }
            let to = node(&target);
            if to != from {
                graph.entry(from.clone()).or_default().insert(to.clone());
                graph.entry(to).or_default();
            }
        }
    }
    graph
}

/// Every path the file names, made absolute (`["render", "Output"]`).
fn paths_named(file: &SourceFile, modules: &BTreeSet<Vec<String>>) -> Vec<Vec<String>> {
    let code = file.code.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < code.len() {
        // A method's turbofish (`.name::<T>`) and the tail of a longer path
        // are not paths of their own.
        let starts_word =
            i == 0 || !is_ident(code[i - 1]) && code[i - 1] != b'.' && !preceded_by_colons(code, i);
        if !starts_word || !is_ident(code[i]) {
            i += 1;
            continue;
        }
        let (word, end) = ident(code, i);
        if !code[end..].starts_with(b"::") {
            i = end;
            continue;
        }
        let base: Option<Vec<String>> = match word.as_str() {
            "crate" => Some(Vec::new()),
            "super" => {
                // A folder's mod.rs and a leaf file alike: the parent module.
                let mut base = file.module.clone();
                base.pop();
                // `super::super::…`
                let mut j = end + 2;
                while code[j..].starts_with(b"super::") {
                    base.pop();
                    j += 7;
                }
                for path in group_paths(code, j) {
                    found.push([base.clone(), path].concat());
                }
                i = j;
                continue;
            }
            "self" => Some(own_folder(file)),
            _ => {
                let child = [own_folder(file), vec![word.clone()]].concat();
                if modules.iter().any(|module| module.starts_with(&child)) {
                    for path in group_paths(code, i) {
                        found.push([own_folder(file), path].concat());
                    }
                }
                None
            }
        };
        if let Some(base) = base {
            for path in group_paths(code, end + 2) {
                found.push([base.clone(), path].concat());
            }
        }
        i = end;
    }
    found
}

/// The module whose children a bare path in this file names.
fn own_folder(file: &SourceFile) -> Vec<String> {
    if file.is_folder {
        file.module.clone()
    } else {
        // A leaf file's bare paths name its own (inline) children; none here.
        [file.module.clone(), vec!["\u{0}".to_string()]].concat()
    }
}

/// The paths starting at `at`: `a::b::C` or a `{a::b, c::{d, e}}` group.
fn group_paths(code: &[u8], at: usize) -> Vec<Vec<String>> {
    let mut at = at;
    skip_space(code, &mut at);
    if at < code.len() && code[at] == b'{' {
        let mut paths = Vec::new();
        at += 1;
        loop {
            skip_space(code, &mut at);
            if at >= code.len() || code[at] == b'}' {
                break;
            }
            let (path, end) = one_path(code, at);
            paths.extend(path);
            at = end;
            skip_space(code, &mut at);
            if at < code.len() && code[at] == b',' {
                at += 1;
            }
        }
        paths
    } else {
        one_path(code, at).0
    }
}

/// One path (which may end in a group); returns its expansions and its end.
fn one_path(code: &[u8], at: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    let mut at = at;
    loop {
        skip_space(code, &mut at);
        if at < code.len() && code[at] == b'{' {
            let inner = group_paths(code, at);
            let end = matching_brace(code, at) + 1;
            let paths = inner
                .into_iter()
                .map(|path| [prefix.clone(), path].concat())
                .collect();
            return (paths, end);
        }
        if at < code.len() && code[at] == b'*' {
            return (vec![prefix], at + 1);
        }
        if at >= code.len() || !is_ident(code[at]) {
            return (vec![prefix], at);
        }
        let (word, end) = ident(code, at);
        prefix.push(word);
        at = end;
        if code[at..].starts_with(b"::") {
            at += 2;
        } else {
            // `… as Name` and the rest of the item end the path.
            return (vec![prefix], skip_alias(code, at));
        }
    }
}

fn skip_alias(code: &[u8], at: usize) -> usize {
    let mut i = at;
    skip_space(code, &mut i);
    if code[i..].starts_with(b"as") && !is_ident(code[i + 2]) {
        i += 2;
        skip_space(code, &mut i);
        return ident(code, i).1;
    }
    at
}

/// Follows a path to the module that defines what it names: the longest
/// module prefix, then any `pub use` re-export in that module.
fn resolve(
    path: &[String],
    modules: &BTreeSet<Vec<String>>,
    reexports: &BTreeMap<(Vec<String>, String), Vec<String>>,
) -> Vec<String> {
    let mut module: Vec<String> = Vec::new();
    for part in path {
        let next = [module.clone(), vec![part.clone()]].concat();
        if modules.contains(&next) {
            module = next;
        } else {
            if let Some(target) = reexports.get(&(module.clone(), part.clone())) {
                return target.clone();
            }
            break;
        }
    }
    module
}

/// `pub use child::Name;` in lib.rs and the folders' mod.rs files:
/// (folder, Name) -> the module that defines Name.
fn reexports(
    files: &[SourceFile],
    modules: &BTreeSet<Vec<String>>,
) -> BTreeMap<(Vec<String>, String), Vec<String>> {
    let mut map = BTreeMap::new();
    for file in files.iter().filter(|file| file.is_folder) {
        let code = file.code.as_bytes();
        let mut from = 0;
        while let Some(at) = find(code, b"pub use ", from) {
            from = at + 8;
            for path in group_paths(code, from) {
                let Some(name) = path.last() else { continue };
                let absolute = [file.module.clone(), path[..path.len() - 1].to_vec()].concat();
                if modules.contains(&absolute) {
                    map.insert((file.module.clone(), name.clone()), absolute);
                }
            }
        }
    }
    map
}

/// Prints the edge list (seen with `--nocapture`).
fn report(title: &str, graph: &Graph) {
    println!(
        "{title}: module dependency graph ({} edges)",
        edges(graph).len()
    );
    for (from, tos) in graph {
        let tos: Vec<&str> = tos.iter().map(String::as_str).collect();
        println!("  {from} -> {}", tos.join(", "));
    }
}

fn edges(graph: &Graph) -> Vec<(String, String)> {
    graph
        .iter()
        .flat_map(|(from, tos)| tos.iter().map(move |to| (from.clone(), to.clone())))
        .collect()
}

fn assert_acyclic(scope: &str, graph: &Graph) {
    let mut graph = graph.clone();
    let mut stale = Vec::new();
    for (from, to, _why) in KNOWN_BACK_EDGES {
        let Some(tos) = graph.get_mut(*from) else {
            continue;
        };
        if !tos.remove(*to) && graph.contains_key(*to) {
            stale.push(format!("{from} -> {to}"));
        }
    }
    let cycles: Vec<Vec<String>> = components(&graph)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| cycle_in(&graph, &component))
        .collect();
    let mut message = String::new();
    for cycle in &cycles {
        message += &format!("cycle in {scope}: {}\n", cycle.join(" -> "));
    }
    for edge in &stale {
        message += &format!("KNOWN_BACK_EDGES lists {edge}, which no longer exists: delete it\n");
    }
    assert!(message.is_empty(), "{message}");
}

/// Strongly connected components (Tarjan).
fn components(graph: &Graph) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, node: &'a str) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            self.on_stack.insert(node);
            for next in &self.graph[node] {
                let next = next.as_str();
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                loop {
                    let top = self.stack.pop().unwrap();
                    self.on_stack.remove(top);
                    component.push(top.to_string());
                    if top == node {
                        break;
                    }
                }
                component.sort();
                self.out.push(component);
            }
        }
    }
    let mut tarjan = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for node in graph.keys() {
        if !tarjan.index.contains_key(node.as_str()) {
            tarjan.visit(node);
        }
    }
    tarjan.out
}

/// A shortest cycle through the component's first node, then every edge
/// inside the component, so the message names all the edges to look at.
fn cycle_in(graph: &Graph, component: &[String]) -> Vec<String> {
    let inside: BTreeSet<&String> = component.iter().collect();
    let start = &component[0];
    let mut previous: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut cycle = vec![start.clone()];
    'search: while let Some(node) = queue.pop_front() {
        for next in &graph[node] {
            if !inside.contains(next) {
                continue;
            }
            if next == start {
                let mut path = vec![node.clone()];
                let mut at = node;
                while let Some(before) = previous.get(at) {
                    path.push((*before).clone());
                    at = before;
                }
                path.reverse();
                path.push(start.clone());
                cycle = path;
                break 'search;
            }
            if next != start && !previous.contains_key(next) {
                previous.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    let within: Vec<String> = component
        .iter()
        .flat_map(|from| {
            graph[from]
                .iter()
                .filter(|to| inside.contains(to))
                .map(move |to| format!("{from}->{to}"))
        })
        .collect();
    cycle.push(format!("(edges within: {})", within.join(", ")));
    cycle
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

fn preceded_by_colons(code: &[u8], at: usize) -> bool {
    at >= 2 && &code[at - 2..at] == b"::"
}

fn ident(code: &[u8], at: usize) -> (String, usize) {
    let mut end = at;
    while end < code.len() && is_ident(code[end]) {
        end += 1;
    }
    (String::from_utf8_lossy(&code[at..end]).into_owned(), end)
}

fn skip_space(code: &[u8], at: &mut usize) {
    while *at < code.len() && code[*at].is_ascii_whitespace() {
        *at += 1;
    }
}

fn find(code: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    code.get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

fn matching_brace(code: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (i, &byte) in code.iter().enumerate().skip(open) {
        match byte {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    code.len() - 1
}

/// Drops every item under `#[cfg(test)]` (up to its `;` or its matching
/// brace).
fn without_tests(code: &str) -> String {
    let bytes = code.as_bytes();
    let mut out = String::with_capacity(code.len());
    let mut from = 0;
    while let Some(at) = find(bytes, b"#[cfg(test)]", from) {
        out.push_str(&code[from..at]);
        let mut end = at + "#[cfg(test)]".len();
        while end < bytes.len() && bytes[end] != b'{' && bytes[end] != b';' {
            end += 1;
        }
        if end < bytes.len() && bytes[end] == b'{' {
            end = matching_brace(bytes, end);
        }
        from = (end + 1).min(bytes.len());
    }
    out.push_str(&code[from..]);
    out
}

/// The text with comments and the insides of string and char literals
/// replaced by spaces (so braces and paths in them do not count).
fn blank_comments_and_literals(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, byte: u8| out.push(if byte == b'\n' { b'\n' } else { b' ' });
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                blank(&mut out, bytes[i]);
                i += 1;
            }
        } else if rest.starts_with(b"/*") {
            let mut depth = 0;
            while i < bytes.len() {
                if bytes[i..].starts_with(b"/*") {
                    depth += 1;
                    out.extend(b"  ");
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    depth -= 1;
                    out.extend(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, bytes[i]);
                    i += 1;
                }
            }
        } else if (rest.starts_with(b"r#") || rest.starts_with(b"r\"") || rest.starts_with(b"br"))
            && (i == 0 || !is_ident(bytes[i - 1]))
            && raw_string_end(bytes, i).is_some()
        {
            let end = raw_string_end(bytes, i).unwrap();
            out.extend(b"\"\"");
            for &byte in &bytes[i + 2..end] {
                blank(&mut out, byte);
            }
            i = end;
        } else if bytes[i] == b'"' {
            out.push(b'"');
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' {
                    blank(&mut out, bytes[i]);
                    i += 1;
                }
                if i < bytes.len() {
                    blank(&mut out, bytes[i]);
                    i += 1;
                }
            }
            out.push(b'"');
            i += 1;
        } else if bytes[i] == b'\'' {
            // A char literal ('x', '\n', '\u{7b}'), else a lifetime.
            let end = if bytes.get(i + 1) == Some(&b'\\') {
                find(bytes, b"'", i + 2)
            } else {
                let width = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                (bytes.get(i + 1 + width) == Some(&b'\'')).then_some(i + 1 + width)
            };
            match end {
                Some(end) => {
                    out.push(b'\'');
                    for &byte in &bytes[i + 1..end] {
                        blank(&mut out, byte);
                    }
                    out.push(b'\'');
                    i = end + 1;
                }
                None => {
                    out.push(b'\'');
                    i += 1;
                }
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("only ASCII bytes were replaced")
}

/// Where a raw string starting at `at` (`r"…"`, `r#"…"#`, `br#"…"#`) ends
/// (one past its last byte).
fn raw_string_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut i = at + if bytes[at] == b'b' { 2 } else { 1 };
    let mut hashes = 0;
    while bytes.get(i) == Some(&b'#') {
        hashes += 1;
        i += 1;
    }
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    let close: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'#', hashes))
        .collect();
    find(bytes, &close, i + 1).map(|end| end + close.len())
}
