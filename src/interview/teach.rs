//! What the final scorecard teaches: for a missed concept, the output row on this box that shows
//! it (from the candidate's own run of the tool when there was one, otherwise from running the
//! tool the model answer names on a fresh box with the same seed); and the model answer told as
//! the five steps, with this seed's numbers from the simulation.
//!
//! Every number shown here comes from the model (a rendered output or the simulated trace),
//! never from the drill's text.

use crate::commands;
use crate::console::Console;
use crate::domain::{Drill, Incident, Seed, Stage};
use crate::interview::memory::contains_word;
use crate::model;
use crate::score::Shown;

/// An output row the candidate could have read, with the header that names its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownRow {
    pub command: String,
    /// The candidate ran this command (otherwise it is what they could have run).
    pub ran: bool,
    pub header: Option<String>,
    pub row: String,
}

/// Tools whose rows are sorted most important first; for the others (interval reports) the
/// latest row is the one to read.
const SORTED: &[&str] = &["perf", "top", "cat", "grep"];

/// The command line a model-answer line names, from the registry's examples: `perf lock`,
/// `perf top`, `vmstat`… Prose words that are also tool names (`top`, `free`) do not count.
fn command_named(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let mut found: Option<(usize, &'static str)> = None;
    let mut consider = |key: &str, example: &'static str| {
        if let Some(at) = lower.find(key)
            && contains_word(&lower[at..], key)
            && found.is_none_or(|(best, _)| at < best)
        {
            found = Some((at, example));
        }
    };
    for tool in commands::TOOLS {
        let Some(first) = tool.examples.first() else {
            continue;
        };
        match tool.name {
            "perf" => {
                for example in tool.examples {
                    // `perf lock report` needs a recording; the live form reads the same.
                    let key: String = example
                        .split_whitespace()
                        .take(2)
                        .collect::<Vec<_>>()
                        .join(" ");
                    if key == "perf lock" {
                        consider("perf lock", "perf lock contention -a -b");
                    } else {
                        consider(&key, example);
                    }
                }
            }
            "top" | "free" | "grep" => {}
            "cat" => consider("lock_stat", first),
            name => consider(name, first),
        }
    }
    found.map(|(_, example)| example)
}

fn is_number(token: &str) -> bool {
    let token = token.trim_end_matches([',', '%']);
    !token.is_empty() && token.parse::<f64>().is_ok()
}

/// A row of figures: it starts with a number (`vmstat`, `perf top`), or at least half its
/// fields are numbers (`mpstat`'s timestamped rows, `lock_stat`). Banner lines such as perf
/// top's `PerfTop: 32000 irqs/sec …` are neither.
fn is_data_row(line: &str) -> bool {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let numbers = fields.iter().filter(|field| is_number(field)).count();
    fields.first().is_some_and(|first| is_number(first))
        || (numbers > 0 && numbers * 2 >= fields.len())
}

/// A profile row of the idle loop (the CPUs doing nothing), named by the model's own idle
/// symbols.
fn is_idle_row(line: &str) -> bool {
    use crate::model::symbols::splits::{IDLE_BARE, IDLE_GUEST};
    let symbol = line.split_whitespace().last().unwrap_or_default();
    IDLE_BARE
        .iter()
        .chain(IDLE_GUEST)
        .any(|(name, _)| *name == symbol)
}

/// The row of `output` to read, and the header above it. By default a profile's first row of
/// work and an interval tool's latest row; when `hint` (the model answer's line) names figures
/// that one row carries more of than that default (mpstat's "CPU 3 at 100 %"), that row.
fn pick_row(command: &str, output: &str, hint: &str) -> Option<(Option<String>, String)> {
    let lines: Vec<&str> = output.lines().collect();
    let rows: Vec<usize> = (0..lines.len())
        .filter(|&i| is_data_row(lines[i]) && !lines[i].starts_with("Average"))
        .collect();
    let tool = command.split_whitespace().next().unwrap_or_default();
    let index = if SORTED.contains(&tool) {
        // A profile's top row may be the idle loop; the work to read is the first row after it.
        *rows
            .iter()
            .find(|&&i| !is_idle_row(lines[i]))
            .or(rows.first())?
    } else {
        *rows.last()?
    };
    let index = rows
        .iter()
        .copied()
        .map(|i| (figures_named(lines[i], hint), i))
        .filter(|&(named, _)| named > figures_named(lines[index], hint))
        // The most figures named; on a tie the later row, as interval tools are read.
        .max_by_key(|&(named, i)| (named, i))
        .map_or(index, |(_, i)| i);
    let header = lines[..index]
        .iter()
        .rev()
        // The nearest line of words above the row; rules (perf top's `-----`) are not headers.
        .find(|line| {
            !line.trim().is_empty()
                && !line.trim().chars().all(|c| c == '-')
                && !line.split_whitespace().any(is_number)
        })
        .map(|line| line.to_string());
    Some((header, lines[index].to_owned()))
}

