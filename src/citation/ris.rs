//! RIS for a [`Citation`] (the tagged format EndNote, Zotero, Mendeley and
//! most catalogues import): `TAG  - value` lines ending in CRLF, one record.

use std::fmt::Write;

use super::Citation;

/// A value on one line: RIS has no escaping, so line breaks become spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Render the RIS record.
pub fn ris(c: &Citation) -> String {
    let mut out = String::new();
    let mut tag = |t: &str, v: &str| {
        let v = one_line(v);
        if !v.is_empty() {
            let _ = write!(out, "{t}  - {v}\r\n");
        }
    };
    tag("TY", c.genre.facts().ris);
    tag("TI", &c.title);
    for a in &c.creators {
        tag("AU", a);
    }
    if let Some(parts) = c.date_parts() {
        tag("PY", &format!("{:04}", parts[0]));
        // DA is YYYY/MM/DD/other, with empty parts kept.
        let part = |i: usize| parts.get(i).map_or(String::new(), |n| format!("{n:02}"));
        tag("DA", &format!("{:04}/{}/{}/", parts[0], part(1), part(2)));
    } else if let Some(d) = &c.date {
        tag("DA", d);
    }
    if let Some(p) = &c.publisher {
        tag("PB", p);
    }
    if let Some(s) = &c.shelfmark {
        tag("CN", s);
    }
    if let Some(v) = &c.version {
        tag("ET", v);
    }
    if let Some(doi) = &c.doi {
        tag("DO", doi);
    }
    tag("UR", &c.url);
    tag("AN", &c.pid);
    if let Some(l) = &c.license {
        tag("C1", &format!("Licence: {l}"));
    }
    // ER ends the record and has no value.
    out.push_str("ER  - \r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citation() -> Citation {
        Citation {
            key: "k".into(),
            scheme: "ark",
            pid: "ark:/99999/fk4x".into(),
            title: "A map\nof Holland".into(),
            creators: vec!["Doe, Jane".into(), "Example Library".into()],
            date: Some("1882-04".into()),
            publisher: Some("Example Library".into()),
            shelfmark: Some("MS 1".into()),
            genre: crate::model::genre::Genre::Map,
            url: "https://n2t.net/ark:/99999/fk4x".into(),
            doi: None,
            version: Some("2".into()),
            license: None,
        }
    }

    #[test]
    fn writes_one_record_with_crlf_lines() {
        let text = ris(&citation());
        assert!(text.starts_with("TY  - MAP\r\nTI  - A map of Holland\r\n"));
        assert!(text.contains("AU  - Doe, Jane\r\nAU  - Example Library\r\n"));
        assert!(text.contains("PY  - 1882\r\nDA  - 1882/04//\r\n"));
        assert!(text.contains("ET  - 2\r\n"));
        assert!(text.ends_with("ER  - \r\n"));
        assert_eq!(text.matches("ER  -").count(), 1);
    }
}
