//! Replacing a small file the CLI keeps between runs — a checkpoint, a `changes` state — whole
//! or not at all: written to `FILE.tmp` beside it, synced, then renamed over it, so that a crash
//! at any instant leaves the old file or the new one. The one fixed temporary name means a crash
//! mid-write leaves no stray file that the next write does not replace.

use std::fs::File;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// Replaces `path` with `value` as one line of JSON.
pub(crate) fn replace_json(path: &Path, value: &impl serde::Serialize) -> io::Result<()> {
    let temp = temp_path(path);
    let mut file = File::create(&temp)?;
    serde_json::to_writer(&mut file, value)?;
    file.write_all(b"\n")?;
    file.sync_data()?;
    std::fs::rename(&temp, path)
}

/// Where [`replace_json()`] prepares `path`: `path` with `.tmp` added, beside it.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}
