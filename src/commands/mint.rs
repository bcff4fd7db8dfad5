//! `pidsite mint`: new NOID-style ARKs. A name is the shoulder, a random
//! blade of betanumeric characters, and the NOID Check Digit Algorithm's
//! check character (NCDA), which catches any single-character error and any
//! transposition of two adjacent characters when the ARK is typed or read
//! back. Minted ARKs never repeat an identifier the registry holds (in any
//! status), and are appended to the registry as `reserved` rows: held, but
//! not published until a row gives them a target and makes them active.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};
use crate::model::pid::{Pid, BETANUMERIC};

/// What to mint.
#[derive(Debug, Clone)]
pub struct MintOptions {
    /// The site folder.
    pub site_dir: PathBuf,
    /// Name Assigning Authority Number (betanumeric; 99999 is the test NAAN).
    pub naan: String,
    /// Shoulder (betanumeric, ending in a digit by ARK convention, e.g. `fk4`).
    pub shoulder: String,
    /// How many.
    pub count: usize,
    /// Characters in the random blade (before the check character).
    pub blade_len: usize,
    /// Print only; leave the registry as it is.
    pub dry_run: bool,
    /// Seed for the random blades (for reproducible tests).
    pub seed: Option<u64>,
}

/// The NOID check character of `text` (an ARK without its `ark:` label,
/// e.g. `13030/xf93gt2`): each character's betanumeric value (0 for any
/// other character) times its 1-based position, summed modulo 29.
pub fn check_char(text: &str) -> char {
    let alphabet: Vec<char> = BETANUMERIC.chars().collect();
    let sum: usize = text
        .chars()
        .enumerate()
        .map(|(i, c)| (i + 1) * alphabet.iter().position(|&a| a == c).unwrap_or(0))
        .sum();
    alphabet[sum % alphabet.len()]
}

/// Whether an ARK name (`NAAN/shoulderblade` + check) carries a valid
/// check character.
pub fn verify(text: &str) -> bool {
    let mut chars: Vec<char> = text.chars().collect();
    match chars.pop() {
        Some(last) => check_char(&chars.iter().collect::<String>()) == last,
        None => false,
    }
}

fn betanumeric(what: &str, value: &str) -> Result<()> {
    if value.is_empty() || !value.chars().all(|c| BETANUMERIC.contains(c)) {
        return Err(Error::argument(
            Location::file("--".to_string() + what),
            format!("{value:?}: expected betanumeric characters (digits and bcdfghjkmnpqrstvwxz)"),
        ));
    }
    Ok(())
}

/// Mint `count` new ARKs; append them to the registry unless `dry_run`.
/// Returns them in the order minted.
pub fn mint(options: &MintOptions) -> Result<Vec<Pid>> {
    betanumeric("naan", &options.naan)?;
    betanumeric("shoulder", &options.shoulder)?;
    if options.blade_len < 2 {
        return Err(Error::argument(
            Location::file("--length"),
            "expected a blade of at least 2 characters",
        ));
    }
    let config = crate::config::SiteConfig::load(&options.site_dir)?;
    let registry = crate::load::registry::load(&options.site_dir, &config)?;
    let mut taken: HashSet<String> = HashSet::new();
    for entry in &registry.entries {
        for record in &entry.versions {
            taken.insert(record.pid.key().to_string());
            taken.extend(
                record
                    .aliases
                    .iter()
                    .filter_map(|a| Pid::parse(&a.written).ok())
                    .map(|p| p.key().to_string()),
            );
        }
    }
    let space = 29f64.powi(options.blade_len as i32);
    if (taken.len() + options.count) as f64 > space / 2.0 {
        return Err(Error::argument(
            Location::file("--length"),
            format!(
                "a blade of {} characters leaves too few unused names for {} more ARKs; use a longer --length",
                options.blade_len, options.count
            ),
        ));
    }
    let mut rng = match options.seed {
        Some(seed) => fastrand::Rng::with_seed(seed),
        None => fastrand::Rng::new(),
    };
    let alphabet: Vec<char> = BETANUMERIC.chars().collect();
    let mut minted = Vec::with_capacity(options.count);
    while minted.len() < options.count {
        let blade: String = (0..options.blade_len)
            .map(|_| alphabet[rng.usize(..alphabet.len())])
            .collect();
        let base = format!("{}/{}{blade}", options.naan, options.shoulder);
        let ark = format!("ark:{base}{}", check_char(&base));
        let pid = Pid::parse(&ark).expect("a minted ARK is well formed");
        if taken.insert(pid.key().to_string()) {
            minted.push(pid);
        }
    }
    if !options.dry_run {
        append(&options.site_dir, &minted)?;
    }
    Ok(minted)
}

/// Append `reserved` rows to content/registry.csv, matching its header.
fn append(site: &Path, pids: &[Pid]) -> Result<()> {
    let rel = Path::new("content/registry.csv");
    let path = site.join(rel);
    let text = std::fs::read_to_string(&path).map_err(|_| {
        Error::registry(
            Location::file(rel),
            "mint appends to content/registry.csv; this site has none (a JSON or split registry): use --dry-run and add the rows yourself",
        )
    })?;
    let header: Vec<String> = text
        .lines()
        .find(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            l.trim_start_matches('\u{feff}')
                .split(',')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    let Some(status_col) = header.iter().position(|c| c == "status") else {
        return Err(Error::registry(
            Location::line(rel, 1),
            "mint appends `reserved` rows and needs a \"status\" column in the header",
        ));
    };
    let pid_col = header
        .iter()
        .position(|c| c == "pid")
        .expect("the registry loaded, so it has a pid column");
    let mut out = text;
    if !out.ends_with('\n') && !out.is_empty() {
        out.push('\n');
    }
    for pid in pids {
        let mut row = vec![String::new(); header.len()];
        row[pid_col] = pid.as_str().to_string();
        row[status_col] = "reserved".into();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    let tmp = path.with_extension("csv.tmp");
    std::fs::write(&tmp, out).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_character_matches_the_noid_documentation() {
        // The NOID manual's example: 13030/xf93gt2 gets the check char q.
        assert_eq!(check_char("13030/xf93gt2"), 'q');
        assert!(verify("13030/xf93gt2q"));
    }

    #[test]
    fn check_character_catches_typos_and_transpositions() {
        let good = "99999/fk4b7x9m2";
        let full = format!("{good}{}", check_char(good));
        assert!(verify(&full));
        let chars: Vec<char> = full.chars().collect();
        for i in 0..chars.len() - 1 {
            // Every single-character substitution is caught...
            for &c in BETANUMERIC.as_bytes() {
                let mut typo = chars.clone();
                if typo[i] == c as char || !BETANUMERIC.contains(typo[i]) {
                    continue;
                }
                typo[i] = c as char;
                assert!(!verify(&typo.iter().collect::<String>()), "{i}: {c}");
            }
            // ...and every swap of two different adjacent characters.
            let mut swapped = chars.clone();
            if swapped[i] != swapped[i + 1] {
                swapped.swap(i, i + 1);
                assert!(!verify(&swapped.iter().collect::<String>()), "swap {i}");
            }
        }
    }
}
