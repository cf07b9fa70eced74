//! Loading the domain lexicon: the embedded `drills/lexicon.yaml`, then each coach's lexicon
//! file in source order. A coach's entry with a shipped id adds its forms to the shipped entry,
//! or with `replace: true` stands in its place (keeping its label unless it gives one); a new id
//! needs a label, and a new or replacing entry at least one plain form. Rubric references (`lexicon: [ID]`) are
//! resolved here once the whole lexicon is known: an unknown id is an error located at the
//! reference, with the closest known id.
//!
//! Validation of one file: ids kebab-case and unique in the file, terms and phrases not empty,
//! every idea with at least one role and every role with at least one alternative, regexes
//! compile under the scorer's limits, near misses not empty.

use std::path::Path;
use std::sync::Arc;

use super::Diagnostic;
use super::raw::{RawForm, RawLexicon, RawWithin};
use super::source::{Kind, Origin, SourceFile};
use super::validate::{Checker, RegexCheck};
use crate::domain::{Drill, Form, Idea, Lexicon, LexiconEntry, Within};
use crate::suggest::closest;

/// Converts plain forms (`plain`, `ideas`, `claims`), reporting empty phrases, ideas with no
/// role and roles with no (or an empty) alternative at `key_path[i]`.
pub(super) fn forms(c: &mut Checker<'_>, key_path: &str, raw: &[RawForm]) -> Vec<Form> {
    let mut forms = Vec::with_capacity(raw.len());
    for (i, form) in raw.iter().enumerate() {
        let at = format!("{key_path}[{i}]");
        match form {
            RawForm::Phrase(phrase) => {
                if phrase.trim().is_empty() {
                    c.report(&at, "empty phrase", None);
                }
                forms.push(Form::Phrase(phrase.clone()));
            }
            RawForm::Idea(idea) => {
                if idea.all.is_empty() {
                    c.report(
                        &format!("{at}.all"),
                        "an idea needs at least one role",
                        Some("write `all: [[lock, mutex], [held, hold]]`".to_owned()),
                    );
                }
                for (r, role) in idea.all.iter().enumerate() {
                    let role_at = format!("{at}.all[{r}]");
                    if role.is_empty() {
                        c.report(
                            &role_at,
                            "a role needs at least one alternative",
                            Some("list the words that can fill it: `[hold, held, inside]`".into()),
                        );
                    }
                    for (k, word) in role.iter().enumerate() {
                        if word.trim().is_empty() {
                            c.report(&format!("{role_at}[{k}]"), "empty alternative", None);
                        }
                    }
                }
                forms.push(Form::Idea(Idea {
                    roles: idea.all.clone(),
                    within: match idea.within {
                        RawWithin::Clause => Within::Clause,
                        RawWithin::Sentence => Within::Sentence,
                    },
                }));
            }
        }
    }
    forms
}

