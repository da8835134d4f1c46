//! Waivers (`specs/waivers/diff.yaml`): accepted findings are marked, not failed on; expired and
//! unused waivers are reported; a malformed file is one located line. The command's exit codes
//! with a waiver file are in diff_git.rs.

use std::path::Path;

use xtask::diff::waivers::{WaiverStatus, Waivers};
use xtask::diff::{self, Bump, Report, Severity};

/// The property-removed case: one breaking finding at this pointer.
const POINTER: &str = "/components/schemas/User/properties/email";

fn report() -> Report {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/property-removed");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    diff::compare_texts("fixture", &read("old.yaml"), &read("new.yaml")).unwrap()
}

fn waivers(entries: &str) -> Waivers {
    Waivers::parse("specs/waivers/diff.yaml", &format!("waivers:\n{entries}")).unwrap()
}

fn entry(pointer: &str, expires: &str) -> String {
    format!(
        "  - provider: fixture\n    rule: property-removed\n    pointer: {pointer}\n    \
         reason: Nobody reads it.\n    expires: '{expires}'\n"
    )
}

#[test]
fn a_waiver_marks_its_finding_and_fail_on_ignores_it() {
    let mut report = report();
    assert_eq!(report.count_unwaived(Severity::Breaking), 1);
    report.apply_waivers(&waivers(&entry(POINTER, "2026-12-31")), "2026-12-31");
    assert_eq!(report.count_unwaived(Severity::Breaking), 0);
    assert_eq!(report.count(Severity::Breaking), 1);
    // Accepted is not compatible: the release is still major.
    assert_eq!(report.bump, Bump::Major);
    let finding = &report.providers[0].findings[0];
    assert_eq!(finding.waived.as_ref().unwrap().reason, "Nobody reads it.");
    assert_eq!(report.waivers[0].status, WaiverStatus::Applied);
    let markdown = report.markdown();
    assert!(
        markdown.contains("**waived** until 2026-12-31: Nobody reads it."),
        "{markdown}"
    );
    assert!(markdown.contains("(1 waived, which `--fail-on` ignores)"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["providers"][0]["findings"][0]["waived"]["reason"],
        "Nobody reads it."
    );
    assert_eq!(json["waivers"][0]["status"], "applied");
}

#[test]
fn an_expired_waiver_waives_nothing_and_is_reported() {
    let mut report = report();
    report.apply_waivers(&waivers(&entry(POINTER, "2026-01-31")), "2026-02-01");
    assert_eq!(report.count_unwaived(Severity::Breaking), 1);
    assert!(report.providers[0].findings[0].waived.is_none());
    assert_eq!(report.waivers[0].status, WaiverStatus::Expired);
    let markdown = report.markdown();
    assert!(
        markdown.contains(
            "- **expired** on 2026-01-31, waives nothing: `fixture` `property-removed` at \
             `#/components/schemas/User/properties/email` (Nobody reads it.)"
        ),
        "{markdown}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["waivers"][0]["status"], "expired");
}

#[test]
fn a_waiver_matching_nothing_is_unused() {
    let mut report = report();
    let other = "/components/schemas/User/properties/name";
    report.apply_waivers(&waivers(&entry(other, "2999-12-31")), "2026-02-01");
    assert_eq!(report.count_unwaived(Severity::Breaking), 1);
    assert_eq!(report.waivers[0].status, WaiverStatus::Unused);
    assert!(
        report
            .markdown()
            .contains("- **unused**: matches no finding: `fixture` `property-removed`")
    );
}

#[test]
fn no_waivers_no_section() {
    let mut report = report();
    report.apply_waivers(&Waivers::default(), "2026-02-01");
    assert!(!report.markdown().contains("## Waivers"));
    let json = serde_json::to_value(&report).unwrap();
    assert!(json.get("waivers").is_none());
}

#[test]
fn a_malformed_file_is_one_located_line() {
    let file = "specs/waivers/diff.yaml";
    let error = |text: &str| Waivers::parse(file, text).unwrap_err().to_string();
    let cases = [
        (
            "waivers:\n  - provider: fixture\n    rule: property-removed\n",
            "specs/waivers/diff.yaml:2:5: waivers[0]: missing field `pointer`",
        ),
        (
            "waivers:\n  - provider: fixture\n    rule: property-gone\n    pointer: /a\n    \
             reason: r\n    expires: '2026-01-01'\n",
            "specs/waivers/diff.yaml:3:5: unknown rule `property-gone` (xtask/RULES.md lists them)",
        ),
        (
            "waivers:\n  - provider: fixture\n    rule: property-removed\n    pointer: /a\n    \
             reason: r\n    expires: next week\n",
            "specs/waivers/diff.yaml:6:5: `next week` is not a date `YYYY-MM-DD`",
        ),
        (
            "waivers:\n  - provider: fixture\n    rule: property-removed\n    pointer: /a\n    \
             reason: ''\n    expires: '2026-01-01'\n",
            "specs/waivers/diff.yaml:5:5: a waiver needs a reason",
        ),
        (
            "waivers: [\n",
            "specs/waivers/diff.yaml:2:1: did not find expected node content",
        ),
    ];
    for (text, expected) in cases {
        let message = error(text);
        assert!(!message.contains('\n'), "{message}");
        assert!(
            message.starts_with(expected),
            "{message}\nexpected: {expected}"
        );
    }
}
