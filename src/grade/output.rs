//! Writing the grade report as rows arrive (in input order) and the tail once the batch is done:
//! an aligned table, one JSON object, or CSV.
//!
//! Formats (stable; scripts depend on them):
//! - table: one line per transcript (`SCORE BAND CONF HINTS DRIFT DRILL CANDIDATE FILE`) with an
//!   indented line of concepts hit / missed and red flags, an indented line per note (a tampered
//!   transcript's starts with `tampered:`), then bad files, the summary, agreement figures and
//!   groups;
//! - JSON: `{"rows": [...], "bad_files": [...], "summary": {...}, "agreement": {...} | null,
//!   "groups": [...] | null}`, rows streamed so the batch is never held in memory;
//! - CSV: a header and one row per graded transcript with the columns of [`CSV_HEADER`]; lists
//!   are joined with `;`, absent values are empty. The summary is not part of the CSV (use JSON
//!   for it); bad files go to stderr.
//!
//! Everything in a report came from a file that may be hostile. In the table every cell is
//! shown with [`term::visible_line`] (an escape sequence in a candidate's name is printed as
//! `^[`, never interpreted, and cutting a name cannot leave half a sequence); in CSV every text
//! cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or
//! a carriage return) gets a leading `'`, as spreadsheet guidance on CSV injection recommends,
//! and its escapes are made visible as in the table (CSV often lands on a terminal too); the csv
//! writer quotes what needs quoting, so the file still reads back cell for cell.
//!
//! Writes only to the writer it is given.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use super::GradeFormat;
use super::agreement::AgreementReport;
use super::groups::Group;
use super::rescore::Row;
use super::summary::SummaryReport;
use crate::term;

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 19] = [
    "file",
    "drill",
    "candidate",
    "score",
    "band",
    "confidence",
    "raw_score",
    "hints_used",
    "hint_penalty",
    "concepts_hit",
    "concepts_missed",
    "concepts_negated",
    "red_flags",
    "misconceptions",
    "old_score",
    "drifted",
    "human_score",
    "tampered",
    "notes",
];

/// A file that could not be graded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadFile {
    pub file: String,
    pub reason: String,
}

/// Everything reported after the rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tail {
    pub bad_files: Vec<BadFile>,
    pub summary: SummaryReport,
    /// With `--compare-human`.
    pub agreement: Option<AgreementReport>,
    /// With `--groups`.
    pub groups: Option<Vec<Group>>,
}

/// A report being written.
pub enum Sink<W: Write> {
    Table {
        out: W,
        drill_width: usize,
        rows: u64,
    },
    Json {
        out: W,
        rows: u64,
    },
    Csv {
        out: Box<csv::Writer<W>>,
    },
}

