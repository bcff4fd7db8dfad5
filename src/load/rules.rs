//! The site's redirect rules (README "Redirect rules") -> [`Rule`]s: the
//! `[[rules.entries]]` of site.toml, then each file `[rules] files` names,
//! in order. A file is a PURL configuration of OBO Foundry
//! (purl.obolibrary.org), read as it is: its `entries` of kind `exact` and
//! `prefix`, its `base_redirect` and its `products`, as OBO's own
//! `translate_yaml.py` makes them into Apache rules. Rules never shadow a
//! PID: one that would answer where a PID's page or redirect is, is left
//! out with a warning. Reads only.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use crate::config::{RuleEntry as Entry, RuleSettings};
use crate::error::{Error, Location, Result, Warning, WarningKind};
use crate::load::registry::Registry;
use crate::model::rule::{status_of, Rule, RuleKind};
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

/// The site's rules, in the order a host tries them, and warnings about
/// what was left out. Every bad entry of every file is one error.
pub(crate) fn load(
    site: &Path,
    settings: &RuleSettings,
    base_path: &str,
    registry: &Registry,
) -> Result<(Vec<Rule>, Vec<Warning>)> {
    let mut rules = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let toml = Path::new(crate::config::CONFIG_FILE);
    // site.toml's paths are below the site's base path, as its pages are.
    let site_base = base_path.trim_end_matches('/');
    for entry in &settings.entries {
        match rule(entry, site_base) {
            Ok(r) => rules.push(r.located(toml, entry.line)),
            Err(m) => errors.push(Error::config(
                Location::line(toml, entry.line),
                format!("[[rules.entries]]: {m}"),
            )),
        }
    }
    for name in &settings.files {
        let text = std::fs::read_to_string(site.join(name)).map_err(|e| {
            Error::config(
                Location::file(toml),
                format!("[rules] files names {name}, which cannot be read: {e}"),
            )
        })?;
        match obo_file(&text, Path::new(name), site_base) {
            Ok((found, skipped)) => {
                rules.extend(found);
                if !settings.skip_regex {
                    warnings.extend(skipped);
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if let Some(e) = Error::from_list(errors) {
        return Err(e);
    }
    let (rules, mut shadowing) = without_shadowing(rules, registry, base_path);
    warnings.append(&mut shadowing);
    Ok((rules, warnings))
}

impl Rule {
    fn located(mut self, path: &Path, line: usize) -> Rule {
        self.at = Location::line(path, line);
        self
    }
}

/// A rule from an entry, its path under `base` (no trailing `/`).
fn rule(entry: &Entry, base: &str) -> std::result::Result<Rule, String> {
    let (kind, path) = match (&entry.exact, &entry.prefix) {
        (Some(p), None) => (RuleKind::Exact, p),
        (None, Some(p)) => (RuleKind::Prefix, p),
        (Some(_), Some(_)) => return Err("expected one of `exact` and `prefix`, found both".into()),
        (None, None) => return Err("expected `exact` or `prefix`, found neither".into()),
    };
    let path = path.trim();
    let key = kind.name();
    if !path.starts_with('/') {
        return Err(format!(
            "`{key}`: expected a path starting with /, found {path:?}"
        ));
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| format!("`{key}`: {path:?} is not UTF-8 once percent-decoded"))?;
    if decoded.contains(['?', '#']) || decoded.chars().any(char::is_control) {
        return Err(format!(
            "`{key}`: expected a path without `?`, `#` or control characters, found {path:?}"
        ));
    }
    let to = entry
        .replacement
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| "missing `replacement`: expected the URL it redirects to".to_string())?;
    let absolute = ["https://", "http://"]
        .iter()
        .any(|s| to.len() > s.len() && to[..s.len()].eq_ignore_ascii_case(s));
    if !(absolute || to.starts_with('/')) || to.contains(char::is_whitespace) {
        return Err(format!(
            "`replacement`: expected an http(s) URL or a path of this site starting with /, found {to:?}"
        ));
    }
    let to = if absolute {
        to.to_string()
    } else {
        format!("{base}{to}")
    };
    let status = match entry.status.as_deref() {
        None => 302,
        Some(word) => status_of(word).ok_or_else(|| {
            format!(
                "`status`: expected \"permanent\", \"temporary\" or \"see other\", found {word:?}"
            )
        })?,
    };
    Ok(Rule {
        kind,
        from: format!("{base}{decoded}"),
        to,
        status,
        ignore_case: entry.ignore_case,
        at: Location::line("", entry.line),
    })
}

/// The rules of an OBO Foundry PURL configuration, and a warning for what
/// of it pidsite does not make (`regex` entries, a term browser's rule).
/// OBO matches every rule without regard to case; so does this.
fn obo_file(
    text: &str,
    path: &Path,
    site_base: &str,
) -> std::result::Result<(Vec<Rule>, Vec<Warning>), Vec<Error>> {
    let at = |line: usize| Location::line(path, line);
    let docs = MarkedYaml::load_from_str(text).map_err(|e| {
        vec![Error::config(
            at(e.marker().line()),
            format!("not YAML: {}", e.info()),
        )]
    })?;
    let top = docs
        .first()
        .filter(|d| d.data.is_mapping())
        .ok_or_else(|| {
            vec![Error::config(
                Location::file(path),
                "expected a PURL configuration (a YAML mapping with `base_url` and `entries`)",
            )]
        })?;
    let base_url = top
        .data
        .as_mapping_get("base_url")
        .and_then(|v| v.data.as_str())
        .map(str::trim)
        .filter(|b| b.starts_with('/'))
        .ok_or_else(|| {
            vec![Error::config(
                at(top.span.start.line()),
                "`base_url`: expected the path its rules are below, starting with / (e.g. /obo/uberon)",
            )]
        })?;
    let base = format!("{site_base}{}", base_url.trim_end_matches('/'));
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    let mut regexes = Vec::new();
    let entries = top.data.as_mapping_get("entries");
    let entries = match entries.map(|e| &e.data) {
        None => &[][..],
        Some(YamlData::Value(Scalar::Null)) => &[][..],
        Some(YamlData::Sequence(list)) => list.as_slice(),
        Some(_) => {
            let line = entries.map_or(0, |e| e.span.start.line());
            return Err(vec![Error::config(
                at(line),
                "`entries`: expected a list of entries",
            )]);
        }
    };
    for node in entries {
        let line = node.span.start.line();
        match obo_entry(node) {
            Ok(None) => regexes.push(line),
            Ok(Some(mut entry)) => {
                entry.line = line;
                match rule(&entry, &base) {
                    Ok(r) => rules.push(r.located(path, line)),
                    Err(m) => errors.push(Error::config(at(line), format!("entries: {m}"))),
                }
            }
            Err(m) => errors.push(Error::config(at(line), format!("entries: {m}"))),
        }
    }
    // As translate_yaml.py: the base URL itself, then the products, which
    // sit beside the base URL's last segment (`/obo/uberon.owl`).
    if let Some(node) = top.data.as_mapping_get("base_redirect") {
        let entry = Entry {
            exact: Some(String::new()),
            replacement: node.data.as_str().map(str::to_string),
            ignore_case: true,
            line: node.span.start.line(),
            ..Entry::default()
        };
        match rule_or_root(&entry, &base) {
            Ok(r) => rules.push(r.located(path, entry.line)),
            Err(m) => errors.push(Error::config(at(entry.line), format!("base_redirect: {m}"))),
        }
    }
    let parent = base.rsplit_once('/').map_or("", |(p, _)| p);
    obo_products(top, parent, path, &mut rules, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let warnings = obo_left_out(top, &regexes, path);
    Ok((rules, warnings))
}

/// The `products` of an OBO configuration: each `- file.owl: URL` sits
/// beside the base URL's last segment (`parent`).
fn obo_products(
    top: &MarkedYaml<'_>,
    parent: &str,
    path: &Path,
    rules: &mut Vec<Rule>,
    errors: &mut Vec<Error>,
) {
    let at = |line: usize| Location::line(path, line);
    let products = top.data.as_mapping_get("products");
    for node in products.and_then(|p| p.data.as_vec()).into_iter().flatten() {
        let line = node.span.start.line();
        let pair = node.data.as_mapping().filter(|m| m.len() == 1);
        let (name, url) = match pair.and_then(|m| m.iter().next()) {
            Some((k, v)) => (k.data.as_str(), v.data.as_str()),
            None => (None, None),
        };
        let entry = Entry {
            exact: name.map(|n| format!("/{n}")),
            replacement: url.map(str::to_string),
            ignore_case: true,
            line,
            ..Entry::default()
        };
        match name.map(|_| rule(&entry, parent)) {
            Some(Ok(r)) => rules.push(r.located(path, line)),
            Some(Err(m)) => errors.push(Error::config(at(line), format!("products: {m}"))),
            None => errors.push(Error::config(
                at(line),
                "products: expected `- file.owl: URL`",
            )),
        }
    }
}

/// The warning for what of an OBO configuration pidsite does not make: its
/// `regex` entries (at `regexes` lines) and a term browser's rule.
fn obo_left_out(top: &MarkedYaml<'_>, regexes: &[usize], path: &Path) -> Vec<Warning> {
    let mut left_out = Vec::new();
    if !regexes.is_empty() {
        let lines: Vec<String> = regexes.iter().map(usize::to_string).collect();
        let (entries, at) = match regexes.len() {
            1 => ("entry", "line"),
            _ => ("entries", "lines"),
        };
        left_out.push(format!(
            "{} `regex` {entries} ({at} {})",
            regexes.len(),
            lines.join(", ")
        ));
    }
    let browser = top.data.as_mapping_get("term_browser");
    if let Some(name) = browser.and_then(|b| b.data.as_str()) {
        if ["ontobee", "ols"].contains(&name.trim().to_ascii_lowercase().as_str()) {
            left_out.push(format!("the term browser's rule (`term_browser: {name}`)"));
        }
    }
    if left_out.is_empty() {
        Vec::new()
    } else {
        vec![Warning::new(
            WarningKind::Rule,
            Location::file(path),
            format!(
                "{} not made: pidsite writes `exact` and `prefix` rules only, which every host can answer \
                 ([rules] skip_regex = true leaves them out without this warning)",
                left_out.join(" and ")
            ),
        )]
    }
}

/// [`rule`] for a `base_redirect`, whose path is the base URL itself.
fn rule_or_root(entry: &Entry, base: &str) -> std::result::Result<Rule, String> {
    let (parent, last) = base.rsplit_once('/').unwrap_or(("", base));
    let entry = Entry {
        exact: Some(format!("/{last}")),
        ..entry.clone()
    };
    rule(&entry, parent)
}

/// An OBO entry's keys; `None` for a `regex` entry.
fn obo_entry(node: &MarkedYaml<'_>) -> std::result::Result<Option<Entry>, String> {
    let map = node
        .data
        .as_mapping()
        .ok_or("expected a mapping with `exact`, `prefix` or `regex` and `replacement`")?;
    let mut entry = Entry {
        ignore_case: true,
        ..Entry::default()
    };
    for (key, value) in map {
        let key = key.data.as_str().unwrap_or_default();
        let text = || {
            value
                .data
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("`{key}`: expected text"))
        };
        match key {
            "exact" => entry.exact = Some(text()?),
            "prefix" => entry.prefix = Some(text()?),
            "replacement" => entry.replacement = Some(text()?),
            "status" => entry.status = Some(text()?),
            "regex" => return Ok(None),
            // OBO's own checks of its rules: its test suite's, not ours.
            "tests" => {}
            other => {
                return Err(format!(
                    "unknown key `{other}`: expected exact, prefix, regex, replacement, status or tests"
                ))
            }
        }
    }
    Ok(Some(entry))
}

/// The rules that answer nowhere a PID's page, version page or redirect
/// (its aliases, the old URLs it keeps) is, and a warning for each other:
/// on Apache and nginx a rule would win over the file.
fn without_shadowing(
    rules: Vec<Rule>,
    registry: &Registry,
    base_path: &str,
) -> (Vec<Rule>, Vec<Warning>) {
    // Most sites have no rules: then no PID's paths are gathered (three
    // forms of each, a few hundred bytes a PID while the registry is read).
    if rules.is_empty() {
        return (rules, Vec::new());
    }
    // Every path a PID answers at, in each form a host serves it, with
    // the PID's index; and the same, lower-cased, for rules that ignore
    // case (when one does).
    let mut paths: BTreeMap<String, usize> = BTreeMap::new();
    for (i, entry) in registry.entries.iter().enumerate() {
        let mut rel: Vec<String> = vec![entry.pid().landing_path().as_str().to_string()];
        if entry.is_versioned() {
            rel.extend((0..entry.versions.len()).map(|i| entry.version_path(i).as_str().into()));
        }
        for alias in entry.aliases() {
            rel.push(alias.path.as_str().to_string());
            rel.extend(alias.request.clone());
        }
        for r in rel {
            let full = format!("{base_path}{r}");
            let forms = match full.strip_suffix('/') {
                Some(bare) => vec![bare.to_string(), format!("{bare}/index.html"), full.clone()],
                None => vec![full],
            };
            for form in forms {
                paths.entry(form).or_insert(i);
            }
        }
    }
    let lower: BTreeMap<String, usize> = match rules.iter().any(|r| r.ignore_case) {
        true => paths.iter().map(|(p, &i)| (p.to_lowercase(), i)).collect(),
        false => BTreeMap::new(),
    };
    let mut kept = Vec::new();
    let mut warnings = Vec::new();
    let mut seen = HashSet::new();
    for rule in rules {
        let (map, from) = if rule.ignore_case {
            (&lower, rule.from.to_lowercase())
        } else {
            (&paths, rule.from.clone())
        };
        let hit = match rule.kind {
            RuleKind::Exact => map.get_key_value(&from),
            RuleKind::Prefix => map
                .range(from.clone()..)
                .next()
                .filter(|(p, _)| p.starts_with(&from)),
        };
        if let Some((path, &i)) = hit {
            let pid = registry.entries[i].pid();
            warnings.push(Warning::new(
                WarningKind::Rule,
                rule.at.clone(),
                format!(
                    "{} rule {} left out: it would answer at {path}, where {pid} is (a rule never shadows a PID)",
                    rule.kind.name(),
                    rule.from
                ),
            ));
        } else if !seen.insert((rule.kind, from)) {
            warnings.push(Warning::new(
                WarningKind::Rule,
                rule.at.clone(),
                format!(
                    "{} rule {} left out: an earlier rule has the same path",
                    rule.kind.name(),
                    rule.from
                ),
            ));
        } else {
            kept.push(rule);
        }
    }
    (kept, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obo(text: &str) -> std::result::Result<(Vec<Rule>, Vec<Warning>), Vec<Error>> {
        obo_file(text, Path::new("rules/x.yml"), "")
    }

    #[test]
    fn an_obo_file_gives_its_entries_base_redirect_and_products() {
        let text = "idspace: X\nbase_url: /obo/x\nbase_redirect: http://example.org/x\n\
                    products:\n- x.owl: http://example.org/x.owl\n\
                    entries:\n- exact: /project\n  replacement: http://example.org/p.html\n\
                    - prefix: /branches/\n  replacement: http://example.org/b/\n  status: see other\n  tests:\n  - from: /branches/a\n    to: http://example.org/b/a\n\
                    - regex: ^/obo/X_(\\d+)$\n  replacement: http://example.org/$1\n";
        let (rules, warnings) = obo(text).unwrap();
        let got: Vec<(RuleKind, &str, &str, u16, usize)> = rules
            .iter()
            .map(|r| {
                (
                    r.kind,
                    r.from.as_str(),
                    r.to.as_str(),
                    r.status,
                    r.at.line.unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    RuleKind::Exact,
                    "/obo/x/project",
                    "http://example.org/p.html",
                    302,
                    7
                ),
                (
                    RuleKind::Prefix,
                    "/obo/x/branches/",
                    "http://example.org/b/",
                    303,
                    9
                ),
                (RuleKind::Exact, "/obo/x", "http://example.org/x", 302, 3),
                (
                    RuleKind::Exact,
                    "/obo/x.owl",
                    "http://example.org/x.owl",
                    302,
                    5
                ),
            ]
        );
        assert!(rules.iter().all(|r| r.ignore_case));
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0]
                .message
                .starts_with("1 `regex` entry (line 15) not made"),
            "{}",
            warnings[0].message
        );
    }

    #[test]
    fn every_bad_entry_is_reported_with_its_line() {
        let text = "base_url: /obo/x\nentries:\n- exact: /a\n- exact: b\n  replacement: http://e.org/\n\
                    - prefix: /c/\n  replacement: http://e.org/\n  status: moved\n- exact: /d\n  replacemnt: x\n";
        let errors = obo(text).unwrap_err();
        let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(said.len(), 4, "{said:#?}");
        assert!(said[0].starts_with("rules/x.yml:3: entries: missing `replacement`"));
        assert!(
            said[1].starts_with("rules/x.yml:4: entries: `exact`: expected a path starting with /")
        );
        assert!(said[2].starts_with("rules/x.yml:6: entries: `status`"));
        assert!(said[3].starts_with("rules/x.yml:9: entries: unknown key `replacemnt`"));
    }

    #[test]
    fn a_file_that_is_not_a_purl_configuration_is_an_error() {
        let said = |t: &str| obo(t).unwrap_err()[0].to_string();
        assert!(said("entries: [").starts_with("rules/x.yml:"));
        assert!(said("- a\n").contains("expected a PURL configuration"));
        assert!(said("entries: []\n").contains("`base_url`: expected the path"));
    }

    #[test]
    fn paths_are_percent_decoded_and_site_paths_get_the_base() {
        let entry = Entry {
            prefix: Some("/a%20b/".into()),
            replacement: Some("/ark/1/".into()),
            line: 3,
            ..Entry::default()
        };
        let r = rule(&entry, "/pidsite").unwrap();
        assert_eq!(r.from, "/pidsite/a b/");
        assert_eq!(r.to, "/pidsite/ark/1/");
        let entry = Entry {
            replacement: Some("ftp://x".into()),
            ..entry
        };
        assert!(rule(&entry, "")
            .unwrap_err()
            .contains("expected an http(s) URL"));
    }
}
