//! Redirect exports for hosts that can answer with real status codes: the
//! stubs' mappings as `_redirects` (Netlify), `.htaccess` (Apache) and an
//! nginx `map`. Moves, aliases and other written forms of a PID get a 301;
//! withdrawn PIDs (and their version pages) get 410 Gone with their
//! tombstone as the body. GitHub Pages ignores all three files; the HTML
//! stubs and tombstones work there.

use std::fmt::Write as _;

use crate::output::Redirect;

/// The paths a page answers at: a folder's `/a/b/`, `/a/b` and
/// `/a/b/index.html`; a file's own path.
fn forms(path: &str) -> Vec<String> {
    match path.strip_suffix('/') {
        Some(bare) => vec![
            format!("{bare}/"),
            bare.to_string(),
            format!("{bare}/index.html"),
        ],
        None => vec![path.to_string()],
    }
}

/// The file a path is served from.
fn file_of(path: &str) -> String {
    if path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// A path quoted for a regular expression (Apache, nginx).
pub(super) fn regex_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if "\\.+*?()|[]{}^$#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A path as Netlify's `_redirects` wants it: percent-encoded, but for
/// `/` and what never needs it (Netlify's docs: "special characters in
/// paths must be url-encoded"; a `:` would start a placeholder).
pub(super) fn netlify_path(path: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(path, KEEP).to_string()
}

/// A string in double quotes for nginx's configuration: a quote or
/// backslash is escaped. nginx matches `$uri`, the decoded path, so that
/// is what goes in.
pub(super) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A path with no character that would end a config token: spaces and
/// quotes are percent-encoded (site paths are already mostly encoded).
fn token(path: &str) -> String {
    path.replace('%', "%25")
        .replace(' ', "%20")
        .replace('"', "%22")
        .replace('\'', "%27")
        .replace(';', "%3B")
}

/// Netlify's `_redirects`. `!` forces the rule although a file (the stub or
/// tombstone itself) exists at the path; a 410 rule serves the tombstone
/// (`to`) with that status.
pub fn netlify(redirects: &[&Redirect]) -> String {
    let mut out = String::from(
        "# Written by pidsite for Netlify: moves, aliases and other forms of a PID answer 301;\n\
         # withdrawn PIDs answer 410 with their tombstone page. Query strings are passed on.\n",
    );
    for r in redirects {
        if r.status == 410 {
            let page = file_of(&r.to);
            for from in forms(&r.from).iter().filter(|f| **f != page) {
                let _ = writeln!(out, "{}  {}  410!", netlify_path(from), netlify_path(&page));
            }
        } else {
            for from in forms(&r.from) {
                let _ = writeln!(
                    out,
                    "{}  {}  301!",
                    netlify_path(&from),
                    netlify_path(&r.to)
                );
            }
        }
    }
    out
}

/// Apache's `.htaccess` (mod_alias; the query string is passed on). A
/// tombstone answers 410 with itself as the error document.
pub fn apache(redirects: &[&Redirect]) -> String {
    let mut out = String::from(
        "# Written by pidsite for Apache (mod_alias): moves, aliases and other forms of a PID\n\
         # answer 301; withdrawn PIDs answer 410 with their tombstone page.\n",
    );
    for r in redirects {
        let bare = regex_escape(r.from.trim_end_matches('/'));
        let tail = if r.from.ends_with('/') {
            "(/|/index\\.html)?"
        } else {
            ""
        };
        if r.status == 410 {
            // Not the tombstone's own file: Apache fetches it as the error
            // document, which must not be gone itself. Another page's
            // (a withdrawn version's stub) is gone in every form.
            let pattern = if r.from == r.to {
                format!("^{bare}/?$")
            } else {
                format!("^{bare}{tail}$")
            };
            let page = token(&file_of(&r.to));
            let _ = writeln!(
                out,
                "<If \"%{{REQUEST_URI}} =~ m#{pattern}#\">\n  ErrorDocument 410 {page}\n</If>\nRedirectMatch 410 \"{pattern}\""
            );
        } else {
            // Apache matches the decoded path too; in its quoted strings
            // only a quote is escaped (a backslash is the regex's own).
            let pattern = format!("^{bare}{tail}$").replace('"', "\\\"");
            let _ = writeln!(out, "RedirectMatch 301 \"{pattern}\" \"{}\"", token(&r.to));
        }
    }
    out
}

/// An nginx `map` file to `include` in the `http` block; the comment at its
/// top shows the two lines the `server` block needs.
pub fn nginx(redirects: &[&Redirect]) -> String {
    let mut out = String::from(
        "# Written by pidsite for nginx. In the http block:   include /path/to/pidsite-redirects.map;\n\
         # In the server block:\n\
         #   if ($pidsite_redirect) { return 301 $pidsite_redirect$is_args$args; }\n\
         #   if ($pidsite_gone) { return 410; }\n\
         #   error_page 410 $pidsite_gone;\n\
         # Moves, aliases and other forms of a PID answer 301; withdrawn PIDs answer 410 with\n\
         # their tombstone page.\n",
    );
    // nginx refuses a map whose keys do not fit its hash buckets: size them
    // for the longest path and the number of keys.
    let longest = redirects
        .iter()
        .map(|r| quoted(&r.from).len() + "/index.html".len())
        .max()
        .unwrap_or(0);
    let bucket = (longest + 32).div_ceil(64).max(1) * 64;
    let keys = (redirects.len() * 3).next_power_of_two().max(2048);
    let _ = writeln!(
        out,
        "map_hash_bucket_size {bucket};\nmap_hash_max_size {keys};"
    );
    // nginx refuses a map with a key twice: one PID's two spellings of one
    // old URL (`/a%20b/`, `/a b/`) give one key (the registry refuses two
    // PIDs claiming one).
    let mut keys_written = std::collections::HashSet::new();
    for (name, gone) in [("pidsite_redirect", false), ("pidsite_gone", true)] {
        // The gone map is volatile: the tombstone served as the 410 body is
        // looked up afresh, not with the cached value that sent it there.
        let volatile = if gone { "\n    volatile;" } else { "" };
        let _ = writeln!(out, "map $uri ${name} {{{volatile}\n    default \"\";");
        for r in redirects.iter().filter(|r| (r.status == 410) == gone) {
            // The tombstone's own file is served as the 410 body, so it is
            // not itself mapped (that would loop).
            let page = file_of(&r.to);
            let to = token(if gone { &page } else { &r.to });
            for from in forms(&r.from).iter().filter(|f| !gone || **f != page) {
                if keys_written.insert(from.clone()) {
                    let _ = writeln!(out, "    {} \"{to}\";", quoted(from));
                }
            }
        }
        out.push_str("}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Redirect> {
        vec![
            Redirect {
                from: "/s/ark/99999/fk4old/".into(),
                to: "/s/ark/99999/fk4new/".into(),
                status: 301,
            },
            Redirect {
                from: "/s/ark/99999/fk4gone/".into(),
                to: "/s/ark/99999/fk4gone/".into(),
                status: 410,
            },
        ]
    }

    #[test]
    fn netlify_forces_rules_over_the_stub_files() {
        let r = sample();
        let text = netlify(&r.iter().collect::<Vec<_>>());
        assert!(text.contains("/s/ark/99999/fk4old/  /s/ark/99999/fk4new/  301!\n"));
        assert!(text.contains("/s/ark/99999/fk4old  /s/ark/99999/fk4new/  301!\n"));
        assert!(text.contains("/s/ark/99999/fk4gone/  /s/ark/99999/fk4gone/index.html  410!\n"));
    }

    #[test]
    fn apache_matches_the_whole_path_only() {
        let r = sample();
        let text = apache(&r.iter().collect::<Vec<_>>());
        assert!(text.contains(
            "RedirectMatch 301 \"^/s/ark/99999/fk4old(/|/index\\.html)?$\" \"/s/ark/99999/fk4new/\""
        ));
        assert!(text.contains("ErrorDocument 410 /s/ark/99999/fk4gone/index.html"));
    }

    #[test]
    fn nginx_maps_redirects_and_gone_apart() {
        let r = sample();
        let text = nginx(&r.iter().collect::<Vec<_>>());
        assert!(text.contains("\"/s/ark/99999/fk4old/index.html\" \"/s/ark/99999/fk4new/\";"));
        assert!(text.contains("\"/s/ark/99999/fk4gone/\" \"/s/ark/99999/fk4gone/index.html\";"));
        assert!(!text.contains("\"/s/ark/99999/fk4gone/index.html\" \""));
    }

    /// A withdrawn PID's version page is gone in every form, with the PID's
    /// tombstone as the body (issue 16).
    #[test]
    fn a_withdrawn_version_answers_gone_with_the_tombstone() {
        let r = [Redirect {
            from: "/s/ark/99999/fk4gone/v1/".into(),
            to: "/s/ark/99999/fk4gone/".into(),
            status: 410,
        }];
        let r: Vec<&Redirect> = r.iter().collect();
        let tombstone = "/s/ark/99999/fk4gone/index.html";
        let text = netlify(&r);
        for from in ["v1/", "v1", "v1/index.html"] {
            let line = format!("/s/ark/99999/fk4gone/{from}  {tombstone}  410!\n");
            assert!(text.contains(&line), "{text}");
        }
        let text = apache(&r);
        assert!(
            text.contains(&format!("ErrorDocument 410 {tombstone}")),
            "{text}"
        );
        assert!(text.contains("RedirectMatch 410 \"^/s/ark/99999/fk4gone/v1(/|/index\\.html)?$\""));
        let text = nginx(&r);
        assert!(text.contains(&format!(
            "\"/s/ark/99999/fk4gone/v1/index.html\" \"{tombstone}\";"
        )));
    }

    /// Old URLs of a migrated site (Islandora's `uofm:1234`, a space):
    /// Apache and nginx match the decoded path, Netlify the encoded one.
    #[test]
    fn old_urls_are_matched_as_each_host_sees_them() {
        let r = [
            Redirect {
                from: "/s/islandora/object/uofm:1234/".into(),
                to: "/s/id/x/".into(),
                status: 301,
            },
            Redirect {
                from: "/s/items/Marsh 178 \"a\"/".into(),
                to: "/s/id/x/".into(),
                status: 301,
            },
        ];
        let r: Vec<&Redirect> = r.iter().collect();
        let text = netlify(&r);
        assert!(text.contains("/s/islandora/object/uofm%3A1234/  /s/id/x/  301!\n"));
        assert!(text.contains("/s/items/Marsh%20178%20%22a%22  /s/id/x/  301!\n"));
        let text = apache(&r);
        assert!(text.contains(
            "RedirectMatch 301 \"^/s/islandora/object/uofm:1234(/|/index\\.html)?$\" \"/s/id/x/\""
        ));
        assert!(text.contains(
            "RedirectMatch 301 \"^/s/items/Marsh 178 \\\"a\\\"(/|/index\\.html)?$\" \"/s/id/x/\""
        ));
        let text = nginx(&r);
        assert!(text.contains("    \"/s/islandora/object/uofm:1234\" \"/s/id/x/\";"));
        let twice = nginx(&[r[0], r[0]]);
        assert_eq!(twice.matches("uofm:1234/index.html").count(), 1, "{twice}");
        assert!(text.contains("    \"/s/items/Marsh 178 \\\"a\\\"/index.html\" \"/s/id/x/\";"));
    }
}
