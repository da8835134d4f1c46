//! `rollcall`: who has an account where. Lists every account of a provider (any provider
//! generated from `specs/`) as JSON lines, CSV, SCIM or a table, and compares two exports.
//!
//! Exit status: 0 on success, 1 when the provider or the network fails, 2 on a usage error
//! (a bad flag, a missing environment variable, a malformed export). Every error is one line
//! on stderr; no credential is ever printed.

use std::io::{self, IsTerminal as _, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod atomic;
mod changes;
mod compare;
mod fake;
mod output;
mod resume;
mod users;

const EXAMPLES: &str = "\
Examples:
  rollcall providers
  ZENDESK_SELL_TOKEN=... rollcall users zendesk-sell > accounts.jsonl
  rollcall users zendesk-support --seats-only --format csv > seats.csv
  rollcall users worksection --format table
  rollcall users sequence --format scim --report walk.json
  rollcall users zendesk-sell --raw --base-url http://127.0.0.1:8080
  rollcall compare last-week.jsonl today.jsonl
  rollcall changes zendesk-support --state ~/.local/state/rollcall
  rollcall fake zendesk-support --users 250 --fault rate-limited-once

Credentials come from the environment, one convention for every provider (see `rollcall
providers`). RUST_LOG=rollcall=debug shows every request on stderr.";

/// Who has an account where: every account of a SaaS provider, normalized.
#[derive(Parser, Debug)]
#[command(name = "rollcall", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List every provider with the environment variables it reads.
    #[command(after_help = "Example:\n  rollcall providers")]
    Providers,
    /// Print every account of a provider.
    #[command(after_help = "\
Examples:
  ZENDESK_SELL_TOKEN=... rollcall users zendesk-sell
  rollcall users zendesk-support --seats-only --format csv > seats.csv
  rollcall users worksection --format table --report walk.json
  rollcall users sequence --raw --base-url http://127.0.0.1:8080 --max-pages 2
  rollcall users zendesk-support -o users.jsonl --checkpoint users.ck   # after a crash: --resume")]
    Users(UsersArgs),
    /// Compare two `jsonl` exports: one JSON line per account that joined, left or changed.
    #[command(after_help = "Example:\n  rollcall compare last-week.jsonl today.jsonl")]
    Compare {
        /// The older export (`rollcall users ... --format jsonl`).
        old: PathBuf,
        /// The newer export.
        new: PathBuf,
    },
    /// Print the accounts that joined, left or changed since the previous run (for the same
    /// provider and credentials), as `compare` does; the first run prints every account as
    /// joined.
    #[command(after_help = CHANGES_HELP)]
    Changes(ChangesArgs),
    /// Serve a fake provider on loopback (its real page shapes, credentials and errors, with
    /// an optional fault) until Ctrl-C; prints its URL and the variables to export.
    #[command(after_help = FAKE_HELP)]
    Fake(FakeArgs),
}

const FAKE_HELP: &str = "\
Examples:
  rollcall fake zendesk-sell --users 250
  rollcall fake worksection --fault error-in-http-200 --port 8080
  rollcall fake sequence --fault slow=500ms --fault rate-limited-once

Faults: rate-limited-once, rate-limited-once-without-retry-after, server-error, truncated-json,
empty-page-after-last-full-one, repeated-cursor, repeated-page, auth-error, error-in-http-200,
unknown-enum-value, null-optional-fields, foreign-next-link, slow-down-once (a refusal that means
slow down without being 429, where the spec declares one), slow (1 s) or slow=250ms. A fault that
does not apply to the provider (a repeated cursor of a provider that pages by number) is refused.";

const CHANGES_HELP: &str = "\
Examples:
  rollcall changes zendesk-support --state ~/.local/state/rollcall
  rollcall changes zendesk-support --state state/ --since 2026-11-01T00:00:00Z
  rollcall changes zendesk-sell --state state/ > changes.jsonl

A provider whose spec declares an incremental export (Zendesk Support) is asked only for what
changed since the previous run's cursor; any other is walked whole and compared with the
previous run's export. The state in DIR is replaced only after a complete walk whose changes
were all printed, so a failed run changes nothing.";

