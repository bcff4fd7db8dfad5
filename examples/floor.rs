//! The floor of a build, for `bench/run.sh`: what the machine needs at least
//! to publish a site, without any rendering.
//!
//! usage: `floor write SRC DST` and `floor parse DIR...`
//!
//! - `write`: reads the finished output tree SRC into memory (not timed), then,
//!   timed, makes the same folders under DST (which must not exist) and
//!   writes every file with the same bytes on all cores: each file created
//!   and written once, as a build must at least do. The tree is read in
//!   batches of `FLOOR_BATCH_MB` (default 1024), each written before the next
//!   is read, so the copy in memory stays bounded on large sites.
//! - `parse`: reads and parses every `*.json` file under the DIRs (the site's
//!   input manifests) into a JSON value tree on all cores (timed), with
//!   simd-json (strings borrowed from the bytes read, as a fast parser may).
//!
//! Prints one line: `write|parse WALL_S CPU_S FILES BYTES`, where the CPU
//! seconds (user + system, from `getrusage`) cover the timed parts only.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Start rayon's threads before any timing.
    rayon::broadcast(|_| ());
    let line = match args.first().map(String::as_str) {
        Some("write") if args.len() == 3 => write(Path::new(&args[1]), Path::new(&args[2]))?,
        Some("parse") if args.len() >= 2 => parse(&args[1..])?,
        _ => return Err("usage: floor write SRC DST | floor parse DIR...".into()),
    };
    println!("{line}");
    Ok(())
}

/// Wall and CPU time of the timed parts, summed.
#[derive(Default)]
struct Clock {
    wall: Duration,
    cpu: Duration,
}

impl Clock {
    fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let (w0, c0) = (Instant::now(), cpu_time());
        let out = f();
        self.cpu += cpu_time().saturating_sub(c0);
        self.wall += w0.elapsed();
        out
    }

    fn line(&self, what: &str, files: usize, bytes: u64) -> String {
        let (wall, cpu) = (self.wall.as_secs_f64(), self.cpu.as_secs_f64());
        format!("{what} {wall:.3} {cpu:.3} {files} {bytes}")
    }
}

/// User + system CPU time of the whole process (every thread).
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn write(src: &Path, dst: &Path) -> Result<String> {
    if dst.exists() {
        return Err(format!(
            "{}: exists; the floor writes into a new folder",
            dst.display()
        )
        .into());
    }
    let mut dirs: Vec<(usize, PathBuf)> = Vec::new();
    let mut files: Vec<(PathBuf, u64)> = Vec::new();
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry?;
        let rel = entry.path().strip_prefix(src)?.to_path_buf();
        let meta = entry.metadata()?;
        if meta.is_dir() {
            dirs.push((entry.depth(), rel));
        } else if meta.is_file() {
            files.push((rel, meta.len()));
        } else {
            return Err(format!("{}: neither file nor folder", entry.path().display()).into());
        }
    }
    let mut clock = Clock::default();
    // Folders a level at a time, each level on all cores (a parent before
    // its children).
    dirs.sort();
    clock.time(|| -> Result<()> {
        for level in dirs.chunk_by(|a, b| a.0 == b.0) {
            level.par_iter().try_for_each(|(_, rel)| -> Result<()> {
                std::fs::create_dir(dst.join(rel))
                    .map_err(|e| format!("{}: {e}", rel.display()))?;
                Ok(())
            })?;
        }
        Ok(())
    })?;
    let batch_max: u64 = std::env::var("FLOOR_BATCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024)
        << 20;
    let total: u64 = files.iter().map(|f| f.1).sum();
    let mut rest = files.as_slice();
    while !rest.is_empty() {
        let mut size = 0;
        let n = rest
            .iter()
            .take_while(|f| {
                size += f.1;
                size <= batch_max
            })
            .count()
            .max(1);
        let (batch, next) = rest.split_at(n);
        rest = next;
        let loaded: Vec<(&Path, Vec<u8>)> = batch
            .par_iter()
            .map(|(rel, _)| Ok((rel.as_path(), std::fs::read(src.join(rel))?)))
            .collect::<Result<_>>()?;
        clock.time(|| {
            loaded
                .par_iter()
                .try_for_each(|(rel, bytes)| -> Result<()> {
                    std::fs::write(dst.join(rel), bytes)
                        .map_err(|e| format!("{}: {e}", rel.display()))?;
                    Ok(())
                })
        })?;
    }
    Ok(clock.line("write", files.len(), total))
}

fn parse(roots: &[String]) -> Result<String> {
    let mut files = Vec::new();
    for root in roots {
        for entry in walkdir::WalkDir::new(root) {
            let entry = entry?;
            if entry.file_type().is_file() && entry.path().extension().is_some_and(|x| x == "json")
            {
                files.push(entry.into_path());
            }
        }
    }
    let mut clock = Clock::default();
    let bytes = clock.time(|| {
        files
            .par_iter()
            .map(|path| -> Result<u64> {
                let mut raw = std::fs::read(path)?;
                let len = raw.len() as u64;
                let value = simd_json::to_borrowed_value(&mut raw)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                // Keep the tree alive until here, so it is built and dropped.
                std::hint::black_box(&value);
                Ok(len)
            })
            .sum::<Result<u64>>()
    })?;
    Ok(clock.line("parse", files.len(), bytes))
}
