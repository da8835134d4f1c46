//! `rollcall changes <PROVIDER> --state DIR`: the accounts that joined, left or changed since
//! the previous run for the same provider and credentials, as `rollcall compare` prints them.
//!
//! Where the provider's spec declares an incremental export, the run asks only for what
//! changed since the cursor the previous run kept; otherwise it walks every user and compares
//! with the previous run's complete export. Either way the new state is saved only after the
//! walk was complete and every change was printed, so a failed or interrupted run changes
//! nothing and the next one reports the same changes again.

use std::collections::BTreeMap;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use futures::TryStreamExt as _;
use md5::{Digest as _, Md5};
use rollcall::account::Status;
use rollcall::changes::compare;
use rollcall::{Account, ClientOptions, Provider, Since, WalkReport};

use crate::{ChangesArgs, Failure, atomic};

/// The `kind` of a state file.
const KIND: &str = "rollcall changes state, version 1";

/// What a run keeps for the next: the account as it stood, and (incremental providers) where
/// the next export starts.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct State {
    kind: String,
    provider: String,
    /// The incremental export's cursor; `None` for a provider compared by complete walks.
    cursor: Option<String>,
    /// When the run that wrote it ended.
    taken_at: chrono::DateTime<chrono::Utc>,
    /// Every account, as `rollcall users --format jsonl` prints it.
    accounts: Vec<Account>,
}

pub(crate) fn run(args: ChangesArgs) -> Result<(), Failure> {
    let provider: Provider = args.provider.parse().map_err(Failure::Usage)?;
    let since = match &args.since {
        Some(text) => Some(
            chrono::DateTime::parse_from_rfc3339(text)
                .map_err(|e| Failure::Usage(format!("--since {text}: not an RFC 3339 time: {e}")))?
                .with_timezone(&chrono::Utc),
        ),
        None => None,
    };
    let mut options = ClientOptions::default();
    options.base_url = args.base_url.clone();
    args.pace.apply(&mut options);
    let env = |name: &str| std::env::var(name).ok();
    let client = provider.connect(&env, &options)?;
    let path = state_path(&args.state, provider, args.base_url.as_deref(), &env);
    let previous = read(&path, provider)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Provider(format!("cannot start the async runtime: {e}")))?;
    let before = previous
        .as_ref()
        .map(|s| s.accounts.clone())
        .unwrap_or_default();

    // Incremental: from the previous run's cursor, else from --since, else from the start.
    let from = match previous.as_ref().and_then(|s| s.cursor.clone()) {
        Some(cursor) => Since::Cursor(cursor),
        None => Since::Time(since.unwrap_or_default()),
    };
    let (after, cursor, report) = match client.changed_users_json(from) {
        Some(export) => {
            let (report, cursor) = (export.report(), export.cursor());
            let changed: Vec<serde_json::Value> = runtime.block_on(export.try_collect())?;
            // The account as it stands: the previous picture with each changed user laid
            // over it, in the order they changed; a deleted user leaves it.
            let mut accounts: BTreeMap<String, Account> =
                before.iter().map(|a| (a.id.clone(), a.clone())).collect();
            for user in changed {
                let account = Account::from_user(provider.info(), user);
                if account.status == Status::Deleted {
                    accounts.remove(&account.id);
                } else {
                    accounts.insert(account.id.clone(), account);
                }
            }
            (accounts.into_values().collect(), cursor.get(), report.get())
        }
        None => {
            if since.is_some() {
                return Err(Failure::Usage(format!(
                    "--since needs an incremental export, and {provider}'s spec declares none"
                )));
            }
            let users = client.all_users_json();
            let report = users.report();
            let all: Vec<serde_json::Value> = runtime.block_on(users.try_collect())?;
            let accounts = all
                .into_iter()
                .map(|user| Account::from_user(provider.info(), user))
                .collect::<Vec<_>>();
            (accounts, None, report.get())
        }
    };
    complete(&path, &report)?;

    let mut out = io::BufWriter::new(io::stdout().lock());
    for change in compare(before, after.clone()) {
        writeln!(out, "{}", change.to_json()).map_err(|e| unsaved(&path, e))?;
    }
    out.flush().map_err(|e| unsaved(&path, e))?;

    let state = State {
        kind: KIND.to_owned(),
        provider: provider.name().to_owned(),
        cursor,
        taken_at: chrono::Utc::now(),
        accounts: after,
    };
    std::fs::create_dir_all(&args.state)
        .and_then(|()| atomic::replace_json(&path, &state))
        .map_err(|e| {
            Failure::Provider(format!(
                "{}: cannot save the state: {e} (the next run reports these changes again)",
                path.display()
            ))
        })
}

/// The state file of `provider` with these credentials: a digest of the provider, the base
/// URL and every variable the provider reads, so that two accounts never share one, and no
/// credential can be read back from its name.
fn state_path(
    dir: &Path,
    provider: Provider,
    base_url: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> PathBuf {
    let mut key = Md5::new();
    key.update(provider.name());
    key.update([0]);
    key.update(base_url.unwrap_or_default());
    for var in provider.env_vars().into_iter().flatten() {
        key.update([0]);
        key.update(var);
        key.update([0]);
        key.update(env(var).unwrap_or_default());
    }
    let digest: String = key.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    dir.join(format!("{}-{digest}.json", provider.name()))
}

/// The previous run's state, if there was one.
fn read(path: &Path, provider: Provider) -> Result<Option<State>, Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Failure::Usage(format!("{}: {e}", path.display()))),
    };
    let refused = |why: String| {
        Failure::Usage(format!(
            "{}: not a state of `rollcall changes {provider}`: {why}",
            path.display()
        ))
    };
    let state: State = serde_json::from_str(&text).map_err(|e| refused(e.to_string()))?;
    if state.kind != KIND {
        return Err(refused(format!("it is a `{}`", state.kind)));
    }
    if state.provider != provider.name() {
        return Err(refused(format!("it is {}'s", state.provider)));
    }
    Ok(Some(state))
}

/// Fails unless the walk got every user (or every change): an incomplete one would report
/// the users it missed as gone.
fn complete(path: &Path, report: &WalkReport) -> Result<(), Failure> {
    match report.incomplete_because() {
        None => Ok(()),
        Some(why) => Err(Failure::Provider(format!(
            "{} left as it was: the walk is incomplete: {why}",
            path.display()
        ))),
    }
}

fn unsaved(path: &Path, error: io::Error) -> Failure {
    Failure::Provider(format!(
        "{} left as it was: cannot write the changes: {error}",
        path.display()
    ))
}