/// `rollcall changes`.
#[derive(clap::Args, Debug)]
struct ChangesArgs {
    /// The provider's name, as `rollcall providers` lists it (`zendesk-sell`).
    provider: String,
    /// The directory that keeps each provider's and account's state between runs.
    #[arg(long, value_name = "DIR")]
    state: PathBuf,
    /// The first run of an incremental provider starts at this time (RFC 3339) instead of
    /// exporting every user.
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Send requests to this URL instead of the provider's host (a mock, a proxy).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    #[command(flatten)]
    pace: PaceArgs,
}

/// How fast a command may ask the provider.
#[derive(clap::Args, Debug)]
struct PaceArgs {
    /// Pace requests to LIMIT instead of the limit the provider documents: `N/second`,
    /// `N/minute` or `N/hour` (a plan with a higher limit, a token shared with other tools), or
    /// `off` (a mock that does not limit). The provider's rate-limit headers and 429s are
    /// honoured either way.
    #[arg(long, value_name = "LIMIT", value_parser = parse_rate_limit)]
    rate_limit: Option<Pace>,
}

impl PaceArgs {
    /// Sets the client's rate limit, where one was asked for.
    fn apply(&self, options: &mut rollcall::ClientOptions) {
        if let Some(Pace(limit)) = self.rate_limit {
            options.rate_limit = Some(limit);
        }
    }
}

/// A `--rate-limit` value: a limit, or none (`off`).
#[derive(Clone, Copy, Debug)]
struct Pace(Option<rollcall::RateLimit>);

fn parse_rate_limit(text: &str) -> Result<Pace, String> {
    if text.trim() == "off" {
        return Ok(Pace(None));
    }
    text.parse().map(|limit| Pace(Some(limit)))
}

/// `rollcall fake`.
#[derive(clap::Args, Debug)]
struct FakeArgs {
    /// The provider's name, as `rollcall providers` lists it (`zendesk-sell`).
    provider: String,
    /// How many users it serves.
    #[arg(long, value_name = "N", default_value_t = 25)]
    users: usize,
    /// A fault to switch on (repeat for several); see below.
    #[arg(long, value_name = "NAME")]
    fault: Vec<String>,
    /// The loopback port to listen on (default: any free port).
    #[arg(long, value_name = "P")]
    port: Option<u16>,
    /// How long each access token it hands out lives, in seconds (a provider whose credentials
    /// are exchanged for a token at a token URL; one hour by default): short lives show a
    /// client renewing its token mid-walk.
    #[arg(long, value_name = "SECS")]
    token_lifetime: Option<u64>,
}

/// `rollcall users`.
#[derive(clap::Args, Debug)]
struct UsersArgs {
    /// The provider's name, as `rollcall providers` lists it (`zendesk-sell`).
    provider: String,
    /// How to print accounts.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Print the provider's own user records as JSON lines instead of accounts.
    #[arg(long, conflicts_with = "format")]
    raw: bool,
    /// Keep only accounts holding a seat (kind `member` or `guest`).
    #[arg(long)]
    seats_only: bool,
    /// Send requests to this URL instead of the provider's host (a mock, a proxy).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Request at most this many pages, then stop (the report says `max_pages`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_pages: Option<u64>,
    /// Write what the walk did (pages, users, duplicates, retries, waits, why it stopped,
    /// whether it is complete) as JSON.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Write the accounts to FILE instead of stdout, complete or not at all: they go to a
    /// temporary file beside FILE, which replaces FILE only when the walk reached the
    /// provider's last page (and its declared total agrees); otherwise FILE is left as it was
    /// and the exit status is 1.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// With --output: write FILE even when the walk is incomplete (--max-pages, an error, a
    /// declared total that disagrees); stderr and the report say it is.
    #[arg(long, requires = "output")]
    allow_partial: bool,
    /// With --output: keep CK current as pages are written, so that a run killed or failed
    /// at any instant can be continued with --resume. The accounts written so far are kept in
    /// FILE.partial (not an anonymous temporary file) until the walk is complete; then CK is
    /// removed and FILE.partial renamed over FILE.
    #[arg(long, value_name = "CK", requires = "output")]
    checkpoint: Option<PathBuf>,
    /// Continue the walk CK records: FILE.partial is cut back to the length CK covers, and the
    /// walk goes on from CK's position. Without CK (a run killed before its first page), start
    /// from the first page.
    #[arg(long, requires = "checkpoint")]
    resume: bool,
    /// Check every response against the spec and write where they differ to FILE as JSON (one
    /// finding per place in the spec and kind, with its count, first page and the JSON type
    /// seen — never a value), for `cargo xtask drift`.
    #[arg(long, value_name = "FILE")]
    drift: Option<PathBuf>,
    /// With --drift: exit 1 after the walk when anything differs.
    #[arg(long, requires = "drift")]
    drift_strict: bool,
    /// With --drift: leave out the values of open enums the spec does not list (kept by
    /// default: they are the provider's vocabulary, a status or a role, which `cargo xtask
    /// drift` adds to the spec), so that nothing read from a record is in the report.
    #[arg(long, requires = "drift")]
    drift_no_enum_values: bool,
    /// Ask for this many users per page (default: the provider's largest).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    page_size: Option<u32>,
    /// How many numbered pages to request at once (default 4).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..64))]
    page_concurrency: Option<u64>,
    #[command(flatten)]
    pace: PaceArgs,
    /// No progress line on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// The output formats of `rollcall users`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One account per line, as JSON.
    Jsonl,
    /// A header row, then one account per row; roles joined with `;`.
    Csv,
    /// One SCIM 2.0 User resource per line, as JSON.
    Scim,
    /// Aligned columns for reading.
    Table,
}

