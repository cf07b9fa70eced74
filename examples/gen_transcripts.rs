//! Writes N synthetic practice transcripts over the shipped drills (plus any `--content DIR`),
//! for `sysdrill grade` tests and benchmarks. Deterministic from `--seed`: transcript `i` is the
//! same whatever N or the thread count.
//!
//! Usage: `cargo run --release --example gen_transcripts -- OUT_DIR N [--seed S]
//! [--content DIR]... [--no-tools] [--no-human] [--start I] [--keywords FILE]`
//!
//! `--keywords FILE` also writes every concept phrase of the drills, one per line, for the
//! benchmark's `rg -F -f FILE` baseline.
//!
//! Files go to `OUT_DIR/0000/t0000000.json`, a folder per thousand. With tools on, incident
//! drills get commands whose outputs come from the box a practice session builds (so `grade`
//! re-derives them exactly), each drill's sequence of commands run once and reused. Human
//! scores go to `OUT_DIR/human.csv` (appended), for `grade --human`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use rayon::prelude::*;
use sysdrill::domain::{Drill, DrillId};
use sysdrill::grade::synth::{self, SynthConfig};

/// The human scores' file in the output folder.
const HUMAN_CSV: &str = "human.csv";

struct Args {
    out: PathBuf,
    count: u64,
    start: u64,
    seed: u64,
    content: Vec<PathBuf>,
    tools: bool,
    human: bool,
    keywords: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut args = Args {
        out: PathBuf::new(),
        count: 0,
        start: 0,
        seed: 42,
        content: Vec::new(),
        tools: true,
        human: true,
        keywords: None,
    };
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        let mut value = |name: &str| iter.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--seed" => {
                args.seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?
            }
            "--start" => {
                args.start = value("--start")?
                    .parse()
                    .map_err(|e| format!("--start: {e}"))?
            }
            "--content" => args.content.push(PathBuf::from(value("--content")?)),
            "--keywords" => args.keywords = Some(PathBuf::from(value("--keywords")?)),
            "--no-tools" => args.tools = false,
            "--no-human" => args.human = false,
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ => positional.push(arg),
        }
    }
    let [out, count] = positional.as_slice() else {
        return Err("expected OUT_DIR N".into());
    };
    args.out = PathBuf::from(out);
    args.count = count.parse().map_err(|e| format!("N: {e}"))?;
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!(
                "error: {message}\nusage: gen_transcripts OUT_DIR N [--seed S] [--start I] \
                 [--content DIR]... [--no-tools] [--no-human] [--keywords FILE]"
            );
            return ExitCode::from(2);
        }
    };
    let catalog = match sysdrill::content::load_catalog(&args.content) {
        Ok(catalog) => catalog,
        Err(diagnostics) => {
            for diagnostic in diagnostics {
                eprintln!("{diagnostic}");
            }
            return ExitCode::from(1);
        }
    };
    let drills: Vec<&Drill> = catalog.drills.values().collect();
    if drills.is_empty() {
        eprintln!("error: no drills to write transcripts for");
        return ExitCode::from(1);
    }
    if let Some(path) = &args.keywords {
        let mut phrases: Vec<&str> = drills
            .iter()
            .flat_map(|drill| drill.rubric.concepts.iter())
            .flat_map(|concept| concept.phrases.iter().map(String::as_str))
            .collect();
        phrases.sort_unstable();
        phrases.dedup();
        let mut text = phrases.join("\n");
        text.push('\n');
        if let Err(error) = std::fs::write(path, text) {
            eprintln!("error: {}: {error}", path.display());
            return ExitCode::from(1);
        }
    }
    // Each drill's sequence of commands runs once, on the box a practice session builds.
    type Printed = Vec<Result<String, String>>;
    type Session = (DrillId, u64, Vec<String>);
    let outputs: Mutex<HashMap<Session, Printed>> = Mutex::default();
    let shown = |drill: &Drill, seed: u64, commands: &[&str]| -> Option<Printed> {
        if !args.tools {
            return None;
        }
        let key = (
            drill.id.clone(),
            seed,
            commands.iter().map(|c| (*c).to_owned()).collect(),
        );
        if let Some(printed) = outputs.lock().ok()?.get(&key) {
            return Some(printed.clone());
        }
        let printed = synth::session_outputs(&catalog, drill, seed, commands)?;
        outputs.lock().ok()?.insert(key, printed.clone());
        Some(printed)
    };
    let config = SynthConfig {
        seed: args.seed,
        human: args.human,
        ..SynthConfig::default()
    };
    let end = args.start + args.count;
    let first_shard = args.start / 1000;
    let last_shard = end.div_ceil(1000);
    for shard in first_shard..last_shard {
        if let Err(error) = std::fs::create_dir_all(args.out.join(format!("{shard:04}"))) {
            eprintln!("error: {}: {error}", args.out.display());
            return ExitCode::from(1);
        }
    }
    let results: Vec<Result<String, String>> = (args.start..end)
        .into_par_iter()
        .filter_map(|index| {
            let synthetic = synth::transcript(&drills, &config, index, &shown)?;
            let relative = synth::relative_path(index);
            let path = args.out.join(&relative);
            let bytes = serde_json::to_vec_pretty(&synthetic.transcript).ok()?;
            if let Err(error) = std::fs::write(&path, bytes) {
                return Some(Err(format!("{}: {error}", path.display())));
            }
            synthetic
                .human_score
                .map(|score| Ok(format!("{relative},{score}\n")))
        })
        .collect();
    let (human, failures): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    let failures: Vec<String> = failures.into_iter().filter_map(Result::err).collect();
    let human: String = human.into_iter().filter_map(Result::ok).collect();
    if !human.is_empty() {
        // Appended, so batches generated with --start add up to one CSV for `grade --human`.
        let path = args.out.join(HUMAN_CSV);
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, human.as_bytes()));
        if let Err(error) = written {
            eprintln!("error: {}: {error}", path.display());
            return ExitCode::from(1);
        }
    }
    for failure in failures.iter().take(10) {
        eprintln!("error: {failure}");
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
