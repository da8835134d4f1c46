//! `rollcall compare OLD NEW`: what changed between two `jsonl` exports.

use std::collections::BTreeMap;
use std::io::{self, BufRead as _, Write as _};
use std::path::Path;

use rollcall::Account;
use serde_json::{Map, Value, json};

use crate::Failure;

/// The fields whose change is reported, in this order.
const WATCHED: [&str; 5] = ["status", "roles", "privileged", "kind", "email"];

pub(crate) fn run(old: &Path, new: &Path) -> Result<(), Failure> {
    let before = read(old)?;
    let after = read(new)?;
    let mut keys: Vec<&(String, String)> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = io::BufWriter::new(io::stdout().lock());
    for key in keys {
        let line = match (before.get(key), after.get(key)) {
            (None, Some(account)) => whole("joined", account),
            (Some(account), None) => whole("left", account),
            (Some(old), Some(new)) => match changed(old, new) {
                Some(line) => line,
                None => continue,
            },
            (None, None) => continue,
        };
        if writeln!(out, "{line}").is_err() {
            return Ok(());
        }
    }
    let _ = out.flush();
    Ok(())
}

/// Every account of an export by (provider, id); a later line for the same account wins.
fn read(path: &Path) -> Result<BTreeMap<(String, String), Account>, Failure> {
    let name = path.display();
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::Usage(format!("cannot read {name}: {e}")))?;
    let mut accounts = BTreeMap::new();
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
        accounts.insert((account.provider.clone(), account.id.clone()), account);
    }
    Ok(accounts)
}

/// A joined or left account: the change, then the account's own fields.
fn whole(change: &str, account: &Account) -> Value {
    let mut line = Map::new();
    line.insert("change".into(), json!(change));
    if let Value::Object(fields) = serde_json::to_value(account).unwrap_or_default() {
        line.extend(fields);
    }
    Value::Object(line)
}

/// A changed account: provider, id, and `{"before", "after"}` for each watched field that
/// differs; `None` when none does.
fn changed(old: &Account, new: &Account) -> Option<Value> {
    let (old_json, new_json) = (
        serde_json::to_value(old).ok()?,
        serde_json::to_value(new).ok()?,
    );
    let mut line = Map::new();
    line.insert("change".into(), json!("changed"));
    line.insert("provider".into(), json!(new.provider));
    line.insert("id".into(), json!(new.id));
    let mut any = false;
    for field in WATCHED {
        let (before, after) = (&old_json[field], &new_json[field]);
        let same = if field == "roles" {
            // The same roles in another order are no change.
            let (mut a, mut b) = (old.roles.clone(), new.roles.clone());
            a.sort();
            b.sort();
            a == b
        } else {
            before == after
        };
        if !same {
            any = true;
            line.insert(field.into(), json!({"before": before, "after": after}));
        }
    }
    any.then_some(Value::Object(line))
}
