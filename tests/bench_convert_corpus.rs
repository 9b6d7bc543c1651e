//! Converts the whole golden corpus (452 editor workflows) many times and reports what it
//! measured: parse, convert, parse + convert, and catalog parsing. Every round checks that every
//! conversion succeeded, so the figures describe work actually done.
//!
//! `cargo bench -p comfywire-tests --bench convert_corpus [-- --rounds N --warmup W --json]`

// The allocator the shipped binaries use (the CLI and the Node addon): parsing exact JSON is
// allocation-heavy, and glibc's malloc is then a third of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::time::{Duration, Instant};

use comfywire::{Catalog, ConvertOptions, Workflow, convert};
use comfywire_tests::{fixtures, golden_stems, read_golden};

struct Args {
    rounds: usize,
    warmup: usize,
    json: bool,
}

fn args() -> Args {
    let mut a = Args {
        rounds: 20,
        warmup: 3,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rounds" => a.rounds = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.rounds),
            "--warmup" => a.warmup = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.warmup),
            "--json" => a.json = true,
            _ => {} // cargo bench passes `--bench`
        }
    }
    a.rounds = a.rounds.max(1);
    a
}

/// Median and 95th percentile of per-round times.
fn summary(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p95 = times[((times.len() as f64 * 0.95).ceil() as usize)
        .saturating_sub(1)
        .min(times.len() - 1)];
    (ms(times[times.len() / 2]), ms(p95))
}

fn measure(
    rounds: usize,
    warmup: usize,
    mut round: impl FnMut() -> usize,
    expected: usize,
) -> Vec<Duration> {
    for _ in 0..warmup {
        assert_eq!(round(), expected);
    }
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            let done = round();
            let took = start.elapsed();
            assert_eq!(done, expected, "every item must succeed in every round");
            took
        })
        .collect()
}

fn main() {
    let a = args();
    let texts: Vec<String> = golden_stems()
        .iter()
        .map(|s| read_golden(s, "workflow"))
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let catalog_text = std::fs::read_to_string(fixtures().join("object_info.json")).unwrap();
    let catalog = Catalog::from_json(&catalog_text).unwrap();
    let options = ConvertOptions::default();
    let parsed: Vec<Workflow> = texts
        .iter()
        .map(|t| Workflow::from_json(t).unwrap())
        .collect();
    let n = texts.len();

    let parse = measure(
        a.rounds,
        a.warmup,
        || {
            texts
                .iter()
                .filter(|t| black_box(Workflow::from_json(t)).is_ok())
                .count()
        },
        n,
    );
    let conv = measure(
        a.rounds,
        a.warmup,
        || {
            parsed
                .iter()
                .filter(|w| black_box(convert(w, &catalog, &options)).is_ok())
                .count()
        },
        n,
    );
    let both = measure(
        a.rounds,
        a.warmup,
        || {
            texts
                .iter()
                .filter(|t| {
                    Workflow::from_json(t)
                        .and_then(|w| convert(&w, &catalog, &options))
                        .map(black_box)
                        .is_ok()
                })
                .count()
        },
        n,
    );
    let cat = measure(
        a.rounds,
        a.warmup.min(1),
        || usize::from(black_box(Catalog::from_json(&catalog_text)).is_ok()),
        1,
    );

    // Correctness of what was timed: how many conversions equal the editor's own prompt, compared
    // as parsed JSON with no normalisation (the golden test documents its one normalisation).
    let exact = parsed
        .iter()
        .zip(golden_stems())
        .filter(|(w, stem)| {
            let expected: serde_json::Value =
                serde_json::from_str(&read_golden(stem, "prompt")).unwrap();
            let got = convert(w, &catalog, &options).unwrap().prompt.to_value();
            comfywire::json::json_eq(&got, &expected)
        })
        .count();

    let mb = bytes as f64 / 1e6;
    let rows = [
        ("parse workflow", summary(parse), n, mb),
        ("convert (parsed)", summary(conv), n, mb),
        ("parse + convert", summary(both), n, mb),
        (
            "parse object_info",
            summary(cat),
            1,
            catalog_text.len() as f64 / 1e6,
        ),
    ];
    if a.json {
        let list: Vec<_> = rows
            .iter()
            .map(|(name, (median, p95), items, mbytes)| {
                serde_json::json!({"name": name, "median_ms": median, "p95_ms": p95, "items": items,
                    "items_per_s": *items as f64 / (median / 1000.0), "mb_per_s": mbytes / (median / 1000.0)})
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"workflows": n, "bytes": bytes, "rounds": a.rounds, "exact": exact, "results": list})
        );
        return;
    }
    println!(
        "corpus: {n} workflows, {:.2} MB; {} rounds after {} warm-up (release build)",
        mb, a.rounds, a.warmup
    );
    println!("identical to the editor's prompt: {exact}/{n} (no normalisation)");
    println!(
        "{:<20} {:>10} {:>10} {:>14} {:>10}",
        "", "median ms", "p95 ms", "items/s", "MB/s"
    );
    for (name, (median, p95), items, mbytes) in rows {
        println!(
            "{name:<20} {median:>10.2} {p95:>10.2} {:>14.0} {:>10.1}",
            items as f64 / (median / 1000.0),
            mbytes / (median / 1000.0)
        );
    }
    let (median, _) = summary(both_per_item(&texts, &catalog, &options));
    println!(
        "per workflow (parse + convert): median {:.1} µs",
        median * 1000.0
    );
    scale(&catalog, a.rounds.min(5));
}

