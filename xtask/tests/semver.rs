//! The semver fixtures: every everyday spec change under fixtures/semver/<case>/ (`old.yaml` →
//! `new.yaml`) gets from `cargo xtask diff` the verdict in its `verdict` file, the one
//! `cargo xtask semver --fixtures` confirmed against cargo-semver-checks (xtask/RULES.md says
//! which rules it sees). The confirmation needs cargo-semver-checks and minutes of building, so
//! it is not run here; this test keeps the rules from drifting away from the confirmed verdicts.

use std::path::Path;

use xtask::diff::{self, Bump, Impact, Severity};
use xtask::semver::{self, Agreement, Checked};

#[test]
fn each_everyday_change_has_its_confirmed_verdict() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/semver");
    let mut cases: Vec<String> = Vec::new();
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let dir = entry.unwrap().path();
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        let case = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expected = semver::parse_bump(read("verdict").trim()).unwrap();
        let report = diff::compare_texts("fixture", &read("old.yaml"), &read("new.yaml")).unwrap();
        if report.bump != expected {
            wrong.push(format!(
                "{case}: xtask diff says {}, confirmed {}",
                semver::name(report.bump),
                semver::name(expected)
            ));
        }
        cases.push(case);
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    cases.sort();
    // The everyday changes, each one case at least.
    assert_eq!(
        cases,
        [
            "descriptions-only",
            "enum-value-added",
            "parameter-added",
            "parameter-removed",
            "property-added",
            "property-nullable-optional",
            "property-nullable-required",
            "property-optional",
            "property-removed",
        ]
    );
}

fn fixture_report(case: &str) -> diff::ProviderReport {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/semver")
        .join(case);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    diff::compare_texts("fixture", &read("old.yaml"), &read("new.yaml"))
        .unwrap()
        .providers
        .remove(0)
}

fn checked(bump: Bump, lints: &[&str]) -> Checked {
    Checked {
        bump,
        lints: lints.iter().map(|l| (*l).to_owned()).collect(),
    }
}

#[test]
fn a_field_type_change_is_major_that_cargo_semver_checks_cannot_see() {
    let report = fixture_report("property-optional");
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.severity == Severity::Breaking && f.impact == Impact::FieldType)
    );
    match semver::agreement(&report, &checked(Bump::None, &[])) {
        Agreement::Unseen(findings) => {
            assert_eq!(
                findings,
                [
                    "`property-optional` (a field's or setter's type changes) at `#/components/schemas/Person/properties/email`"
                ]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_removed_field_must_be_seen() {
    let report = fixture_report("property-removed");
    assert_eq!(
        semver::agreement(
            &report,
            &checked(Bump::Major, &["struct_pub_field_missing"])
        ),
        Agreement::Agree
    );
    assert!(matches!(
        semver::agreement(&report, &checked(Bump::None, &[])),
        Agreement::Disagree(_)
    ));
}

#[test]
fn a_major_from_cargo_semver_checks_alone_is_a_disagreement() {
    let report = fixture_report("property-added");
    let verdict = semver::agreement(
        &report,
        &checked(Bump::Major, &["constructible_struct_adds_field"]),
    );
    assert_eq!(
        verdict,
        Agreement::Disagree(
            "cargo-semver-checks requires a major release (constructible_struct_adds_field), \
             `xtask diff` says minor"
                .to_owned()
        )
    );
    assert_eq!(
        semver::agreement(&report, &checked(Bump::None, &[])),
        Agreement::Agree
    );
}

#[test]
fn cargo_semver_checks_output_is_read() {
    let output = "     Parsing rollcall v0.1.0 (current)
    Checking rollcall v0.1.0 -> v0.1.0 (no change; assume patch)
     Checked [   0.012s] 196 checks: 195 pass, 1 fail, 0 warn, 0 skip

--- failure struct_pub_field_missing: pub struct's pub field removed or renamed ---

Description:
A publicly-visible struct has at least one public field that is no longer available under its prior name.

     Summary semver requires new major version: 1 major and 0 minor checks failed
";
    assert_eq!(
        semver::parse_output(output).unwrap(),
        checked(Bump::Major, &["struct_pub_field_missing"])
    );
    let clean = "     Checked [   0.010s] 196 checks: 196 pass, 0 skip\n     Summary no semver update required\n";
    assert_eq!(
        semver::parse_output(clean).unwrap(),
        checked(Bump::None, &[])
    );
    assert!(semver::parse_output("error: something else").is_err());
}
