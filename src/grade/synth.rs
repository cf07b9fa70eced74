//! Synthetic transcripts for tests and benchmarks: varied answers to the shipped drills, built
//! from each drill's model answer lines and calibration examples, with typos, negated concepts,
//! red-flag proposals, filler and hints mixed in, and a human score (kept beside the transcript,
//! as a grader's CSV would) that follows the answer's quality with noise. Transcript `i` depends only on (seed, i), so any subset can be generated
//! in parallel and the result is the same.
//!
//! Pure: no IO. What the candidate was shown comes from a caller-supplied function (the example
//! binary runs the real console; tests may pass none).

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::domain::{Drill, DrillKind};
use crate::interview::MoveKind;
use crate::score::Band;
use crate::transcript::{CardSummary, Entry, Event, FORMAT_VERSION, Transcript};

/// Tool commands a synthetic candidate runs on incident drills.
pub const COMMANDS: [&str; 5] = [
    "vmstat 1 5",
    "mpstat -P ALL 1 1",
    "perf top",
    "perf lock report",
    "free -m",
];

const FILLER: [&str; 6] = [
    "Let me think about this for a second.",
    "First I want to understand what changed.",
    "That is my working theory so far.",
    "I would confirm before touching anything in production.",
    "Happy to go deeper on any of this.",
    "Let me restate the problem to be sure I have it right.",
];

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthConfig {
    pub seed: u64,
    /// Share of transcripts recorded against an older version of the drill (drift).
    pub stale_share: f64,
    /// Whether to give each transcript a human score.
    pub human: bool,
}

impl Default for SynthConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            stale_share: 0.05,
            human: true,
        }
    }
}

/// A small deterministic generator over ChaCha8 (value-stable across crate versions); ranges are
/// mapped by hand so no distribution code can change the stream.
struct Dice(ChaCha8Rng);

impl Dice {
    fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        ((self.0.next_u64() as u128 * n as u128) >> 64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }
}

/// Where transcript `index` goes below the output folder: folders of 1,000 files, so a walk
/// lists at most a thousand names at a time.
pub fn relative_path(index: u64) -> String {
    format!("{:04}/t{index:07}.json", index / 1000)
}

