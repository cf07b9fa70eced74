//! Integration tests: every incident's signature, for many seeds, and that no other incident shows it.
