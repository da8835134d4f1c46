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
    // --output: a temporary file in FILE's directory (so that the rename is atomic), removed
    // on drop unless persisted.
    let temp = match &args.output {
        Some(path) => Some(temp_beside(path)?),
        None => None,
    };
    let sink: Box<dyn io::Write + '_> = match &temp {
        Some(temp) => Box::new(temp.as_file()),
        None => Box::new(io::stdout().lock()),
    };
    let mut printer = Printer::new(sink, format);
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
                Ok(None) => return Ok(Ok(())),
                Err(error) => return Ok(Err(error)),
            };
            let account = Account::from_user(provider.info(), user);
            progress.seen();
            if args.seats_only && !account.kind.is_seat() {
                continue;
            }
            if let Err(error) = printer.print(&account) {
                return Err(Written(error));
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
    let walk = match outcome {
        // The output could not be written: stdout closed by its reader ends quietly; a file
        // that cannot be written fails, and FILE stays as it was.
        Err(Written(error)) => {
            return match &args.output {
                Some(path) => Err(Failure::Provider(format!(
                    "{} left as it was: cannot write the output: {error}",
                    path.display()
                ))),
                None => {
                    broken(error);
                    Ok(())
                }
            };
        }
        Ok(walk) => walk,
    };
    let stopped_at_max_pages = matches!(
        &walk,
        Err(error) if matches!(
            error.kind(),
            rollcall::ErrorKind::Paging(rollcall::PagingError::PageLimit { .. })
        )
    ) && args.max_pages.is_some();
    if let (false, Err(error)) = (stopped_at_max_pages, walk) {
        // Dropping `temp` removes the temporary file: FILE stays as it was.
        return Err(match &args.output {
            Some(path) => Failure::Provider(format!("{} left as it was: {error}", path.display())),
            None => error.into(),
        });
    }
    let (Some(path), Some(temp)) = (&args.output, temp) else {
        if let Err(error) = finished {
            broken(error);
        }
        if stopped_at_max_pages && !args.quiet {
            eprintln!(
                "rollcall: stopped after {} page(s) (--max-pages)",
                walked.pages
            );
        }
        return Ok(());
    };
    let left = |why: String| Failure::Provider(format!("{} left as it was: {why}", path.display()));
    finished.map_err(|e| left(format!("cannot write the output: {e}")))?;
    match walked.incomplete_because() {
        Some(why) if !args.allow_partial => {
            return Err(left(format!(
                "the walk is incomplete: {why} (--allow-partial writes it anyway)"
            )));
        }
        Some(why) if !args.quiet => {
            eprintln!("rollcall: warning: {} is incomplete: {why}", path.display());
        }
        _ => {}
    }
    temp.as_file()
        .sync_all()
        .map_err(|e| left(format!("cannot write the output: {e}")))?;
    temp.persist(path)
        .map_err(|e| left(format!("cannot replace it: {}", e.error)))?;
    Ok(())
}

/// The output could not be written (kept apart from the walk's own errors).
struct Written(io::Error);

/// A new temporary file in the directory of `path`, for `--output`.
fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile, Failure> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| {
            Failure::Usage(format!(
                "cannot write {}: cannot create a temporary file in {}: {e}",
                path.display(),
                dir.display()
            ))
        })
}

/// `--report FILE`: the walk report as one JSON object, with the provider.
fn write_report(path: &Path, provider: &str, report: &WalkReport) -> Result<(), Failure> {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    value["provider"] = provider.into();
    value["complete"] = report.is_complete().into();
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
