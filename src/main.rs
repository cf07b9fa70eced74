use std::process::ExitCode;

fn main() -> ExitCode {
    sysdrill::run(std::env::args_os())
}
