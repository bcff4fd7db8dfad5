//! What Pagefind costs per record, through pidsite's own `SearchIndex`: adds
//! N records shaped like the bench mix's (a 13-word text, 4 facets, a year),
//! in shards of S records each built, written to memory and dropped in turn
//! (S = N: one index, as a build makes it), and prints the peak resident
//! memory and the seconds spent adding the first and the last tenth of each
//! shard's records (Pagefind looks a new record's URL up in a list of every
//! record added before it) and making the index. Run by bench/search_memory.sh.
//!
//! usage: search_memory N [S]

use pidsite::output::{ListItem, SearchRecord};
use pidsite::render::search::SearchIndex;
use std::time::Instant;

// mimalloc, as the binary uses (without its purge settings).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().ok_or("usage: search_memory N [S]")?.parse()?;
    let shard: usize = args.next().map_or(Ok(n), |s| s.parse())?.max(1);
    let (mut first, mut last, mut finish, mut bytes) = (0.0, 0.0, 0.0, 0);
    let mut start = 0;
    while start < n {
        let end = (start + shard).min(n);
        let mut index = SearchIndex::new("en")?;
        let tenth = ((end - start) / 10).max(1);
        for i in start..end {
            let (item, record) = record(i);
            let t = Instant::now();
            index.add(&item, &record)?;
            let s = t.elapsed().as_secs_f64();
            if i - start < tenth {
                first += s;
            }
            if end - i <= tenth {
                last += s;
            }
        }
        let t = Instant::now();
        bytes += index.finish()?.iter().map(|o| o.bytes.len()).sum::<usize>();
        finish += t.elapsed().as_secs_f64();
        start = end;
    }
    println!(
        "records {n} shard {shard} peak_MB {:.0} first_tenth_add_s {first:.3} \
         last_tenth_add_s {last:.3} finish_s {finish:.2} index_MB {:.1}",
        peak_kb()? as f64 / 1024.0,
        bytes as f64 / 1e6
    );
    Ok(())
}

/// A bench-mix record: what pidsite gives Pagefind for `ark:99999/b…`.
fn record(i: usize) -> (ListItem, SearchRecord) {
    let pid = format!("ark:99999/b{i:07}");
    let title = format!("Object {i} — provenance digital image canvas collection");
    let item = ListItem {
        title: title.clone(),
        pid: pid.clone(),
        url: format!("/ark/99999/b{i:07}/"),
        thumbnail: None,
        kind: "Manifest".into(),
        status: "active".into(),
    };
    let text = [
        title,
        pid.clone(),
        pid.clone(),
        format!("https://n2t.net/{pid}"),
        format!("ark:/99999/b{i:07}"),
        pid,
    ];
    let facets = [
        ("language", "en"),
        ("scheme", "ARK"),
        ("status", "active"),
        ("type", "Manifest"),
    ];
    let record = SearchRecord {
        text: text.join("\n"),
        facets: facets.map(|(k, v)| (k.into(), v.into())).to_vec(),
        year: Some(format!("{}", 1800 + i % 200)),
        kind_name: "manifest".into(),
    };
    (item, record)
}

/// The process's peak resident memory, kB (`VmHWM`).
fn peak_kb() -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"));
    let kb = line.and_then(|l| l.split_whitespace().nth(1));
    Ok(kb.ok_or("no VmHWM in /proc/self/status")?.parse()?)
}
