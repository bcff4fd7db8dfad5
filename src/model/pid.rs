//! [`Pid`]: a persistent identifier parsed by the rules of its scheme (ARK,
//! DOI, Handle, URN, PURL, w3id, or a local ID). Parsing happens once, at the
//! edge (the registry); the rest of the code trusts the type. The normalised
//! `key` decides identity; the canonical `display` form decides the landing
//! path; the resolver URL is what citations show.

use std::fmt;

use crate::model::site_path::SitePath;

/// The scheme-specific resolvers whose URLs citations show.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Resolvers {
    /// ARK resolver, e.g. `https://n2t.net/`.
    pub ark: String,
    /// DOI resolver.
    pub doi: String,
    /// Handle proxy.
    pub handle: String,
    /// URN resolver.
    pub urn: String,
}

/// The identifier schemes pidsite knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Archival Resource Key.
    Ark,
    /// Digital Object Identifier.
    Doi,
    /// Handle System identifier.
    Handle,
    /// Uniform Resource Name (e.g. URN:NBN).
    Urn,
    /// A purl.org URL.
    Purl,
    /// A w3id.org URL.
    W3id,
    /// An institution's own identifier with no global resolver.
    Local,
}

impl Scheme {
    /// Lower-case name used in paths, JSON and CSS classes.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Ark => "ark",
            Scheme::Doi => "doi",
            Scheme::Handle => "handle",
            Scheme::Urn => "urn",
            Scheme::Purl => "purl",
            Scheme::W3id => "w3id",
            Scheme::Local => "local",
        }
    }

    /// Human name for labels.
    pub fn label(self) -> &'static str {
        match self {
            Scheme::Ark => "ARK",
            Scheme::Doi => "DOI",
            Scheme::Handle => "Handle",
            Scheme::Urn => "URN",
            Scheme::Purl => "PURL",
            Scheme::W3id => "w3id",
            Scheme::Local => "Local ID",
        }
    }
}

/// A parsed, validated persistent identifier.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pid {
    scheme: Scheme,
    /// The canonical written form (e.g. `ark:12345/x6np1wh8k`,
    /// `10.5555/abc`, `20.500.123/x`, `urn:nbn:de:…`, `https://w3id.org/…`,
    /// `item-1`), then the normalised form two PIDs are compared by, unless
    /// it is the same: one allocation a PID, as a large registry holds a
    /// million (two `String`s took 32 bytes more, and a second allocation).
    text: Box<str>,
    /// Where the written form ends in `text`.
    split: u32,
}

/// As the two forms, not how they are stored.
impl std::fmt::Debug for Pid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pid")
            .field("scheme", &self.scheme)
            .field("display", &self.as_str())
            .field("key", &self.key())
            .finish()
    }
}

/// Unicode NFC, which PIDs are compared and written in.
const NFC: icu_normalizer::ComposingNormalizerBorrowed<'static> =
    icu_normalizer::ComposingNormalizerBorrowed::new_nfc();

/// The betanumeric alphabet of ARK NAANs and NOID names.
pub const BETANUMERIC: &str = "0123456789bcdfghjkmnpqrstvwxz";

