use clap::Parser;
use spikelab::app::GuiArgs;
use spikelab::cli::{Cli, Cmd, execute};

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        None => spikelab::app::run_window(GuiArgs::default()),
        Some(Cmd::Gui(args)) => spikelab::app::run_window(args),
        Some(command) => execute(command),
    };
    if let Err(message) = result {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}
