//! `rollcall users <PROVIDER>`: walk every user of the provider and print each account.

use std::io::{self, Write as _};
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use std::path::Path;

use rollcall::{Account, ClientOptions, Provider, Report, WalkReport};

use crate::output::Printer;
use crate::{Failure, UsersArgs, progress_allowed};

pub(crate) fn run(args: UsersArgs) -> Result<(), Failure> {
    let provider: Provider = args.provider.parse().map_err(Failure::Usage)?;
    let mut options = ClientOptions::default();
    options.base_url = args.base_url.clone();
    options.max_pages = args.max_pages;
    let env = |name: &str| std::env::var(name).ok();
    let client = provider.connect(&env, &options)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Provider(format!("cannot start the async runtime: {e}")))?;
    let format = if args.raw { None } else { Some(args.format) };
    let stdout = io::stdout().lock();
    let mut printer = Printer::new(stdout, format);
    // Seats only: the provider's own filter where its spec declares one (fewer pages to walk),
    // and the account kinds below in every case.
    let mut users = match args.seats_only.then(|| client.seats_json()).flatten() {
        Some(seats) => seats,
        None => client.all_users_json(),
    };
    let report = users.report();
    let mut progress = Progress::new(
        provider.name(),
        progress_allowed(args.quiet),
        report.clone(),
    );
    let outcome = runtime.block_on(async {
        loop {
            let user = match users.try_next().await {
                Ok(Some(user)) => user,
                Ok(None) => return Ok(()),
                Err(error) => return Err(error),
            };
            let account = Account::from_user(provider.info(), user);
            progress.seen();
            if args.seats_only && !account.kind.is_seat() {
                continue;
            }
            if let Err(error) = printer.print(&account) {
                broken(error);
                return Ok(());
            }
        }
    });
    drop(users);
    progress.done();
    let finished = printer.finish();
    let walked = report.get();
    if let Some(path) = &args.report {
        write_report(path, provider.name(), &walked)?;
    }
    if walked.total_disagrees() && !args.quiet {
        eprintln!(
            "rollcall: warning: {} declared {} users but the walk yielded {}",
            provider.name(),
            walked.declared_total.unwrap_or_default(),
            walked.users + walked.duplicates,
        );
    }
    match outcome {
        Ok(()) => {
            if let Err(error) = finished {
                broken(error);
            }
            Ok(())
        }
        Err(error) => {
            let _ = finished;
            if let rollcall::ErrorKind::Paging(rollcall::PagingError::PageLimit { max_pages }) =
                error.kind()
                && args.max_pages.is_some()
            {
                if !args.quiet {
                    eprintln!("rollcall: stopped after {max_pages} page(s) (--max-pages)");
                }
                return Ok(());
            }
            Err(error.into())
        }
    }
}

/// `--report FILE`: the walk report as one JSON object, with the provider.
fn write_report(path: &Path, provider: &str, report: &WalkReport) -> Result<(), Failure> {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    value["provider"] = provider.into();
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text)
        .map_err(|e| Failure::Usage(format!("cannot write the report {}: {e}", path.display())))
}

/// A closed stdout (`rollcall users ... | head`) ends the output quietly.
fn broken(error: io::Error) {
    if error.kind() != io::ErrorKind::BrokenPipe {
        eprintln!("rollcall: cannot write the output: {error}");
    }
}

/// The progress line on stderr, redrawn at most five times a second.
struct Progress {
    provider: &'static str,
    on: bool,
    accounts: u64,
    drawn: Option<Instant>,
    report: Report,
}

impl Progress {
    fn new(provider: &'static str, on: bool, report: Report) -> Self {
        Self {
            provider,
            on,
            accounts: 0,
            drawn: None,
            report,
        }
    }

    fn seen(&mut self) {
        self.accounts += 1;
        if self.on
            && self
                .drawn
                .is_none_or(|at| at.elapsed() >= Duration::from_millis(200))
        {
            self.draw();
            self.drawn = Some(Instant::now());
        }
    }

    fn draw(&self) {
        let mut err = io::stderr().lock();
        let walk = self.report.get();
        let _ = write!(
            err,
            "\r{}: {} pages, {} accounts, {} retries, waited {:.1} s",
            self.provider,
            walk.pages,
            self.accounts,
            walk.retries,
            walk.waited_ms as f64 / 1000.0
        );
        let _ = err.flush();
    }

    fn done(&self) {
        if self.on {
            self.draw();
            eprintln!();
        }
    }
}
