//! JSON Schema of the drill and incident formats, generated from the raw serde types.

use crate::cli::SchemaKind;

/// Pretty JSON: one schema, or both keyed by kind.
pub fn render(kind: Option<SchemaKind>) -> String {
    let _ = kind;
    unimplemented!("content: schema::render")
}