/// How many of `row`'s distinct figures `hint` names, compared as numbers rounded to a whole
/// (`100.00` in a row is the `100 %` of a sentence); zeros are too common to tell rows apart.
fn figures_named(row: &str, hint: &str) -> usize {
    let whole = |token: &str| {
        let token = token.trim_matches(|c: char| !c.is_ascii_digit() && c != '.');
        token
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n != 0.0)
            .map(|n| n.round() as i64)
    };
    let named: std::collections::BTreeSet<i64> =
        hint.split_whitespace().filter_map(whole).collect();
    let figures: std::collections::BTreeSet<i64> =
        row.split_whitespace().filter_map(whole).collect();
    figures.intersection(&named).count()
}

/// Where a missed concept shows on this box.
pub fn shown_row(
    drill: &Drill,
    concept: &str,
    incident: Option<&Incident>,
    seed: Seed,
    shown: &Shown,
) -> Option<ShownRow> {
    let stage = drill.concept(concept)?.stage;
    if !matches!(stage, Stage::Check | Stage::Interpret) {
        return None;
    }
    let hint = drill.model_line_for(concept)?;
    let example = command_named(hint)?;
    let key: Vec<&str> = example.split_whitespace().take(2).collect();
    let tool = key[0];
    // The candidate's own run of the same tool, latest first.
    let own = shown.outputs.iter().rev().find(|output| {
        let words: Vec<&str> = output.command.split_whitespace().collect();
        words.first() == Some(&tool) && (tool != "perf" || words.get(1) == key.get(1))
    });
    if let Some(output) = own
        && let Some((header, row)) = pick_row(&output.command, &output.text, hint)
    {
        return Some(ShownRow {
            command: output.command.clone(),
            ran: true,
            header,
            row,
        });
    }
    let text = Console::new(incident?, seed).run(example).ok()?;
    let (header, row) = pick_row(example, &text, hint)?;
    Some(ShownRow {
        command: example.to_owned(),
        ran: false,
        header,
        row,
    })
}

/// A model answer line without a leading label that names its own step ("Fix: one lock
/// order"): the narrative already prints the step's title before it.
fn without_stage_label(text: &str, stage: Stage) -> &str {
    match text.split_once(':') {
        Some((label, rest)) if label.trim().eq_ignore_ascii_case(stage.name()) => rest.trim_start(),
        _ => text,
    }
}

/// The model answer as the five steps: each step's lines joined, in order.
pub fn narrative(drill: &Drill) -> Vec<(Stage, String)> {
    Stage::ALL
        .into_iter()
        .filter_map(|stage| {
            let lines: Vec<&str> = drill
                .model_answer
                .iter()
                .filter(|line| {
                    line.concept
                        .as_deref()
                        .and_then(|id| drill.concept(id))
                        .is_some_and(|concept| concept.stage == stage)
                })
                .map(|line| without_stage_label(line.text.trim(), stage))
                .collect();
            (!lines.is_empty()).then(|| (stage, lines.join(" ")))
        })
        .collect()
}

