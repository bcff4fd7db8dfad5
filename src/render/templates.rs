//! Tera templates: the built-ins are embedded in the binary; a site's own
//! `templates/` folder overrides any of them by file name, and can extend a
//! built-in as `builtin/<name>` to change one block.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tera::ast::Node;
use tera::Tera;

use crate::error::Location;
use crate::error::{Error, Result, Warning};
use crate::render::i18n::{self, Strings};
use crate::render::minify;

/// The built-in templates, by name.
pub const BUILTINS: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("record.html", include_str!("../../templates/record.html")),
    ("landing.html", include_str!("../../templates/landing.html")),
    (
        "tombstone.html",
        include_str!("../../templates/tombstone.html"),
    ),
    (
        "redirect.html",
        include_str!("../../templates/redirect.html"),
    ),
    ("index.html", include_str!("../../templates/index.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("members.html", include_str!("../../templates/members.html")),
    ("images.html", include_str!("../../templates/images.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("browse.html", include_str!("../../templates/browse.html")),
    ("map.html", include_str!("../../templates/map.html")),
    (
        "browse_facets.html",
        include_str!("../../templates/browse_facets.html"),
    ),
];

/// The site's templates: read when a build starts, parsed when its first
/// page is rendered. A rebuild that renders nothing (the templates are then
/// those the last build parsed: a changed one makes a full build) does not
/// parse them; that was a fifth of a no-op rebuild's instructions.
pub struct Templates {
    /// Every template's name and text, site templates over built-ins.
    sources: Vec<(String, String)>,
    /// Whether HTML should come out minified (`minify` in site.toml).
    minify: bool,
    /// The interface strings in the site's language, which the templates'
    /// `t()` function and `local_date` filter read.
    strings: Arc<Strings>,
    /// Site templates that match no built-in name, and translation keys
    /// the site's language lacks.
    pub warnings: Vec<Warning>,
    /// Parsed on first use; an error as its template name and message, to
    /// be reported by every render that needs it (the build says it once).
    parsed: OnceLock<std::result::Result<Parsed, (String, String)>>,
    /// The syntax trees the last build made of these same templates (see
    /// `cache::templates`), read instead of parsing when given.
    kept: Option<Vec<u8>>,
    /// Whether they were parsed from `kept` (then there is nothing new to
    /// keep).
    from_kept: AtomicBool,
}

/// Templates as kept between builds: whether the HTML ones were minified,
/// and each template's name and syntax tree (as Tera made it, whitespace
/// removed), in the order of the templates' sources.
type Kept = (bool, Vec<(String, Vec<Node>)>);

/// The templates, ready to render pages.
pub struct Parsed {
    /// The templates.
    pub tera: Tera,
    /// Whether the HTML templates were minified as they were parsed: their
    /// pages then need no minifying.
    pub minified: bool,
}

/// Read the site's templates over the built-ins (parsed on first use, see
/// [`Templates::parsed`]). Warns about site templates that match no
/// built-in name and are not under `partials/`, and about translation keys
/// `language` lacks (see [`i18n::load`]).
pub fn load(site_dir: &Path, minify: bool, language: &str) -> Result<Templates> {
    let (strings, mut warnings) = i18n::load(site_dir, language)?;
    let mut sources: Vec<(String, String)> = BUILTINS
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    // Site templates replace the built-in of the same name, and may extend
    // any built-in (`base.html`, or `builtin/<name>` to change one block of
    // the original).
    let dir = site_dir.join("templates");
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::Io {
                path: dir.clone(),
                source: e.into(),
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&dir)
                .expect("walkdir yields paths under its root")
                .to_string_lossy()
                .replace('\\', "/");
            if rel.starts_with('.') {
                continue;
            }
            let known = BUILTINS.iter().any(|(n, _)| *n == rel);
            if !known && !rel.starts_with("partials/") {
                warnings.push(Warning::new(
                    crate::error::WarningKind::UnknownTemplate,
                    Location::file(Path::new("templates").join(&rel)),
                    format!(
                        "template matches no built-in name (expected one of {}, or a file under partials/); is it a typo?",
                        BUILTINS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            let text =
                std::fs::read_to_string(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            sources.retain(|(n, _)| *n != rel);
            sources.push((rel, text));
        }
    }
    // The built-ins again as `builtin/<name>`, when a site template names
    // one (Tera parses every template it is given, at every build).
    if sources
        .iter()
        .any(|(n, t)| !is_builtin(n, t) && t.contains("builtin/"))
    {
        for (name, text) in BUILTINS {
            sources.push((format!("builtin/{name}"), text.to_string()));
        }
    }
    Ok(Templates {
        sources,
        minify,
        strings: Arc::new(strings),
        warnings,
        parsed: OnceLock::new(),
        kept: None,
        from_kept: AtomicBool::new(false),
    })
}

impl Templates {
    /// The templates parsed, the first call parsing them: minified when
    /// `minify` and every HTML template can safely be (else the pages are
    /// minified one by one as they are rendered).
    pub fn parsed(&self) -> Result<&Parsed> {
        let parsed = self.parsed.get_or_init(|| {
            if let Some(parsed) = self.kept.as_deref().and_then(|k| self.parse_kept(k)) {
                self.from_kept.store(true, Ordering::Relaxed);
                return Ok(parsed);
            }
            parse(&self.sources, self.minify, &self.strings).map_err(|e| match e {
                Error::Template { name, message } => (name, message),
                other => ("templates/".into(), other.to_string()),
            })
        });
        parsed.as_ref().map_err(|(name, message)| Error::Template {
            name: name.clone(),
            message: message.clone(),
        })
    }

    /// The interface strings in the site's language.
    pub fn strings(&self) -> &Strings {
        &self.strings
    }

    /// Parse these templates from the syntax trees a build kept of them
    /// (see [`Templates::kept`]) rather than from their text. Only a
    /// rebuild gives them: its templates, translations and binary are the
    /// last build's, which parsed the same text.
    pub fn keep_from(&mut self, kept: Vec<u8>) {
        self.kept = Some(kept);
    }

    /// The syntax trees of the templates, to be given to the next build
    /// ([`Templates::keep_from`]): when this build parsed them from their
    /// text, without error.
    pub fn kept(&self) -> Option<Vec<u8>> {
        if self.from_kept.load(Ordering::Relaxed) {
            return None;
        }
        let parsed = self.parsed.get()?.as_ref().ok()?;
        let asts = self.sources.iter().map(|(name, _)| {
            let template = parsed.tera.templates.get(name)?;
            Some((name, &template.ast))
        });
        let asts: Option<Vec<(&String, &Vec<Node>)>> = asts.collect();
        postcard::to_stdvec(&(parsed.minified, asts?)).ok()
    }

    /// The templates made from kept syntax trees; `None` when they do not
    /// decode or are not these templates' (then they are parsed).
    fn parse_kept(&self, kept: &[u8]) -> Option<Parsed> {
        let (minified, asts): Kept = postcard::from_bytes(kept).ok()?;
        let names = asts.iter().map(|(name, _)| name);
        if !names.eq(self.sources.iter().map(|(name, _)| name)) {
            return None;
        }
        let templates = asts.into_iter().map(|(name, ast)| {
            let template = tera::Template::from_ast(&name, None, ast);
            (name, template)
        });
        let tera = compile_with(&self.strings, |tera| insert_templates(tera, templates));
        Some(Parsed {
            tera: tera.ok()?,
            minified,
        })
    }
}

/// Parse `sources`, minified when `minify` allows.
fn parse(sources: &[(String, String)], minify: bool, strings: &Arc<Strings>) -> Result<Parsed> {
    // The built-ins are known to parse, minified or not: only the site's
    // own templates are first parsed as written, so that an error points at
    // the line the author wrote.
    let own = sources.iter().any(|(n, t)| !is_builtin(n, t));
    let translated: Vec<(String, String)> = sources
        .iter()
        .map(|(name, text)| (name.clone(), translate(text, strings)))
        .collect();
    let sources = &translated[..];
    let as_written = if own || !minify {
        Some(compile(sources, strings)?)
    } else {
        None
    };
    if minify {
        let minified: Option<Vec<(String, String)>> = sources
            .iter()
            .map(|(name, text)| {
                let text = if name.ends_with(".html") {
                    minify::minify_template(text)?
                } else {
                    text.clone()
                };
                Some((name.clone(), text))
            })
            .collect();
        // Minifying keeps Tera's tags as they are, so the minified
        // templates parse too; were one not to, the pages are minified
        // one by one instead.
        if let Some(tera) = minified.and_then(|m| compile(&m, strings).ok()) {
            return Ok(Parsed {
                tera,
                minified: true,
            });
        }
    }
    let tera = match as_written {
        Some(tera) => tera,
        None => compile(sources, strings)?,
    };
    Ok(Parsed {
        tera,
        minified: false,
    })
}

/// `text` with each `{{ t(key="…") }}` of a plain string (no count, no
/// arguments) replaced by the string, before the template is minified and
/// parsed: the page then comes out as if the template had the words in
/// it (minified alike, the same bytes as before translations), and
/// rendering looks nothing up. A string with Tera's own delimiters, or a
/// key no table has, is left to `t()` (which says so).
fn translate(text: &str, strings: &Strings) -> String {
    const OPEN: &str = "{{ t(key=\"";
    const CLOSE: &str = "\") }}";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let plain = after.find(CLOSE).and_then(|end| {
            let key = &after[..end];
            let value = strings.get(key).filter(|_| !key.contains('"'))?;
            let tera = ["{{", "{%", "{#", "%}", "}}", "#}"];
            (!tera.iter().any(|d| value.contains(d))).then_some((end, value))
        });
        match plain {
            Some((end, value)) => {
                out.push_str(value);
                rest = &after[end + CLOSE.len()..];
            }
            None => {
                out.push_str(OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `(name, text)` is a built-in template as shipped.
fn is_builtin(name: &str, text: &str) -> bool {
    let name = name.strip_prefix("builtin/").unwrap_or(name);
    BUILTINS.iter().any(|(n, t)| *n == name && *t == text)
}

/// Parse the templates, named, into a Tera ready to render pages.
fn compile(sources: &[(String, String)], strings: &Arc<Strings>) -> Result<Tera> {
    compile_with(strings, |tera| add_templates(tera, sources))
}

/// A Tera with pidsite's functions and filters, its templates added by
/// `add`.
fn compile_with(
    strings: &Arc<Strings>,
    add: impl FnOnce(&mut Tera) -> tera::Result<()>,
) -> Result<Tera> {
    let mut tera = Tera::default();
    // Registered before the templates are added: Tera checks, as it adds
    // them, that the filters they use exist.
    tera.register_function("t", i18n::Translate(Arc::clone(strings)));
    tera.register_filter("local_date", i18n::LocalDate(Arc::clone(strings)));
    tera.register_function(
        "script_strings",
        i18n::ScriptStrings::new(Arc::clone(strings)),
    );
    tera.autoescape_on(vec![".html", ".xml"]);
    add(&mut tera).map_err(|e| template_error("templates/", &e))?;
    // Tera's default also escapes `/` (as `&#x2F;`), which is needless in
    // HTML and makes every URL unreadable in the page source.
    tera.set_escape_fn(escape_html);
    Ok(tera)
}

/// What `Tera::add_raw_templates` does, with the parsing shared by two
/// threads: parsing (pest, ~85 M instructions for the built-ins) is what a
/// rebuild that renders one PID waits for before its first page. Plain
/// threads, not rayon's: this runs inside the first render's one-time
/// initialisation (see `Renderer::ready`). The error, if any, is the first
/// template's in `sources` order, in Tera's words.
fn add_templates(tera: &mut Tera, sources: &[(String, String)]) -> tera::Result<()> {
    let parse = |(name, text): &(String, String)| {
        tera::Template::new(name, None, text)
            .map_err(|e| tera::Error::chain(format!("Failed to parse '{name}'"), e))
    };
    // Each template to the thread with less text so far, the longest first.
    let mut order: Vec<usize> = (0..sources.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sources[i].1.len()));
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    let (mut my_bytes, mut their_bytes) = (0, 0);
    for i in order {
        let (bin, bytes) = match my_bytes <= their_bytes {
            true => (&mut mine, &mut my_bytes),
            false => (&mut theirs, &mut their_bytes),
        };
        bin.push(i);
        *bytes += sources[i].1.len();
    }
    let parse_all = |bin: Vec<usize>| -> Vec<(usize, tera::Result<tera::Template>)> {
        bin.into_iter().map(|i| (i, parse(&sources[i]))).collect()
    };
    let mut parsed = std::thread::scope(|scope| {
        let other = scope.spawn(|| parse_all(theirs));
        let mut parsed = parse_all(mine);
        parsed.extend(
            other
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
        );
        parsed
    });
    parsed.sort_by_key(|(i, _)| *i);
    let named = sources.iter().zip(parsed);
    insert_templates(tera, named.map(|((name, _), (_, t))| (name.clone(), t)))
}

/// Add parsed templates to `tera` (the first error, in order, stops it),
/// then link them: inheritance chains, macro imports.
fn insert_templates(
    tera: &mut Tera,
    templates: impl Iterator<Item = (String, tera::Result<tera::Template>)>,
) -> tera::Result<()> {
    for (name, template) in templates {
        tera.templates.insert(name, template?);
    }
    tera.build_inheritance_chains()?;
    tera.check_macro_files()
}

/// Escape text for element content and quoted attribute values.
fn escape_html(text: &str) -> String {
    crate::load::html::escape(text)
}

/// A template error with Tera's whole cause chain.
pub fn template_error(name: &str, e: &tera::Error) -> Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Error::Template {
        name: name.to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_lookups_reach_into_objects_and_arrays() {
        // Vendored tera patch 1 borrows the path's tokens; a token with `~1`
        // is still unescaped as a JSON pointer's (to `/`), as upstream does.
        let mut tera = tera::Tera::default();
        tera.add_raw_template(
            "t",
            "{{ a.b.1.c }} {{ a[\"x~1y\"] }} {{ a.list | length }}{% for i in a.list %} {{ i.n }}{% endfor %}",
        )
        .unwrap();
        let ctx = tera::Context::from_value(serde_json::json!({
            "a": {"b": [{}, {"c": "deep"}], "x/y": "slash", "x~1y": "tilde", "list": [{"n": 1}, {"n": 2}]}
        }))
        .unwrap();
        assert_eq!(tera.render("t", &ctx).unwrap(), "deep slash 2 1 2");
    }

    #[test]
    fn of_two_broken_templates_the_first_is_named_however_parsing_is_shared() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("templates");
        std::fs::create_dir(&own).unwrap();
        // Site templates come after the built-ins, in file name order.
        std::fs::write(own.join("404.html"), "{% if %}").unwrap();
        std::fs::write(own.join("page.html"), "{{ unclosed").unwrap();
        for _ in 0..20 {
            let t = load(dir.path(), true, "en").unwrap();
            let e = t.parsed().err().expect("broken templates").to_string();
            assert!(e.contains("Failed to parse '404.html'"), "{e}");
            assert!(!e.contains("page.html"), "{e}");
        }
        // A missing parent is still found once all are parsed.
        std::fs::remove_file(own.join("page.html")).unwrap();
        std::fs::write(own.join("404.html"), "{% extends \"gone.html\" %}").unwrap();
        let e = load(dir.path(), true, "en")
            .unwrap()
            .parsed()
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("gone.html"), "{e}");
    }

    /// A rebuild reads the syntax trees the last build kept instead of
    /// parsing: the same templates, down to their inheritance chains and
    /// blocks, minified or not, with a site template extending a built-in
    /// and in another language. What cannot be used is parsed again.
    #[test]
    fn kept_templates_are_the_templates_parsed_from_their_text() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/page.html"),
            "{% extends \"builtin/page.html\" %}{% block content %}MINE {{ super() }}{% endblock content %}",
        )
        .unwrap();
        // Every part of every template, compared as values (their maps'
        // Debug order differs from one map to the next); a failure names
        // the template rather than printing them all.
        let same = |a: &Templates, b: &Templates| {
            let (a, b) = (a.parsed().unwrap(), b.parsed().unwrap());
            assert_eq!(a.minified, b.minified);
            let mut names: Vec<&String> = a.tera.templates.keys().collect();
            names.sort();
            let mut theirs: Vec<&String> = b.tera.templates.keys().collect();
            theirs.sort();
            assert_eq!(names, theirs);
            for name in names {
                let (x, y) = (&a.tera.templates[name], &b.tera.templates[name]);
                assert!(x.ast == y.ast && x.parent == y.parent, "{name}");
                assert!(x.macros == y.macros && x.blocks == y.blocks, "{name}");
                assert!(x.imported_macro_files == y.imported_macro_files, "{name}");
                assert!(x.parents == y.parents, "{name}");
                assert!(x.blocks_definitions == y.blocks_definitions, "{name}");
            }
        };
        for (minify, language) in [(false, "en"), (true, "en"), (true, "fr")] {
            let text = load(dir.path(), minify, language).unwrap();
            text.parsed().unwrap();
            let kept = text.kept().expect("parsed from the text, so kept");
            let mut again = load(dir.path(), minify, language).unwrap();
            again.keep_from(kept.clone());
            same(&again, &text);
            // Nothing new to keep.
            assert_eq!(again.kept(), None);
            // Kept trees that do not decode, or are another site's, are
            // not used: the text is parsed.
            for other in [vec![1, 2, 3], kept[..kept.len() / 2].to_vec()] {
                let mut broken = load(dir.path(), minify, language).unwrap();
                broken.keep_from(other);
                same(&broken, &text);
                assert!(broken.kept().is_some());
            }
            let builtins_only = tempfile::tempdir().unwrap();
            let mut elsewhere = load(builtins_only.path(), minify, language).unwrap();
            elsewhere.keep_from(kept);
            let parsed = elsewhere.parsed().unwrap();
            assert!(!parsed.tera.templates.contains_key("builtin/page.html"));
            assert!(elsewhere.kept().is_some());
        }
    }

    #[test]
    fn every_builtin_parses_and_minifies() {
        let dir = tempfile::tempdir().unwrap();
        for minify in [false, true] {
            let t = load(dir.path(), minify, "en").unwrap();
            assert!(t.warnings.is_empty());
            let parsed = t.parsed().unwrap();
            assert_eq!(parsed.minified, minify);
            for (name, _) in BUILTINS {
                assert!(
                    parsed.tera.get_template_names().any(|n| n == *name),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn a_site_template_overrides_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "MINE").unwrap();
        std::fs::write(dir.path().join("templates/pgae.html"), "typo").unwrap();
        let t = load(dir.path(), true, "en").unwrap();
        let out = t
            .parsed()
            .unwrap()
            .tera
            .render("page.html", &tera::Context::new())
            .unwrap();
        assert_eq!(out, "MINE");
        assert_eq!(t.warnings.len(), 1);
        assert!(t.warnings[0].to_string().contains("pgae.html"));
    }

    #[test]
    fn the_list_pages_are_overridden_like_any_other() {
        for name in ["members.html", "images.html"] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir(dir.path().join("templates")).unwrap();
            std::fs::write(dir.path().join("templates").join(name), "MINE").unwrap();
            let t = load(dir.path(), true, "en").unwrap();
            assert!(t.warnings.is_empty(), "{name}: a known name");
            let out = t
                .parsed()
                .unwrap()
                .tera
                .render(name, &tera::Context::new())
                .unwrap();
            assert_eq!(out, "MINE");
        }
    }

    #[test]
    fn a_broken_template_is_reported_by_every_render_that_needs_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "{% if %}").unwrap();
        // Reading succeeds: the templates are parsed on first use.
        let t = load(dir.path(), true, "en").unwrap();
        for _ in 0..2 {
            let Err(Error::Template { name, message }) = t.parsed() else {
                panic!("a parse error");
            };
            assert_eq!(name, "templates/");
            assert!(message.contains("page.html"), "{message}");
        }
    }

    #[test]
    fn a_site_template_that_cannot_be_minified_leaves_all_as_written() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/page.html"),
            "{% extends \"base.html\" %}{% block main %}<pre>{% block code %}  a\n    b{% endblock code %}</pre>{% endblock main %}",
        )
        .unwrap();
        // The page's block lands in the built-in's <pre>: nothing is
        // minified, and the pages are minified one by one instead.
        assert!(
            !load(dir.path(), true, "en")
                .unwrap()
                .parsed()
                .unwrap()
                .minified
        );
    }
}
