//! Prints, for every IIIF file of a folder (the shared corpus by default,
//! or `PIDSITE_CORPUS`), what pidsite infers it is, as a Markdown table,
//! then the count of each kind:
//! `cargo run --example corpus_types -- ../shared/corpus`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pidsite::citation::genre_of;
use pidsite::load::iiif;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("PIDSITE_CORPUS").ok())
        .map_or_else(|| PathBuf::from("../shared/corpus"), PathBuf::from);
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| e.path().to_path_buf())
        .collect();
    files.sort();
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    println!("| file | IIIF type | kind | said by |");
    println!("| --- | --- | --- | --- |");
    for file in &files {
        let name = file.strip_prefix(&dir).unwrap_or(file).display();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                println!("| {name} | unreadable: {e} | | |");
                continue;
            }
        };
        let resource = match iiif::parse(&bytes, &["en".to_string()]) {
            Ok(r) => r,
            Err(e) => {
                println!("| {name} | not IIIF: {e} | | |");
                continue;
            }
        };
        let genre = genre_of(None, Some(&resource), None);
        let said_by = if resource.genre.is_some() {
            "the IIIF (media or metadata)"
        } else if resource.paged && genre.facts().name == "book" {
            "behavior paged"
        } else {
            "IIIF type (default)"
        };
        println!(
            "| {name} | {} | {} | {said_by} |",
            resource.kind.label(),
            genre.facts().label
        );
        *counts
            .entry((resource.kind.label(), genre.facts().label))
            .or_default() += 1;
    }
    println!("\n| IIIF type | kind | files |\n| --- | --- | --- |");
    for ((kind, genre), n) in counts {
        println!("| {kind} | {genre} | {n} |");
    }
}