/// This seed's numbers from the simulation: what the box showed over its first seconds.
pub fn seed_numbers(incident: &Incident, seed: Seed, seconds: usize) -> Option<String> {
    let trace = model::simulate(incident, seed, seconds);
    let samples = &trace.samples[..seconds.min(trace.samples.len())];
    if samples.is_empty() {
        return None;
    }
    let max = |f: &dyn Fn(&model::Sample) -> f64| samples.iter().map(f).fold(0.0, f64::max);
    let min =
        |f: &dyn Fn(&model::Sample) -> f64| samples.iter().map(f).fold(f64::INFINITY, f64::min);
    let idle = |sample: &model::Sample| {
        let (idle, total) = sample.cpus.iter().fold((0u64, 0u64), |(idle, total), cpu| {
            let busy = cpu.user + cpu.nice + cpu.system + cpu.irq + cpu.softirq + cpu.steal;
            (
                idle + cpu.idle + cpu.iowait,
                total + busy + cpu.idle + cpu.iowait,
            )
        });
        if total == 0 {
            0.0
        } else {
            idle as f64 * 100.0 / total as f64
        }
    };
    let completed: u64 = samples.iter().map(|s| s.app.completed).sum();
    Some(format!(
        "on this seed, over the first {} simulated seconds: {} CPUs, up to {:.0} runnable \
         threads, up to {:.0} context switches a second, CPU idle between {:.0}% and {:.0}%, \
         {:.0} requests a second, p99 up to {}",
        samples.len(),
        incident.machine.cpus,
        max(&|s| s.runnable),
        max(&|s| s.context_switches as f64),
        min(&idle),
        max(&idle),
        completed as f64 / samples.len() as f64,
        super::fmt_latency(max(&|s| s.app.latency_p99_us)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_lines_name_commands_but_prose_words_do_not() {
        assert_eq!(
            command_named("perf lock: one lock dominates the wait time."),
            Some("perf lock contention -a -b")
        );
        assert_eq!(
            command_named("vmstat: every few seconds r jumps above the CPU count"),
            Some("vmstat 1 5")
        );
        assert_eq!(command_named("Top hypotheses: free memory is low"), None);
        assert_eq!(command_named("perf top: mostly kernel"), Some("perf top"));
    }

    #[test]
    fn a_row_carrying_the_figures_the_model_answer_names_is_read_instead() {
        let mpstat = "08:12:37     CPU    %usr   %soft   %idle
08:12:38     all   36.11   12.50   42.49
08:12:38       3    0.00  100.00    0.00
08:12:38       7   42.01    0.00   48.11
";
        let hint = "mpstat shows CPU 3 at 100 % soft and no idle";
        let row = |hint| pick_row("mpstat -P ALL 1 1", mpstat, hint).map(|(_, row)| row);
        assert_eq!(
            row(hint).as_deref(),
            Some("08:12:38       3    0.00  100.00    0.00")
        );
        // Without figures in the hint, or naming none of the rows', the latest row.
        assert_eq!(
            row("").as_deref(),
            Some("08:12:38       7   42.01    0.00   48.11")
        );
        assert_eq!(
            row("most CPUs are busy").as_deref(),
            Some("08:12:38       7   42.01    0.00   48.11")
        );
    }

    #[test]
    fn a_model_line_labelled_with_its_own_step_is_not_labelled_twice() {
        assert_eq!(
            without_stage_label("Fix: one global lock order.", Stage::Fix),
            "one global lock order."
        );
        assert_eq!(
            without_stage_label("fix:  batch the tasks", Stage::Fix),
            "batch the tasks"
        );
        // Another label, or a colon later in the line, stays.
        assert_eq!(
            without_stage_label("Fix: one order", Stage::Check),
            "Fix: one order"
        );
        assert_eq!(
            without_stage_label("dmesg shows it: CPU 3", Stage::Interpret),
            "dmesg shows it: CPU 3"
        );
    }

    #[test]
    fn interval_tools_read_the_latest_row_and_sorted_ones_the_first() {
        let vmstat = "procs ---memory---\n r  b   swpd\n 1  0  0\n13  0  0\n";
        assert_eq!(
            pick_row("vmstat 1 2", vmstat, ""),
            Some((Some(" r  b   swpd".to_owned()), "13  0  0".to_owned()))
        );
        let perf =
            " contended  total wait  type  caller\n\n  9  1.2 s  mutex  a\n  3  0.1 s  mutex  b\n";
        assert_eq!(
            pick_row("perf lock contention -a -b", perf, "").map(|(_, row)| row),
            Some("  9  1.2 s  mutex  a".to_owned())
        );
        // The idle loop on top of a profile is skipped: the work is read below it.
        let top = "   PerfTop: 100 irqs/sec\n\n    40.00%  [kernel]  [k] intel_idle\n    \
                   20.00%  [kernel]  [k] native_queued_spin_lock_slowpath\n";
        assert_eq!(
            pick_row("perf top", top, "").and_then(|(header, _)| header),
            None,
            "a banner with numbers is not a header"
        );
        let ruled = "  Overhead  Shared Object  Symbol\n  --------\n    20.00%  [kernel]  [k] f\n";
        assert_eq!(
            pick_row("perf top", ruled, "").and_then(|(header, _)| header),
            Some("  Overhead  Shared Object  Symbol".to_owned())
        );
        assert_eq!(
            pick_row("perf top", top, "").map(|(_, row)| row),
            Some("    20.00%  [kernel]  [k] native_queued_spin_lock_slowpath".to_owned())
        );
        let only_idle = "    90.00%  [kernel]  [k] intel_idle\n";
        assert_eq!(
            pick_row("perf top", only_idle, "").map(|(_, row)| row),
            Some("    90.00%  [kernel]  [k] intel_idle".to_owned())
        );
    }
}
