//! [`Rule`]: a PURL-style redirect rule of the site, besides its PIDs: an
//! `exact` path or every path below a `prefix` answers with a redirect to a
//! URL (w3id.org, purl.obolibrary.org). Validated and ready to export;
//! reading the site's rules is `load::rules`, writing them for each host
//! `render::rules`.

use crate::error::Location;

/// What part of a request path a rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// The whole path, exactly.
    Exact,
    /// The start of the path: what follows is appended to the replacement.
    Prefix,
}

impl RuleKind {
    /// Its key in site.toml and in OBO Foundry's YAML.
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::Exact => "exact",
            RuleKind::Prefix => "prefix",
        }
    }
}

/// A redirect rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Exact or prefix.
    pub kind: RuleKind,
    /// The path it matches, from the host's root (the site's base path
    /// included), percent-decoded as Apache and nginx match it:
    /// `/obo/uberon/subsets/`.
    pub from: String,
    /// Where it sends: an absolute URL, or a root-relative path of this
    /// site. A prefix rule appends the rest of the request path to it.
    pub to: String,
    /// 301, 302 or 303.
    pub status: u16,
    /// Whether letter case is ignored in matching (OBO Foundry's rules are
    /// all matched so).
    pub ignore_case: bool,
    /// Where it was declared, for messages.
    pub at: Location,
}

impl Rule {
    /// Where the rule sends a request for `path` (from the host's root,
    /// percent-decoded), if it matches.
    pub fn answer(&self, path: &str) -> Option<String> {
        let head = path.get(..self.from.len())?;
        let same = if self.ignore_case {
            head.to_lowercase() == self.from.to_lowercase()
        } else {
            head == self.from
        };
        match self.kind {
            RuleKind::Exact if same && head.len() == path.len() => Some(self.to.clone()),
            RuleKind::Prefix if same => Some(format!("{}{}", self.to, &path[head.len()..])),
            _ => None,
        }
    }
}

/// The HTTP status of a rule's `status` as OBO Foundry writes it
/// (`permanent`, `temporary`, `see other`); the default is temporary.
pub fn status_of(word: &str) -> Option<u16> {
    match word.trim().to_ascii_lowercase().as_str() {
        "permanent" => Some(301),
        "temporary" => Some(302),
        "see other" => Some(303),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: RuleKind, from: &str, ignore_case: bool) -> Rule {
        Rule {
            kind,
            from: from.into(),
            to: "https://example.org/x/".into(),
            status: 302,
            ignore_case,
            at: Location::file("site.toml"),
        }
    }

    #[test]
    fn an_exact_rule_matches_the_whole_path_only() {
        let r = rule(RuleKind::Exact, "/obo/obo/project", true);
        assert_eq!(
            r.answer("/obo/obo/project").as_deref(),
            Some("https://example.org/x/")
        );
        assert!(r.answer("/OBO/obo/Project").is_some());
        assert!(r.answer("/obo/obo/project/").is_none());
        assert!(r.answer("/obo/obo/projec").is_none());
        let r = rule(RuleKind::Exact, "/obo/obo/project", false);
        assert!(r.answer("/OBO/obo/project").is_none());
    }

    #[test]
    fn a_prefix_rule_appends_the_rest() {
        let r = rule(RuleKind::Prefix, "/obo/obo/branches/", true);
        assert_eq!(
            r.answer("/obo/obo/Branches/a/b.owl").as_deref(),
            Some("https://example.org/x/a/b.owl")
        );
        assert_eq!(
            r.answer("/obo/obo/branches/").as_deref(),
            Some("https://example.org/x/")
        );
        assert!(r.answer("/obo/obo/branches").is_none());
        // A multi-byte character where the prefix ends is no match, not a
        // panic.
        let r = rule(RuleKind::Prefix, "/ab", false);
        assert!(r.answer("/aé").is_none());
    }

    #[test]
    fn statuses_are_obo_foundrys_words() {
        assert_eq!(status_of("permanent"), Some(301));
        assert_eq!(status_of("temporary"), Some(302));
        assert_eq!(status_of("see other"), Some(303));
        assert_eq!(status_of("301"), None);
    }
}
