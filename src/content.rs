//! Drills and incidents: the embedded YAML plus any `--content DIR`, parsed, validated and
//! gathered into a [`Catalog`]. Every problem becomes a located [`Diagnostic`]; all of them are
//! collected in one run so a coach sees every mistake at once.
//!
//! Pipeline per file: `source` finds and reads it (kind from its folder or its `machine:` key,
//! id from its stem), `yaml` parses it into the `raw` mirror, `validate` turns that into the
//! domain types. Sources are applied in order, embedded first, then each directory: a later file
//! replaces an earlier one with the same kind and id; two files of one source with the same id
//! are an error. This module does no scoring, simulation or printing.

pub mod diag;
pub mod index;
pub mod lexicon;
pub mod locate;
pub mod raw;
pub mod schema;
pub mod source;
pub mod validate;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::domain::{Drill, DrillId, Incident, IncidentId, Lexicon, stable_hash};
use crate::score::CompiledForms;

pub use diag::Diagnostic;
pub use source::{Kind, Origin};

use raw::{FORMAT_VERSION, RawDrill, RawIncident, VersionProbe};
use source::SourceFile;
use validate::RegexCheck;

/// Every drill and incident available to this run, keyed by id (sorted, so listings are stable).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub drills: BTreeMap<DrillId, Drill>,
    pub incidents: BTreeMap<IncidentId, Incident>,
    /// Where each drill and incident came from.
    pub origins: Origins,
    /// The domain lexicon: the shipped entries with every coach's extension.
    pub lexicon: Lexicon,
    /// The rubric forms (regexes, plain words' spellings) compiled so far by the scorers of
    /// this catalog, shared by all of them: a drill's lexicon entries and regexes compile once
    /// per run, however many sessions, follow-up rubrics and graded transcripts use them.
    pub forms: Arc<CompiledForms>,
}

/// Where each entry of a [`Catalog`] was loaded from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins {
    pub drills: BTreeMap<DrillId, Origin>,
    pub incidents: BTreeMap<IncidentId, Origin>,
}

/// Loads the embedded content plus each directory in `extra` (files there override embedded
/// ones with the same id). Errors in any file are returned together, sorted by location.
pub fn load_catalog(extra: &[PathBuf]) -> Result<Catalog, Vec<Diagnostic>> {
    load_needed(extra, Need::Everything)
}

/// What part of the content a command needs: a session or `score` of one drill needs that
/// drill and the incidents, `show` only the incidents. Loading only that part keeps start-up
/// short (parsing is the cost) and a mistake in an unrelated file from blocking the command;
/// `list` and `lint` still see everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need<'a> {
    Everything,
    /// The drill with this id (from every source, so overrides still apply) and all incidents.
    Drill(&'a str),
    Incidents,
}

impl Need<'_> {
    fn wants(&self, file: &SourceFile) -> bool {
        match (self, file.kind) {
            (Need::Everything, _) | (Need::Drill(_), Kind::Incident | Kind::Lexicon) => true,
            (Need::Incidents, Kind::Incident) => true,
            (Need::Drill(id), Kind::Drill) => file.id == *id,
            (Need::Incidents, Kind::Drill | Kind::Lexicon) => false,
        }
    }
}

/// [`load_catalog`] restricted to what `need` names; the catalog holds only that part.
pub fn load_needed(extra: &[PathBuf], need: Need<'_>) -> Result<Catalog, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut files = source::embedded();
    for (i, dir) in extra.iter().enumerate() {
        files.extend(source::collect(dir, i + 1, &mut diagnostics));
    }
    files.retain(|file| need.wants(file));
    let unquoted: Vec<SourceFile> = files.iter().filter(|f| !f.quote).cloned().collect();
    let (catalog, more) = build(files, &BTreeSet::new(), Use::Load);
    diagnostics.extend(more);
    source::redact(&unquoted, &mut diagnostics);
    finish(diagnostics).map(|()| catalog)
}

