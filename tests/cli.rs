//! Integration tests: the command surface of README.md (exit codes, usage errors).

use crate::common::sysdrill;

#[test]
fn help_lists_every_command_of_the_product_surface() {
    let output = sysdrill().arg("--help").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for command in [
        "practice",
        "list",
        "show",
        "score",
        "lint",
        "check",
        "grade",
        "stats",
        "schema",
        "completions",
    ] {
        assert!(text.contains(command), "--help lacks `{command}`:\n{text}");
    }
}

#[test]
fn unknown_flag_is_a_usage_error_with_exit_2() {
    sysdrill().arg("--no-such-flag").assert().code(2);
}
