//! The site's redirect rules ([`Rule`]) for each host: a section after the
//! PIDs' own lines in `_redirects` (Netlify, Cloudflare Pages), `.htaccess`
//! (Apache) and `pidsite-redirects.map` (nginx), and `redirect-rules.js`,
//! which the 404 page runs where the host has no server rules (GitHub
//! Pages). A site without rules gets none of these: its output is as
//! before. The PIDs' lines come first, so a PID's redirect always wins; the
//! rules themselves are tried in the order declared, the first match wins.

use std::fmt::Write as _;

use serde::Serialize;

use super::exports::{netlify_path, quoted, regex_escape};
use crate::model::rule::{Rule, RuleKind};

/// The script's file name, at the site's root.
pub const SCRIPT: &str = "redirect-rules.js";

/// The rule's path as a PCRE regular expression (Apache, nginx), with a
/// group capturing the rest for a prefix rule.
fn pattern(rule: &Rule) -> String {
    let case = if rule.ignore_case { "(?i)" } else { "" };
    let rest = match rule.kind {
        RuleKind::Exact => "",
        RuleKind::Prefix => "(.*)",
    };
    format!("{case}^{}{rest}$", regex_escape(&rule.from))
}

/// The target for Apache and nginx, which would read a `$` as a group or
/// a variable, with the captured rest for a prefix rule.
fn target(rule: &Rule) -> String {
    let to = rule.to.replace('$', "%24").replace('"', "%22");
    match rule.kind {
        RuleKind::Exact => to,
        RuleKind::Prefix => format!("{to}$1"),
    }
}

/// Lines for `_redirects`. Not forced (no `!`): a file at the path wins,
/// so a rule never shadows a page. Netlify matches paths with their case.
pub fn netlify(rules: &[Rule]) -> String {
    let mut out = String::new();
    if rules.is_empty() {
        return out;
    }
    out.push_str("\n# The site's redirect rules (site.toml [rules]), first match wins.\n");
    for r in rules {
        let from = netlify_path(&r.from);
        let _ = match r.kind {
            RuleKind::Exact => writeln!(out, "{from}  {}  {}", r.to, r.status),
            RuleKind::Prefix => writeln!(out, "{from}*  {}:splat  {}", r.to, r.status),
        };
    }
    out
}

/// Lines for `.htaccess`: mod_alias tries them in order, after the PIDs'.
pub fn apache(rules: &[Rule]) -> String {
    let mut out = String::new();
    if rules.is_empty() {
        return out;
    }
    out.push_str("\n# The site's redirect rules (site.toml [rules]), first match wins.\n");
    for r in rules {
        let pattern = pattern(r).replace('"', "\\\"");
        let _ = writeln!(
            out,
            "RedirectMatch {} \"{pattern}\" \"{}\"",
            r.status,
            target(r)
        );
    }
    out
}

/// Two maps for the nginx file: the target and the status of the first
/// rule matching the path (regular expressions are tried in order), and
/// the server block's lines, one per status (`return` takes no variable
/// status).
pub fn nginx(rules: &[Rule]) -> String {
    let mut out = String::new();
    if rules.is_empty() {
        return out;
    }
    let mut statuses: Vec<u16> = rules.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    statuses.dedup();
    out.push_str(
        "\n# The site's redirect rules (site.toml [rules]), first match wins. In the server\n\
         # block, after the lines above:\n",
    );
    for status in statuses {
        let _ = writeln!(
            out,
            "#   if ($pidsite_rule_status = {status}) {{ return {status} $pidsite_rule$is_args$args; }}"
        );
    }
    for (name, status) in [("pidsite_rule", false), ("pidsite_rule_status", true)] {
        let _ = writeln!(out, "map $uri ${name} {{\n    default \"\";");
        for r in rules {
            let case = if r.ignore_case { "~*" } else { "~" };
            let pattern = pattern(r);
            let pattern = pattern.strip_prefix("(?i)").unwrap_or(&pattern);
            let key = quoted(&format!("{case}{pattern}"));
            let value = if status {
                r.status.to_string()
            } else {
                quoted(&target(r))
            };
            let _ = writeln!(out, "    {key} {value};");
        }
        out.push_str("}\n");
    }
    out
}

