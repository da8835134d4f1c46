//! `rollcall users <PROVIDER>`: walk every user of the provider and print each account.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;

use rollcall::{Account, ClientOptions, Provider, Report, WalkReport};

use crate::output::Printer;
use crate::resume::{self, Saved};
use crate::{Failure, Format, UsersArgs, atomic, progress_allowed};

pub(crate) fn run(args: UsersArgs) -> Result<(), Failure> {
    let provider: Provider = args.provider.parse().map_err(Failure::Usage)?;
    if args.checkpoint.is_some() && args.format == Format::Table && !args.raw {
        return Err(Failure::Usage(
            "--checkpoint cannot resume a table, which is written whole at the end: choose \
             --format jsonl, csv or scim"
                .into(),
        ));
    }
    let format = if args.raw { None } else { Some(args.format) };
    let format_name = format.map_or("raw", Format::name);
    let mut options = ClientOptions::default();
    options.base_url = args.base_url.clone();
    options.max_pages = args.max_pages;
    options.page_size = args.page_size;
    options.drift = args.drift.is_some().then_some(true);
    options.drift_enum_values = Some(!args.drift_no_enum_values);
    options.page_concurrency = args.page_concurrency.and_then(|n| usize::try_from(n).ok());
    args.pace.apply(&mut options);
    let env = |name: &str| std::env::var(name).ok();
    let client = provider.connect(&env, &options)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Provider(format!("cannot start the async runtime: {e}")))?;

    // Where the accounts go, and (with --checkpoint) where the walk resumes from.
    let saved = match (&args.checkpoint, args.resume) {
        (Some(ck), true) => {
            let saved = resume::read(ck)?;
            if saved.is_none() && !args.quiet {
                eprintln!(
                    "rollcall: no checkpoint at {}: starting from the first page",
                    ck.display()
                );
            }
            saved
        }
        (Some(ck), false) if ck.exists() => {
            return Err(Failure::Usage(format!(
                "{} exists: --resume continues the walk it records; remove it to start over",
                ck.display()
            )));
        }
        _ => None,
    };
    if let (Some(ck), Some(saved)) = (&args.checkpoint, &saved) {
        if saved.walk.provider != provider.name() {
            return Err(resume::refused(
                ck,
                format!("it was taken for provider {}", saved.walk.provider),
            ));
        }
        if saved.format != format_name || saved.seats_only != args.seats_only {
            return Err(resume::refused(
                ck,
                format!(
                    "it was taken writing {}{}; this run writes {format_name}{}",
                    saved.format,
                    if saved.seats_only {
                        " --seats-only"
                    } else {
                        ""
                    },
                    if args.seats_only { " --seats-only" } else { "" },
                ),
            ));
        }
    }
    let out = match (&args.output, &args.checkpoint) {
        (Some(path), Some(ck)) => Out::Partial(Partial::open(path, ck, saved.as_ref())?),
        (Some(path), None) => Out::Temp(temp_beside(path)?),
        (None, _) => Out::Stdout,
    };
    let written_before = saved.as_ref().map_or(0, |s| s.written);
    let sink: Box<dyn io::Write + '_> = match &out {
        Out::Stdout => Box::new(io::stdout().lock()),
        Out::Temp(temp) => Box::new(temp.as_file()),
        Out::Partial(partial) => Box::new(&partial.file),
    };
    let mut printer = Printer::new(sink, format, written_before > 0);

    // Seats only: the provider's own filter where its spec declares one (fewer pages to walk),
    // and the account kinds below in every case.
    let mut users = match &saved {
        Some(saved) => {
            let resumed = match args
                .seats_only
                .then(|| client.resume_seats_json(&saved.walk))
                .flatten()
            {
                Some(seats) => seats,
                None => client.resume_users_json(&saved.walk),
            };
            resumed.map_err(|error| match &args.checkpoint {
                Some(ck) => resume::refused(ck, error),
                None => error.into(),
            })?
        }
        None => match args.seats_only.then(|| client.seats_json()).flatten() {
            Some(seats) => seats,
            None => client.all_users_json(),
        },
    };
    if args.checkpoint.is_some() && users.checkpoint().is_none() && !args.quiet {
        // A union of several walks keeps no checkpoint: say so now rather than after a crash.
        eprintln!(
            "rollcall: {}'s walk cannot be resumed (it joins several lists): the output is still \
             written whole or not at all, and a run that stops starts again from the first page",
            provider.name()
        );
    }
    let report = users.report();
    let mut progress = Progress::new(
        provider.name(),
        progress_allowed(args.quiet),
        report.clone(),
    );
    let mut accounts = saved.as_ref().map_or(0, |s| s.accounts);
    let mut checkpointed = users.checkpointed_pages();
    let outcome = runtime.block_on(async {
        loop {
            let user = match users.try_next().await {
                Ok(Some(user)) => user,
                Ok(None) => return Ok(Ok(())),
                Err(error) => return Ok(Err(error)),
            };
            let account = Account::from_user(provider.info(), user);
            progress.seen();
            if !args.seats_only || account.kind.is_seat() {
                printer.print(&account).map_err(Written)?;
                accounts += 1;
            }
            // A page's users are all written: save the walk's new checkpoint with the length
            // of the output it covers.
            if let Out::Partial(partial) = &out
                && users.checkpointed_pages() != checkpointed
            {
                checkpointed = users.checkpointed_pages();
                printer.flush().map_err(Written)?;
                if let Some(walk) = users.checkpoint() {
                    partial
                        .save(walk, accounts, format_name, args.seats_only)
                        .map_err(Written)?;
                }
            }
        }
    });
    let found_drift = users.drift();
    drop(users);
    progress.done();
    let finished = printer.finish();
    let walked = report.get();
    if let Some(path) = &args.report {
        write_report(path, provider.name(), &walked)?;
    }
    // The drift report is written whatever became of the walk: a record that could not be
    // decoded is in it, with its pointer, before the error that ended the walk.
    let drifted = match (&args.drift, found_drift) {
        (Some(path), Some(found)) => {
            write_drift(path, &found)?;
            (!found.findings.is_empty()).then(|| (path.clone(), found.findings.len()))
        }
        _ => None,
    };
    finish(&args, provider, finished, outcome, &walked, out)?;
    match drifted {
        Some((path, n)) if args.drift_strict => Err(Failure::Provider(format!(
            "the responses differ from the spec: {n} finding(s) in {} (--drift-strict)",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// The walk's end: the warnings, then FILE replaced or left as it was.
fn finish(
    args: &UsersArgs,
    provider: Provider,
    finished: io::Result<()>,
    outcome: Result<Result<(), rollcall::Error>, Written>,
    walked: &WalkReport,
    out: Out,
) -> Result<(), Failure> {
    if walked.total_disagrees() && !args.quiet {
        eprintln!(
            "rollcall: warning: {} declared {} users but the walk yielded {}",
            provider.name(),
            walked.declared_total.unwrap_or_default(),
            walked.users + walked.duplicates,
        );
    }
    // With --checkpoint, what is left for --resume when FILE is not replaced.
    let resumable = match &args.checkpoint {
        Some(ck) => format!("; --resume continues from {}", ck.display()),
        None => String::new(),
    };
    let walk = match outcome {
        // The output could not be written: stdout closed by its reader ends quietly; a file
        // that cannot be written fails, and FILE stays as it was.
        Err(Written(error)) => {
            return match &args.output {
                Some(path) => Err(Failure::Provider(format!(
                    "{} left as it was: cannot write the output: {error}{resumable}",
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
        // Dropping a temporary file removes it: FILE stays as it was.
        return Err(match &args.output {
            Some(path) => Failure::Provider(format!(
                "{} left as it was: {error}{resumable}",
                path.display()
            )),
            None => error.into(),
        });
    }
    let Some(path) = &args.output else {
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
    let left = |why: String| {
        Failure::Provider(format!(
            "{} left as it was: {why}{resumable}",
            path.display()
        ))
    };
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
    out.replace(path)
        .map_err(|e| left(format!("cannot replace it: {e}")))
}

/// Where `rollcall users` writes.
enum Out {
    Stdout,
    /// `--output` alone: an anonymous temporary file beside FILE, removed unless persisted.
    Temp(tempfile::NamedTempFile),
    /// `--output` with `--checkpoint`: `FILE.partial`, kept across crashes for `--resume`.
    Partial(Partial),
}

impl Out {
    /// Makes the finished output FILE: synced, then renamed over it (with --checkpoint, CK is
    /// removed first, so that a crash in between leaves a complete output to redo, never a
    /// checkpoint whose output is gone).
    fn replace(self, path: &Path) -> io::Result<()> {
        match self {
            Out::Stdout => Ok(()),
            Out::Temp(temp) => {
                temp.as_file().sync_all()?;
                temp.persist(path).map(drop).map_err(|e| e.error)
            }
            Out::Partial(partial) => {
                partial.file.sync_all()?;
                for done in [
                    atomic::temp_path(&partial.checkpoint),
                    partial.checkpoint.clone(),
                ] {
                    match std::fs::remove_file(done) {
                        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                        _ => {}
                    }
                }
                std::fs::rename(&partial.path, path)
            }
        }
    }
}

/// The output in progress of a checkpointed run, and its checkpoint file.
struct Partial {
    file: std::fs::File,
    path: PathBuf,
    checkpoint: PathBuf,
}

impl Partial {
    /// `FILE.partial`: continued after the bytes `saved` covers, or new.
    fn open(output: &Path, checkpoint: &Path, saved: Option<&Saved>) -> Result<Self, Failure> {
        let path = resume::partial_path(output);
        let file = match saved {
            Some(saved) => {
                if Some(saved.partial.as_str()) != path.file_name().and_then(|name| name.to_str()) {
                    return Err(resume::refused(
                        checkpoint,
                        format!(
                            "it was taken writing {}, not {}",
                            saved.partial,
                            path.display()
                        ),
                    ));
                }
                resume::reopen(&path, saved.written)
                    .map_err(|why| resume::refused(checkpoint, why))?
            }
            None => std::fs::File::create(&path)
                .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?,
        };
        Ok(Self {
            file,
            path,
            checkpoint: checkpoint.to_owned(),
        })
    }

    /// Saves `walk` as the checkpoint of everything written so far (flushed by the caller).
    fn save(
        &self,
        walk: rollcall::Checkpoint,
        accounts: u64,
        format: &str,
        seats_only: bool,
    ) -> io::Result<()> {
        self.file.sync_data()?;
        let saved = Saved {
            kind: resume::KIND.to_owned(),
            format: format.to_owned(),
            seats_only,
            partial: self
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            written: self.file.metadata()?.len(),
            accounts,
            walk,
        };
        atomic::replace_json(&self.checkpoint, &saved)
    }
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

/// `--drift FILE`: the drift report as one JSON object, for `cargo xtask drift`.
fn write_drift(path: &Path, report: &rollcall::DriftReport) -> Result<(), Failure> {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    value["kind"] = "rollcall drift report, version 1".into();
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text).map_err(|e| {
        Failure::Usage(format!(
            "cannot write the drift report {}: {e}",
            path.display()
        ))
    })
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
