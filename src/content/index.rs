//! The listing of drills: what `sysdrill list`, the home screen and completion show. For the
//! embedded drills it is generated at build time from their header keys (see build.rs), so
//! listing does not parse and validate every drill; otherwise it is read off a loaded
//! [`Catalog`]. Both give the same rows; `tests` holds the generated one equal to the loader's.

use crate::content::Catalog;
use crate::domain::{Difficulty, Drill, DrillKind};

/// One drill as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillSummary {
    pub id: String,
    pub title: String,
    pub kind: DrillKind,
    pub difficulty: Difficulty,
    pub tags: Vec<String>,
    pub incident: Option<String>,
}

/// A generated row (static strings, so the table costs nothing at start-up).
struct IndexEntry {
    id: &'static str,
    title: &'static str,
    kind: DrillKind,
    difficulty: Difficulty,
    tags: &'static [&'static str],
    incident: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/drill_index.rs"));

/// The embedded drills, sorted by id; `None` when build.rs could not read every header (the
/// caller then loads the catalog, which reports the problem with its location).
pub fn embedded() -> Option<Vec<DrillSummary>> {
    INDEX_COMPLETE.then(|| {
        DRILL_INDEX
            .iter()
            .map(|entry| DrillSummary {
                id: entry.id.to_owned(),
                title: entry.title.to_owned(),
                kind: entry.kind,
                difficulty: entry.difficulty,
                tags: entry.tags.iter().map(|t| (*t).to_owned()).collect(),
                incident: entry.incident.map(str::to_owned),
            })
            .collect()
    })
}

impl From<&Drill> for DrillSummary {
    fn from(drill: &Drill) -> Self {
        Self {
            id: drill.id.as_str().to_owned(),
            title: drill.title.clone(),
            kind: drill.kind,
            difficulty: drill.difficulty,
            tags: drill.tags.clone(),
            incident: drill.incident.as_ref().map(|i| i.as_str().to_owned()),
        }
    }
}

/// Every drill of a loaded catalog, sorted by id.
pub fn of_catalog(catalog: &Catalog) -> Vec<DrillSummary> {
    catalog.drills.values().map(DrillSummary::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_listing_matches_the_loaded_catalog() {
        let catalog = crate::content::load_catalog(&[]).expect("embedded content loads");
        let generated = embedded().expect("every embedded header was read at build time");
        assert_eq!(generated, of_catalog(&catalog));
        assert!(!generated.is_empty());
    }
}