impl Pid {
    /// Parse an identifier as a person may write it. The error says what was
    /// expected.
    pub fn parse(input: &str) -> Result<Pid, String> {
        let text = input.trim();
        if text.is_empty() {
            return Err("expected an identifier, found an empty value".into());
        }
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(format!(
                "identifier {text:?} contains spaces or control characters"
            ));
        }
        // Two spellings of one character (`é` as one code point, or `e`
        // and a combining accent, as macOS file names and some editors
        // write it) are one PID: compared, and given a page, in NFC.
        let nfc = NFC.normalize(text);
        let text: &str = &nfc;
        let lower = text.to_ascii_lowercase();
        if let Some(i) = lower.find("ark:") {
            // `ark:…`, `ARK:/…`, or any resolver URL up to `/ark:`.
            if i == 0 || (is_http(&lower) && lower[..i].ends_with('/')) {
                return parse_ark(&text[i + 4..]);
            }
        }
        for prefix in [
            "doi:",
            "https://doi.org/",
            "http://doi.org/",
            "https://dx.doi.org/",
            "http://dx.doi.org/",
        ] {
            if lower.starts_with(prefix) {
                return parse_doi(&text[prefix.len()..]);
            }
        }
        if lower.starts_with("10.") && text.contains('/') {
            return parse_doi(text);
        }
        for prefix in ["hdl:", "https://hdl.handle.net/", "http://hdl.handle.net/"] {
            if lower.starts_with(prefix) {
                return parse_handle(&text[prefix.len()..]);
            }
        }
        if lower.starts_with("urn:") {
            return parse_urn(text);
        }
        for (host, scheme) in [
            ("purl.org/", Scheme::Purl),
            ("purl.oclc.org/", Scheme::Purl),
            ("w3id.org/", Scheme::W3id),
        ] {
            for proto in ["https://", "http://"] {
                if lower.starts_with(&format!("{proto}{host}")) {
                    let path = &text[proto.len() + host.len()..];
                    return parse_url_pid(scheme, host, path);
                }
            }
        }
        if is_http(&lower) {
            return Err(format!(
                "identifier {text:?} is a URL of no known PID scheme; expected an ARK, DOI, Handle, URN, purl.org or w3id.org URL, or a local ID without `://`"
            ));
        }
        if text.starts_with(['/', '.']) || text.split('/').any(|s| s.is_empty() || s == "..") {
            return Err(format!(
                "local ID {text:?}: expected no leading `/` or `.`, no empty or `..` parts"
            ));
        }
        Ok(Pid::new(Scheme::Local, text.to_string(), text.to_string()))
    }

    /// A PID of `scheme` from its written form and its normalised one.
    fn new(scheme: Scheme, display: String, key: String) -> Pid {
        let split = u32::try_from(display.len()).expect("a PID is shorter than 4 GB");
        let text = if key == display {
            display
        } else {
            display + &key
        };
        Pid {
            scheme,
            text: text.into_boxed_str(),
            split,
        }
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Canonical written form.
    pub fn as_str(&self) -> &str {
        &self.text[..self.split as usize]
    }

    /// Normalised form used to decide whether two PIDs are the same.
    pub fn key(&self) -> &str {
        match &self.text[self.split as usize..] {
            "" => &self.text,
            key => key,
        }
    }

    /// How the PID is shown and cited in text: `ark:…`, `doi:…`, `hdl:…`,
    /// URNs and URLs as they are, local IDs as written.
    pub fn label(&self) -> String {
        let (prefix, written) = self.label_parts();
        format!("{prefix}{written}")
    }

    /// [`Pid::label`] in two parts, a prefix (`doi:`, `hdl:` or none) and
    /// the written form: labels are compared by them without being made.
    pub fn label_parts(&self) -> (&'static str, &str) {
        let prefix = match self.scheme {
            Scheme::Doi => "doi:",
            Scheme::Handle => "hdl:",
            _ => "",
        };
        (prefix, self.as_str())
    }

    /// The URL that resolves the PID globally; `None` for local IDs (their
    /// landing page is their URL).
    pub fn resolver_url(&self, resolvers: &Resolvers) -> Option<String> {
        match self.scheme {
            Scheme::Ark => Some(format!("{}{}", resolvers.ark, self.as_str())),
            Scheme::Doi => Some(format!("{}{}", resolvers.doi, url_escape(self.as_str()))),
            Scheme::Handle => Some(format!("{}{}", resolvers.handle, url_escape(self.as_str()))),
            Scheme::Urn => Some(format!("{}{}", resolvers.urn, self.as_str())),
            Scheme::Purl | Scheme::W3id => Some(self.as_str().to_string()),
            Scheme::Local => None,
        }
    }

    /// The landing page's folder inside the site.
    pub fn landing_path(&self) -> SitePath {
        let d = self.as_str();
        match self.scheme {
            Scheme::Ark => {
                let rest = d.strip_prefix("ark:").unwrap_or(d);
                SitePath::folder(std::iter::once("ark").chain(rest.split('/')))
            }
            Scheme::Doi => {
                let lower = d.to_lowercase();
                SitePath::folder(std::iter::once("doi").chain(lower.split('/')))
            }
            Scheme::Handle => {
                let lower = d.to_lowercase();
                SitePath::folder(std::iter::once("hdl").chain(lower.split('/')))
            }
            Scheme::Urn => {
                let lower = d.to_lowercase();
                let rest = lower.strip_prefix("urn:").unwrap_or(&lower);
                SitePath::folder(std::iter::once("urn").chain(rest.split([':', '/'])))
            }
            Scheme::Purl | Scheme::W3id => {
                let path = d.split_once(".org/").map_or("", |(_, p)| p);
                SitePath::folder(std::iter::once(self.scheme.name()).chain(path.split('/')))
            }
            Scheme::Local => SitePath::folder(std::iter::once("id").chain(d.split('/'))),
        }
    }

    /// Other written forms of this PID that should redirect to its page
    /// (the `ark:/` form of an ARK, for instance). Only forms whose landing
    /// path differs from the canonical one are returned.
    pub fn variant_paths(&self) -> Vec<SitePath> {
        let canonical = self.landing_path();
        let mut out = Vec::new();
        if self.scheme == Scheme::Ark {
            // The hyphen-free form is the normalised ARK; a visitor who drops
            // hyphens still lands on the page.
            let plain = self.as_str().replace('-', "");
            if let Ok(pid) = Pid::parse(&plain) {
                let path = pid.landing_path();
                if path != canonical && !out.contains(&path) {
                    out.push(path);
                }
            }
        }
        out
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A DOI or Handle as a URL path: the characters that would end the path
/// (`?`, `#`), start an escape (`%`) or are not allowed in URLs are
/// percent-encoded, as the DOI Handbook asks; `/`, `;`, `(`, `)`, `:` stay.
fn url_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' | '#' | '?' | '"' | '<' | '>' | '{' | '}' | '^' | '`' | '|' | '\\' | '[' | ']' => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_http(lower: &str) -> bool {
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// `rest` is what follows `ark:`: `/NAAN/name…` or `NAAN/name…`.
fn parse_ark(rest: &str) -> Result<Pid, String> {
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let (naan, name) = rest
        .split_once('/')
        .ok_or_else(|| format!("ARK `ark:{rest}`: expected `ark:NAAN/name`"))?;
    let naan_lower = naan.to_ascii_lowercase();
    if naan.is_empty() || !naan_lower.chars().all(|c| BETANUMERIC.contains(c)) {
        return Err(format!(
            "ARK `ark:{rest}`: NAAN {naan:?} must be betanumeric (digits and bcdfghjkmnpqrstvwxz), usually five digits"
        ));
    }
    let name = name.trim_end_matches(['/', '.']);
    if name.is_empty() || name.replace('-', "").is_empty() {
        return Err(format!("ARK `ark:{rest}`: expected a name after the NAAN"));
    }
    if name.split('/').any(|s| s == ".." || s == ".") {
        return Err(format!(
            "ARK `ark:{rest}`: `.` and `..` are not valid name parts"
        ));
    }
    let display = format!("ark:{naan_lower}/{name}");
    let key = normalise_ark(&naan_lower, name);
    Ok(Pid::new(Scheme::Ark, display, key))
}

/// Normalised ARK for comparison: lower-case NAAN, no hyphens, upper-case
/// percent-escapes, repeated `/` and `.` collapsed.
fn normalise_ark(naan: &str, name: &str) -> String {
    let mut out = String::new();
    let mut chars = name.chars().filter(|&c| c != '-').peekable();
    let mut last = '\0';
    while let Some(c) = chars.next() {
        if (c == '/' || c == '.') && c == last {
            continue;
        }
        out.push(c);
        last = c;
        if c == '%' {
            for _ in 0..2 {
                if let Some(h) = chars.next() {
                    out.push(h.to_ascii_uppercase());
                }
            }
            last = '\0';
        }
    }
    format!("ark:{naan}/{out}")
}

fn parse_doi(rest: &str) -> Result<Pid, String> {
    let (prefix, suffix) = rest
        .split_once('/')
        .ok_or_else(|| format!("DOI {rest:?}: expected `10.NNNN/suffix`"))?;
    let registrant = prefix.strip_prefix("10.").unwrap_or("");
    if registrant.is_empty() || !registrant.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(format!(
            "DOI {rest:?}: the prefix must be `10.` followed by digits, e.g. 10.5555"
        ));
    }
    if suffix.is_empty() {
        return Err(format!("DOI {rest:?}: expected a suffix after the prefix"));
    }
    if suffix.split('/').any(|s| s == ".." || s == ".") {
        return Err(format!(
            "DOI {rest:?}: `.` and `..` are not valid suffix parts"
        ));
    }
    Ok(Pid::new(
        Scheme::Doi,
        format!("{prefix}/{suffix}"),
        format!("doi:{}", rest.to_lowercase()),
    ))
}

fn parse_handle(rest: &str) -> Result<Pid, String> {
    let (prefix, suffix) = rest
        .split_once('/')
        .ok_or_else(|| format!("Handle {rest:?}: expected `prefix/suffix`"))?;
    if prefix.is_empty() || suffix.is_empty() || suffix.split('/').any(|s| s == ".." || s == ".") {
        return Err(format!(
            "Handle {rest:?}: expected `prefix/suffix`, e.g. hdl:20.500.12345/abc"
        ));
    }
    Ok(Pid::new(
        Scheme::Handle,
        rest.to_string(),
        format!("hdl:{}", rest.to_lowercase()),
    ))
}

fn parse_urn(text: &str) -> Result<Pid, String> {
    let mut parts = text.splitn(3, ':');
    let (_, nid, nss) = (parts.next(), parts.next(), parts.next());
    let (Some(nid), Some(nss)) = (nid, nss) else {
        return Err(format!(
            "URN {text:?}: expected `urn:NID:NSS`, e.g. urn:nbn:de:101-2020"
        ));
    };
    if nid.is_empty()
        || !nid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        || nss.is_empty()
    {
        return Err(format!(
            "URN {text:?}: expected `urn:NID:NSS`, e.g. urn:nbn:de:101-2020"
        ));
    }
    let nid = nid.to_ascii_lowercase();
    Ok(Pid::new(
        Scheme::Urn,
        format!("urn:{nid}:{nss}"),
        format!("urn:{nid}:{}", nss.to_lowercase()),
    ))
}

fn parse_url_pid(scheme: Scheme, host: &str, path: &str) -> Result<Pid, String> {
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    if path.is_empty()
        || path
            .split('/')
            .any(|s| s.is_empty() || s == ".." || s == ".")
    {
        return Err(format!(
            "{} URL https://{host}{path}: expected a path after the host",
            scheme.label()
        ));
    }
    let display = format!("https://{host}{path}");
    Ok(Pid::new(scheme, display.clone(), display))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolvers() -> Resolvers {
        Resolvers {
            ark: "https://n2t.net/".into(),
            doi: "https://doi.org/".into(),
            handle: "https://hdl.handle.net/".into(),
            urn: "https://nbn-resolving.org/".into(),
        }
    }

    #[test]
    fn resolver_urls_escape_what_would_end_the_path() {
        // SICI DOIs (Wiley's and others') hold `<`, `>`, `;` and may end in
        // `#`; a raw `#` or `?` ends the path, so doi.org would resolve
        // another DOI. The DOI Handbook asks for them percent-encoded.
        let sici =
            Pid::parse("doi:10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-#").unwrap();
        assert_eq!(
            sici.resolver_url(&resolvers()).unwrap(),
            "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-%23"
        );
        let odd = Pid::parse("hdl:20.500.12345/a?b%c\"d").unwrap();
        assert_eq!(
            odd.resolver_url(&resolvers()).unwrap(),
            "https://hdl.handle.net/20.500.12345/a%3Fb%25c%22d"
        );
        // ARKs keep their own percent-escapes.
        let ark = Pid::parse("ark:12345/x%2Fy").unwrap();
        assert_eq!(
            ark.resolver_url(&resolvers()).unwrap(),
            "https://n2t.net/ark:12345/x%2Fy"
        );
    }

    #[test]
    fn both_ark_forms_are_one_pid() {
        let a = Pid::parse("ark:/12345/x6np1wh8k").unwrap();
        let b = Pid::parse("ark:12345/x6np1wh8k").unwrap();
        let c = Pid::parse("https://n2t.net/ark:/12345/x6-np1-wh8k").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.key(), c.key());
        assert_eq!(a.as_str(), "ark:12345/x6np1wh8k");
        assert_eq!(a.landing_path().as_str(), "ark/12345/x6np1wh8k/");
        assert_eq!(
            a.resolver_url(&resolvers()).unwrap(),
            "https://n2t.net/ark:12345/x6np1wh8k"
        );
    }

    #[test]
    fn schemes() {
        let cases = [
            ("doi:10.5555/ABC-1", Scheme::Doi, "doi/10.5555/abc-1/"),
            (
                "https://doi.org/10.5555/abc-1",
                Scheme::Doi,
                "doi/10.5555/abc-1/",
            ),
            (
                "hdl:20.500.12345/abc",
                Scheme::Handle,
                "hdl/20.500.12345/abc/",
            ),
            ("urn:nbn:de:101-2020", Scheme::Urn, "urn/nbn/de/101-2020/"),
            (
                "https://w3id.org/example/item/1",
                Scheme::W3id,
                "w3id/example/item/1/",
            ),
            ("http://purl.org/x/y", Scheme::Purl, "purl/x/y/"),
            ("MS-Douce-180", Scheme::Local, "id/MS-Douce-180/"),
        ];
        for (input, scheme, path) in cases {
            let pid = Pid::parse(input).unwrap();
            assert_eq!(pid.scheme(), scheme, "{input}");
            assert_eq!(pid.landing_path().as_str(), path, "{input}");
        }
    }

    #[test]
    fn doi_case_is_not_significant() {
        let a = Pid::parse("10.5555/ABC").unwrap();
        let b = Pid::parse("doi:10.5555/abc").unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.landing_path(), b.landing_path());
    }

    #[test]
    fn invalid_identifiers() {
        for bad in [
            "",
            "/x",
            "a//b",
            "a/../b",
            "ark:/12345",
            "ark:/1a/x",
            "doi:10./x",
            "doi:10.5555/",
            "hdl:abc",
            "urn:x",
            "https://example.org/x",
            "a b",
        ] {
            assert!(Pid::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ark_variants_redirect_hyphenless_form() {
        let pid = Pid::parse("ark:12345/x6-np1").unwrap();
        assert_eq!(pid.variant_paths()[0].as_str(), "ark/12345/x6np1/");
    }
}
