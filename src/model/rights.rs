//! Names of the rights statements institutions use most: Creative Commons
//! licences and public-domain tools, and RightsStatements.org statements.

/// The human name of a rights URI, when it is a known one.
pub fn rights_name(uri: &str) -> Option<String> {
    let u = uri.trim().trim_end_matches('/').to_ascii_lowercase();
    let u = u
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    if let Some(rest) = u.strip_prefix("creativecommons.org/licenses/") {
        let mut parts = rest.split('/');
        let kind = parts.next()?;
        let version = parts.next().unwrap_or("");
        let known = ["by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd"];
        if !known.contains(&kind) {
            return None;
        }
        let name = format!("CC {}", kind.to_ascii_uppercase());
        return Some(if version.is_empty() {
            name
        } else {
            format!("{name} {version}")
        });
    }
    if let Some(rest) = u.strip_prefix("creativecommons.org/publicdomain/") {
        return match rest.split('/').next()? {
            "zero" => Some("CC0 1.0 Universal (Public Domain Dedication)".into()),
            "mark" => Some("Public Domain Mark 1.0".into()),
            _ => None,
        };
    }
    if let Some(rest) = u.strip_prefix("rightsstatements.org/vocab/") {
        let code = rest.split('/').next()?.to_ascii_uppercase();
        let name = match code.as_str() {
            "INC" => "In Copyright",
            "INC-OW-EU" => "In Copyright – EU Orphan Work",
            "INC-EDU" => "In Copyright – Educational Use Permitted",
            "INC-NC" => "In Copyright – Non-Commercial Use Permitted",
            "INC-RUU" => "In Copyright – Rights-holder(s) Unlocatable or Unidentifiable",
            "NOC-CR" => "No Copyright – Contractual Restrictions",
            "NOC-NC" => "No Copyright – Non-Commercial Use Only",
            "NOC-OKLR" => "No Copyright – Other Known Legal Restrictions",
            "NOC-US" => "No Copyright – United States",
            "CNE" => "Copyright Not Evaluated",
            "UND" => "Copyright Undetermined",
            "NKC" => "No Known Copyright",
            _ => return None,
        };
        return Some(name.into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            rights_name("http://creativecommons.org/licenses/by/4.0/").unwrap(),
            "CC BY 4.0"
        );
        assert_eq!(
            rights_name("https://creativecommons.org/publicdomain/mark/1.0/").unwrap(),
            "Public Domain Mark 1.0"
        );
        assert_eq!(
            rights_name("http://rightsstatements.org/vocab/InC/1.0/").unwrap(),
            "In Copyright"
        );
        assert!(rights_name("https://example.org/terms").is_none());
    }
}
