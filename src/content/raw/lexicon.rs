//! Raw lexicon: the YAML shape of `drills/lexicon.yaml` and of any coach's lexicon file (a YAML
//! file whose top level has `format_version` and `entries`), and the plain-form items rubrics
//! share with it (`ideas`, `claims`).

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// A lexicon: one entry per idea of the field with every surface form candidates use for it.
/// A coach's entry with a shipped id adds its forms to the shipped entry, or replaces them
/// (`replace: true`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a lexicon (a mapping of keys)")]
#[schemars(title = "sysdrill lexicon")]
#[schemars(rename = "Lexicon")]
pub struct RawLexicon {
    /// Version of this file format; this sysdrill reads version 1.
    pub format_version: u32,
    /// The entries, one per idea.
    pub entries: Vec<RawLexiconEntry>,
}

/// One idea of the field and its surface forms.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a lexicon entry (a mapping of keys)")]
#[schemars(rename = "LexiconEntry")]
pub struct RawLexiconEntry {
    /// Kebab-case, unique in the file (`direct-reclaim`). Rubrics name entries by it.
    pub id: String,
    /// What the idea is, in a line (required for a new entry; an entry extending a shipped one
    /// may leave it out).
    #[serde(default)]
    pub label: String,
    /// Jargon, abbreviations, kernel symbols and tool columns (`direct reclaim`,
    /// `__alloc_pages_slowpath`, `allocstall`): phrases matched token by token with the typo
    /// policy, exactly like rubric `phrases` (default: none).
    #[serde(default)]
    pub terms: Vec<String>,
    /// How candidates say it without jargon: phrases (plain words match across inflections) or
    /// `all:` ideas. At least one per new entry.
    #[serde(default)]
    pub plain: Vec<RawForm>,
    /// Regular expressions (Rust `regex` syntax), like rubric `regexes` (default: none).
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Texts that must not match this entry; the test suite checks every entry against them
    /// (default: none).
    #[serde(default)]
    pub near_misses: Vec<String>,
    /// For an entry with a shipped id: replace the shipped forms with these instead of adding
    /// to them, to narrow an entry whose forms match what a cohort says for other reasons. The
    /// entry then needs a plain form like a new one; the label is kept unless given
    /// (default: false).
    #[serde(default)]
    pub replace: bool,
}

/// A plain form: a phrase, or an idea given by its roles (`all: [[lock, mutex], [held, hold]]`).
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "PlainForm")]
pub enum RawForm {
    /// A phrase, matched token by token with the typo policy; plain words match across
    /// inflections (hold / held / holding).
    Phrase(String),
    /// An idea: every role present within one clause or sentence, in any order.
    Idea(RawIdea),
}

/// An idea: a list of roles, each listing its alternatives (a word or a short phrase).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an idea (`all:` and optionally `within:`)"
)]
#[schemars(rename = "Idea")]
pub struct RawIdea {
    /// The roles, at least one; every role must be present. Each role lists alternatives, at
    /// least one: a word or a short phrase. Non-technical words match across inflections;
    /// technical and protected terms (futex, mutex, lock, cs, r, p99 …) match exactly. In a
    /// drill, an alternative `@ID` names a lexicon entry and stands for every term and plain
    /// phrase of it (`[every, each], [lock, unlock], ["@syscall-cost"]`).
    pub all: Vec<Vec<String>>,
    /// How close the roles must be: `clause` or `sentence` (default `sentence`).
    #[serde(default)]
    pub within: RawWithin,
}

/// How close together the roles of an idea must be.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "Within")]
pub enum RawWithin {
    /// Within one clause: between clause marks (`;`, `:`, brackets) or a comma that opens a
    /// new clause.
    Clause,
    /// Within one sentence.
    #[default]
    Sentence,
}

/// A string is a phrase, a mapping an idea. Written by hand rather than `untagged`, so a
/// mistake inside an idea keeps serde's own located message (an unknown key, a missing `all`)
/// instead of "did not match any variant".
impl<'de> Deserialize<'de> for RawForm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FormVisitor;
        impl<'de> Visitor<'de> for FormVisitor {
            type Value = RawForm;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a phrase (a string) or an idea (`all: [[…], […]]`)")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<RawForm, E> {
                Ok(RawForm::Phrase(value.to_owned()))
            }
            fn visit_string<E: de::Error>(self, value: String) -> Result<RawForm, E> {
                Ok(RawForm::Phrase(value))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawForm, A::Error> {
                RawIdea::deserialize(de::value::MapAccessDeserializer::new(map)).map(RawForm::Idea)
            }
        }
        deserializer.deserialize_any(FormVisitor)
    }
}
