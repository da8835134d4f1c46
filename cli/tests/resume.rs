//! `rollcall users --output FILE --checkpoint CK [--resume]` as a process that is killed: a
//! harness kills it with SIGKILL at pseudo-random instants, resumes it with another page
//! concurrency until it completes, and finds every user of the test kit's fake exactly once in
//! FILE — for every provider, whatever its paging. Refused checkpoints leave FILE and CK as
//! they were. Nothing here names a provider.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rollcall::Provider;
use rollcall::testing::{FakeProvider, Fault};
use serde_json::Value;

/// The providers whose walks can be resumed: all but those whose account list is the union of
/// several walks (`x-rollcall.walks`), which cannot be (see `a_union_of_walks_has_no_checkpoint`).
fn resumable() -> impl Iterator<Item = Provider> {
    Provider::ALL
        .iter()
        .copied()
        .filter(|p| p.fake().walks.is_empty())
}

/// Users of each fake, and the page size asked for: twenty pages.
const USERS: usize = 100;
const PAGE: &str = "5";

/// A fresh directory for one test's files.
fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rollcall-resume-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `rollcall users` against `fake`, writing `file` with checkpoint `ck`, and `extra` flags.
fn command(fake: &FakeProvider, file: &Path, ck: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rollcall"));
    command
        .args(["users", fake.spec().name(), "--base-url", &fake.uri()])
        .arg("--output")
        .arg(file)
        .arg("--checkpoint")
        .arg(ck)
        .args(["--page-size", PAGE, "--quiet"])
        // The fakes do not limit; paced to a documented 20 a minute, a walk of more pages
        // would wait a minute each time.
        .args(["--rate-limit", "off"])
        .args(extra)
        .env_clear()
        .envs(fake.env())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// A small deterministic generator, seeded from the clock (the seed is in every message).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
}

fn ids(fake: &FakeProvider, file: &Path) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for line in std::fs::read_to_string(file).unwrap().lines() {
        let account: Value = serde_json::from_str(line).expect("a whole JSON line");
        let id = account["id"].as_str().expect("an id").to_owned();
        *ids.entry(id).or_insert(0) += 1;
    }
    assert!(!ids.is_empty(), "{}", fake.spec().name());
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_instants_and_resumed_every_user_is_written_once() {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut random = Lcg(seed);
    for provider in resumable() {
        // Each answer takes 25 ms: a walk of twenty pages takes long enough to be killed
        // anywhere in it, several times.
        let fake = FakeProvider::start(provider)
            .users(USERS)
            .fault(Fault::Slow(Duration::from_millis(25)))
            .await;
        let dir = dir(provider.name());
        let file = dir.join("users.jsonl");
        let ck = dir.join("users.ck");
        let mut kills = 0;
        // Kills after the walk had saved a checkpoint: the case the harness is for.
        let mut mid_walk = 0;
        let mut runs = 0;
        // The longest a run may live before its kill; it grows while kills keep landing before
        // the first checkpoint (a loaded machine starts processes slowly), so that the harness
        // still reaches the walk.
        let mut window = 150;
        let started = Instant::now();
        loop {
            runs += 1;
            let concurrency = (1 + random.next(4)).to_string();
            let mut flags = vec!["--page-concurrency", concurrency.as_str()];
            if runs > 1 {
                flags.push("--resume");
            }
            let what = format!("{provider}, run {runs} (seed {seed})");
            let mut child = command(&fake, &file, &ck, &flags).spawn().unwrap();
            // Runs are killed at any instant from their start (before the first request, in
            // a page, between pages) until one outlives its kill; after a dozen, one is left to
            // finish. The first two runs and every other one after them are instead killed
            // within a page's time after they save a checkpoint, so that kills land mid-walk
            // however fast or slow the machine is (a first run killed at a random instant could
            // outlive a fast walk).
            let leave = runs > 12;
            let after_checkpoint = runs <= 2 || runs % 2 == 0;
            let saved = std::fs::read(&ck).ok();
            let mut deadline = (!after_checkpoint)
                .then(|| Instant::now() + Duration::from_millis(random.next(window)));
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break Some(status);
                }
                if deadline.is_none() && std::fs::read(&ck).ok() != saved {
                    deadline = Some(Instant::now() + Duration::from_millis(random.next(25)));
                }
                if !leave && deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                    child.kill().unwrap(); // SIGKILL: no destructor, no flush
                    child.wait().unwrap();
                    kills += 1;
                    if ck.exists() {
                        mid_walk += 1;
                    } else {
                        window += window / 2;
                    }
                    break None;
                }
                std::thread::sleep(Duration::from_millis(1));
            };
            if let Some(status) = status {
                let output = child.wait_with_output().unwrap();
                assert!(
                    status.success(),
                    "{what}: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{what}: no end"
            );
        }
        eprintln!("{provider}: {runs} runs, {kills} kills, {mid_walk} after a checkpoint");
        let pages = fake.spec().walked().unwrap().style != rollcall::testing::FakeStyle::None;
        assert!(
            !pages || mid_walk >= 2,
            "{provider} (seed {seed}): only {mid_walk} kills in the walk; the harness tests nothing"
        );
        let seen = ids(&fake, &file);
        assert_eq!(seen.len(), USERS, "{provider} (seed {seed}, {kills} kills)");
        assert!(
            seen.values().all(|&n| n == 1),
            "{provider} (seed {seed}, {kills} kills): duplicates {seen:?}"
        );
        assert!(
            !ck.exists(),
            "{provider}: the checkpoint is removed at the end"
        );
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p != &file)
            .collect();
        assert!(leftovers.is_empty(), "{provider}: {leftovers:?}");
    }
}

