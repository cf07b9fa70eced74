//! The serde mirror of the YAML formats (drills and incidents), one `///` per field; these feed the JSON Schema.
