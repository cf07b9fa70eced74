//! The candidate's progress across practice runs (`sysdrill stats`), read from saved transcripts.
//!
//! Reads every `*.json` transcript under the directory (the XDG data directory keeps them in
//! `transcripts/`; the walk goes a few levels down) and every transcript its [`index`] lists
//! (sessions saved elsewhere with `--transcript`), skipping unreadable or foreign files and
//! vanished index entries with a note. A finished attempt's score is the session's final result
//! (`score::session`, the rule of the live scorecard and `grade`) under the drill as it is now;
//! an attempt at a drill no longer in the catalog keeps the scorecard it logged. Reports
//! attempts per drill, scores in chronological order, the weakest concepts across attempts, and
//! the drill to do next because of them.
//!
//! Weakness of a concept: the sum over finished attempts that missed it of its rubric weight
//! (weight 1 when the drill is no longer in the catalog). The next drill is the one whose rubric
//! covers the most weakness among the five weakest concepts, leaving out the drills of the two
//! most recent attempts when another drill covers any of them.
//!
//! Must not: modify or delete any transcript (`stats` writes nothing; the REPL appends to the
//! index); output is deterministic for a given set of files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::content::Catalog;
use crate::domain::DrillId;
use crate::score::session::Part;
use crate::score::{Band, Scorer, session};
use crate::transcript::Transcript;

/// How deep below the given directory transcripts are looked for.
const MAX_DEPTH: usize = 4;
/// Entries the walk looks at: years of daily practice are a few thousand files.
const MAX_ENTRIES: usize = 200_000;
/// How many weakest concepts are listed and used to choose the next drill.
const WEAKEST: usize = 5;
/// Drills of this many most recent attempts count as "recently practised".
const RECENT: usize = 2;

/// Per drill: attempts, finished attempts, best score, last score.
type DrillTally = (usize, usize, Option<u32>, Option<u32>);

/// One readable transcript.
#[derive(Debug, Clone)]
struct Attempt {
    path: PathBuf,
    transcript: Transcript,
    /// `None` while the session is unfinished.
    outcome: Option<Outcome>,
}

/// How a finished attempt scored.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    score: u32,
    band: Band,
    hints_used: usize,
    concepts_hit: Vec<String>,
    concepts_missed: Vec<String>,
}

impl Outcome {
    /// The session's final result under the drill as it is now, or the scorecard the session
    /// logged when the drill is gone.
    fn of(
        transcript: &Transcript,
        catalog: &Catalog,
        scorers: &mut HashMap<(DrillId, Part), Scorer>,
    ) -> Option<Self> {
        let logged = transcript.final_card()?;
        let id = DrillId::from(transcript.drill_id.as_str());
        let Some(drill) = catalog.drills.get(&id) else {
            return Some(Outcome {
                score: logged.score.min(100),
                band: logged.band,
                hints_used: logged.hints_used,
                concepts_hit: logged.concepts_hit.clone(),
                concepts_missed: logged.concepts_missed.clone(),
            });
        };
        let result = session::result(drill, &transcript.log, |part, answer, shown| {
            scorers
                .entry((id.clone(), part))
                .or_insert_with(|| match part {
                    Part::Rubric => Scorer::with_forms(drill, &catalog.forms),
                    Part::FollowUps => {
                        Scorer::with_forms(&session::follow_up_rubric(drill), &catalog.forms)
                    }
                })
                .score(answer, shown)
        });
        let ids = |hit: bool| {
            result
                .report
                .concepts
                .iter()
                .filter(|concept| concept.hit == hit)
                .map(|concept| concept.id.clone())
                .collect()
        };
        Some(Outcome {
            score: result.score,
            band: result.band,
            hints_used: result.tally.hints_used,
            concepts_hit: ids(true),
            concepts_missed: ids(false),
        })
    }
}

