//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The built binary, with colour and the user's data directory pinned so tests are hermetic.
pub fn sysdrill() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(env!("CARGO_BIN_EXE_sysdrill"));
    command.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    command
}

/// `tests/fixtures/<name>`.
#[allow(dead_code)]
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}
