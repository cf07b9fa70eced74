//! A score report as text for a terminal (coloured by `colored`, which the app configures).
//!
//! The report explains itself: the score and band, every concept with the words that earned it
//! (or, when missed, the model answer's line for it), negated and hypothetical mentions with
//! their trigger, red flags and misconceptions with the interviewer's words, misread numbers, the
//! order of reasoning, and what the interviewer would push on. Writes only to the given writer.

use std::io::{self, Write};

use colored::Colorize;

use crate::domain::Drill;
use crate::score::structure::{self, WrongConclusion};
use crate::score::{Band, Evidence, ScoreReport, Status};

/// Longest quote shown for one piece of evidence before it is shortened with "…".
const QUOTE_CHARS: usize = 110;

pub fn write_text(out: &mut impl Write, drill: &Drill, report: &ScoreReport) -> io::Result<()> {
    let band = report.band.label();
    let band = match report.band {
        Band::StrongHire => band.green().bold(),
        Band::Hire => band.green(),
        Band::LeanNoHire => band.yellow(),
        Band::NoHire => band.red(),
    };
    writeln!(
        out,
        "{} {}/100  {}  (confidence {:.2})",
        drill.id.as_str().bold(),
        report.score.to_string().bold(),
        band,
        report.confidence
    )?;
    let missing_required = report
        .concepts
        .iter()
        .filter(|c| c.required && !c.hit)
        .count();
    let cap = Band::cap_for_missing_required(missing_required);
    if Band::for_score(report.score) > cap {
        writeln!(
            out,
            "  band capped at {}: {missing_required} required concept(s) missing",
            cap.label()
        )?;
    }
    if report.keyword_stuffing {
        writeln!(
            out,
            "  {} concepts named without saying anything about the case earn only a mention credit",
            "keyword list:".yellow()
        )?;
    }
    if report.dilution.uncommitted {
        writeln!(
            out,
            "  {} {} words of uncertainty (maybe, could, not sure …) and nothing said as a finding: the concepts keep {:.0}% of their credit",
            "never commits:".yellow(),
            report.dilution.hedges,
            report.dilution.factor * 100.0
        )?;
    } else if report.dilution.factor < 1.0 {
        writeln!(
            out,
            "  {} {} hedges, fillers and asides ({:.1} per 100 words): the concepts keep {:.0}% of their credit",
            "diluted:".yellow(),
            report.dilution.markers,
            report.dilution.per_100_words,
            report.dilution.factor * 100.0
        )?;
    }

    let wrong = structure::wrong_conclusion(&report.concepts, &report.misconceptions);
    if let Some(why) = wrong {
        let reason = match why {
            WrongConclusion::Misconception(i) => {
                format!("asserts the misconception {}", report.misconceptions[i].id)
            }
            WrongConclusion::RejectedCause(i) => {
                format!("rules out the cause \"{}\"", report.concepts[i].label)
            }
        };
        writeln!(
            out,
            "  {} {reason}: every concept keeps {:.0}% of its credit",
            "wrong conclusion:".red(),
            structure::WRONG_CONCLUSION_CREDIT * 100.0
        )?;
    }
    let keep = if wrong.is_some() {
        structure::WRONG_CONCLUSION_CREDIT
    } else {
        1.0
    };

    writeln!(out, "\n{}", "Concepts".bold())?;
    let total_weight: f64 = report.concepts.iter().map(|c| c.weight.max(0.0)).sum();
    for concept in &report.concepts {
        let required = if concept.required { " (required)" } else { "" };
        if concept.hit {
            // Full credit as this answer could earn it: after a wrong conclusion, dilution or
            // never committing, a reasoned concept keeps only that share.
            let full = concept.weight.max(0.0) / total_weight.max(f64::MIN_POSITIVE)
                * 100.0
                * keep
                * report.dilution.factor;
            let mention = if concept.credit + 0.01 < full {
                "  (named, not reasoned: mention credit)"
            } else {
                ""
            };
            writeln!(
                out,
                "  {} {}{}  +{:.1}{}",
                "✓".green(),
                concept.label,
                required,
                concept.credit,
                mention.dimmed()
            )?;
            if let Some(ev) = &concept.evidence {
                write_evidence(out, ev)?;
                if let Some(trigger) = &ev.trigger {
                    writeln!(
                        out,
                        "      hedged (\"{trigger}\"), still counts as a hypothesis"
                    )?;
                }
            }
            continue;
        }
        writeln!(out, "  {} {}{}", "✗".red(), concept.label, required)?;
        match (concept.status, &concept.evidence) {
            (Status::Negated, Some(ev)) => {
                write_evidence(out, ev)?;
                writeln!(
                    out,
                    "      negated by \"{}\"",
                    ev.trigger.as_deref().unwrap_or("?")
                )?;
            }
            (Status::Hypothetical, Some(ev)) => {
                write_evidence(out, ev)?;
                writeln!(
                    out,
                    "      only hypothetical (\"{}\"): say it as a finding",
                    ev.trigger.as_deref().unwrap_or("?")
                )?;
            }
            _ => {}
        }
        if let Some(line) = drill.model_line_for(&concept.id) {
            writeln!(out, "      {} {}", "model answer:".dimmed(), line.trim())?;
        }
    }

    let flags: Vec<_> = report
        .red_flags
        .iter()
        .filter(|f| f.status != Status::Missing)
        .collect();
    if !flags.is_empty() {
        writeln!(out, "\n{}", "Red flags".bold())?;
        for flag in flags {
            write_flag(out, flag, "")?;
        }
    }
    let wrong: Vec<_> = report
        .misconceptions
        .iter()
        .filter(|f| f.status != Status::Missing)
        .collect();
    if !wrong.is_empty() {
        writeln!(out, "\n{}", "Misconceptions".bold())?;
        for flag in wrong {
            write_flag(out, flag, "correction: ")?;
        }
    }
    if !report.misreads.is_empty() {
        writeln!(
            out,
            "\n{}",
            "Readings that disagree with the outputs".bold()
        )?;
        for m in &report.misreads {
            let shown = match &m.shown_name {
                Some(_) => m.shown(),
                None => format!(
                    "{} was shown between {} and {}",
                    m.field,
                    trim_number(m.shown_min),
                    trim_number(m.shown_max)
                ),
            };
            writeln!(out, "  {} \"{}\": {shown}", "!".red(), m.cited)?;
        }
    }

    writeln!(out, "\n{}", "Structure".bold())?;
    if report.structure.stages.is_empty() {
        writeln!(out, "  no stage of reasoning recognised")?;
    } else {
        writeln!(
            out,
            "  {}  (order {:.2})",
            report.structure.stages.join(" → "),
            report.structure.order_score
        )?;
    }
    if report.structure.penalty > 0.0 {
        writeln!(
            out,
            "  {} jumped to a fix before any check or interpretation: −{}",
            "!".yellow(),
            trim_number(report.structure.penalty)
        )?;
    }

    if !report.pushback.is_empty() {
        writeln!(out, "\n{}", "The interviewer would ask".bold())?;
        for line in &report.pushback {
            writeln!(out, "  › {line}")?;
        }
    }
    for skipped in &report.skipped_patterns {
        writeln!(out, "{} {skipped}", "warning:".yellow())?;
    }
    Ok(())
}

