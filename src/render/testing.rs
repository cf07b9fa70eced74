//! Hand-built traces for the renderers' unit tests (the same fixture the integration tests
//! include). Test-only; never used by the product.

use crate::model::*;

include!("fixture_body.rs");
