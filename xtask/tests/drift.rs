//! `cargo xtask drift`: reports become edits that keep a real spec valid for codegen and lint,
//! a malformed report is one line naming the file and line, and a report of a provider whose
//! spec is gone is listed as such with nothing written.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

fn xtask(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("xtask runs")
}

/// A scratch project holding a copy of one real spec.
fn scratch(name: &str, spec: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!(
        "rollcall-xtask-drift-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("specs")).unwrap();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::copy(
        workspace.join("specs").join(format!("{spec}.yaml")),
        root.join("specs").join(format!("{spec}.yaml")),
    )
    .unwrap();
    root
}

#[test]
fn every_kind_of_finding_becomes_a_spec_that_still_generates() {
    let spec = "zendesk-support";
    let root = scratch("kinds", spec);
    let user = "/components/schemas/User";
    let op = "/paths/~1api~1v2~1users/get";
    let report = json!({
        "kind": "rollcall drift report, version 1",
        "provider": spec,
        "spec": "whatever",
        "findings": [
            {"pointer": format!("{user}/properties/rollcall_fake_planted"), "kind": "undeclared-property", "count": 1, "first_page": 1, "seen": "string"},
            {"pointer": "/components/schemas/UserRole", "kind": "unknown-enum-value", "count": 2, "first_page": 1, "seen": "string", "values": ["light-agent"]},
            {"pointer": format!("{user}/required"), "kind": "missing-required", "count": 1, "first_page": 1, "seen": "name"},
            {"pointer": format!("{user}/properties/locale"), "kind": "unexpected-null", "count": 1, "first_page": 2, "seen": "null"},
            {"pointer": format!("{user}/properties/created_at"), "kind": "format-mismatch", "count": 1, "first_page": 1, "seen": "string"},
            {"pointer": format!("{op}/responses/200/headers"), "kind": "undeclared-header", "count": 3, "first_page": 1, "seen": "x-ratelimit-remaining"},
            {"pointer": format!("{op}/responses/200/content"), "kind": "undeclared-content-type", "count": 3, "first_page": 1, "seen": "text/json"}
        ]
    });
    let file = root.join("drift.json");
    std::fs::write(&file, report.to_string()).unwrap();
    let before = std::fs::read_to_string(root.join("specs/zendesk-support.yaml")).unwrap();

    // Without --write: the patch on stdout, the spec untouched.
    let run = xtask(&root, &["drift", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("undeclared-property"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(root.join("specs/zendesk-support.yaml")).unwrap(),
        before
    );

    let run = xtask(&root, &["drift", file.to_str().unwrap(), "--write"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let after = std::fs::read_to_string(root.join("specs/zendesk-support.yaml")).unwrap();
    let raw: serde_json::Value = serde_yaml::from_str(&after).unwrap();
    let schema = &raw["components"]["schemas"]["User"];
    assert_eq!(
        schema["properties"]["rollcall_fake_planted"]["type"],
        "string"
    );
    assert!(
        !schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "name")
    );
    assert_eq!(schema["properties"]["locale"]["nullable"], true);
    assert!(schema["properties"]["created_at"].get("format").is_none());
    assert!(
        raw["components"]["schemas"]["UserRole"]["x-extensible-enum"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "light-agent")
    );
    assert_eq!(raw["x-rollcall"]["any-content-type"], true);
    // Every line the edits did not touch is still there, comments included.
    let kept = before.lines().filter(|l| after.contains(l)).count();
    assert!(
        kept + 5 >= before.lines().count(),
        "{kept} of {}",
        before.lines().count()
    );

    // The edited spec still generates and passes lint.
    let generated = xtask::codegen::generate_source("specs/zendesk-support.yaml", spec, &after);
    assert!(generated.is_ok(), "{:?}", generated.err());
    let run = xtask(&root, &["lint"]);
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn bad_reports_and_gone_specs_write_nothing() {
    let root = scratch("bad", "zendesk-sell");
    let bad = root.join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"provider\": \"zendesk-sell\",\n  \"findings\": [1]\n}\n",
    )
    .unwrap();
    let run = xtask(&root, &["drift", bad.to_str().unwrap(), "--write"]);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("bad.json:3"), "{stderr}");

    let gone = root.join("gone.json");
    std::fs::write(
        &gone,
        json!({"provider": "no-such-provider", "findings": [
            {"pointer": "/components/schemas/User/required", "kind": "missing-required", "count": 1, "first_page": 1, "seen": "x"}
        ]})
        .to_string(),
    )
    .unwrap();
    let run = xtask(&root, &["drift", gone.to_str().unwrap(), "--write"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stdout).contains("no such spec"));
    let specs: Vec<_> = std::fs::read_dir(root.join("specs")).unwrap().collect();
    assert_eq!(specs.len(), 1, "nothing written");
}
