use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match khabar::cli::run(khabar::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("khabar: error: {message}");
            ExitCode::FAILURE
        }
    }
}