/// Lints files or directories (`sysdrill lint PATH...`); with no paths, the embedded content.
/// Drills in the linted paths may name embedded incidents and those under `content_dirs` (as a
/// session started with `--content` would find them); embedded files are not re-checked when
/// paths are given. Besides errors it reports warnings (rubric findings) and notes (a file
/// that replaces a shipped one); only errors mean the content cannot be used.
pub fn lint(paths: &[PathBuf], content_dirs: &[PathBuf]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let embedded = source::embedded();
    let (files, known) = if paths.is_empty() {
        (embedded, BTreeSet::new())
    } else {
        let mut known: BTreeSet<String> = incident_ids(embedded.iter());
        for (i, dir) in content_dirs.iter().enumerate() {
            // Unreadable directories are reported when they are linted or loaded themselves.
            let mut unreported = Vec::new();
            known.extend(incident_ids(
                source::collect(dir, i + 1, &mut unreported).iter(),
            ));
        }
        // Linted drills may name shipped lexicon entries, and linted lexicon files extend them.
        let mut files: Vec<SourceFile> = embedded
            .iter()
            .filter(|f| f.kind == Kind::Lexicon)
            .cloned()
            .collect();
        for (i, path) in paths.iter().enumerate() {
            files.extend(source::collect(path, i + 1, &mut diagnostics));
        }
        diagnostics.extend(replaced_shipped(&files, &embedded));
        (files, known)
    };
    let unquoted: Vec<SourceFile> = files.iter().filter(|f| !f.quote).cloned().collect();
    let (_, more) = build(files, &known, Use::Lint);
    diagnostics.extend(more);
    for diagnostic in &mut diagnostics {
        suggest_unlinted_incident(diagnostic);
    }
    source::redact(&unquoted, &mut diagnostics);
    match finish(diagnostics) {
        Ok(()) => Vec::new(),
        Err(diagnostics) => diagnostics,
    }
}

fn incident_ids<'a>(files: impl Iterator<Item = &'a SourceFile>) -> BTreeSet<String> {
    files
        .filter(|f| f.kind == Kind::Incident)
        .map(|f| f.id.clone())
        .collect()
}

/// A note for each file with the kind and id of a shipped one: loaded with `--content`, it
/// replaces the shipped drill or incident (the way to change one), which a coach adding a new
/// drill under a taken name would not expect.
fn replaced_shipped(files: &[SourceFile], embedded: &[SourceFile]) -> Vec<Diagnostic> {
    files
        .iter()
        // A lexicon file never replaces the shipped lexicon: its entries extend it.
        .filter(|file| {
            file.kind != Kind::Lexicon
                && embedded
                    .iter()
                    .any(|shipped| shipped.kind == file.kind && shipped.id == file.id)
        })
        .map(|file| {
            let kind = file.kind.name();
            Diagnostic::file(
                &file.path,
                format!(
                    "{kind} `{}` has the id of a shipped {kind}: loaded with `--content`, it replaces that {kind}",
                    file.id
                ),
            )
            .with_help(format!(
                "rename the file to add a new {kind} beside the shipped one"
            ))
            .with_severity(diag::Severity::Note)
        })
        .collect()
}

/// An "unknown incident" in a drill linted on its own, when the incident's file sits beside it
/// (`x/ID.yaml` or `x/../incidents/ID.yaml`): say how to lint them together.
fn suggest_unlinted_incident(diagnostic: &mut Diagnostic) {
    let Some(id) = diagnostic
        .message
        .strip_prefix("unknown incident `")
        .and_then(|rest| rest.strip_suffix('`'))
    else {
        return;
    };
    let Some(folder) = diagnostic.path.parent() else {
        return;
    };
    let candidates = [
        (folder.to_path_buf(), folder.to_path_buf()),
        (folder.join("..").join("incidents"), folder.join("..")),
    ];
    for (dir, root) in candidates {
        for extension in ["yaml", "yml"] {
            let file = dir.join(format!("{id}.{extension}"));
            if file.is_file() {
                let root = tidy(&root);
                diagnostic.help = Some(format!(
                    "`{}` defines it but is not being linted: run `sysdrill --content {root} lint {}`, \
                     or lint the whole folder with `sysdrill lint {root}`",
                    tidy(&file),
                    diagnostic.path.display()
                ));
                return;
            }
        }
    }
}

/// A path as a coach would type it: `a/drills/..` is `a`, an empty folder is `.`.
fn tidy(path: &Path) -> String {
    let mut parts: Vec<std::path::Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir
                if matches!(parts.last(), Some(std::path::Component::Normal(_))) =>
            {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            other => parts.push(other),
        }
    }
    let tidy: PathBuf = parts.iter().collect();
    if tidy.as_os_str().is_empty() {
        ".".to_owned()
    } else {
        tidy.display().to_string()
    }
}