/// Swaps two inner letters of some long words: the typos the scorer must tolerate.
fn typos(text: &str, dice: &mut Dice, rate: f64) -> String {
    text.split(' ')
        .map(|word| {
            let chars: Vec<char> = word.chars().collect();
            if chars.len() >= 7 && chars.iter().all(|c| c.is_alphabetic()) && dice.chance(rate) {
                let mut chars = chars;
                let at = 1 + dice.below(chars.len() - 3);
                chars.swap(at, at + 1);
                chars.into_iter().collect()
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds the candidate's answer and the share of the model answer it covers (its "quality").
fn answer(drill: &Drill, dice: &mut Dice) -> (Vec<String>, f64, bool) {
    let mut sentences: Vec<String> = Vec::new();
    let quality = if !drill.examples.is_empty() && dice.chance(0.15) {
        let example = &drill.examples[dice.below(drill.examples.len())];
        sentences.push(example.answer.trim().to_owned());
        (example.score.0 + example.score.1) / 200.0
    } else {
        let keep = dice.unit();
        let lines = &drill.model_answer;
        let mut kept = 0;
        for line in lines {
            if dice.chance(keep) {
                sentences.push(line.text.trim().to_owned());
                kept += 1;
            }
        }
        // Reasoning out of order now and then.
        if sentences.len() > 1 && dice.chance(0.2) {
            let at = dice.below(sentences.len() - 1);
            sentences.swap(at, at + 1);
        }
        if lines.is_empty() {
            0.0
        } else {
            kept as f64 / lines.len() as f64
        }
    };
    // A concept mentioned only to be ruled out.
    if dice.chance(0.2)
        && let Some(concept) = dice.pick(&drill.rubric.concepts)
        && let Some(phrase) = dice.pick(&concept.phrases)
    {
        let at = dice.below(sentences.len() + 1);
        sentences.insert(at, format!("It is not {phrase}."));
    }
    // A proposal an interviewer would challenge.
    let mut flagged = false;
    if dice.chance(0.2)
        && let Some(flag) = dice.pick(&drill.rubric.red_flags)
        && let Some(phrase) = dice.pick(&flag.phrases)
    {
        sentences.push(format!("My first move would be to {phrase}."));
        flagged = true;
    }
    if dice.chance(0.3) {
        let filler = FILLER[dice.below(FILLER.len())];
        let at = dice.below(sentences.len() + 1);
        sentences.insert(at, filler.to_owned());
    }
    if sentences.is_empty() {
        sentences.push("I am not sure where to start.".to_owned());
    }
    let rate = if dice.chance(0.3) { 0.15 } else { 0.0 };
    let sentences = sentences
        .into_iter()
        .map(|sentence| typos(&sentence, dice, rate))
        .collect();
    (sentences, quality, flagged)
}

/// A synthetic session and the score a human grader gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthetic {
    pub transcript: Transcript,
    pub human_score: Option<f64>,
}

/// What the commands of one session print, in order, on the drill's machine at a seed: each
/// the tool's output or the error the box printed. `None` leaves tool commands out.
pub type ShownFn<'a> = dyn Fn(&Drill, u64, &[&str]) -> Option<Vec<Result<String, String>>> + 'a;

/// What `commands` print in one session of `drill` at `seed`, on the box a practice session
/// builds (the seed's variant of the drill's incident, one console for the whole session);
/// `None` when the drill has no loaded incident.
pub fn session_outputs(
    catalog: &crate::content::Catalog,
    drill: &Drill,
    seed: u64,
    commands: &[&str],
) -> Option<Vec<Result<String, String>>> {
    let incident = catalog.incidents.get(drill.incident.as_ref()?)?;
    let seed = crate::domain::Seed(seed);
    let variant = crate::model::variant::pick(incident, seed);
    let mut console = crate::console::Console::new(&variant, seed);
    Some(
        commands
            .iter()
            .map(|command| console.run(command).map_err(|error| error.message))
            .collect(),
    )
}

/// Transcript `index` of a batch over `drills` (which must not be empty). `shown` runs the
/// session's commands (see [`ShownFn`]); it must print what a session's box prints, or `grade`
/// flags the transcript as tampered.
pub fn transcript(
    drills: &[&Drill],
    config: &SynthConfig,
    index: u64,
    shown: &ShownFn<'_>,
) -> Option<Synthetic> {
    let mut dice = Dice(ChaCha8Rng::seed_from_u64(
        config
            .seed
            .wrapping_add(index.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
    ));
    let drill = *dice.pick(drills)?;
    let mut at_s = 0.0;
    let mut log = vec![Entry {
        at_s,
        event: Event::Move {
            kind: MoveKind::Opening,
            text: drill.opening.trim().to_owned(),
        },
    }];
    let seed = drill.seed.unwrap_or(0);
    if drill.kind == DrillKind::Incident {
        let commands: Vec<&str> = (0..dice.below(4))
            .map(|_| COMMANDS[dice.below(COMMANDS.len())])
            .collect();
        let printed = shown(drill, seed, &commands).unwrap_or_default();
        for (command, printed) in commands.iter().zip(printed) {
            at_s += 5.0 + 20.0 * dice.unit();
            let command = (*command).to_owned();
            log.push(Entry {
                at_s,
                event: Event::Command {
                    line: command.clone(),
                },
            });
            let event = match printed {
                Ok(text) => Event::ToolOutput { command, text },
                Err(message) => Event::ToolError { command, message },
            };
            log.push(Entry { at_s, event });
        }
    }
    let (sentences, quality, flagged) = answer(drill, &mut dice);
    // One to three answers, with the interviewer's phase prompts between them.
    let parts = 1 + dice.below(3).min(sentences.len().saturating_sub(1));
    let per = sentences.len().div_ceil(parts);
    for (part, chunk) in sentences.chunks(per.max(1)).enumerate() {
        if part > 0 {
            let prompt = drill
                .phases
                .get(part.min(drill.phases.len().saturating_sub(1)))
                .map_or("Go on.", |phase| phase.prompt.as_str());
            log.push(Entry {
                at_s,
                event: Event::Move {
                    kind: MoveKind::NextPhase,
                    text: prompt.trim().to_owned(),
                },
            });
        }
        at_s += 30.0 + 90.0 * dice.unit();
        log.push(Entry {
            at_s,
            event: Event::Answer {
                text: chunk.join(" "),
            },
        });
    }
    let hints_used = if !drill.hints.is_empty() && dice.chance(0.15) {
        1 + dice.below(drill.hints.len().min(2))
    } else {
        0
    };
    for (number, hint) in drill.hints.iter().take(hints_used).enumerate() {
        log.push(Entry {
            at_s,
            event: Event::HintRequest,
        });
        log.push(Entry {
            at_s,
            event: Event::Hint {
                number: number + 1,
                text: hint.text.trim().to_owned(),
                cost: hint.cost,
            },
        });
    }
    let stale = dice.chance(config.stale_share);
    let old_score = (quality * 100.0 - if flagged { 10.0 } else { 0.0 }).clamp(0.0, 100.0);
    let human_score = config.human.then(|| {
        let noise = (dice.unit() - 0.5) * 30.0;
        (old_score + noise).clamp(0.0, 100.0).round()
    });
    let old_score = old_score.round() as u32;
    log.push(Entry {
        at_s,
        event: Event::Quit,
    });
    log.push(Entry {
        at_s,
        event: Event::Scorecard(CardSummary {
            final_card: true,
            score: old_score,
            rubric_score: old_score,
            band: Band::for_score(old_score),
            hints_used,
            concepts_hit: vec![],
            concepts_missed: vec![],
            red_flags: vec![],
        }),
    });
    let minutes = index % (24 * 60);
    let transcript = Transcript {
        format_version: FORMAT_VERSION,
        drill_id: drill.id.0.clone(),
        content_hash: crate::grade::rescore::hash_hex(if stale {
            drill.content_hash ^ 0x5eed
        } else {
            drill.content_hash
        }),
        seed,
        sysdrill_version: env!("CARGO_PKG_VERSION").to_owned(),
        candidate: Some(format!("cand-{:04}", dice.below(500))),
        started_at: format!("2026-03-01T{:02}:{:02}:00Z", minutes / 60, minutes % 60),
        finished_at: None,
        mode: "interview".into(),
        log,
    };
    Some(Synthetic {
        transcript,
        human_score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_index_give_the_same_transcript() {
        let drills = [
            crate::grade::testing::drill("a"),
            crate::grade::testing::drill("b"),
        ];
        let refs: Vec<&Drill> = drills.iter().collect();
        let config = SynthConfig::default();
        let none = |_: &Drill, _: u64, _: &[&str]| None;
        for index in 0..50 {
            assert_eq!(
                transcript(&refs, &config, index, &none),
                transcript(&refs, &config, index, &none)
            );
        }
        let other = SynthConfig { seed: 7, ..config };
        let differ = (0..50)
            .filter(|&i| {
                transcript(&refs, &config, i, &none) != transcript(&refs, &other, i, &none)
            })
            .count();
        assert!(differ > 40, "{differ}");
    }

    #[test]
    fn answers_vary_and_use_the_model_answer() {
        let drill = crate::grade::testing::drill("a");
        let refs = [&drill];
        let config = SynthConfig::default();
        let none = |_: &Drill, _: u64, _: &[&str]| None;
        let answers: std::collections::BTreeSet<String> = (0..200)
            .map(|i| {
                let synthetic = transcript(&refs, &config, i, &none).unwrap();
                crate::score::session::tally(&drill, &synthetic.transcript.log).answer
            })
            .collect();
        assert!(answers.len() > 20, "{}", answers.len());
        assert!(answers.iter().any(|a| a.contains("gamma")));
        assert!(answers.iter().any(|a| a.contains("It is not")));
        assert!(answers.iter().any(|a| a.contains("more threads")));
    }

    #[test]
    fn paths_shard_by_thousands() {
        assert_eq!(relative_path(0), "0000/t0000000.json");
        assert_eq!(relative_path(12_345), "0012/t0012345.json");
    }
}
