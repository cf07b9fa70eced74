//! The only module that calls the YAML crate: parsing with error locations.