/// Progress gathered from a directory.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    attempts: Vec<Attempt>,
    /// (file, reason) for files that could not be used.
    pub skipped: Vec<(PathBuf, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Weakness {
    pub concept: String,
    pub label: String,
    pub missed: u32,
    pub seen: u32,
    pub weight: f64,
    pub drills: BTreeSet<String>,
}

impl Progress {
    /// Reads every transcript under `dir` and every one its index lists; a missing directory is
    /// simply empty.
    pub fn read(catalog: &Catalog, dir: &Path) -> Self {
        let mut progress = Progress::default();
        let limits = crate::walk::Limits {
            max_depth: MAX_DEPTH,
            max_entries: MAX_ENTRIES,
        };
        let is_json = |path: &Path| path.extension().is_some_and(|ext| ext == "json");
        let mut files = Vec::new();
        for entry in crate::walk::Walk::new(&[dir.to_path_buf()], is_json, limits) {
            match entry {
                crate::walk::Entry::File(path) => files.push(path),
                // A missing directory is simply empty.
                crate::walk::Entry::Bad { path, .. } if path == dir => {}
                crate::walk::Entry::Bad { path, reason } => progress.skipped.push((path, reason)),
            }
        }
        // A transcript found both by the walk and through the index counts once.
        let mut seen: BTreeSet<PathBuf> = files
            .iter()
            .map(|path| path.canonicalize().unwrap_or_else(|_| path.clone()))
            .collect();
        for listed in index::read(dir) {
            if !listed.exists() {
                progress.skipped.push((
                    listed,
                    "listed in the index of saved transcripts but no longer there".to_owned(),
                ));
                continue;
            }
            let canonical = listed.canonicalize().unwrap_or_else(|_| listed.clone());
            if seen.insert(canonical) {
                files.push(listed);
            }
        }
        let mut scorers = HashMap::new();
        for path in files {
            // Regular files only, under the transcript size cap (`load` opens them that way).
            match crate::transcript::load::load(&path) {
                Ok(transcript) => {
                    let outcome = Outcome::of(&transcript, catalog, &mut scorers);
                    progress.attempts.push(Attempt {
                        path,
                        transcript,
                        outcome,
                    });
                }
                Err(error) => progress.skipped.push((path, error.reason)),
            }
        }
        // Chronological; RFC 3339 UTC stamps sort as text. Path breaks ties.
        progress.attempts.sort_by(|a, b| {
            a.transcript
                .started_at
                .cmp(&b.transcript.started_at)
                .then_with(|| a.path.cmp(&b.path))
        });
        progress
    }

    /// Concepts missed most, weighted; at most `limit`.
    pub fn weakest(&self, catalog: &Catalog, limit: usize) -> Vec<Weakness> {
        let mut by_concept: BTreeMap<String, Weakness> = BTreeMap::new();
        for attempt in &self.attempts {
            let Some(score) = &attempt.outcome else {
                continue;
            };
            let drill = catalog
                .drills
                .get(&DrillId::from(attempt.transcript.drill_id.as_str()));
            let describe = |id: &str| {
                let concept = drill.and_then(|drill| drill.concept(id));
                (
                    concept.map_or(1.0, |c| c.weight),
                    concept.map_or_else(|| id.to_owned(), |c| c.label.clone()),
                )
            };
            for (id, missed) in score
                .concepts_missed
                .iter()
                .map(|id| (id, true))
                .chain(score.concepts_hit.iter().map(|id| (id, false)))
            {
                let (weight, label) = describe(id);
                let entry = by_concept.entry(id.clone()).or_insert_with(|| Weakness {
                    concept: id.clone(),
                    label,
                    missed: 0,
                    seen: 0,
                    weight: 0.0,
                    drills: BTreeSet::new(),
                });
                entry.seen += 1;
                if missed {
                    entry.missed += 1;
                    entry.weight += weight;
                    entry.drills.insert(attempt.transcript.drill_id.clone());
                }
            }
        }
        let mut weak: Vec<Weakness> = by_concept.into_values().filter(|w| w.missed > 0).collect();
        weak.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then(b.missed.cmp(&a.missed))
                .then(a.concept.cmp(&b.concept))
        });
        weak.truncate(limit);
        weak
    }

    /// The drill to practise next, with the weak concepts it covers.
    pub fn next_drill(&self, catalog: &Catalog) -> Option<(DrillId, Vec<String>)> {
        let weak = self.weakest(catalog, WEAKEST);
        let recent: BTreeSet<&str> = self
            .attempts
            .iter()
            .rev()
            .take(RECENT)
            .map(|a| a.transcript.drill_id.as_str())
            .collect();
        let attempts = self.attempts_by_drill();
        let mut scored: Vec<(f64, bool, usize, &DrillId, Vec<String>)> = Vec::new();
        for (id, drill) in &catalog.drills {
            let covered: Vec<&Weakness> = weak
                .iter()
                .filter(|w| drill.rubric.concepts.iter().any(|c| c.id == w.concept))
                .collect();
            if covered.is_empty() {
                continue;
            }
            let value: f64 = covered.iter().map(|w| w.weight).sum();
            let tried = attempts.get(id.as_str()).map_or(0, |a| a.0);
            scored.push((
                value,
                recent.contains(id.as_str()),
                tried,
                id,
                covered.iter().map(|w| w.concept.clone()).collect(),
            ));
        }
        // Not recently practised first, then most weakness covered, fewer attempts, id.
        scored.sort_by(|a, b| {
            a.1.cmp(&b.1)
                .then(b.0.total_cmp(&a.0))
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(b.3))
        });
        if let Some((_, _, _, id, covers)) = scored.into_iter().next() {
            return Some((id.clone(), covers));
        }
        // No weakness to work on yet: the easiest drill not tried.
        catalog
            .drills
            .values()
            .filter(|drill| !attempts.contains_key(drill.id.as_str()))
            .min_by(|a, b| a.difficulty.cmp(&b.difficulty).then(a.id.cmp(&b.id)))
            .map(|drill| (drill.id.clone(), Vec::new()))
    }

    /// drill id → (attempts, finished, best, last).
    fn attempts_by_drill(&self) -> BTreeMap<&str, DrillTally> {
        let mut map: BTreeMap<&str, DrillTally> = BTreeMap::new();
        for attempt in &self.attempts {
            let entry = map
                .entry(attempt.transcript.drill_id.as_str())
                .or_insert((0, 0, None, None));
            entry.0 += 1;
            if let Some(score) = &attempt.outcome {
                entry.1 += 1;
                entry.2 = Some(entry.2.map_or(score.score, |best| best.max(score.score)));
                entry.3 = Some(score.score);
            }
        }
        map
    }
}

