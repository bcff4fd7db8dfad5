//! Chains of moves (issue 19): `cargo bench --bench move_chain [N…]` (default
//! 1,000, 4,000, 20,000 and 100,000). For each N it reads two registries of
//! N moved PIDs and one active one through `load::registry::load` (parsing,
//! checks, and resolving each moved PID to the end of its chain): `chain`,
//! one chain m0 -> m1 -> … -> mN written last to first, and `star`, every
//! moved PID moved straight to mN (chains of one move, the same rows
//! otherwise). Wall and CPU seconds of each (best of 3 runs; a plain timing
//! loop, no extra crate); `resolve_cpu_s` is the difference of their CPU
//! times: what following the long chain costs beyond reading the rows.

use std::path::Path;
use std::time::Instant;

/// Write a site whose registry has `n` moved PIDs ending at `m<n>`, as one
/// chain or as a star.
fn site(dir: &Path, n: usize, chain: bool) {
    std::fs::create_dir_all(dir.join("content/manifests")).unwrap();
    std::fs::write(
        dir.join("site.toml"),
        "base_url = \"https://bench.example.org/\"\ntitle = \"Chain\"\n",
    )
    .unwrap();
    // A manifest of the basic fixture (its SOURCES.md says where from).
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/basic/content/manifests/photo-v3.json"),
        dir.join("content/manifests/photo-v3.json"),
    )
    .unwrap();
    let mut csv = String::from("pid,status,replaced_by,target\n");
    for i in (0..n).rev() {
        let to = if chain { i + 1 } else { n };
        csv.push_str(&format!("ark:/99999/m{i},moved,ark:/99999/m{to},\n"));
    }
    csv.push_str(&format!(
        "ark:/99999/m{n},active,,manifests/photo-v3.json\n"
    ));
    std::fs::write(dir.join("content/registry.csv"), csv).unwrap();
}

/// The CPU time of the process so far (all threads), in seconds: on a
/// shared machine wall time mostly measures the neighbours.
fn cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// The best of 3 loads of the site's registry: wall and CPU seconds;
/// checks that every moved PID was resolved to the end.
fn load(dir: &Path, n: usize) -> (f64, f64) {
    let config = pidsite::config::SiteConfig::load(dir).unwrap();
    let end = pidsite::model::pid::Pid::parse(&format!("ark:/99999/m{n}")).unwrap();
    (0..3)
        .map(|_| {
            let (start, cpu) = (Instant::now(), cpu_seconds());
            let registry = pidsite::load::registry::load(dir, &config).unwrap();
            let secs = (start.elapsed().as_secs_f64(), cpu_seconds() - cpu);
            let resolved = registry
                .entries
                .iter()
                .filter_map(|e| e.current().replaced_by.as_ref())
                .filter(|to| to.key() == end.key())
                .count();
            assert_eq!(resolved, n, "every moved PID redirects to {end}");
            secs
        })
        .fold((f64::INFINITY, f64::INFINITY), |(w, c), (w2, c2)| {
            (w.min(w2), c.min(c2))
        })
}

fn main() {
    // `cargo bench` passes `--bench`; sizes are the other arguments.
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![1_000, 4_000, 20_000, 100_000];
    }
    println!("moves chain_wall_s chain_cpu_s star_wall_s star_cpu_s resolve_cpu_s");
    for n in sizes {
        let dir = tempfile::tempdir().unwrap();
        let (chain, star) = (dir.path().join("chain"), dir.path().join("star"));
        site(&chain, n, true);
        site(&star, n, false);
        let (c, s) = (load(&chain, n), load(&star, n));
        println!(
            "{n} {:.3} {:.3} {:.3} {:.3} {:.3}",
            c.0,
            c.1,
            s.0,
            s.1,
            (c.1 - s.1).max(0.0)
        );
    }
}