/// A run that fails partway leaves FILE as it was and CK where it got; `--resume` finishes
/// the walk, and the CSV header is written once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_run_resumes_to_a_complete_file() {
    for provider in resumable() {
        let fake = FakeProvider::start(provider).users(USERS).await;
        let dir = dir(&format!("stopped-{provider}"));
        let file = dir.join("users.csv");
        let ck = dir.join("users.ck");
        std::fs::write(&file, "the previous export\n").unwrap();
        let csv = ["--format", "csv"];
        let first = command(
            &fake,
            &file,
            &ck,
            &[&csv[..], &["--max-pages", "2"]].concat(),
        )
        .output()
        .unwrap();
        let pages_in_one =
            fake.spec().walked().unwrap().style == rollcall::testing::FakeStyle::None;
        if pages_in_one {
            // One response holds every user: two pages are more than the walk needs.
            assert!(first.status.success(), "{provider}");
            continue;
        }
        assert_eq!(first.status.code(), Some(1), "{provider}: {first:?}");
        let stderr = String::from_utf8_lossy(&first.stderr);
        assert!(stderr.contains("--resume continues from"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "the previous export\n",
            "{provider}"
        );
        assert!(ck.exists(), "{provider}");
        let rest = command(&fake, &file, &ck, &[&csv[..], &["--resume"]].concat())
            .output()
            .unwrap();
        assert!(rest.status.success(), "{provider}: {rest:?}");
        let text = std::fs::read_to_string(&file).unwrap();
        let header = text.lines().next().unwrap().to_owned();
        assert!(header.starts_with("provider,id"), "{header}");
        assert_eq!(
            text.lines().filter(|l| *l == header).count(),
            1,
            "{provider}"
        );
        let mut rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(rows.len(), USERS, "{provider}");
        rows.sort();
        rows.dedup();
        assert_eq!(rows.len(), USERS, "{provider}: no row twice");
    }
}