/// Prints the report. Drill ids, concepts, times and file names come from transcripts that may
/// be hostile: the report (which has no colours of its own) is shown with [`crate::term::visible`].
pub fn print_stats(catalog: &Catalog, dir: &Path, out: &mut impl Write) -> io::Result<()> {
    let progress = Progress::read(catalog, dir);
    let mut text = Vec::new();
    write_stats(catalog, &progress, dir, &mut text)?;
    out.write_all(crate::term::visible(&String::from_utf8_lossy(&text)).as_bytes())
}

fn write_stats(
    catalog: &Catalog,
    progress: &Progress,
    dir: &Path,
    out: &mut impl Write,
) -> io::Result<()> {
    if progress.attempts.is_empty() {
        writeln!(out, "No practice runs yet in {}.", dir.display())?;
    } else {
        let by_drill = progress.attempts_by_drill();
        let width = by_drill.keys().map(|id| id.len()).max().unwrap_or(5).max(5);
        writeln!(out, "Attempts")?;
        writeln!(out, "  {:<width$}  ATTEMPTS  FINISHED  BEST  LAST", "DRILL")?;
        for (id, (attempts, finished, best, last)) in &by_drill {
            let show = |v: &Option<u32>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
            writeln!(
                out,
                "  {id:<width$}  {attempts:>8}  {finished:>8}  {:>4}  {:>4}",
                show(best),
                show(last)
            )?;
        }
        writeln!(out)?;
        writeln!(out, "Scores over time")?;
        for attempt in &progress.attempts {
            let t = &attempt.transcript;
            let when = if t.started_at.is_empty() {
                "(no start time)"
            } else {
                t.started_at.as_str()
            };
            match &attempt.outcome {
                Some(score) => writeln!(
                    out,
                    "  {when:<20}  {:<width$}  {:>3}  {}{}",
                    t.drill_id,
                    score.score,
                    score.band.label(),
                    if score.hints_used > 0 {
                        format!(
                            " ({} hint{})",
                            score.hints_used,
                            if score.hints_used == 1 { "" } else { "s" }
                        )
                    } else {
                        String::new()
                    }
                )?,
                None => writeln!(out, "  {when:<20}  {:<width$}    -  unfinished", t.drill_id)?,
            }
        }
        let weak = progress.weakest(catalog, WEAKEST);
        writeln!(out)?;
        if weak.is_empty() {
            writeln!(out, "Weakest concepts: none missed so far")?;
        } else {
            writeln!(
                out,
                "Weakest concepts (missed most, weighted by rubric weight)"
            )?;
            for w in &weak {
                writeln!(
                    out,
                    "  {:<28} missed {}/{}  weight {:<5} in {}",
                    w.concept,
                    w.missed,
                    w.seen,
                    trim_float(w.weight),
                    w.drills.iter().cloned().collect::<Vec<_>>().join(", ")
                )?;
                if w.label != w.concept {
                    writeln!(out, "  {:<28} ({})", "", w.label)?;
                }
            }
        }
    }
    writeln!(out)?;
    match progress.next_drill(catalog) {
        Some((id, covers)) if covers.is_empty() => {
            writeln!(out, "Next: sysdrill practice {id}")?;
        }
        Some((id, covers)) => writeln!(
            out,
            "Next: sysdrill practice {id}  (works on {})",
            covers.join(", ")
        )?,
        None => writeln!(out, "Next: every drill tried and nothing missed; pick any")?,
    }
    if !progress.skipped.is_empty() {
        writeln!(out)?;
        writeln!(out, "Skipped {} file(s):", progress.skipped.len())?;
        for (path, reason) in &progress.skipped {
            writeln!(out, "  {}: {reason}", path.display())?;
        }
    }
    Ok(())
}

