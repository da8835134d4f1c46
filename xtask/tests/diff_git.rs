//! `cargo xtask diff BASE` end to end: the binary against a scratch git repository.
//!
//! The specs under fixtures/acceptance/ are frozen copies of two real specs, so the scenario
//! does not move when the real ones are edited.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A repository whose `main` holds the acceptance specs.
    fn new() -> Self {
        let repo = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.email", "test@rollcall.invalid"]);
        repo.git(&["config", "user.name", "test"]);
        std::fs::create_dir(repo.path("specs")).unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/acceptance");
        for name in ["zendesk-sell.yaml", "sequence.yaml"] {
            std::fs::copy(fixtures.join(name), repo.path(&format!("specs/{name}"))).unwrap();
        }
        repo.git(&["add", "specs"]);
        repo.git(&["commit", "-q", "-m", "specs"]);
        repo
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn git(&self, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(self.dir.path())
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    fn edit(&self, spec: &str, old: &str, new: &str) {
        let path = self.path(&format!("specs/{spec}"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches(old).count(), 1, "{old}");
        std::fs::write(&path, text.replace(old, new)).unwrap();
    }

    fn xtask(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("--root")
            .arg(self.dir.path())
            .args(args)
            .output()
            .unwrap()
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The scenario: a branch that deletes a user property, adds a required query
/// parameter and adds a response enum value.
fn acceptance_branch() -> Repo {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "spec-change"]);
    repo.edit(
        "zendesk-sell.yaml",
        "        email:
          type: string
          description: >-
            Email address of the user. Not validated as an address: an empty string has been seen.
",
        "",
    );
    repo.edit(
        "zendesk-sell.yaml",
        "              - integration
      responses:
",
        "              - integration
        - name: account_id
          in: query
          required: true
          description: The account whose users to list.
          schema:
            type: integer
            format: int64
      responses:
",
    );
    repo.edit(
        "zendesk-sell.yaml",
        "      x-extensible-enum:
        - active
        - inactive
",
        "      x-extensible-enum:
        - active
        - inactive
        - suspended
",
    );
    repo.git(&["commit", "-q", "-am", "spec change"]);
    repo
}

#[test]
fn acceptance_scenario_markdown() {
    let repo = acceptance_branch();
    let output = repo.xtask(&["diff", "main"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn acceptance_scenario_findings() {
    let repo = acceptance_branch();
    let output = repo.xtask(&["diff", "main", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["bump"], "major");
    let findings: Vec<(String, String, String)> = report["providers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["findings"].as_array().unwrap().clone())
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or_default().to_owned();
            (text("severity"), text("rule"), text("rust"))
        })
        .collect();
    assert_eq!(
        findings,
        [
            (
                "breaking".to_owned(),
                "property-removed".to_owned(),
                "rollcall::zendesk_sell::types::User::email".to_owned()
            ),
            (
                "breaking".to_owned(),
                "required-parameter-added".to_owned(),
                "rollcall::zendesk_sell::builder::ListUsers::account_id".to_owned()
            ),
            (
                "warning".to_owned(),
                "enum-value-added".to_owned(),
                "rollcall::zendesk_sell::types::UserStatus::Suspended".to_owned()
            ),
        ]
    );
}

#[test]
fn fail_on_sets_the_exit_code() {
    let repo = acceptance_branch();
    assert_eq!(
        repo.xtask(&["diff", "main", "--fail-on", "breaking"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        repo.xtask(&["diff", "main", "--fail-on", "warning"])
            .status
            .code(),
        Some(1)
    );
    // The branch is committed: against itself nothing changed.
    assert_eq!(
        repo.xtask(&["diff", "--fail-on", "warning"]).status.code(),
        Some(0)
    );
}

#[test]
fn warnings_alone_fail_only_on_warning() {
    let repo = Repo::new();
    repo.edit(
        "sequence.yaml",
        "        - active
        - deleted
",
        "        - active
        - deleted
        - invited
",
    );
    // Uncommitted: the default BASE is HEAD.
    let output = repo.xtask(&["diff", "--fail-on", "breaking"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("needs a **minor** release"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        repo.xtask(&["diff", "--fail-on", "warning"]).status.code(),
        Some(1)
    );
}

#[test]
fn providers_added_and_removed() {
    let repo = Repo::new();
    std::fs::remove_file(repo.path("specs/sequence.yaml")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint/good.yaml"),
        repo.path("specs/acme-hr.yaml"),
    )
    .unwrap();
    let output = repo.xtask(&["diff"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn unknown_base_is_an_error() {
    let repo = Repo::new();
    let output = repo.xtask(&["diff", "no-such-branch"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: `no-such-branch` is not a revision of this repository"),
        "{stderr}"
    );
}

#[test]
fn waived_findings_do_not_fail_and_a_malformed_waiver_file_is_one_line() {
    let repo = Repo::new();
    repo.edit(
        "sequence.yaml",
        "        - active
        - deleted
",
        "        - active
",
    );
    assert_eq!(
        repo.xtask(&["diff", "--fail-on", "breaking"]).status.code(),
        Some(1)
    );
    let report: Value =
        serde_json::from_str(&stdout(&repo.xtask(&["diff", "--format", "json"]))).unwrap();
    let finding = &report["providers"][0]["findings"][0];
    assert_eq!(finding["rule"], "enum-value-removed");
    let pointer = finding["pointer"].as_str().unwrap().to_owned();
    std::fs::create_dir_all(repo.path("specs/waivers")).unwrap();
    std::fs::write(
        repo.path("specs/waivers/diff.yaml"),
        format!(
            "waivers:\n  - provider: sequence\n    rule: enum-value-removed\n    pointer: {pointer}\n    \
             reason: Sequence no longer lists deleted users.\n    expires: '2999-12-31'\n  \
             - provider: sequence\n    rule: property-removed\n    pointer: /nowhere\n    \
             reason: Left over.\n    expires: '2000-01-01'\n"
        ),
    )
    .unwrap();
    let output = repo.xtask(&["diff", "--fail-on", "breaking"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("**waived** until 2999-12-31: Sequence no longer lists deleted users."),
        "{text}"
    );
    assert!(
        text.contains("- **expired** on 2000-01-01, waives nothing"),
        "{text}"
    );
    std::fs::write(
        repo.path("specs/waivers/diff.yaml"),
        "waivers:\n  - rule: [\n",
    )
    .unwrap();
    let output = repo.xtask(&["diff"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: specs/waivers/diff.yaml:"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