/// Whether `id` is kebab-case: lowercase words of letters and digits joined by single `-`.
pub fn valid_entry_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Validates one lexicon file and adds its entries to `lexicon`: a known id gains the file's
/// forms, a new id is added whole. Returns every problem found in the file.
pub fn add_file(
    lexicon: &mut Lexicon,
    raw: RawLexicon,
    path: &Path,
    source: &str,
    regex_check: RegexCheck,
) -> Vec<Diagnostic> {
    let mut c = Checker::new(path, source).with_regex_check(regex_check);
    if raw.entries.is_empty() {
        c.report(
            "entries",
            "the lexicon has no entries",
            Some("add `- id: …, label: …, terms: […], plain: […]`".to_owned()),
        );
    }
    c.unique(
        raw.entries
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("entries[{i}].id"), e.id.as_str())),
        "lexicon entry",
    );
    let mut entries = Vec::with_capacity(raw.entries.len());
    for (i, e) in raw.entries.iter().enumerate() {
        let at = format!("entries[{i}]");
        if !valid_entry_id(&e.id) {
            c.report(
                &format!("{at}.id"),
                format!("`{}` is not a valid lexicon id", e.id),
                Some("use kebab-case: lowercase words joined by `-`, e.g. `direct-reclaim`".into()),
            );
        }
        let shipped = lexicon.entries.contains_key(&e.id);
        let extends = shipped && !e.replace;
        if !shipped && e.label.trim().is_empty() {
            c.report(
                &format!("{at}.id"),
                format!("new lexicon entry `{}` has no label", e.id),
                Some("add `label: \"…\"` saying what the idea is".to_owned()),
            );
        }
        if !extends && e.plain.is_empty() {
            c.report(
                &format!("{at}.id"),
                format!("lexicon entry `{}` has no plain-language form", e.id),
                Some("add `plain:` with how a candidate says it without jargon".to_owned()),
            );
        }
        c.phrases(&format!("{at}.terms"), &e.terms);
        c.regexes(&format!("{at}.regexes"), &e.regexes);
        for (k, text) in e.near_misses.iter().enumerate() {
            if text.trim().is_empty() {
                c.report(&format!("{at}.near_misses[{k}]"), "empty near miss", None);
            }
        }
        let plain = forms(&mut c, &format!("{at}.plain"), &e.plain);
        super::validate::role_references::entry_roles(&mut c, &format!("{at}.plain"), &plain);
        entries.push((
            e.replace,
            LexiconEntry {
                id: e.id.clone(),
                label: e.label.clone(),
                terms: e.terms.clone(),
                plain,
                regexes: e.regexes.clone(),
                near_misses: e.near_misses.clone(),
            },
        ));
    }
    if !c.is_clean() {
        return c.finish();
    }
    for (replace, mut entry) in entries {
        match lexicon.entries.get_mut(&entry.id) {
            Some(existing) if replace => {
                if entry.label.trim().is_empty() {
                    entry.label = existing.label.clone();
                }
                *existing = Arc::new(entry);
            }
            Some(existing) => {
                let merged = Arc::make_mut(existing);
                if !entry.label.trim().is_empty() {
                    merged.label = entry.label;
                }
                merged.terms.extend(entry.terms);
                merged.plain.extend(entry.plain);
                merged.regexes.extend(entry.regexes);
                merged.near_misses.extend(entry.near_misses);
            }
            None => {
                lexicon.entries.insert(entry.id.clone(), Arc::new(entry));
            }
        }
    }
    Vec::new()
}

/// Resolves the drill's lexicon references against `lexicon`: the entries named are copied into
/// `drill.lexicon`; an unknown id is reported where it is written, with the closest known id.
pub fn resolve(drill: &mut Drill, lexicon: &Lexicon, path: &Path, source: &str) -> Vec<Diagnostic> {
    let mut c = Checker::new(path, source);
    let rubric = &drill.rubric;
    let references = rubric
        .concepts
        .iter()
        .enumerate()
        .map(|(i, k)| (format!("rubric.concepts[{i}]"), &k.lexicon))
        .chain(
            rubric
                .red_flags
                .iter()
                .enumerate()
                .map(|(i, f)| (format!("rubric.red_flags[{i}]"), &f.lexicon)),
        )
        .chain(
            rubric
                .misconceptions
                .iter()
                .enumerate()
                .map(|(i, m)| (format!("rubric.misconceptions[{i}]"), &m.lexicon)),
        );
    let mut named = Vec::new();
    for (at, ids) in references {
        for (j, id) in ids.iter().enumerate() {
            if lexicon.entries.contains_key(id) {
                named.push(id.as_str());
                continue;
            }
            let help = match closest(id, lexicon.entries.keys().map(String::as_str)) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "lexicon ids are the `id:` of entries in drills/lexicon.yaml or a \
                         lexicon file under --content"
                    .to_owned(),
            };
            c.report(
                &format!("{at}.lexicon[{j}]"),
                format!("unknown lexicon entry `{id}`"),
                Some(help),
            );
        }
    }
    named.extend(super::validate::role_references::drill_roles(
        &mut c, drill, lexicon,
    ));
    let selected = lexicon.select(named);
    drill.lexicon = selected;
    c.finish()
}

