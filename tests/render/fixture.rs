//! The hand-built trace the renderers' unit tests use, shared with the integration tests.

#![allow(dead_code)]

use sysdrill::model::*;

include!("../../src/render/fixture_body.rs");
