//! Markdown: `content/pages/*.md` (site pages) and `content/notes/*.md` (a
//! note per PID, named by a `pid` key in its front matter). Front matter is
//! TOML between `+++` lines or simple `key: value` lines between `---`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::RawHtml;
use crate::error::{Error, Location, Result, Warning};
use crate::load::markdown;
use crate::model::pid::Pid;

/// A Markdown site page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page {
    /// URL slug (the file stem).
    pub slug: String,
    /// Title (front matter, else the first heading, else the slug).
    pub title: String,
    /// Position in the navigation (lower first; then by title).
    pub order: i64,
    /// Meta description.
    pub description: String,
    /// Rendered HTML.
    pub html: String,
}

/// A Markdown note attached to one PID's landing page.
#[derive(Debug, Clone)]
pub struct Note {
    /// The PID it belongs to.
    pub pid: Pid,
    /// Optional heading.
    pub title: Option<String>,
    /// Rendered HTML.
    pub html: String,
    /// The file, for messages.
    pub path: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FrontMatter {
    title: Option<String>,
    order: Option<i64>,
    description: Option<String>,
    pid: Option<String>,
}

/// Read every `.md` file in `content/pages/`, sorted for the navigation,
/// with raw HTML treated by `rule`; and what was left out of them.
pub fn load_pages(site_dir: &Path, rule: RawHtml) -> Result<(Vec<Page>, Vec<Warning>)> {
    let mut pages = Vec::new();
    let mut warnings = Vec::new();
    for rel in markdown_files(site_dir, "content/pages", false)? {
        let (front, body) = read(site_dir, &rel)?;
        let slug = rel
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("page")
            .to_string();
        let title = front
            .title
            .or_else(|| first_heading(&body))
            .unwrap_or_else(|| slug.clone());
        let rendered = markdown::render(&body, rule);
        warnings.extend(rendered.warnings(&Location::file(&rel), rule));
        pages.push(Page {
            slug,
            title,
            order: front.order.unwrap_or(i64::MAX),
            description: front.description.unwrap_or_default(),
            html: rendered.html,
        });
    }
    pages.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.title.cmp(&b.title)));
    Ok((pages, warnings))
}

/// Read every note in `content/notes/`, with raw HTML treated by `rule`;
/// and what was left out of them.
pub fn load_notes(site_dir: &Path, rule: RawHtml) -> Result<(Vec<Note>, Vec<Warning>)> {
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for rel in markdown_files(site_dir, "content/notes", true)? {
        let (front, body) = read(site_dir, &rel)?;
        let pid_text = front.pid.ok_or_else(|| {
            Error::page(
                Location::line(&rel, 1),
                "front matter: expected a `pid` key naming the PID this note belongs to",
            )
        })?;
        let pid = Pid::parse(&pid_text).map_err(|m| {
            Error::page(Location::line(&rel, 1), format!("front matter `pid`: {m}"))
        })?;
        if let Some(other) = seen.insert(pid.key().to_string(), rel.clone()) {
            return Err(Error::page(
                Location::line(&rel, 1),
                format!(
                    "front matter `pid`: a second note for {pid} (the other is {}); expected one note per PID",
                    other.display()
                ),
            ));
        }
        let rendered = markdown::render(&body, rule);
        warnings.extend(rendered.warnings(&Location::file(&rel), rule));
        notes.push(Note {
            pid,
            title: front.title,
            html: rendered.html,
            path: rel,
        });
    }
    Ok((notes, warnings))
}

/// The Markdown files of `folder` (relative to the site), in subfolders too
/// when `deep`: a note names its PID in its front matter, so where it sits
/// is the site's own order (one folder per collection); a page's file name
/// is its URL, so pages are read from the folder itself.
fn markdown_files(site_dir: &Path, folder: &str, deep: bool) -> Result<Vec<PathBuf>> {
    let dir = site_dir.join(folder);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    let walk = walkdir::WalkDir::new(&dir).max_depth(if deep { usize::MAX } else { 1 });
    for entry in walk {
        let entry = entry.map_err(|e| Error::Io {
            path: dir.clone(),
            source: e.into(),
        })?;
        let path = entry.path();
        if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "md") {
            if let Ok(rel) = path.strip_prefix(site_dir) {
                files.push(rel.to_path_buf());
            }
        }
    }
    files.sort();
    Ok(files)
}

fn read(site_dir: &Path, rel: &Path) -> Result<(FrontMatter, String)> {
    let text = std::fs::read_to_string(site_dir.join(rel)).map_err(|e| Error::io(rel, e))?;
    split_front_matter(&text, rel)
}

fn split_front_matter(text: &str, rel: &Path) -> Result<(FrontMatter, String)> {
    let text = text.trim_start_matches('\u{feff}');
    for fence in ["+++", "---"] {
        let Some(rest) = text.strip_prefix(fence) else {
            continue;
        };
        let rest = rest
            .trim_start_matches('\r')
            .strip_prefix('\n')
            .unwrap_or(rest);
        let end = rest
            .match_indices(fence)
            .find(|(i, _)| *i == 0 || rest[..*i].ends_with('\n'))
            .map(|(i, _)| i)
            .ok_or_else(|| {
                Error::page(
                    Location::line(rel, 1),
                    format!("front matter opened with `{fence}` is never closed"),
                )
            })?;
        let head = &rest[..end];
        let body = rest[end + fence.len()..].to_string();
        let front = if fence == "+++" {
            toml::from_str(head).map_err(|e| {
                let line = e
                    .span()
                    .map_or(1, |s| head[..s.start].matches('\n').count() + 2);
                Error::page(
                    Location::line(rel, line),
                    format!("front matter: {}", e.message()),
                )
            })?
        } else {
            simple_front_matter(head, rel)?
        };
        refuse_controls(&front, head, rel)?;
        return Ok((front, body));
    }
    Ok((FrontMatter::default(), text.to_string()))
}