/// Parses and validates one drill file on its own (incident references are not checked).
/// For fuzzing and tools that look at a single file.
pub fn load_drill(path: &Path, bytes: &[u8]) -> Result<Drill, Vec<Diagnostic>> {
    let id = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let source = source::decode(path, bytes).map_err(|d| vec![d])?;
    let raw: RawDrill = parse(path, source).map_err(|d| vec![d])?;
    let incident = raw.incident.clone().unwrap_or_default();
    let mut drill = validate::drill(
        &id,
        raw,
        path,
        source,
        stable_hash(bytes),
        &[incident.as_str()],
        RegexCheck::Compile,
    )?;
    let shipped = lexicon::embedded().unwrap_or_default();
    let unknown = lexicon::resolve(&mut drill, &shipped, path, source);
    if unknown.is_empty() {
        Ok(drill)
    } else {
        Err(unknown)
    }
}

/// Parses and validates one incident file on its own.
pub fn load_incident(path: &Path, bytes: &[u8]) -> Result<Incident, Vec<Diagnostic>> {
    let id = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let source = source::decode(path, bytes).map_err(|d| vec![d])?;
    let raw: RawIncident = parse(path, source).map_err(|d| vec![d])?;
    validate::incident(&id, raw, path, source, stable_hash(bytes))
}

fn finish(mut diagnostics: Vec<Diagnostic>) -> Result<(), Vec<Diagnostic>> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    diagnostics.sort();
    diagnostics.dedup();
    Err(diagnostics)
}

/// Parses a drill or incident. A file from a newer sysdrill is refused with an upgrade message
/// rather than with the keys this build does not know, so when the full parse fails (or the
/// version it read is out of range) the version is probed on its own. The probe runs only on
/// that path: parsing every embedded file twice doubled start-up time.
fn parse<T: serde::de::DeserializeOwned + raw::Versioned>(
    path: &Path,
    source: &str,
) -> Result<T, Diagnostic> {
    match yaml::from_str::<T>(path, source) {
        Ok(parsed) => {
            check_version(path, source, Some(i64::from(parsed.format_version())))?;
            Ok(parsed)
        }
        Err(error) => match yaml::from_str::<VersionProbe>(path, source) {
            // `format_versoin: 1` is a misspelt key, which says more than "missing version".
            Ok(probe) if probe.format_version.is_none() && misspells_version(&error) => Err(error),
            Ok(probe) => check_version(path, source, probe.format_version).and(Err(error)),
            Err(_) => Err(error),
        },
    }
}

/// An unknown key whose closest known key is `format_version`.
fn misspells_version(error: &Diagnostic) -> bool {
    error.message.starts_with("unknown key")
        && error
            .help
            .as_deref()
            .is_some_and(|help| help.contains("`format_version`"))
}

/// `format_version` must be present, at least 1, and no newer than this build reads.
fn check_version(path: &Path, source: &str, version: Option<i64>) -> Result<(), Diagnostic> {
    let version_at = |message: String, help: &str| {
        let location = locate::locate(source, "format_version");
        Diagnostic::at(path, source, location.line, location.col, message).with_help(help)
    };
    match version {
        None => {
            // Not found, the path locates the first content line (never a comment above it).
            let first = locate::locate(source, "format_version");
            Err(
                Diagnostic::at(path, source, first.line, 1, "missing `format_version`").with_help(
                    format!("add `format_version: {FORMAT_VERSION}` as the first key"),
                ),
            )
        }
        Some(version) if version > i64::from(FORMAT_VERSION) => Err(version_at(
            format!(
                "format_version {version} is newer than this sysdrill reads (up to {FORMAT_VERSION})"
            ),
            "upgrade sysdrill (`cargo install sysdrill`) to load this file",
        )),
        Some(version) if version < 1 => Err(version_at(
            format!("format_version {version} does not exist"),
            &format!("the current format is `format_version: {FORMAT_VERSION}`"),
        )),
        Some(_) => Ok(()),
    }
}

/// A parsed file waiting for validation.
struct Parsed<T> {
    file: SourceFile,
    raw: Option<T>,
}

/// Why content is being built: loading for use trusts the embedded drills' regexes to the test
/// suite's lint; linting checks everything fully.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    Load,
    Lint,
}

