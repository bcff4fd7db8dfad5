//! Tera templates: the built-ins are embedded in the binary; a site's own
//! `templates/` folder overrides any of them by file name, and can extend a
//! built-in as `builtin/<name>` to change one block.

use std::path::Path;
use std::sync::{Arc, OnceLock};

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
}

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
    })
}

impl Templates {
    /// The templates parsed, the first call parsing them: minified when
    /// `minify` and every HTML template can safely be (else the pages are
    /// minified one by one as they are rendered).
    pub fn parsed(&self) -> Result<&Parsed> {
        let parsed = self.parsed.get_or_init(|| {
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
    add_templates(&mut tera, sources).map_err(|e| template_error("templates/", &e))?;
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
    for ((name, _), (_, template)) in sources.iter().zip(parsed) {
        tera.templates.insert(name.clone(), template?);
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
