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
pub mod locate;
pub mod raw;
pub mod schema;
pub mod source;
pub mod validate;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::domain::{Drill, DrillId, Incident, IncidentId, stable_hash};

pub use diag::Diagnostic;
pub use source::{Kind, Origin};

use raw::{FORMAT_VERSION, RawDrill, RawIncident, VersionProbe};
use source::SourceFile;

/// Every drill and incident available to this run, keyed by id (sorted, so listings are stable).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub drills: BTreeMap<DrillId, Drill>,
    pub incidents: BTreeMap<IncidentId, Incident>,
    /// Where each drill and incident came from.
    pub origins: Origins,
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
    let mut diagnostics = Vec::new();
    let mut files = source::embedded();
    for (i, dir) in extra.iter().enumerate() {
        files.extend(source::collect(dir, i + 1, &mut diagnostics));
    }
    let (catalog, more) = build(files, &BTreeSet::new());
    diagnostics.extend(more);
    finish(diagnostics).map(|()| catalog)
}

/// Lints files or directories (`sysdrill lint PATH...`); with no paths, the embedded content.
/// Drills in the linted paths may name embedded incidents; embedded files are not re-checked
/// when paths are given.
pub fn lint(paths: &[PathBuf]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let (files, known) = if paths.is_empty() {
        (source::embedded(), BTreeSet::new())
    } else {
        let known: BTreeSet<String> = source::embedded()
            .into_iter()
            .filter(|f| f.kind == Kind::Incident)
            .map(|f| f.id)
            .collect();
        let mut files = Vec::new();
        for (i, path) in paths.iter().enumerate() {
            files.extend(source::collect(path, i + 1, &mut diagnostics));
        }
        (files, known)
    };
    let (_, more) = build(files, &known);
    diagnostics.extend(more);
    match finish(diagnostics) {
        Ok(()) => Vec::new(),
        Err(diagnostics) => diagnostics,
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
    validate::drill(
        &id,
        raw,
        path,
        source,
        stable_hash(bytes),
        &[incident.as_str()],
    )
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

/// Checks `format_version` first, so that a file from a newer sysdrill is refused with an
/// upgrade message rather than with the keys this build does not know; then parses it fully.
fn parse<T: serde::de::DeserializeOwned>(path: &Path, source: &str) -> Result<T, Diagnostic> {
    let probe: VersionProbe = yaml::from_str(path, source)?;
    let version_at = |message: String, help: &str| {
        let location = locate::locate(source, "format_version");
        Diagnostic::at(path, source, location.line, location.col, message).with_help(help)
    };
    match probe.format_version {
        None => {
            return Err(
                Diagnostic::at(path, source, 1, 1, "missing `format_version`").with_help(format!(
                    "add `format_version: {FORMAT_VERSION}` as the first key"
                )),
            );
        }
        Some(version) if version > i64::from(FORMAT_VERSION) => {
            return Err(version_at(
                format!(
                    "format_version {version} is newer than this sysdrill reads (up to {FORMAT_VERSION})"
                ),
                "upgrade sysdrill (`cargo install sysdrill`) to load this file",
            ));
        }
        Some(version) if version < 1 => {
            return Err(version_at(
                format!("format_version {version} does not exist"),
                &format!("the current format is `format_version: {FORMAT_VERSION}`"),
            ));
        }
        Some(_) => {}
    }
    yaml::from_str(path, source)
}

/// A parsed file waiting for validation.
struct Parsed<T> {
    file: SourceFile,
    raw: Option<T>,
}

/// Parses, resolves overrides and validates `files`; `known_incidents` are extra incident ids a
/// drill may name (embedded ones when linting paths).
fn build(files: Vec<SourceFile>, known_incidents: &BTreeSet<String>) -> (Catalog, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut drills: BTreeMap<String, Parsed<RawDrill>> = BTreeMap::new();
    let mut incidents: BTreeMap<String, Parsed<RawIncident>> = BTreeMap::new();
    let mut sources: BTreeMap<PathBuf, String> = BTreeMap::new();

    for file in files {
        if !validate::valid_id(&file.id) {
            diagnostics.push(
                Diagnostic::file(&file.path, format!("`{}` is not a valid {} id", file.id, file.kind.name()))
                    .with_help("name the file with lowercase letters, digits and `-`, e.g. `slow-under-load.yaml`"),
            );
            continue;
        }
        let (text, raw_drill, raw_incident) = match source::decode(&file.path, &file.bytes) {
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                (None, None, None)
            }
            Ok(text) => {
                let (drill, incident) = match file.kind {
                    Kind::Drill => (
                        keep(parse::<RawDrill>(&file.path, text), &mut diagnostics),
                        None,
                    ),
                    Kind::Incident => (
                        None,
                        keep(parse::<RawIncident>(&file.path, text), &mut diagnostics),
                    ),
                };
                (Some(text.to_owned()), drill, incident)
            }
        };
        if let Some(text) = text {
            sources.insert(file.path.clone(), text);
        }
        match file.kind {
            Kind::Drill => insert(&mut drills, file, raw_drill, &mut diagnostics),
            Kind::Incident => insert(&mut incidents, file, raw_incident, &mut diagnostics),
        }
    }

    let mut catalog = Catalog::default();
    // Every incident id that exists, even one whose file has errors, so that a drill naming it
    // gets no second, misleading "unknown incident" error.
    let mut incident_ids: BTreeSet<String> = known_incidents.clone();
    incident_ids.extend(incidents.keys().cloned());
    for (id, parsed) in incidents {
        let Some(raw) = parsed.raw else { continue };
        let text = sources
            .get(&parsed.file.path)
            .map(String::as_str)
            .unwrap_or_default();
        match validate::incident(
            &id,
            raw,
            &parsed.file.path,
            text,
            stable_hash(&parsed.file.bytes),
        ) {
            Ok(incident) => {
                catalog
                    .origins
                    .incidents
                    .insert(incident.id.clone(), parsed.file.origin.clone());
                catalog.incidents.insert(incident.id.clone(), incident);
            }
            Err(found) => diagnostics.extend(found),
        }
    }
    let incident_list: Vec<&str> = incident_ids.iter().map(String::as_str).collect();
    for (id, parsed) in drills {
        let Some(raw) = parsed.raw else { continue };
        let text = sources
            .get(&parsed.file.path)
            .map(String::as_str)
            .unwrap_or_default();
        match validate::drill(
            &id,
            raw,
            &parsed.file.path,
            text,
            stable_hash(&parsed.file.bytes),
            &incident_list,
        ) {
            Ok(drill) => {
                catalog
                    .origins
                    .drills
                    .insert(drill.id.clone(), parsed.file.origin.clone());
                catalog.drills.insert(drill.id.clone(), drill);
            }
            Err(found) => diagnostics.extend(found),
        }
    }
    (catalog, diagnostics)
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
    /// Whether the drill came from a `--content` directory rather than the embedded set.
    pub fn is_from_dirs(&self, id: &DrillId) -> bool {
        matches!(self.origins.drills.get(id), Some(Origin::File(_)))
    }
}