/// Parses, resolves overrides and validates `files`; `known_incidents` are extra incident ids a
/// drill may name (embedded ones when linting paths).
fn build(
    files: Vec<SourceFile>,
    known_incidents: &BTreeSet<String>,
    purpose: Use,
) -> (Catalog, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let (lexicon_files, files): (Vec<SourceFile>, Vec<SourceFile>) =
        files.into_iter().partition(|f| f.kind == Kind::Lexicon);
    let (lexicon, found) = lexicon::load(lexicon_files, purpose);
    diagnostics.extend(found);
    let mut drills: BTreeMap<String, Parsed<RawDrill>> = BTreeMap::new();
    let mut incidents: BTreeMap<String, Parsed<RawIncident>> = BTreeMap::new();
    let mut sources: BTreeMap<PathBuf, String> = BTreeMap::new();

    // Parsing is most of the cost of loading and each file is independent: parse them in
    // parallel, then apply overrides in the original (sorted) order.
    let parsed: Vec<_> = files.into_par_iter().map(parse_file).collect();
    for (file, text, raw_drill, raw_incident, found) in parsed {
        diagnostics.extend(found);
        if !validate::valid_id(&file.id) {
            continue;
        }
        if let Some(text) = text {
            sources.insert(file.path.clone(), text);
        }
        match file.kind {
            Kind::Drill => insert(&mut drills, file, raw_drill, &mut diagnostics),
            Kind::Incident => insert(&mut incidents, file, raw_incident, &mut diagnostics),
            Kind::Lexicon => {}
        }
    }

    let mut catalog = Catalog {
        lexicon: lexicon.clone(),
        ..Catalog::default()
    };
    // Every incident id that exists, even one whose file has errors, so that a drill naming it
    // gets no second, misleading "unknown incident" error.
    let mut incident_ids: BTreeSet<String> = known_incidents.clone();
    incident_ids.extend(incidents.keys().cloned());
    for (result, origin) in validate_each(incidents, &sources, |id, raw, file, text| {
        validate::incident(id, raw, &file.path, text, stable_hash(&file.bytes))
    }) {
        match result {
            Ok(incident) => {
                catalog
                    .origins
                    .incidents
                    .insert(incident.id.clone(), origin);
                catalog.incidents.insert(incident.id.clone(), incident);
            }
            Err(found) => diagnostics.extend(found),
        }
    }
    let incident_list: Vec<&str> = incident_ids.iter().map(String::as_str).collect();
    for (result, origin) in validate_each(drills, &sources, |id, raw, file, text| {
        let regex_check = match (purpose, &file.origin) {
            (Use::Load, Origin::Embedded) => RegexCheck::Syntax,
            _ => RegexCheck::Compile,
        };
        let hash = stable_hash(&file.bytes);
        let mut drill =
            validate::drill(id, raw, &file.path, text, hash, &incident_list, regex_check)?;
        let unknown = lexicon::resolve(&mut drill, &lexicon, &file.path, text);
        if !unknown.is_empty() {
            return Err(unknown);
        }
        let findings = match purpose {
            Use::Lint => audit(&drill, &file.path, text),
            Use::Load => Vec::new(),
        };
        make_visible(&mut drill);
        Ok((drill, findings))
    }) {
        match result {
            Ok((drill, findings)) => {
                diagnostics.extend(findings);
                catalog.origins.drills.insert(drill.id.clone(), origin);
                catalog.drills.insert(drill.id.clone(), drill);
            }
            Err(found) => diagnostics.extend(found),
        }
    }
    (catalog, diagnostics)
}

/// `lint`'s scoring checks of a valid drill (the model answer reaches the top band, examples
/// cover the required concepts), located in its source.
fn audit(drill: &Drill, path: &Path, source: &str) -> Vec<Diagnostic> {
    let locator = locate::Locator::new(source);
    crate::score::check::audit(drill)
        .into_iter()
        .map(|finding| {
            let location = locator.locate(&finding.key_path);
            let severity = match finding.level {
                crate::score::check::Level::Error => diag::Severity::Error,
                crate::score::check::Level::Warning => diag::Severity::Warning,
            };
            Diagnostic::at(path, source, location.line, location.col, finding.message)
                .with_help(finding.help)
                .with_severity(severity)
        })
        .collect()
}

/// Every text of a drill that sysdrill prints, with terminal control characters made visible
/// (`term::visible`): a drill from another coach may hold escape sequences (YAML's `"\e"` writes
/// one), and reports colour their text after building it, where an escape could no longer be
/// told from sysdrill's own colours.
fn make_visible(drill: &mut crate::domain::Drill) {
    fn fix(text: &mut String) {
        if let std::borrow::Cow::Owned(shown) = crate::term::visible(text) {
            *text = shown;
        }
    }
    fix(&mut drill.title);
    fix(&mut drill.opening);
    drill.tags.iter_mut().for_each(fix);
    for phase in &mut drill.phases {
        fix(&mut phase.prompt);
    }
    let concepts = drill.rubric.concepts.iter_mut().chain(
        drill
            .follow_ups
            .iter_mut()
            .flat_map(|f| f.concepts.iter_mut()),
    );
    for concept in concepts {
        fix(&mut concept.label);
    }
    for follow_up in &mut drill.follow_ups {
        fix(&mut follow_up.ask);
    }
    for flag in &mut drill.rubric.red_flags {
        fix(&mut flag.label);
        fix(&mut flag.pushback);
    }
    for misconception in &mut drill.rubric.misconceptions {
        fix(&mut misconception.correction);
    }
    for rule in &mut drill.pushback {
        rule.say.iter_mut().for_each(fix);
    }
    for hint in &mut drill.hints {
        fix(&mut hint.text);
    }
    for line in &mut drill.model_answer {
        fix(&mut line.text);
    }
    for example in &mut drill.examples {
        fix(&mut example.name);
        fix(&mut example.answer);
    }
}