/// The index of saved transcripts: one absolute path per line in the data directory, appended
/// by the REPL when a session first saves outside the data directory's own `transcripts/`
/// folder (those are found by the walk), so `stats` sees every session wherever
/// `--transcript` put it.
pub mod index {
    use std::collections::BTreeSet;
    use std::io::{Read, Write};
    use std::path::{Path, PathBuf};

    /// The index file's name in the data directory.
    pub const FILE: &str = "transcripts.index";

    /// Adds `transcript` (a file that exists now) to the index in `data_dir`, once. Best effort:
    /// a session never stops because its transcript could not be indexed.
    pub fn remember(data_dir: &Path, transcript: &Path) {
        let Ok(path) = transcript.canonicalize() else {
            return;
        };
        let walked = data_dir
            .join("transcripts")
            .canonicalize()
            .is_ok_and(|folder| path.starts_with(folder));
        // One path per line: a name with a line break, or that is not UTF-8, cannot be listed.
        let Some(line) = path.to_str().filter(|line| !line.contains(['\n', '\r'])) else {
            return;
        };
        if walked || read(data_dir).contains(&path) {
            return;
        }
        let _ = std::fs::create_dir_all(data_dir);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data_dir.join(FILE));
        if let Ok(mut file) = file {
            // One write of the whole line: appends from concurrent sessions do not interleave.
            let _ = file.write_all(format!("{line}\n").as_bytes());
        }
    }

    /// An index this large is not one the REPL wrote (a path a line, a line a session); it is
    /// read no further.
    const MAX_BYTES: u64 = 16 * 1024 * 1024;

    /// The paths the index in `data_dir` lists, in order, without duplicates (empty when there
    /// is no index).
    pub fn read(data_dir: &Path) -> Vec<PathBuf> {
        let mut text = String::new();
        let read = std::fs::File::open(data_dir.join(FILE))
            .and_then(|file| file.take(MAX_BYTES).read_to_string(&mut text));
        if read.is_err() {
            return Vec::new();
        }
        let mut seen = BTreeSet::new();
        text.lines()
            .map(str::trim)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute() && seen.insert(path.clone()))
            .collect()
    }
}

