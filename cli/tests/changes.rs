//! `rollcall changes P --state DIR` and `rollcall users P --drift FILE` as processes, over the
//! test kit's fakes. Users change between runs: an incremental provider (its spec declares an
//! export) and a provider compared by complete walks both print exactly what changed, nothing on
//! a run without changes, and keep their state as it was when a run fails. Drift reports say
//! what a fake planted and nothing on a clean one. Nothing here names a provider.

use std::collections::BTreeMap;
use std::future::IntoFuture as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use rollcall::Provider;
use rollcall::testing::{FakeProvider, Fault};
use serde_json::Value;

struct Run {
    code: Option<i32>,
    lines: Vec<Value>,
    stderr: String,
}

fn changes(fake: &FakeProvider, state: &Path, extra: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_rollcall"))
        .args(["changes", fake.spec().name(), "--base-url", &fake.uri()])
        .arg("--state")
        .arg(state)
        .args(extra)
        .env_clear()
        .envs(fake.env())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    Run {
        code: output.status.code(),
        lines: stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rollcall-changes-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The one state file in `dir`.
fn state_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

/// The change records by kind: kind -> ids.
fn by_change(lines: &[Value]) -> BTreeMap<String, Vec<String>> {
    let mut kinds: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in lines {
        kinds
            .entry(line["change"].as_str().unwrap().to_owned())
            .or_default()
            .push(line["id"].as_str().unwrap().to_owned());
    }
    kinds
}

#[test]
fn every_provider_prints_what_changed_between_runs_and_nothing_else() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for provider in Provider::ALL.iter().copied() {
        let fake = runtime.block_on(FakeProvider::start(provider).users(30).into_future());
        let state = dir(provider.name());
        let incremental = provider.fake().incremental.is_some();

        let first = changes(&fake, &state, &[]);
        assert_eq!(first.code, Some(0), "{provider}: {}", first.stderr);
        assert_eq!(
            first.lines.len(),
            30,
            "{provider}: the first run: all joined"
        );
        assert!(first.lines.iter().all(|l| l["change"] == "joined"));

        let second = changes(&fake, &state, &[]);
        assert_eq!(second.code, Some(0), "{provider}: {}", second.stderr);
        assert!(second.lines.is_empty(), "{provider}: {:?}", second.lines);

        let ids = fake.user_ids();
        let (changed, removed) = (ids[3].clone(), ids[4].clone());
        let email = provider.info().account.email;
        fake.update_user(&changed, |user| {
            // The email may be missing from the record (GitHub shows members without one).
            if let Some(field) = with_field(user, email) {
                *field = "moved@example.com".into();
            }
        });
        let mut added = fake.add_users(2);
        fake.remove_user(&removed);
        let before = runtime.block_on(fake.requests()).len();
        let third = changes(&fake, &state, &[]);
        assert_eq!(third.code, Some(0), "{provider}: {}", third.stderr);
        let kinds = by_change(&third.lines);
        added.sort();
        let mut joined = kinds.get("joined").cloned().unwrap_or_default();
        joined.sort();
        assert_eq!(joined, added, "{provider}: {:?}", third.lines);
        assert_eq!(
            kinds.get("left"),
            Some(&vec![removed.clone()]),
            "{provider}"
        );
        assert_eq!(
            kinds.get("changed"),
            Some(&vec![changed.clone()]),
            "{provider}"
        );
        let line = third
            .lines
            .iter()
            .find(|l| l["change"] == "changed")
            .unwrap();
        assert_eq!(line["email"]["after"], "moved@example.com", "{line}");
        assert_eq!(third.lines.len(), 4, "{provider}: {:?}", third.lines);
        if incremental {
            // Only what changed was asked for: one page from the kept cursor.
            let requests = runtime.block_on(fake.requests());
            assert_eq!(requests.len() - before, 1, "{provider}");
            let list = provider.fake().incremental.as_ref().unwrap();
            let last = requests.last().unwrap();
            assert!(last.query(list.cursor_param.unwrap()).is_some());
            assert_eq!(last.query(list.start_param.unwrap()), None);
        }

        let fourth = changes(&fake, &state, &[]);
        assert_eq!(fourth.code, Some(0), "{provider}: {}", fourth.stderr);
        assert!(fourth.lines.is_empty(), "{provider}: {:?}", fourth.lines);

        // No credential in the state, its name or its contents.
        let file = state_file(&state);
        let text = std::fs::read_to_string(&file).unwrap();
        for var in provider.info().schemes.iter().flat_map(|s| s.vars) {
            if var.role == rollcall::Role::Secret {
                let secret = &fake.env()[var.name];
                assert!(!text.contains(secret.as_str()), "{provider}");
                assert!(!file.to_string_lossy().contains(secret.as_str()));
            }
        }
    }
}

#[test]
fn a_failed_run_or_a_bad_state_leaves_the_state_as_it_was() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let provider = Provider::ALL[0];
    let fake = runtime.block_on(FakeProvider::start(provider).users(12).into_future());
    let state = dir("failed");
    assert_eq!(changes(&fake, &state, &[]).code, Some(0));
    let file = state_file(&state);
    let saved = std::fs::read_to_string(&file).unwrap();

    // A provider that fails (the same credentials, another fake answering 503): exit 1, one
    // line, nothing printed, the state untouched.
    let broken = runtime.block_on(
        FakeProvider::start(provider)
            .users(12)
            .fault(Fault::ServerError)
            .into_future(),
    );
    let failed = changes(&broken, &state, &[]);
    assert_eq!(failed.code, Some(1), "{}", failed.stderr);
    assert_eq!(failed.stderr.lines().count(), 1, "{}", failed.stderr);
    assert!(failed.lines.is_empty(), "{:?}", failed.lines);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), saved);

    // Corrupt, or another provider's: refused in one line naming the file, exit 2.
    std::fs::write(&file, &saved[..saved.len() / 2]).unwrap();
    let run = changes(&fake, &state, &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains(file.to_str().unwrap()),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        &saved[..saved.len() / 2]
    );
    let other = saved.replacen(
        &format!("\"provider\":\"{}\"", provider.name()),
        "\"provider\":\"someone-else\"",
        1,
    );
    assert_ne!(other, saved);
    std::fs::write(&file, &other).unwrap();
    let run = changes(&fake, &state, &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("someone-else"), "{}", run.stderr);

    // --since is for incremental exports only, and must be a time.
    let run = changes(&fake, &dir("since"), &["--since", "last tuesday"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
}

#[test]
fn since_starts_an_incremental_first_run_at_that_time() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for provider in Provider::ALL.iter().copied() {
        let fake = runtime.block_on(FakeProvider::start(provider).users(5).into_future());
        let state = dir(&format!("since-{provider}"));
        let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        let run = changes(&fake, &state, &["--since", &future]);
        if provider.fake().incremental.is_none() {
            assert_eq!(run.code, Some(2), "{provider}: {}", run.stderr);
            assert!(run.stderr.contains("incremental"), "{}", run.stderr);
            continue;
        }
        // Nothing changed after an hour from now: nothing joined.
        assert_eq!(run.code, Some(0), "{provider}: {}", run.stderr);
        assert!(run.lines.is_empty(), "{provider}: {:?}", run.lines);
        let requests = runtime.block_on(fake.requests());
        let list = provider.fake().incremental.as_ref().unwrap();
        let start = requests[0].query(list.start_param.unwrap()).unwrap();
        assert!(start.parse::<i64>().unwrap() > chrono::Utc::now().timestamp());
    }
}

