//! `rollcall users --output FILE --checkpoint CK [--resume]`: the checkpoint file CK, which says
//! how far the walk got and how many bytes of the output that covers, and the output in
//! progress beside FILE that it covers.
//!
//! The order of writes is what makes a crash at any instant harmless: the output is flushed and
//! synced first, then CK is replaced atomically (`atomic::replace_json`). So CK never
//! covers a byte that is not on disk, and whatever the output holds past CK's length (users
//! written after the last checkpoint) is cut off by `--resume` before the walk continues from
//! CK's position, which yields exactly those users again.

use std::fs::File;
use std::path::{Path, PathBuf};

use rollcall::Checkpoint;

use crate::Failure;

/// What CK holds: the library's checkpoint of the walk and what the CLI needs besides.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Saved {
    /// Always [`KIND`]: a file of another kind given as CK is refused by name.
    pub(crate) kind: String,
    /// The output format (`jsonl`, `csv`, `scim`, `raw`): a resumed run must write the same.
    pub(crate) format: String,
    /// `--seats-only`: a resumed run must filter the same way.
    pub(crate) seats_only: bool,
    /// The output in progress (a file name beside FILE).
    pub(crate) partial: String,
    /// How many bytes of it the walk's checkpoint covers.
    pub(crate) written: u64,
    /// Accounts in those bytes.
    pub(crate) accounts: u64,
    /// Where the walk stood (sealed with its own digest).
    pub(crate) walk: Checkpoint,
}

/// The `kind` of a CLI checkpoint file.
pub(crate) const KIND: &str = "rollcall users checkpoint, version 1";

/// The output in progress for `--output FILE --checkpoint`: `FILE.partial`, beside FILE (so
/// that the final rename is atomic).
pub(crate) fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    output.with_file_name(name)
}

/// Reads CK; `Ok(None)` when there is none (a run killed before its first checkpoint).
pub(crate) fn read(path: &Path) -> Result<Option<Saved>, Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(refused(path, format!("cannot read it: {e}"))),
    };
    let saved: Saved = serde_json::from_str(&text).map_err(|e| {
        let reason = e.to_string();
        if reason.contains("digest") || reason.contains("format version") {
            refused(path, reason)
        } else {
            refused(
                path,
                format!("not a checkpoint of `rollcall users`: {reason}"),
            )
        }
    })?;
    if saved.kind != KIND {
        return Err(refused(
            path,
            format!("it is a `{}`, not a `{KIND}`", saved.kind),
        ));
    }
    Ok(Some(saved))
}

/// Opens the output in progress to continue after `written` bytes: what lies past them was
/// written after the checkpoint and is cut off.
pub(crate) fn reopen(path: &Path, written: u64) -> Result<File, String> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let length = file
        .metadata()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if length < written {
        return Err(format!(
            "{} holds {length} bytes, fewer than the {written} the checkpoint covers",
            path.display()
        ));
    }
    file.set_len(written)
        .map_err(|e| format!("cannot cut {} back: {e}", path.display()))?;
    let mut file = file;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0))
        .map_err(|e| format!("cannot seek in {}: {e}", path.display()))?;
    Ok(file)
}

/// A checkpoint that cannot be used, as the one-line usage error naming its file.
pub(crate) fn refused(path: &Path, why: impl std::fmt::Display) -> Failure {
    Failure::Usage(format!(
        "{}: cannot resume from this checkpoint: {why}",
        path.display()
    ))
}
