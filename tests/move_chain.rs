//! Chains of moves (issue 19): following each moved PID's chain from each
//! of its entries was super-quadratic (a chain of 2,000 moves took 102 s to
//! build with a debug binary, 4,000 took 25.6 s with a release one). They
//! are resolved once, in linear time: a chain of 20,000 loads in well under
//! the bound below even in a debug build (`bench/move_chain.sh` times
//! 100,000).

use std::time::{Duration, Instant};

#[test]
fn a_long_chain_of_moves_resolves_in_linear_time() {
    let n = 20_000;
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("content")).unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        "base_url = \"https://example.org/\"\ntitle = \"Chain\"\n",
    )
    .unwrap();
    // m0 -> m1 -> … -> mN, written last to first; mN withdrawn (a page
    // without a target, so the test reads no manifest).
    let mut csv = String::from("pid,status,replaced_by\n");
    for i in (0..n).rev() {
        csv.push_str(&format!("ark:/99999/m{i},moved,ark:/99999/m{}\n", i + 1));
    }
    csv.push_str(&format!("ark:/99999/m{n},withdrawn,\n"));
    std::fs::write(site.path().join("content/registry.csv"), csv).unwrap();
    let config = pidsite::config::SiteConfig::load(site.path()).unwrap();
    let started = Instant::now();
    let registry = pidsite::load::registry::load(site.path(), &config).unwrap();
    let took = started.elapsed();
    let end = pidsite::model::pid::Pid::parse(&format!("ark:/99999/m{n}")).unwrap();
    let resolved = registry
        .entries
        .iter()
        .filter_map(|e| e.current().replaced_by.as_ref())
        .filter(|to| to.key() == end.key())
        .count();
    assert_eq!(resolved, n, "every moved PID redirects to the chain's end");
    // Not a timing: a guard of the order of growth. Linear is a few hundred
    // milliseconds in a debug build on a loaded machine; the quadratic walk
    // took over 300 s. The bound sits far from both, so load cannot flake
    // it; the figures are bench/move_chain.sh's.
    assert!(took < Duration::from_secs(60), "{n} moves took {took:?}");
}
