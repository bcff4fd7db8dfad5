//! A registry file read as a site would read it: the first byte picks the
//! settings (plain CSV, a `[registry]` mapping of a spreadsheet, the EZID
//! profile, the DataCite profile over CSV or the REST API's JSON), the rest is
//! the file. Seeds: tests/fixtures/registries (CONTRIBUTING.md).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

const BASE: &str = "base_url = \"https://example.org/\"\ntitle = \"Fuzz\"\n";

/// (site.toml's `[registry]` section, where the file goes).
const SETTINGS: &[(&str, &str)] = &[
    ("", "content/registry.csv"),
    (
        "[registry]\nfile = \"content/export.csv\"\ndelimiter = \"auto\"\n\
         multi_value_separator = \"|~|\"\nignore_unknown_columns = true\n\
         [registry.columns]\npid = \"Item ARK\"\n\
         target = [\"iiif/{Item ARK|slug}.json\", \"https://iiif.example.edu/{Item ARK|urlencode}/manifest\"]\n\
         title = \"Title\"\ntype = \"Object Type\"\n\
         [registry.values.type]\nWork = \"Manifest\"\nCollection = \"Collection\"\nPage = \"skip\"\n\
         [registry.metadata]\n\"Place of origin\" = \"Place of origin\"\n",
        "content/export.csv",
    ),
    (
        "[registry]\nfile = \"content/ezid.csv\"\nprofile = \"ezid\"\n",
        "content/ezid.csv",
    ),
    (
        "[registry]\nprofile = \"datacite\"\n",
        "content/registry/fabrica.csv",
    ),
    (
        "[registry]\nprofile = \"datacite\"\n[registry.columns]\n\
         target = [\"{target}\", \"https://iiif.example.edu/{identifier.ARK|urlencode}/manifest\", \"{url}\"]\n",
        "content/registry/dois.json",
    ),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let (section, path) = SETTINGS[pick as usize % SETTINGS.len()];
    let config = pidsite::config::SiteConfig::parse(&format!("{BASE}{section}"), Path::new("site.toml"))
        .expect("the target's own settings parse");
    let site = tempfile::tempdir().unwrap();
    let to = site.path().join(path);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::write(&to, file).unwrap();
    let _ = pidsite::load::registry::load(site.path(), &config);
});
