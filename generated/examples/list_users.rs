//! Lists every user of one provider account as JSON lines.
//!
//! ```sh
//! ZENDESK_SELL_TOKEN=... cargo run -p rollcall --example list_users -- --provider zendesk-sell
//! ```
//!
//! Credentials come from the environment (see `--help`); every user is printed on stdout as one
//! JSON object per line. On failure one line naming the provider, the operation, the HTTP
//! status and the provider's message goes to stderr and the exit status is 1 (2 for a usage
//! problem such as a missing variable). With `--max-pages N` the walk stops after N pages and
//! says so on stderr; that is not a failure.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use futures::{Stream, StreamExt as _};
use rollcall::{ClientOptions, Error, ErrorKind, PagingError, Provider};
use serde::Serialize;

#[derive(Parser)]
#[command(
    about = "List every user of a provider account, one JSON object per line.",
    after_help = "Credentials come from the environment variables each provider names: run with \
                  --provider and no variables set to see them. With --base-url the host \
                  variables (subdomain, account) may be left unset."
)]
struct Args {
    /// The provider to list (its spec's name, such as zendesk-sell).
    #[arg(long)]
    provider: Provider,
    /// Send requests here instead of the provider's host (a mock server or a proxy).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Stop after this many pages.
    #[arg(long, value_name = "N")]
    max_pages: Option<u64>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut options = ClientOptions::default();
    options.base_url = args.base_url.clone();
    options.max_pages = args.max_pages;
    let env = |name: &str| std::env::var(name).ok();
    match args.provider.connect(&env, &options) {
        Ok(client) => print_all(client.all_users_json()).await,
        Err(error) => {
            eprintln!("list_users: {error}");
            ExitCode::from(2)
        }
    }
}

/// Prints each user as a JSON line; on an error prints it on stderr.
async fn print_all<T: Serialize>(users: impl Stream<Item = Result<T, Error>>) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut users = std::pin::pin!(users);
    let mut result = ExitCode::SUCCESS;
    while let Some(user) = users.next().await {
        match user {
            Ok(user) => {
                let line = serde_json::to_string(&user).expect("users serialize to JSON");
                if writeln!(out, "{line}").is_err() {
                    // stdout closed (`| head`): stop quietly.
                    return ExitCode::SUCCESS;
                }
            }
            Err(error) => {
                let _ = out.flush();
                if let ErrorKind::Paging(PagingError::PageLimit { max_pages }) = error.kind() {
                    eprintln!(
                        "{}: stopped after {max_pages} page(s) (--max-pages)",
                        error.provider()
                    );
                } else {
                    eprintln!("{error}");
                    result = ExitCode::FAILURE;
                }
                break;
            }
        }
    }
    if out.flush().is_err() {
        return ExitCode::SUCCESS;
    }
    result
}
