//! A whole build of a small site, offline, one of whose files is the input
//! (the first byte picks which): the registry, a manifest, a page, a note or
//! site.toml. Slower than the parser targets; it reaches the renderers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pidsite::{build, BuildOptions, NoProgress};

const FILES: &[(&str, &str)] = &[
    (
        "site.toml",
        "base_url = \"https://example.org/fuzz/\"\ntitle = \"Fuzz\"\nminify = false\n",
    ),
    (
        "content/registry.csv",
        "pid,target,status,replaced_by,aliases,title\n\
         ark:/99999/fz0,manifests/0.json,,,ark:/99999/old0,\n\
         ark:/99999/fzr,https://iiif.example.org/remote/manifest,,,,Remote\n\
         ark:/99999/fzm,,moved,ark:/99999/fz0,,\n\
         ark:/99999/fzw,,withdrawn,,,Gone\n",
    ),
    (
        "content/manifests/0.json",
        r#"{"@context":"http://iiif.io/api/presentation/3/context.json","id":"https://example.org/m/0","type":"Manifest","label":{"en":["Zero"]},"items":[]}"#,
    ),
    (
        "content/pages/about.md",
        "---\ntitle: About\norder: 1\n---\n# About\n\nA *site*.\n",
    ),
    (
        "content/notes/zero.md",
        "+++\npid = \"ark:/99999/fz0\"\n+++\nA **note**.\n",
    ),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else {
        return;
    };
    let chosen = pick as usize % FILES.len();
    let site = tempfile::tempdir().unwrap();
    for (i, (path, text)) in FILES.iter().enumerate() {
        let to = site.path().join(path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(&to, if i == chosen { input } else { text.as_bytes() }).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let _ = build(
        &BuildOptions {
            site_dir: site.path().to_path_buf(),
            out_dir: Some(out.path().join("public")),
            strict: false,
            full: true,
            offline: true,
            time: None,
        },
        &NoProgress,
    );
});
