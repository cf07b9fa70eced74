//! Integration tests: curriculum.