/// CK that is edited, of another provider, for another format, or missing its output, is
/// refused in one line naming it; FILE, FILE.partial and CK are left as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_checkpoints_leave_everything_as_it_was() {
    let providers: Vec<Provider> = resumable().collect();
    let fake = FakeProvider::start(providers[0]).users(USERS).await;
    let dir = dir("refused");
    let file = dir.join("users.jsonl");
    let ck = dir.join("users.ck");
    std::fs::write(&file, "the previous export\n").unwrap();
    let first = command(&fake, &file, &ck, &["--max-pages", "1"])
        .output()
        .unwrap();
    let partial = dir.join("users.jsonl.partial");
    if !ck.exists() {
        // The first provider answers in one response: nothing to refuse with it.
        assert!(first.status.success());
        return;
    }
    let saved = std::fs::read_to_string(&ck).unwrap();
    let partial_before = std::fs::read(&partial).unwrap();
    let refused = |extra: &[&str], what: &str| {
        let run = command(&fake, &file, &ck, extra).output().unwrap();
        assert_eq!(run.status.code(), Some(2), "{what}: {run:?}");
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
        assert!(stderr.contains(ck.to_str().unwrap()), "{what}: {stderr}");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "the previous export\n"
        );
        assert_eq!(std::fs::read(&partial).unwrap(), partial_before, "{what}");
        stderr
    };
    // Without --resume, an existing CK is not overwritten.
    refused(&[], "no --resume");
    assert_eq!(std::fs::read_to_string(&ck).unwrap(), saved);
    // Edited: the walk's digest gives it away.
    let edited = saved.replacen("\"pages\":1", "\"pages\":0", 1);
    assert_ne!(edited, saved);
    std::fs::write(&ck, &edited).unwrap();
    let line = refused(&["--resume"], "edited");
    assert!(line.contains("digest"), "{line}");
    assert_eq!(std::fs::read_to_string(&ck).unwrap(), edited);
    // Cut short, or not JSON at all.
    std::fs::write(&ck, &saved[..saved.len() / 2]).unwrap();
    refused(&["--resume"], "cut short");
    // Another format.
    std::fs::write(&ck, &saved).unwrap();
    let line = refused(&["--resume", "--format", "scim"], "another format");
    assert!(line.contains("jsonl"), "{line}");
    // Another provider's fake, same files.
    if let Some(other) = providers.get(1) {
        let other = FakeProvider::start(*other).users(USERS).await;
        let run = command(&other, &file, &ck, &["--resume"]).output().unwrap();
        assert_eq!(run.status.code(), Some(2), "{run:?}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains(providers[0].name()), "{stderr}");
    }
    // The same provider, another account (host).
    let elsewhere = FakeProvider::start(providers[0]).users(USERS).await;
    let run = command(&elsewhere, &file, &ck, &["--resume"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{run:?}");
    // Nothing in CK is a credential.
    let secrets = providers[0]
        .info()
        .schemes
        .iter()
        .flat_map(|scheme| scheme.vars)
        .filter(|var| var.role == rollcall::Role::Secret);
    for var in secrets {
        if let Some(value) = fake.env().get(var.name) {
            assert!(!saved.contains(value.as_str()), "{} in {saved}", var.name);
        }
    }
    // Its output cut below what CK covers.
    std::fs::write(&partial, b"").unwrap();
    let run = command(&fake, &file, &ck, &["--resume"]).output().unwrap();
    assert_eq!(run.status.code(), Some(2), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("fewer than"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&ck).unwrap(), saved);
}

/// Complete or nothing under every fault of the kit that applies: a fault that ends the walk
/// early leaves FILE as it was (exit 1, CK kept for --resume); one the walk rides out (an empty
/// page after the last, an unknown enum value, nulls) replaces FILE with every user. Faults that
/// only make a run wait (rate limits, slow answers, 503 retried) are left to the client tests.
#[test]
fn every_fault_that_cuts_a_walk_short_leaves_file_as_it_was() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cutting = [
        Fault::TruncatedJson,
        Fault::RepeatedCursor,
        Fault::RepeatedPage,
        Fault::AuthError,
        Fault::ErrorInHttp200,
    ];
    let ridden = [
        Fault::EmptyPageAfterLastFullOne,
        Fault::UnknownEnumValue,
        Fault::NullOptionalFields,
    ];
    for provider in resumable() {
        for fault in cutting.iter().chain(&ridden).copied() {
            if !fault.applies_to(provider.fake()) {
                continue;
            }
            let what = format!("{provider} with {fault}");
            let fake = runtime.block_on(std::future::IntoFuture::into_future(
                FakeProvider::start(provider).users(USERS).fault(fault),
            ));
            let dir = dir(&format!("fault-{provider}-{fault}"));
            let file = dir.join("users.jsonl");
            let ck = dir.join("users.ck");
            std::fs::write(&file, "the previous export\n").unwrap();
            let run = command(&fake, &file, &ck, &[]).output().unwrap();
            let stderr = String::from_utf8_lossy(&run.stderr);
            if cutting.contains(&fault) {
                assert_eq!(run.status.code(), Some(1), "{what}: {stderr}");
                assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
                assert!(stderr.contains("left as it was"), "{what}: {stderr}");
                assert_eq!(
                    std::fs::read_to_string(&file).unwrap(),
                    "the previous export\n",
                    "{what}"
                );
            } else {
                assert_eq!(run.status.code(), Some(0), "{what}: {stderr}");
                assert_eq!(ids(&fake, &file).len(), USERS, "{what}");
                assert!(!ck.exists(), "{what}");
            }
        }
    }
}