/// `rollcall users P --drift FILE`: nothing on a clean imitation, the planted deviation with
/// its kind otherwise, no value from a record; `--drift-strict` makes a finding exit 1 after
/// the walk, with the output written.
#[test]
fn drift_reports_are_written_and_strict_fails_on_a_finding() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let provider = Provider::ALL[0];
    let dir = dir("drift");
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("drift.json");
    let users = |fake: &FakeProvider, extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rollcall"))
            .args([
                "users",
                fake.spec().name(),
                "--base-url",
                &fake.uri(),
                "--quiet",
            ])
            .arg("--drift")
            .arg(&report)
            .args(extra)
            .env_clear()
            .envs(fake.env())
            .output()
            .unwrap()
    };
    let clean = runtime.block_on(FakeProvider::start(provider).users(12).into_future());
    let run = users(&clean, &["--drift-strict"]);
    assert!(run.status.success(), "{run:?}");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(written["findings"], serde_json::json!([]), "{written}");
    assert_eq!(written["provider"], provider.name());

    let planted = runtime.block_on(
        FakeProvider::start(provider)
            .users(12)
            .fault(Fault::UndeclaredProperty)
            .into_future(),
    );
    let run = users(&planted, &[]);
    assert!(run.status.success(), "{run:?}");
    assert_eq!(String::from_utf8_lossy(&run.stdout).lines().count(), 12);
    let text = std::fs::read_to_string(&report).unwrap();
    let written: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        written["findings"][0]["kind"], "undeclared-property",
        "{text}"
    );
    assert!(!text.contains("user1@example.com"), "{text}");
    let run = users(&planted, &["--drift-strict"]);
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    assert_eq!(String::from_utf8_lossy(&run.stdout).lines().count(), 12);
    assert!(String::from_utf8_lossy(&run.stderr).contains("--drift-strict"));
}

/// The field at `pointer` in `user`, added as `null` when its parent is there but it is not.
fn with_field<'v>(user: &'v mut Value, pointer: &str) -> Option<&'v mut Value> {
    if user.pointer(pointer).is_none()
        && let Some((parent, key)) = pointer.rsplit_once('/')
        && let Some(Value::Object(parent)) = user.pointer_mut(parent)
    {
        parent.insert(key.replace("~1", "/").replace("~0", "~"), Value::Null);
    }
    user.pointer_mut(pointer)
}