fn csv_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> Sink<W> {
    /// Starts a report; `drill_width` aligns the table's drill column (the longest drill id).
    pub fn new(format: GradeFormat, mut out: W, drill_width: usize) -> io::Result<Self> {
        Ok(match format {
            GradeFormat::Table => {
                let drill_width = drill_width.max("DRILL".len());
                writeln!(
                    out,
                    "{:>5}  {:<12}  {:>4}  {:>5}  {:<9}  {:<drill_width$}  {:<16}  FILE",
                    "SCORE", "BAND", "CONF", "HINTS", "DRIFT", "DRILL", "CANDIDATE"
                )?;
                Sink::Table {
                    out,
                    drill_width,
                    rows: 0,
                }
            }
            GradeFormat::Json => {
                out.write_all(b"{\"rows\":[")?;
                Sink::Json { out, rows: 0 }
            }
            GradeFormat::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(CSV_HEADER).map_err(csv_error)?;
                Sink::Csv {
                    out: Box::new(writer),
                }
            }
        })
    }

    pub fn row(&mut self, row: &Row) -> io::Result<()> {
        match self {
            Sink::Table {
                out,
                drill_width,
                rows,
            } => {
                *rows += 1;
                let drift = match &row.drift {
                    Some(drift) => match drift.old_score {
                        Some(old) => format!("{old}->{}", drift.new_score),
                        None => format!("?->{}", drift.new_score),
                    },
                    None => String::new(),
                };
                let candidate = truncate(
                    &term::visible_line(row.candidate.as_deref().unwrap_or("-")),
                    16,
                );
                writeln!(
                    out,
                    "{:>5}  {:<12}  {:>4.2}  {:>5}  {:<9}  {:<width$}  {:<16}  {}",
                    row.score,
                    row.band.label(),
                    row.confidence,
                    row.hints_used,
                    drift,
                    term::visible_line(&row.drill),
                    candidate,
                    term::visible_line(&row.file),
                    width = *drill_width
                )?;
                let mut detail = format!("       hit: {}", list(&row.concepts_hit));
                detail.push_str(&format!("  missed: {}", list(&row.concepts_missed)));
                if !row.red_flags.is_empty() {
                    detail.push_str(&format!("  red flags: {}", list(&row.red_flags)));
                }
                if !row.misconceptions.is_empty() {
                    detail.push_str(&format!("  misconceptions: {}", list(&row.misconceptions)));
                }
                writeln!(out, "{}", term::visible_line(&detail))?;
                for note in &row.notes {
                    writeln!(out, "       {}", term::visible_line(note))?;
                }
                Ok(())
            }
            Sink::Json { out, rows } => {
                if *rows > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(b"\n")?;
                *rows += 1;
                serde_json::to_writer(&mut *out, row).map_err(io::Error::from)
            }
            Sink::Csv { out } => {
                let join = |items: &[String]| text_cell(&items.join(";")).into_owned();
                let record = [
                    text_cell(&row.file).into_owned(),
                    text_cell(&row.drill).into_owned(),
                    text_cell(row.candidate.as_deref().unwrap_or_default()).into_owned(),
                    row.score.to_string(),
                    row.band.label().to_owned(),
                    format!("{:.3}", row.confidence),
                    row.raw_score.to_string(),
                    row.hints_used.to_string(),
                    number(row.hint_penalty),
                    join(&row.concepts_hit),
                    join(&row.concepts_missed),
                    join(&row.concepts_negated),
                    join(&row.red_flags),
                    join(&row.misconceptions),
                    row.drift
                        .as_ref()
                        .and_then(|drift| drift.old_score)
                        .map(|old| old.to_string())
                        .unwrap_or_default(),
                    row.drift.is_some().to_string(),
                    row.human_score.map(number).unwrap_or_default(),
                    row.tampered.to_string(),
                    row.notes.join("; "),
                ];
                out.write_record(&record).map_err(csv_error)
            }
        }
    }

    /// Writes the tail and flushes; returns the writer.
    pub fn finish(self, tail: &Tail) -> io::Result<W> {
        match self {
            Sink::Table { mut out, rows, .. } => {
                if rows == 0 {
                    writeln!(out, "(no transcripts graded)")?;
                }
                // The tail quotes file names, drill ids and concepts: shown, not interpreted.
                let mut text = Vec::new();
                write_table_tail(&mut text, tail)?;
                out.write_all(term::visible(&String::from_utf8_lossy(&text)).as_bytes())?;
                out.flush()?;
                Ok(out)
            }
            Sink::Json { mut out, rows } => {
                if rows > 0 {
                    out.write_all(b"\n")?;
                }
                out.write_all(b"],\"bad_files\":")?;
                serde_json::to_writer(&mut out, &tail.bad_files)?;
                out.write_all(b",\"summary\":")?;
                serde_json::to_writer(&mut out, &tail.summary)?;
                out.write_all(b",\"agreement\":")?;
                serde_json::to_writer(&mut out, &tail.agreement)?;
                out.write_all(b",\"groups\":")?;
                serde_json::to_writer(&mut out, &tail.groups)?;
                out.write_all(b"}\n")?;
                out.flush()?;
                Ok(out)
            }
            Sink::Csv { out } => out
                .into_inner()
                .map_err(|error| io::Error::other(error.to_string())),
        }
    }
}

/// A CSV text cell a spreadsheet will not run (a leading `'` before a formula's first
/// character) and a terminal will not interpret (escapes made visible, as in the table).
pub fn text_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{}", term::visible_line(text)))
    } else {
        term::visible_line(text)
    }
}

/// Numbers without a pointless `.0`, and at most three decimals; zero is `0`, never `-0`.
fn number(value: f64) -> String {
    let value = value + 0.0;
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        term::visible_line(&items.join(", ")).into_owned()
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('~');
        cut
    }
}

fn percent(share: Option<f64>) -> String {
    share.map_or("-".to_owned(), |share| format!("{:.1}%", share * 100.0))
}

fn fixed(value: Option<f64>, decimals: usize) -> String {
    value.map_or("-".to_owned(), |value| format!("{value:.decimals$}"))
}

