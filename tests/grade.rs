//! Integration tests: grade.