/// Parameters at scale: `n` copies of the default text-to-image graph (each with its sampler,
/// so every role has `n` candidates), timed against parsing the same prompt: both must grow
/// linearly.
fn scale(catalog: &Catalog, rounds: usize) {
    println!("\nscale (copies of the default graph, {rounds} rounds): median ms");
    println!(
        "{:>8} {:>14} {:>14} {:>16}",
        "nodes", "parse prompt", "list_params", "params_by_node"
    );
    let template: serde_json::Value =
        serde_json::from_str(&read_golden("templates-old-0.1.0__default", "prompt")).unwrap();
    for copies in [625usize, 2500, 5000] {
        let mut prompt = serde_json::Map::new();
        for c in 0..copies {
            let id = |old: &str| format!("{}", c * 10 + old.parse::<usize>().unwrap());
            for (old, node) in template.as_object().unwrap() {
                let mut node = node.clone();
                for value in node["inputs"].as_object_mut().unwrap().values_mut() {
                    if let Some(link) = value.as_array_mut().filter(|l| l.len() == 2) {
                        link[0] = serde_json::Value::String(id(link[0].as_str().unwrap()));
                    }
                }
                prompt.insert(id(old), node);
            }
        }
        let text = serde_json::Value::Object(prompt).to_string();
        let parsed = comfywire::Prompt::from_json(&text).unwrap();
        let nodes = parsed.nodes.len();
        let time = |f: &dyn Fn() -> usize| summary(measure(rounds, 1, f, 1)).0;
        let parse = time(&|| usize::from(black_box(comfywire::Prompt::from_json(&text)).is_ok()));
        let list = time(&|| {
            usize::from(!black_box(comfywire::params::list_params(&parsed, catalog)).is_empty())
        });
        let by_node = time(&|| {
            usize::from(black_box(comfywire::params::params_by_node(&parsed, catalog)).is_object())
        });
        println!("{nodes:>8} {parse:>14.1} {list:>14.1} {by_node:>16.1}");
    }
}

/// Per-workflow times for the parse + convert path (median across the corpus).
fn both_per_item(texts: &[String], catalog: &Catalog, options: &ConvertOptions) -> Vec<Duration> {
    texts
        .iter()
        .map(|t| {
            let start = Instant::now();
            let w = Workflow::from_json(t).unwrap();
            black_box(convert(&w, catalog, options).unwrap());
            start.elapsed()
        })
        .collect()
}