fn write_table_tail(out: &mut impl Write, tail: &Tail) -> io::Result<()> {
    if !tail.bad_files.is_empty() {
        writeln!(out)?;
        writeln!(out, "Bad files ({}):", tail.bad_files.len())?;
        for bad in &tail.bad_files {
            // One line per file, whatever newlines its name or reason holds.
            writeln!(
                out,
                "  {}: {}",
                term::visible_line(&bad.file),
                term::visible_line(&bad.reason)
            )?;
        }
    }
    let summary = &tail.summary;
    writeln!(out)?;
    writeln!(out, "Summary")?;
    writeln!(
        out,
        "  graded {}   mean {}   median {}   drifted {}   bad files {}",
        summary.count,
        fixed(summary.mean, 1),
        fixed(summary.median, 1),
        summary.drifted,
        tail.bad_files.len()
    )?;
    let bands: Vec<String> = summary
        .bands
        .iter()
        .map(|band| format!("{} {}", band.band.label(), band.count))
        .collect();
    writeln!(out, "  bands: {}", bands.join(", "))?;
    for drill in &summary.drills {
        writeln!(
            out,
            "  {} ({} graded, mean {:.1})",
            drill.drill, drill.count, drill.mean
        )?;
        let concepts = |list: &[super::summary::ConceptCount]| -> String {
            if list.is_empty() {
                return "-".to_owned();
            }
            list.iter()
                .map(|c| format!("{} {} ({:.0}%)", c.concept, c.count, c.share * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(out, "    most missed:  {}", concepts(&drill.most_missed))?;
        writeln!(out, "    most negated: {}", concepts(&drill.most_negated))?;
    }
    if !summary.red_flags.is_empty() {
        writeln!(out, "  red flags:")?;
        for flag in &summary.red_flags {
            writeln!(
                out,
                "    {:>6}  {} / {}",
                flag.count, flag.drill, flag.red_flag
            )?;
        }
    }
    if !summary.review_low_confidence.is_empty() {
        writeln!(out)?;
        writeln!(out, "Review queue: lowest confidence")?;
        let width = summary
            .review_low_confidence
            .iter()
            .map(|entry| entry.drill.len())
            .max()
            .unwrap_or(0);
        for entry in &summary.review_low_confidence {
            writeln!(
                out,
                "  {:>4.2}  {:>3}  {:<width$}  {}",
                entry.confidence,
                entry.score,
                entry.drill,
                term::visible_line(&entry.file)
            )?;
        }
    }
    if let Some(agreement) = &tail.agreement {
        writeln!(out)?;
        writeln!(
            out,
            "Agreement with human scores ({} pairs)",
            agreement.pairs
        )?;
        if agreement.pairs == 0 {
            writeln!(out, "  no human scores found: pass them with --human CSV")?;
        }
        writeln!(
            out,
            "  QWK (levels 0-4) {}   Spearman {}   exact {}   adjacent {}",
            fixed(agreement.qwk, 3),
            fixed(agreement.spearman, 3),
            percent(agreement.exact),
            percent(agreement.adjacent)
        )?;
        writeln!(out, "  confusion (rows engine level 0-4, columns human):")?;
        for (level, row) in agreement.confusion.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(|n| format!("{n:>6}")).collect();
            writeln!(out, "    {level}  {}", cells.join(""))?;
        }
        if !summary.review_disagreements.is_empty() {
            writeln!(out, "Review queue: largest disagreements")?;
            let width = summary
                .review_disagreements
                .iter()
                .map(|entry| entry.drill.len())
                .max()
                .unwrap_or(0);
            for entry in &summary.review_disagreements {
                writeln!(
                    out,
                    "  engine {:>3}  human {:>5}  conf {:>4.2}  {:<width$}  {}",
                    entry.score,
                    number(entry.human_score),
                    entry.confidence,
                    entry.drill,
                    term::visible_line(&entry.file)
                )?;
            }
        }
    }
    if let Some(groups) = &tail.groups {
        writeln!(out)?;
        writeln!(out, "Groups (same drill, same concepts and red flags)")?;
        for group in groups {
            let more = group.count.saturating_sub(group.files.len() as u64);
            let mut files = term::visible_line(&group.files.join(", ")).into_owned();
            if more > 0 {
                files.push_str(&format!(" and {more} more"));
            }
            writeln!(
                out,
                "  {:>6}  {}  scores {}-{}  hit: {}  red flags: {}",
                group.count,
                group.drill,
                group.score_min,
                group.score_max,
                list(&group.concepts_hit),
                list(&group.red_flags)
            )?;
            writeln!(out, "          {files}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_compactly() {
        assert_eq!(number(20.0), "20");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(1.0 / 3.0), "0.333");
    }

    #[test]
    fn negative_zero_prints_as_zero() {
        assert_eq!(number(-0.0), "0");
    }

    #[test]
    fn formulas_are_neutralised_and_read_back() {
        let cells = [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\rx",
            "plain",
            "a,\"b\"",
        ];
        let mut writer = csv::Writer::from_writer(Vec::new());
        let record: Vec<String> = cells.iter().map(|c| text_cell(c).into_owned()).collect();
        writer.write_record(&record).unwrap();
        let bytes = writer.into_inner().unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let back = reader.records().next().unwrap().unwrap();
        let back: Vec<&str> = back.iter().collect();
        assert_eq!(back.len(), cells.len());
        for (read, cell) in back.iter().zip(cells) {
            assert!(!read.starts_with(['=', '+', '-', '@', '\r']), "{read}");
            assert_eq!(
                read.strip_prefix('\'').unwrap_or(read),
                term::visible_line(cell)
            );
        }
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("short", 16), "short");
        assert_eq!(truncate("a-very-long-candidate-name", 8), "a-very-~");
    }
}
