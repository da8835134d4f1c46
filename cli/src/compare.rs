//! `rollcall compare OLD NEW`: what changed between two `jsonl` exports.

use std::io::{self, BufRead as _, Write as _};
use std::path::Path;

use rollcall::Account;
use rollcall::changes::compare;

use crate::Failure;

pub(crate) fn run(old: &Path, new: &Path) -> Result<(), Failure> {
    let before = read(old)?;
    let after = read(new)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for change in compare(before, after) {
        if writeln!(out, "{}", change.to_json()).is_err() {
            return Ok(());
        }
    }
    let _ = out.flush();
    Ok(())
}

/// Every account of an export, in order (a later line for the same account wins).
fn read(path: &Path) -> Result<Vec<Account>, Failure> {
    let name = path.display();
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::Usage(format!("cannot read {name}: {e}")))?;
    let mut accounts = Vec::new();
    for (i, line) in io::BufReader::new(file).lines().enumerate() {
        let number = i + 1;
        let line = line.map_err(|e| Failure::Usage(format!("{name}:{number}: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let account: Account = serde_json::from_str(&line).map_err(|e| {
            Failure::Usage(format!(
                "{name}:{number}: not an account of `rollcall users --format jsonl`: {e}"
            ))
        })?;
        accounts.push(account);
    }
    Ok(accounts)
}