fn trim_float(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Concept, Difficulty, Drill, DrillKind, Phase, Rubric, Stage};
    use crate::transcript::{CardSummary, Entry, Event, save};

    fn drill(id: &str, concepts: &[(&str, f64)]) -> Drill {
        Drill {
            id: DrillId::from(id),
            title: id.to_owned(),
            kind: DrillKind::Concept,
            tags: Vec::new(),
            difficulty: Difficulty::Medium,
            incident: None,
            seed: None,
            opening: String::new(),
            phases: vec![Phase {
                id: "p".into(),
                prompt: String::new(),
                stages: vec![Stage::Interpret],
            }],
            rubric: Rubric {
                concepts: concepts
                    .iter()
                    .map(|(id, weight)| Concept {
                        id: (*id).to_owned(),
                        label: format!("{id} label"),
                        weight: *weight,
                        required: true,
                        phrases: vec![(*id).to_owned()],
                        regexes: Vec::new(),
                        stage: Stage::Interpret,
                        lexicon: Vec::new(),
                        ideas: Vec::new(),
                    })
                    .collect(),
                red_flags: Vec::new(),
                misconceptions: Vec::new(),
                order_penalty: 0.0,
            },
            pushback: Vec::new(),
            hints: Vec::new(),
            model_answer: Vec::new(),
            examples: Vec::new(),
            follow_ups: Vec::new(),
            content_hash: 0,
            lexicon: Default::default(),
        }
    }

    fn catalog() -> Catalog {
        let mut catalog = Catalog::default();
        for d in [
            drill("locks", &[("contention", 3.0), ("spin", 1.0)]),
            drill("sched", &[("runqueue", 2.0), ("contention", 1.0)]),
            drill("mem", &[("reclaim", 2.0)]),
        ] {
            catalog.drills.insert(d.id.clone(), d);
        }
        catalog
    }

    fn write(
        dir: &Path,
        name: &str,
        drill: &str,
        at: &str,
        hit: &[&str],
        missed: &[&str],
        score: Option<u32>,
    ) {
        let mut t = Transcript::new(drill, 0, 1, "interview", None, at.to_owned());
        let event = |event| Entry { at_s: 0.0, event };
        t.log.push(event(Event::Answer {
            text: format!("I think it is {}.", hit.join(" and ")),
        }));
        // The logged card is what the session showed; `stats` re-scores the answers instead
        // (the drill is in the catalog), so these lists are deliberately the other way round.
        if let Some(score) = score {
            t.log.push(event(Event::Scorecard(CardSummary {
                final_card: true,
                score,
                rubric_score: score,
                band: Band::Hire,
                hints_used: 0,
                concepts_hit: missed.iter().map(|s| (*s).to_owned()).collect(),
                concepts_missed: hit.iter().map(|s| (*s).to_owned()).collect(),
                red_flags: Vec::new(),
            })));
        }
        save(&dir.join(name), &t).unwrap();
    }

    #[test]
    fn stats_rank_weak_concepts_and_pick_a_drill_not_just_done() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("transcripts");
        write(
            &sub,
            "b.json",
            "locks",
            "2026-01-02T00:00:00Z",
            &["spin"],
            &["contention"],
            Some(40),
        );
        write(
            &sub,
            "a.json",
            "locks",
            "2026-01-01T00:00:00Z",
            &[],
            &["contention", "spin"],
            Some(10),
        );
        write(
            &sub,
            "c.json",
            "mem",
            "2026-01-03T00:00:00Z",
            &[],
            &["reclaim"],
            Some(20),
        );
        write(
            &sub,
            "d.json",
            "mem",
            "2026-01-04T00:00:00Z",
            &[],
            &[],
            None,
        );
        std::fs::write(sub.join("junk.json"), b"{ not json").unwrap();
        std::fs::write(sub.join("notes.txt"), b"ignored").unwrap();

        let catalog = catalog();
        let progress = Progress::read(&catalog, dir.path());
        assert_eq!(progress.attempts.len(), 4);
        assert_eq!(progress.skipped.len(), 1);
        let weak = progress.weakest(&catalog, 5);
        let order: Vec<&str> = weak.iter().map(|w| w.concept.as_str()).collect();
        // contention: missed twice at weight 3 = 6; reclaim 2; spin 1.
        assert_eq!(order, vec!["contention", "reclaim", "spin"]);
        assert_eq!((weak[0].missed, weak[0].seen), (2, 2));
        // mem was practised last; locks and sched both cover contention, locks covers more
        // weakness (contention + spin) and is not among the two most recent attempts.
        let (next, covers) = progress.next_drill(&catalog).unwrap();
        assert_eq!(next.as_str(), "locks");
        assert_eq!(covers, vec!["contention", "spin"]);

        let mut out = Vec::new();
        print_stats(&catalog, dir.path(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let first = text.find("2026-01-01").unwrap();
        let second = text.find("2026-01-02").unwrap();
        assert!(first < second, "chronological:\n{text}");
        assert!(text.contains("unfinished"), "{text}");
        assert!(text.contains("Next: sysdrill practice locks"), "{text}");
        assert!(text.contains("junk.json: not valid JSON"), "{text}");
    }

    #[test]
    fn the_index_lists_transcripts_saved_elsewhere_once() {
        let data = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        write(
            elsewhere.path(),
            "run.json",
            "locks",
            "2026-01-05T00:00:00Z",
            &["spin"],
            &["contention"],
            Some(50),
        );
        write(
            &data.path().join("transcripts"),
            "walked.json",
            "mem",
            "2026-01-06T00:00:00Z",
            &[],
            &["reclaim"],
            Some(0),
        );
        let run = elsewhere.path().join("run.json");
        index::remember(data.path(), &run);
        index::remember(data.path(), &run);
        // Found by the walk already: not indexed.
        index::remember(data.path(), &data.path().join("transcripts/walked.json"));
        // Not saved (no such file): not indexed.
        index::remember(data.path(), &elsewhere.path().join("never.json"));
        assert_eq!(index::read(data.path()), [run.canonicalize().unwrap()]);

        let progress = Progress::read(&catalog(), data.path());
        assert_eq!(progress.attempts.len(), 2, "{:?}", progress.skipped);
        assert!(progress.skipped.is_empty());
        std::fs::remove_file(&run).unwrap();
        let progress = Progress::read(&catalog(), data.path());
        assert_eq!(progress.attempts.len(), 1);
        assert!(progress.skipped[0].1.contains("no longer there"));
    }

    #[test]
    fn empty_directory_suggests_the_easiest_drill() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Vec::new();
        print_stats(&catalog(), &dir.path().join("missing"), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("No practice runs yet"), "{text}");
        assert!(text.contains("Next: sysdrill practice locks"), "{text}");
    }
}
