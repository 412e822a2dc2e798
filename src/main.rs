//! The `jinsong` binary: parses the command line and hands it to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // SAFETY: the first thing the process does; no other thread runs yet.
    unsafe { jinsong::return_freed_memory_promptly() };
    let cli = jinsong::cli::Cli::parse();
    match jinsong::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if jinsong::cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jinsong: error: {}", jinsong::cli::error_message(&e));
            ExitCode::FAILURE
        }
    }
}