/// A front-matter value with a control character (but tab) is an error
/// naming its line: the title and description go into HTML and the feed,
/// where such characters are invalid (found by tests/fuzz.rs).
fn refuse_controls(front: &FrontMatter, head: &str, rel: &Path) -> Result<()> {
    let values = [
        ("title", &front.title),
        ("description", &front.description),
        ("pid", &front.pid),
    ];
    for (key, value) in values {
        let Some(c) = value
            .as_deref()
            .and_then(|v| v.chars().find(|&c| c.is_control() && c != '\t'))
        else {
            continue;
        };
        let line = head
            .lines()
            .position(|l| l.trim_start().starts_with(key))
            .map_or(1, |i| i + 2);
        return Err(Error::page(
            Location::line(rel, line),
            format!(
                "front matter `{key}`: control character U+{:04X}; expected text",
                c as u32
            ),
        ));
    }
    Ok(())
}

/// `key: value` lines (the YAML subset pages need).
fn simple_front_matter(head: &str, rel: &Path) -> Result<FrontMatter> {
    let mut front = FrontMatter::default();
    for (i, line) in head.lines().enumerate() {
        let line_no = i + 2;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once(':').ok_or_else(|| {
            Error::page(
                Location::line(rel, line_no),
                "front matter: expected `key: value`",
            )
        })?;
        let value = value
            .trim()
            .trim_matches('"')
            .trim_matches('\'')
            .to_string();
        match key.trim() {
            "title" => front.title = Some(value),
            "description" => front.description = Some(value),
            "pid" => front.pid = Some(value),
            "order" => {
                front.order = Some(value.parse().map_err(|_| {
                    Error::page(
                        Location::line(rel, line_no),
                        format!("front matter `order`: expected an integer, found {value:?}"),
                    )
                })?)
            }
            other => {
                return Err(Error::page(
                    Location::line(rel, line_no),
                    format!("front matter: unknown key `{other}`; expected title, order, description or pid"),
                ))
            }
        }
    }
    Ok(front)
}

fn first_heading(body: &str) -> Option<String> {
    body.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_read_from_subfolders_and_pages_from_their_folder() {
        let site = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = site.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("content/notes/a.md", "---\npid: ark:/99999/a\n---\nA.\n");
        write(
            "content/notes/maps/b.md",
            "---\npid: ark:/99999/b\n---\nB.\n",
        );
        write("content/pages/about.md", "---\ntitle: About\n---\nHi.\n");
        write("content/pages/drafts/x.md", "---\ntitle: X\n---\nX.\n");
        let (notes, _) = load_notes(site.path(), RawHtml::Omit).unwrap();
        let pids: Vec<String> = notes.iter().map(|n| n.pid.to_string()).collect();
        assert_eq!(pids, ["ark:99999/a", "ark:99999/b"]);
        let (pages, _) = load_pages(site.path(), RawHtml::Omit).unwrap();
        assert_eq!(pages.len(), 1, "pages come from content/pages itself");
    }

    #[test]
    fn toml_front_matter() {
        let (front, body) = split_front_matter(
            "+++\ntitle = \"About\"\norder = 2\n+++\n# Hi\n",
            Path::new("a.md"),
        )
        .unwrap();
        assert_eq!(front.title.as_deref(), Some("About"));
        assert_eq!(front.order, Some(2));
        assert_eq!(body.trim(), "# Hi");
    }

    #[test]
    fn yaml_like_front_matter() {
        let (front, _) = split_front_matter(
            "---\ntitle: How to cite\norder: 1\n---\nx",
            Path::new("a.md"),
        )
        .unwrap();
        assert_eq!(front.title.as_deref(), Some("How to cite"));
        let err = split_front_matter("---\norder: first\n---\n", Path::new("p.md")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.md:2: front matter `order`: expected an integer, found \"first\""
        );
    }

    #[test]
    fn control_characters_in_front_matter_are_refused() {
        // Found by tests/fuzz.rs: a description with U+0012 reached the
        // page's <meta>, a parse error in HTML.
        let err = split_front_matter(
            "---\ntitle: About\norder: 1\ndescription: What thi\u{12}s is.\n---\nx",
            Path::new("p.md"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.md:4: front matter `description`: control character U+0012; expected text"
        );
        let err = split_front_matter(
            "+++\npid = \"ark:/1/a\"\ntitle = \"A\\u000bB\"\n+++\n",
            Path::new("n.md"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "n.md:3: front matter `title`: control character U+000B; expected text"
        );
        let (front, _) = split_front_matter("---\ntitle: A\tB\n---\n", Path::new("p.md")).unwrap();
        assert_eq!(front.title.as_deref(), Some("A\tB"));
    }
}
