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

use clap::{Parser, ValueEnum};
use futures::{Stream, StreamExt as _};
use rollcall::{ClientBuilder, Error, ErrorKind, PagingError, Secret, runtime::GeneratedClient};
use rollcall::{sequence, worksection, zendesk_sell, zendesk_support};
use serde::Serialize;

#[derive(Parser)]
#[command(
    about = "List every user of a provider account, one JSON object per line.",
    after_help = "Environment variables:
  zendesk-sell     ZENDESK_SELL_TOKEN
  zendesk-support  ZENDESK_SUPPORT_SUBDOMAIN, ZENDESK_SUPPORT_EMAIL and ZENDESK_SUPPORT_TOKEN
                   (or ZENDESK_SUPPORT_OAUTH_TOKEN instead of the email and token)
  sequence         SEQUENCE_CLIENT_ID, SEQUENCE_CLIENT_SECRET, SEQUENCE_REGION (production|sandbox)
  worksection      WORKSECTION_ACCOUNT and WORKSECTION_API_KEY
                   (or WORKSECTION_OAUTH_TOKEN instead of the API key)
With --base-url the subdomain/account variables may be left unset."
)]
struct Args {
    /// The provider to list.
    #[arg(long, value_enum)]
    provider: Provider,
    /// Send requests here instead of the provider's host (a mock server or a proxy).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Stop after this many pages.
    #[arg(long, value_name = "N")]
    max_pages: Option<u64>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Provider {
    ZendeskSell,
    ZendeskSupport,
    Sequence,
    Worksection,
}

/// A problem before any request: a missing variable or a bad configuration.
struct Usage(String);

impl From<Error> for Usage {
    fn from(error: Error) -> Self {
        Usage(error.to_string())
    }
}

fn var(name: &str) -> Result<String, Usage> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => Err(Usage(format!("{name} is not set"))),
    }
}

/// The subdomain or account: required unless `--base-url` replaces the host.
fn host_part(name: &str, args: &Args) -> Result<String, Usage> {
    match var(name) {
        Err(_) if args.base_url.is_some() => Ok("example".to_owned()),
        other => other,
    }
}

fn configure<C: GeneratedClient>(builder: ClientBuilder<C>, args: &Args) -> Result<C, Usage> {
    let builder = match &args.base_url {
        Some(url) => builder.base_url(url),
        None => builder,
    };
    let builder = match args.max_pages {
        Some(pages) => builder.max_pages(pages),
        None => builder,
    };
    Ok(builder.build()?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(code) => code,
        Err(Usage(message)) => {
            eprintln!("list_users: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: &Args) -> Result<ExitCode, Usage> {
    Ok(match args.provider {
        Provider::ZendeskSell => {
            let token = Secret::from(var("ZENDESK_SELL_TOKEN")?);
            let client = configure(zendesk_sell::Client::with_token(token), args)?;
            print_all(client.all_users()).await
        }
        Provider::ZendeskSupport => {
            let subdomain = host_part("ZENDESK_SUPPORT_SUBDOMAIN", args)?;
            let builder = match var("ZENDESK_SUPPORT_OAUTH_TOKEN") {
                Ok(token) => zendesk_support::Client::with_oauth_token(&subdomain, token),
                Err(_) => zendesk_support::Client::with_api_token(
                    &subdomain,
                    &var("ZENDESK_SUPPORT_EMAIL")?,
                    var("ZENDESK_SUPPORT_TOKEN")?,
                ),
            };
            let client = configure(builder, args)?;
            print_all(client.all_users()).await
        }
        Provider::Sequence => {
            let region = match std::env::var("SEQUENCE_REGION").as_deref() {
                Ok("sandbox") => sequence::Region::Sandbox,
                Ok("production") | Ok("") | Err(_) => sequence::Region::Production,
                Ok(other) => {
                    return Err(Usage(format!(
                        "SEQUENCE_REGION is `{other}`, expected production or sandbox"
                    )));
                }
            };
            let builder = sequence::Client::with_credentials(
                region,
                var("SEQUENCE_CLIENT_ID")?,
                var("SEQUENCE_CLIENT_SECRET")?,
            );
            let client = configure(builder, args)?;
            print_all(client.all_users()).await
        }
        Provider::Worksection => {
            let account = host_part("WORKSECTION_ACCOUNT", args)?;
            let builder = match var("WORKSECTION_OAUTH_TOKEN") {
                Ok(token) => worksection::Client::with_oauth_token(&account, token),
                Err(_) => {
                    worksection::Client::with_admin_key(&account, var("WORKSECTION_API_KEY")?)
                }
            };
            let client = configure(builder, args)?;
            print_all(client.all_users()).await
        }
    })
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