fn write_flag(
    out: &mut impl Write,
    flag: &crate::score::FlagResult,
    prefix: &str,
) -> io::Result<()> {
    let (mark, note) = match flag.status {
        _ if flag.fired => ("✗".red(), format!("−{}", trim_number(flag.penalty))),
        Status::Negated => ("✓".green(), "rejected, no penalty".to_owned()),
        Status::Hypothetical => ("?".yellow(), "only hypothetical, no penalty".to_owned()),
        _ => ("·".normal(), String::new()),
    };
    writeln!(out, "  {mark} {}  {note}", flag.id)?;
    if let Some(ev) = &flag.evidence {
        write_evidence(out, ev)?;
        if let (Some(trigger), false) = (&ev.trigger, flag.fired) {
            writeln!(out, "      because of \"{trigger}\"")?;
        }
    }
    if flag.fired {
        writeln!(out, "      {prefix}{}", flag.message.trim())?;
    }
    Ok(())
}

/// The clause that earned (or failed to earn) the point, cut around the matched words; for a
/// check credited from a command the candidate ran, the command.
fn write_evidence(out: &mut impl Write, ev: &Evidence) -> io::Result<()> {
    if let Some(command) = &ev.command {
        return writeln!(out, "      ran `{}`", command.italic());
    }
    let fuzzy = if ev.fuzzy {
        " (typo-tolerant match)"
    } else {
        ""
    };
    writeln!(
        out,
        "      \"{}\"{}",
        quote(&ev.text, &ev.matched).italic(),
        fuzzy.dimmed()
    )
}

/// The sentence, flattened, cut to [`QUOTE_CHARS`] around the matched words so they stay visible.
fn quote(context: &str, matched: &str) -> String {
    let flat: Vec<char> = context
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    if flat.len() <= QUOTE_CHARS {
        return flat.into_iter().collect();
    }
    let needle: Vec<char> = matched
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    let at = (0..=flat.len().saturating_sub(needle.len()))
        .find(|&i| flat[i..].starts_with(&needle))
        .unwrap_or(0);
    let room = QUOTE_CHARS - 2;
    let start = at
        .saturating_sub(room.saturating_sub(needle.len()) / 2)
        .min(flat.len() - room);
    let end = (start + room).min(flat.len());
    let mut quoted = String::new();
    if start > 0 {
        quoted.push('…');
    }
    quoted.extend(&flat[start..end]);
    if end < flat.len() {
        quoted.push('…');
    }
    quoted
}

fn trim_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_keep_the_match_visible() {
        let long = format!(
            "{} shard the lock {}",
            "word ".repeat(60),
            "tail ".repeat(60)
        );
        let q = quote(&long, "shard the lock");
        assert!(q.contains("shard the lock"), "{q}");
        assert!(q.starts_with('…') && q.ends_with('…'));
        assert!(q.chars().count() <= QUOTE_CHARS);
        assert_eq!(quote("short  and\nsweet", "sweet"), "short and sweet");
        let ending = format!("{}the end", "x ".repeat(100));
        assert!(quote(&ending, "the end").ends_with("the end"));
    }
}
