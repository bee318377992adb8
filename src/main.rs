use clap::Parser;
use spikelab::cli::{Cli, execute, no_command};

fn main() {
    // `spikelab presets | head` ends quietly when the reader has had enough, as other tools do,
    // instead of panicking on the closed pipe.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let result = match Cli::parse().command {
        Some(command) => execute(command),
        None => no_command(),
    };
    if let Err(message) = result {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}
