//! `cargo xtask diff`: every rule has a pair of small specs under fixtures/diff/<case>/ and a
//! snapshot of the report they give.

use std::collections::BTreeSet;
use std::path::Path;

use xtask::diff::{self, Report};

fn report(dir: &Path) -> Report {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
    };
    diff::compare_texts("fixture", &read("old.yaml"), &read("new.yaml"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

#[test]
fn each_case_reports_as_snapshotted() {
    insta::glob!("fixtures/diff/*/new.yaml", |path| {
        let report = report(path.parent().expect("a case directory"));
        insta::assert_snapshot!(report.markdown());
    });
}

#[test]
fn json_report() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/property-removed");
    insta::assert_json_snapshot!(report(&dir));
}

#[test]
fn every_rule_has_a_case() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff");
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let dir = entry.unwrap().path();
        for provider in report(&dir).providers {
            seen.extend(provider.findings.into_iter().map(|f| f.rule));
        }
    }
    // The provider rules need git: tests/diff_git.rs covers them.
    let expected: BTreeSet<&str> = diff::RULES
        .iter()
        .map(|(rule, _, _)| *rule)
        .filter(|rule| !rule.starts_with("provider-"))
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn verdicts() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff");
    let bump = |case: &str| report(&fixtures.join(case)).bump;
    assert_eq!(bump("property-removed"), diff::Bump::Major);
    assert_eq!(bump("enum-value-added"), diff::Bump::Minor);
    assert_eq!(bump("property-added"), diff::Bump::Minor);
    assert_eq!(bump("descriptions-only"), diff::Bump::Patch);
    assert_eq!(bump("unchanged"), diff::Bump::None);
    // A union of walks changes the type `all_users` yields.
    assert_eq!(bump("walks-added"), diff::Bump::Major);
}

#[test]
fn an_oauth_scopes_description_is_docs_and_its_token_url_is_not() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/unchanged");
    let text = std::fs::read_to_string(dir.join("old.yaml")).unwrap();
    let bearer = "    bearerAuth:\n      type: http\n      scheme: bearer\n      description: A personal access token.\n";
    assert!(text.contains(bearer));
    let oauth = |token_url: &str, scope: &str| {
        text.replace(
            bearer,
            &format!(
                "    bearerAuth:\n      type: oauth2\n      description: An application's token.\n      \
                 flows:\n        clientCredentials:\n          tokenUrl: {token_url}\n          \
                 scopes:\n            api.read: {scope}\n      x-rollcall-auth: {{}}\n"
            ),
        )
    };
    let rules = |old: &str, new: &str| -> Vec<String> {
        diff::compare_texts("fixture", old, new)
            .unwrap()
            .providers
            .into_iter()
            .flat_map(|p| p.findings)
            .map(|f| f.rule.to_owned())
            .collect()
    };
    let old = oauth(
        "https://login.example.com/%7Btenant%7D/token",
        "Read users.",
    );
    let reworded = oauth(
        "https://login.example.com/%7Btenant%7D/token",
        "Read every user.",
    );
    assert!(
        !rules(&old, &reworded).contains(&"security-scheme-changed".to_owned()),
        "{:?}",
        rules(&old, &reworded)
    );
    let moved = oauth(
        "https://login.example.org/%7Btenant%7D/token",
        "Read users.",
    );
    assert!(rules(&old, &moved).contains(&"security-scheme-changed".to_owned()));
}