impl Format {
    /// The name `--format` takes.
    fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Scim => "scim",
            Format::Table => "table",
        }
    }
}

/// A failure, with the exit status it leads to.
#[derive(Debug)]
enum Failure {
    /// Exit 2: the command line, the environment or an input file is wrong.
    Usage(String),
    /// Exit 1: the provider or the network failed.
    Provider(String),
}

impl From<rollcall::Error> for Failure {
    fn from(error: rollcall::Error) -> Self {
        match error.kind() {
            rollcall::ErrorKind::Config(_) => Failure::Usage(error.to_string()),
            _ => Failure::Provider(error.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            use clap::error::ErrorKind;
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let code = if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    2
                } else {
                    0
                };
                let _ = error.print();
                return ExitCode::from(code);
            }
            // clap's message is several lines (usage, a hint): keep the first, the error.
            let text = error.render().to_string();
            let line = text.lines().next().unwrap_or("invalid arguments");
            let line = line.strip_prefix("error: ").unwrap_or(line);
            eprintln!("rollcall: {line} (see `rollcall --help`)");
            return ExitCode::from(2);
        }
    };
    output::init_tracing();
    let outcome = match cli.command {
        Command::Providers => providers(),
        Command::Users(args) => users::run(args),
        Command::Compare { old, new } => compare::run(&old, &new),
        Command::Changes(args) => changes::run(args),
        Command::Fake(args) => fake::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("rollcall: {}", one_line(&message));
            ExitCode::from(2)
        }
        Err(Failure::Provider(message)) => {
            eprintln!("rollcall: {}", one_line(&message));
            ExitCode::from(1)
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `rollcall providers`: name, title and, per way to authenticate, the variables it reads.
fn providers() -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    let width = rollcall::Provider::ALL
        .iter()
        .map(|p| p.name().len())
        .max()
        .unwrap_or(0);
    for provider in rollcall::Provider::ALL {
        let info = provider.info();
        // An authority host is optional: shown in brackets.
        let ways: Vec<String> = info
            .schemes
            .iter()
            .map(|scheme| {
                let vars: Vec<String> = info
                    .server
                    .iter()
                    .chain(scheme.vars)
                    .map(|var| match var.role {
                        rollcall::Role::Authority => format!("[{}]", var.name),
                        _ => var.name.to_owned(),
                    })
                    .collect();
                vars.join(" ")
            })
            .collect();
        let line = format!(
            "{:width$}  {}  ({})",
            provider.name(),
            ways.join(" | "),
            provider.info().title,
        );
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    Ok(())
}

/// Whether a progress line may be drawn on stderr.
fn progress_allowed(quiet: bool) -> bool {
    !quiet && io::stderr().is_terminal()
}
