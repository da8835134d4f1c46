//! Printing accounts in each `--format`, and the tracing subscriber.

use std::io::{self, Write};

use rollcall::Account;

use crate::Format;

/// The CSV and table columns, in order: the account's JSON fields.
const COLUMNS: [&str; 11] = rollcall::account::FIELDS;

/// Writes accounts to `out` in one format; `None` prints the provider's own records.
pub(crate) struct Printer<W: Write> {
    out: io::BufWriter<W>,
    format: Option<Format>,
    csv_header: bool,
    table: Vec<[String; 11]>,
}

impl<W: Write> Printer<W> {
    /// A printer to `out`; `continued` when `out` already holds the start of the output (a
    /// resumed walk: no second CSV header).
    pub(crate) fn new(out: W, format: Option<Format>, continued: bool) -> Self {
        Self {
            out: io::BufWriter::new(out),
            format,
            csv_header: continued,
            table: Vec::new(),
        }
    }

    /// Writes out what is buffered, so that the file holds every account printed so far.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub(crate) fn print(&mut self, account: &Account) -> io::Result<()> {
        match self.format {
            None => json_line(&mut self.out, &account.raw),
            Some(Format::Jsonl) => json_line(&mut self.out, account),
            Some(Format::Scim) => json_line(&mut self.out, &account.to_scim()),
            Some(Format::Csv) => {
                let mut writer = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(&mut self.out);
                if !self.csv_header {
                    writer.write_record(COLUMNS).map_err(io::Error::other)?;
                    self.csv_header = true;
                }
                writer
                    .write_record(cells(account))
                    .map_err(io::Error::other)?;
                writer.flush()
            }
            Some(Format::Table) => {
                self.table.push(cells(account));
                Ok(())
            }
        }
    }

    /// Writes what is buffered (the table, a CSV header when there was no account).
    pub(crate) fn finish(mut self) -> io::Result<()> {
        match self.format {
            Some(Format::Csv) if !self.csv_header => {
                let mut writer = csv::Writer::from_writer(&mut self.out);
                writer.write_record(COLUMNS).map_err(io::Error::other)?;
                writer.flush()?;
            }
            Some(Format::Table) => {
                // The table leaves out the provider (one per run) and the update time.
                let shown = [1, 2, 3, 4, 5, 7, 6, 8, 10];
                let mut widths = [0usize; 11];
                let header = COLUMNS.map(str::to_uppercase);
                for row in std::iter::once(&header).chain(&self.table) {
                    for &i in &shown {
                        widths[i] = widths[i].max(row[i].chars().count());
                    }
                }
                for row in std::iter::once(&header).chain(&self.table) {
                    let mut line = String::new();
                    for &i in &shown {
                        let cell = if row[i].is_empty() { "-" } else { &row[i] };
                        line.push_str(&format!("{cell:<w$}  ", w = widths[i].max(1)));
                    }
                    writeln!(self.out, "{}", line.trim_end())?;
                }
            }
            _ => {}
        }
        self.out.flush()
    }
}

fn json_line(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// An account's cells, in [`COLUMNS`] order; absent values are empty.
fn cells(account: &Account) -> [String; 11] {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    [
        account.provider.clone(),
        account.id.clone(),
        text(&account.email),
        text(&account.name),
        account.status.to_string(),
        account.kind.to_string(),
        account.roles.join(";"),
        account.privileged.to_string(),
        text(&account.created_at),
        text(&account.updated_at),
        text(&account.last_login_at),
    ]
}

/// Shows the runtime's tracing events on stderr when `RUST_LOG` asks for them
/// (`RUST_LOG=rollcall=debug`); nothing otherwise.
pub(crate) fn init_tracing() {
    let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
        .try_init();
}