/// A rule as the script reads it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScriptRule<'a> {
    from: &'a str,
    to: &'a str,
    prefix: bool,
    ignore_case: bool,
}

/// `redirect-rules.js`: the rules as data, then the code that matches
/// them (`rules.js`); `None` for a site without rules.
pub fn script(rules: &[Rule]) -> Option<String> {
    if rules.is_empty() {
        return None;
    }
    let data: Vec<ScriptRule<'_>> = rules
        .iter()
        .map(|r| ScriptRule {
            from: &r.from,
            to: &r.to,
            prefix: r.kind == RuleKind::Prefix,
            ignore_case: r.ignore_case,
        })
        .collect();
    let json = serde_json::to_string(&data).expect("strings and booleans always serialise");
    // `</script>` cannot occur outside a page, but keep the file safe to
    // inline: JSON may escape `<` as `\u003c`.
    let json = json.replace('<', "\\u003c");
    Some(format!(
        "var pidsiteRules = {json};\n{}",
        include_str!("rules.js")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    fn rules() -> Vec<Rule> {
        let rule = |kind, from: &str, to: &str, status, ignore_case| Rule {
            kind,
            from: from.into(),
            to: to.into(),
            status,
            ignore_case,
            at: Location::file("site.toml"),
        };
        vec![
            rule(
                RuleKind::Exact,
                "/obo/obo/project",
                "http://example.org/project.html",
                302,
                true,
            ),
            rule(
                RuleKind::Prefix,
                "/s/old items/",
                "https://e.org/$x/",
                303,
                false,
            ),
        ]
    }

    #[test]
    fn no_rules_write_nothing() {
        assert_eq!(netlify(&[]), "");
        assert_eq!(apache(&[]), "");
        assert_eq!(nginx(&[]), "");
        assert_eq!(script(&[]), None);
    }

    #[test]
    fn apache_gets_one_redirect_match_per_rule() {
        let text = apache(&rules());
        assert!(text.contains(
            "RedirectMatch 302 \"(?i)^/obo/obo/project$\" \"http://example.org/project.html\"\n"
        ));
        assert!(
            text.contains("RedirectMatch 303 \"^/s/old items/(.*)$\" \"https://e.org/%24x/$1\"\n")
        );
    }

    #[test]
    fn nginx_maps_target_and_status_in_one_order() {
        let text = nginx(&rules());
        assert!(
            text.contains("    \"~*^/obo/obo/project$\" \"http://example.org/project.html\";\n")
        );
        assert!(text.contains("    \"~^/s/old items/(.*)$\" \"https://e.org/%24x/$1\";\n"));
        assert!(text.contains("    \"~*^/obo/obo/project$\" 302;\n"));
        assert!(text.contains(
            "#   if ($pidsite_rule_status = 303) { return 303 $pidsite_rule$is_args$args; }\n"
        ));
    }

    #[test]
    fn netlify_lines_are_not_forced() {
        let text = netlify(&rules());
        assert!(text.contains("/obo/obo/project  http://example.org/project.html  302\n"));
        assert!(text.contains("/s/old%20items/*  https://e.org/$x/:splat  303\n"));
        assert!(!text.contains('!'));
    }

    #[test]
    fn the_script_holds_the_rules_then_the_code() {
        let text = script(&rules()).unwrap();
        assert!(text.starts_with(
            "var pidsiteRules = [{\"from\":\"/obo/obo/project\",\"to\":\"http://example.org/project.html\",\"prefix\":false,\"ignoreCase\":true},"
        ));
        assert!(text.contains("function answer(rules, path)"));
    }
}