/// Builds the lexicon from `files` (lexicon files only), the embedded one first, then each
/// source in order. Files that do not parse or validate are reported and skipped.
pub(super) fn load(mut files: Vec<SourceFile>, purpose: super::Use) -> (Lexicon, Vec<Diagnostic>) {
    files.sort_by(|a, b| (a.root, &a.path).cmp(&(b.root, &b.path)));
    let mut lexicon = Lexicon::default();
    let mut diagnostics = Vec::new();
    for file in files {
        let text = match super::source::decode(&file.path, &file.bytes) {
            Ok(text) => text,
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                continue;
            }
        };
        let raw = match super::parse::<RawLexicon>(&file.path, text) {
            Ok(raw) => raw,
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                continue;
            }
        };
        let regex_check = match (purpose, &file.origin) {
            (super::Use::Load, Origin::Embedded) => RegexCheck::Syntax,
            _ => RegexCheck::Compile,
        };
        diagnostics.extend(add_file(&mut lexicon, raw, &file.path, text, regex_check));
    }
    (lexicon, diagnostics)
}

/// The shipped lexicon alone (`drills/lexicon.yaml`), fully checked.
pub fn embedded() -> Result<Lexicon, Vec<Diagnostic>> {
    let files = super::source::embedded()
        .into_iter()
        .filter(|f| f.kind == Kind::Lexicon)
        .collect();
    let (lexicon, diagnostics) = load(files, super::Use::Lint);
    if diagnostics.is_empty() {
        Ok(lexicon)
    } else {
        Err(diagnostics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped lexicon with `yaml` (a coach's lexicon file) added.
    fn with_coach_file(yaml: &str) -> (Lexicon, Vec<Diagnostic>) {
        let mut lexicon = embedded().expect("the shipped lexicon loads");
        let raw: RawLexicon = serde_yaml::from_str(yaml).unwrap();
        let diagnostics = add_file(
            &mut lexicon,
            raw,
            Path::new("coach.yaml"),
            yaml,
            RegexCheck::Compile,
        );
        (lexicon, diagnostics)
    }

    #[test]
    fn a_coach_entry_extends_a_shipped_one_or_replaces_it() {
        let shipped = embedded().unwrap().entries["cpu-idle"].clone();
        let extend =
            "format_version: 1\nentries:\n  - id: cpu-idle\n    terms: [\"cores snoozing\"]\n";
        let (lexicon, diagnostics) = with_coach_file(extend);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let entry = &lexicon.entries["cpu-idle"];
        assert_eq!(entry.terms.len(), shipped.terms.len() + 1);
        assert_eq!(entry.plain.len(), shipped.plain.len());
        let replace = "format_version: 1\nentries:\n  - id: cpu-idle\n    replace: true\n    \
                       terms: [\"cores snoozing\"]\n    plain: [\"the cores are doing nothing\"]\n";
        let (lexicon, diagnostics) = with_coach_file(replace);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let entry = &lexicon.entries["cpu-idle"];
        assert_eq!(entry.terms, vec!["cores snoozing".to_owned()]);
        assert_eq!(entry.plain.len(), 1);
        assert!(entry.regexes.is_empty() && entry.near_misses.is_empty());
        assert_eq!(entry.label, shipped.label, "the label is kept unless given");
        // A replacing entry needs a plain form, like a new one.
        let bare = "format_version: 1\nentries:\n  - id: cpu-idle\n    replace: true\n    \
                    terms: [\"cores snoozing\"]\n";
        let (_, diagnostics) = with_coach_file(bare);
        assert!(
            diagnostics
                .iter()
                .any(|d| d.to_string().contains("no plain-language form")),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn entry_ids_are_kebab_case() {
        for good in ["direct-reclaim", "p99", "run-queue-above-cpus"] {
            assert!(valid_entry_id(good), "{good}");
        }
        for bad in [
            "",
            "Direct-reclaim",
            "direct_reclaim",
            "-x",
            "x-",
            "a--b",
            "a b",
        ] {
            assert!(!valid_entry_id(bad), "{bad}");
        }
    }
}