/// Validates every parsed file of one kind in parallel (files that did not parse are skipped:
/// their error is already reported), in id order, with where each came from.
fn validate_each<R: Send, T: Send>(
    parsed: BTreeMap<String, Parsed<R>>,
    sources: &BTreeMap<PathBuf, String>,
    validate: impl Fn(&str, R, &SourceFile, &str) -> Result<T, Vec<Diagnostic>> + Sync,
) -> Vec<(Result<T, Vec<Diagnostic>>, Origin)> {
    parsed
        .into_par_iter()
        .filter_map(|(id, parsed)| {
            let raw = parsed.raw?;
            let text = sources
                .get(&parsed.file.path)
                .map(String::as_str)
                .unwrap_or_default();
            let result = validate(&id, raw, &parsed.file, text);
            Some((result, parsed.file.origin))
        })
        .collect()
}

/// A file read and parsed, not yet validated.
type ParsedFile = (
    SourceFile,
    Option<String>,
    Option<RawDrill>,
    Option<RawIncident>,
    Vec<Diagnostic>,
);

/// Decodes and parses one file; an invalid id or a parse error becomes a diagnostic.
fn parse_file(file: SourceFile) -> ParsedFile {
    let mut diagnostics = Vec::new();
    if !validate::valid_id(&file.id) {
        diagnostics.push(
            Diagnostic::file(
                &file.path,
                format!("`{}` is not a valid {} id", file.id, file.kind.name()),
            )
            .with_help(
                "name the file with lowercase letters, digits and `-`, e.g. `slow-under-load.yaml`",
            ),
        );
        return (file, None, None, None, diagnostics);
    }
    match source::decode(&file.path, &file.bytes) {
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            (file, None, None, None, diagnostics)
        }
        Ok(text) => {
            let text_owned = text.to_owned();
            let (drill, incident) = match file.kind {
                Kind::Drill => (
                    keep(parse::<RawDrill>(&file.path, text), &mut diagnostics),
                    None,
                ),
                Kind::Incident => (
                    None,
                    keep(parse::<RawIncident>(&file.path, text), &mut diagnostics),
                ),
                // Lexicon files are loaded before drills, by `lexicon::load`.
                Kind::Lexicon => (None, None),
            };
            (file, Some(text_owned), drill, incident, diagnostics)
        }
    }
}

fn keep<T>(result: Result<T, Diagnostic>, diagnostics: &mut Vec<Diagnostic>) -> Option<T> {
    result.map_err(|d| diagnostics.push(d)).ok()
}

/// Adds a parsed file under its id: a file from a later source replaces the earlier one; two
/// files of the same source with one id are reported.
fn insert<T>(
    map: &mut BTreeMap<String, Parsed<T>>,
    file: SourceFile,
    raw: Option<T>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if let Some(existing) = map.get(&file.id)
        && existing.file.root == file.root
    {
        diagnostics.push(
            Diagnostic::file(
                &file.path,
                format!("duplicate {} id `{}`", file.kind.name(), file.id),
            )
            .with_help(format!(
                "`{}` has the same id; rename one of them",
                existing.file.path.display()
            )),
        );
        return;
    }
    map.insert(file.id.clone(), Parsed { file, raw });
}

impl Catalog {
    /// The file a drill was read from, as diagnostics name it (embedded drills by their place
    /// in the repository, `drills/ID.yaml`).
    pub fn drill_path(&self, id: &DrillId) -> PathBuf {
        match self.origins.drills.get(id) {
            Some(Origin::File(path)) => path.clone(),
            _ => Path::new("drills").join(format!("{}.yaml", id.as_str())),
        }
    }

    /// Whether the drill came from a `--content` directory rather than the embedded set.
    pub fn is_from_dirs(&self, id: &DrillId) -> bool {
        matches!(self.origins.drills.get(id), Some(Origin::File(_)))
    }
}
