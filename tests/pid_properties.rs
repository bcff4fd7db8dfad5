//! Property tests of PID normalisation: parsing is idempotent, and every
//! accepted way of writing one PID leads to the same key and landing page.

use pidsite::model::pid::Pid;
use proptest::prelude::*;

/// `text` in Unicode NFD: `é` as `e` and a combining accent.
fn nfd(text: &str) -> String {
    icu_normalizer::DecomposingNormalizerBorrowed::new_nfd()
        .normalize(text)
        .into_owned()
}

fn same(a: &Pid, b: &Pid) -> bool {
    a.key() == b.key() && a.landing_path() == b.landing_path() && a.as_str() == b.as_str()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn ark_forms_agree(naan in "[0-9bcdfghjkmnpqrstvwxz]{5}", name in "[a-z0-9][a-z0-9]{0,10}(/[a-z0-9]{1,6}){0,2}") {
        let canonical = Pid::parse(&format!("ark:{naan}/{name}")).unwrap();
        for form in [
            format!("ark:/{naan}/{name}"),
            format!("ARK:/{naan}/{name}"),
            format!("https://n2t.net/ark:/{naan}/{name}"),
            format!("https://example.org/ark:{naan}/{name}"),
            format!("ark:{naan}/{name}/"),
            format!(" ark:{naan}/{name} "),
        ] {
            let pid = Pid::parse(&form).unwrap();
            prop_assert!(same(&pid, &canonical), "{form} -> {pid:?} vs {canonical:?}");
        }
        // Hyphens are not significant in ARKs.
        let hyphenated = Pid::parse(&format!("ark:{naan}/{}-{}", &name[..1], &name[1..])).unwrap();
        prop_assert_eq!(hyphenated.key(), canonical.key());
    }

    #[test]
    fn doi_forms_agree(prefix in "[0-9]{4,5}", suffix in "[A-Za-z0-9][A-Za-z0-9.]{0,11}") {
        let canonical = Pid::parse(&format!("10.{prefix}/{suffix}")).unwrap();
        for form in [
            format!("doi:10.{prefix}/{suffix}"),
            format!("DOI:10.{prefix}/{}", suffix.to_uppercase()),
            format!("https://doi.org/10.{prefix}/{}", suffix.to_lowercase()),
            format!("http://dx.doi.org/10.{prefix}/{suffix}"),
        ] {
            let pid = Pid::parse(&form).unwrap();
            // DOIs are case-insensitive: same key and page, whatever the case.
            prop_assert_eq!(pid.key(), canonical.key(), "{}", form);
            prop_assert_eq!(pid.landing_path(), canonical.landing_path(), "{}", form);
        }
    }

    #[test]
    fn handle_forms_agree(prefix in "[0-9]{2}\\.[0-9]{3}\\.[0-9]{3,5}", suffix in "[a-z0-9-]{1,12}") {
        let canonical = Pid::parse(&format!("hdl:{prefix}/{suffix}")).unwrap();
        let url = Pid::parse(&format!("https://hdl.handle.net/{prefix}/{suffix}")).unwrap();
        prop_assert!(same(&url, &canonical));
    }

    #[test]
    fn parsing_is_idempotent(input in prop_oneof![
        "ark:/?[0-9]{5}/[a-z0-9-]{1,12}",
        "(doi:)?10\\.[0-9]{4}/[A-Za-z0-9._-]{1,12}",
        "hdl:[0-9]{2}\\.[0-9]{3}/[a-z0-9]{1,8}",
        "urn:nbn:de:[a-z0-9-]{1,12}",
        "https://w3id.org/[a-z]{1,8}/[a-z0-9]{1,8}",
        "[a-z][a-z0-9-]{0,12}",
    ]) {
        if let Ok(pid) = Pid::parse(&input) {
            let again = Pid::parse(&pid.label()).unwrap();
            prop_assert!(same(&pid, &again), "{input}: {pid:?} then {again:?}");
            let third = Pid::parse(&again.label()).unwrap();
            prop_assert!(same(&again, &third));
        }
    }

    /// Issue 16: PIDs are compared in NFC, so either spelling of an
    /// accented letter is one PID, and normalising twice changes nothing.
    #[test]
    fn unicode_spellings_are_one_pid(input in prop_oneof![
        "[a-z][a-z\u{e0}-\u{ff}\u{1e00}-\u{1eff}-]{0,12}",
        "ark:/[0-9]{5}/[a-z\u{e0}-\u{ff}]{1,12}",
        "hdl:[0-9]{2}\\.[0-9]{3}/[a-z\u{e0}-\u{ff}]{1,8}",
    ]) {
        if let Ok(pid) = Pid::parse(&input) {
            let decomposed = Pid::parse(&nfd(&input)).unwrap();
            prop_assert!(same(&pid, &decomposed), "{input}: {pid:?} vs {decomposed:?}");
            let again = Pid::parse(&nfd(&pid.label())).unwrap();
            prop_assert!(same(&pid, &again), "{input}: {pid:?} then {again:?}");
        }
    }

    #[test]
    fn landing_paths_stay_inside_the_site(input in "\\PC{1,40}") {
        if let Ok(pid) = Pid::parse(&input) {
            let path = pid.landing_path();
            let s = path.as_str();
            prop_assert!(!s.starts_with('/') && !s.split('/').any(|p| p == ".." || p == "."), "{input} -> {s}");
            prop_assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.~/".contains(c)), "{input} -> {s}");
        }
    }
}
