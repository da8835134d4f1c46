//! `cargo xtask lint`: each rule has a fixture under fixtures/lint/ that breaks it once (or
//! twice), and the exact lines it gives; the fixture `good.yaml` and the real specs break none.

use std::path::Path;

use xtask::lint::{self, lint_text};
use xtask::project::Project;

fn fixture(name: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lint")
        .join(format!("{name}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    lint_text(&format!("specs/{name}.yaml"), &text)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn good_fixture_passes() {
    assert_eq!(fixture("good"), Vec::<String>::new());
}

#[test]
fn project_specs_pass() {
    let project = Project::workspace();
    for provider in project.providers().unwrap() {
        let path = project.spec_path(&provider);
        let text = std::fs::read_to_string(&path).unwrap();
        let problems = lint_text(&project.display(&path), &text).unwrap();
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(lines, Vec::<String>::new(), "{}", provider.name);
    }
}

#[test]
fn every_rule_has_a_failing_fixture() {
    for (rule, _) in lint::RULES {
        let lines = fixture(rule);
        assert!(
            !lines.is_empty(),
            "fixtures/lint/{rule}.yaml breaks nothing"
        );
        for line in &lines {
            assert!(
                line.contains(&format!(": [{rule}] ")),
                "fixtures/lint/{rule}.yaml breaks another rule: {line}"
            );
        }
    }
}

#[test]
fn extensions() {
    assert_eq!(
        fixture("extensions"),
        [
            "specs/extensions.yaml:13:3: #/x-rollcall/retries: [extensions] unknown key `retries` (known: errors, envelope, any-content-type, servers-enum, rate-limit, account, walks, slow-down)"
        ]
    );
}

/// `x-rollcall.account` is read and checked: each mistake is one located line.
#[test]
fn account_mapping() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint/good.yaml");
    let good = std::fs::read_to_string(&path).unwrap();
    let with = |account: &str| {
        let text = good.replacen(
            "paths:\n",
            &format!("x-rollcall:\n  account:\n{account}paths:\n"),
            1,
        );
        lint_text("specs/good.yaml", &text)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .map(|line| {
                line.split_once(": #")
                    .map(|(_, rest)| format!("#{rest}"))
                    .unwrap_or(line)
            })
            .collect::<Vec<_>>()
    };
    let fine = "    name: null\n    status:\n      - {value: active, at: /name, present: true}\n      - {value: deleted}\n    kind:\n      - value: bot\n        all: [{at: /id, is: [1, 2]}, {at: /email, is: bot@example.com, ci: true}]\n    roles: [/nickname]\n    privileged:\n      - {at: /nickname, is: admin}\n      - {value: false, at: /id, is: null}\n";
    assert_eq!(with(fine), Vec::<String>::new());
    assert_eq!(
        with("    roles: [/rank]\n"),
        ["#/x-rollcall/account/roles/0: [extensions] `rank` is not a property of the user schema"]
    );
    assert_eq!(
        with("    status:\n      - {value: gone, at: /name, present: false}\n"),
        [
            "#/x-rollcall/account/status/0/value: [extensions] unknown value `gone` (one of active, inactive, suspended, invited, deleted, unknown)"
        ]
    );
    assert_eq!(
        with("    kind:\n      - {value: bot, at: /name}\n"),
        ["#/x-rollcall/account/kind/0: [extensions] a test has exactly one of `is` and `present`"]
    );
    assert_eq!(
        with("    manager: reports_to\n"),
        [
            "#/x-rollcall/account/manager: [extensions] `reports_to` is not a JSON pointer (it starts with `/`)"
        ]
    );
    assert_eq!(
        with("    status:\n      - {at: /name, is: x}\n"),
        [
            "#/x-rollcall/account/status/0: [extensions] a rule needs `value` (one of active, inactive, suspended, invited, deleted, unknown)"
        ]
    );
}

#[test]
fn operation_id() {
    assert_eq!(
        fixture("operation-id"),
        [
            "specs/operation-id.yaml:20:7: #/paths/~1users/get/operationId: [operation-id] `operationId` `listUsers` is not snake_case"
        ]
    );
}

#[test]
fn operation_summary() {
    assert_eq!(
        fixture("operation-summary"),
        [
            "specs/operation-summary.yaml:19:5: #/paths/~1users/get: [operation-summary] operation `list_users` has no `summary`"
        ]
    );
}

#[test]
fn operation_description() {
    assert_eq!(
        fixture("operation-description"),
        [
            "specs/operation-description.yaml:19:5: #/paths/~1users/get: [operation-description] operation `list_users` has no `description`"
        ]
    );
}

#[test]
fn operation_tag() {
    assert_eq!(
        fixture("operation-tag"),
        [
            "specs/operation-tag.yaml:24:11: #/paths/~1users/get/tags/0: [operation-tag] tag `people` is not declared in the top-level `tags`"
        ]
    );
}

#[test]
fn description() {
    assert_eq!(
        fixture("description"),
        [
            "specs/description.yaml:41:11: #/paths/~1users/get/parameters/1: [description] parameter `per_page` has no `description`",
            "specs/description.yaml:135:9: #/components/schemas/User/properties/email: [description] property `email` has no `description`",
        ]
    );
}

#[test]
fn pagination() {
    assert_eq!(
        fixture("pagination"),
        [
            "specs/pagination.yaml:28:9: #/paths/~1users/get/x-rollcall-pagination/page-param: [pagination] `page-param` `p` is not a query parameter of `list_users`",
            "specs/pagination.yaml:30:9: #/paths/~1users/get/x-rollcall-pagination/max-size: [pagination] `max-size` 500 is above the size parameter's `maximum` 100",
        ]
    );
}

#[test]
fn example_valid() {
    assert_eq!(
        fixture("example-valid"),
        [
            r#"specs/example-valid.yaml:67:17: #/paths/~1users/get/responses/200/content/application~1json/examples/docs: [example-valid] example `docs` does not match its schema at /items/0/created_at: "yesterday" is not a "date-time""#
        ]
    );
}

#[test]
fn open_enum() {
    assert_eq!(
        fixture("open-enum"),
        [
            "specs/open-enum.yaml:152:7: #/components/schemas/UserRole/enum: [open-enum] response enum does not say whether it is open: use `x-extensible-enum` (open, the convention) or mark it `x-rollcall-closed: true`"
        ]
    );
}

#[test]
fn error_responses() {
    assert_eq!(
        fixture("error-responses"),
        [
            "specs/error-responses.yaml:93:9: #/paths/~1users/get/responses/5XX: [error-responses] error response `5XX` has another schema than `429`: every error status of an operation shares one"
        ]
    );
}

#[test]
fn retry_after() {
    assert_eq!(
        fixture("retry-after"),
        [
            "specs/retry-after.yaml:76:9: #/paths/~1users/get/responses/429: [retry-after] `429` response declares no `Retry-After` header"
        ]
    );
}

#[test]
fn servers() {
    assert_eq!(
        fixture("servers"),
        [
            "specs/servers.yaml:6:5: #/servers/0/url: [servers] server URL `http://{account}.example.com` is not an absolute https URL"
        ]
    );
}

#[test]
fn security() {
    assert_eq!(
        fixture("security"),
        [
            "specs/security.yaml:16:5: #/security/0/tokenAuth: [security] `tokenAuth` is not a scheme of `components.securitySchemes`"
        ]
    );
}

#[test]
fn yaml_error_is_located() {
    let error = lint_text("specs/broken.yaml", "openapi: 3.0.3\npaths: [\n").unwrap_err();
    assert!(
        error.to_string().starts_with("specs/broken.yaml:"),
        "{error}"
    );
}

#[test]
fn command_exits_1_and_prints_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("specs")).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint");
    for name in ["good", "retry-after"] {
        std::fs::copy(
            fixtures.join(format!("{name}.yaml")),
            dir.path().join(format!("specs/{name}.yaml")),
        )
        .unwrap();
    }
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("--root")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let all = run(&["lint"]);
    assert_eq!(all.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(all.stdout).unwrap(),
        "specs/retry-after.yaml:76:9: #/paths/~1users/get/responses/429: [retry-after] `429` response declares no `Retry-After` header\n"
    );
    let good = run(&["lint", "good"]);
    assert_eq!(good.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(good.stderr).unwrap(),
        "lint: 1 spec(s) pass all 13 rules\n"
    );
}

#[test]
fn rules_md_lists_every_rule() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("RULES.md")).unwrap();
    let names = lint::RULES
        .iter()
        .map(|(rule, _)| *rule)
        .chain(xtask::diff::RULES.iter().map(|(rule, _, _)| *rule));
    for rule in names {
        assert!(
            text.contains(&format!("| `{rule}`")) || text.contains(&format!(", `{rule}`")),
            "xtask/RULES.md has no row for `{rule}`"
        );
    }
}

#[test]
fn a_problem_without_a_line_keeps_the_pointer() {
    let problem = lint::Problem {
        file: "specs/x.yaml".into(),
        line: None,
        pointer: "/servers".into(),
        rule: "servers",
        message: "the spec declares no `servers`".into(),
    };
    assert_eq!(
        problem.to_string(),
        "specs/x.yaml#/servers: [servers] the spec declares no `servers`"
    );
}

/// An `oauth2` scheme: the good fixture with its bearer scheme replaced by `scheme`.
fn with_oauth2(scheme: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint/good.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let bearer = "    bearerAuth:\n      type: http\n      scheme: bearer\n      description: A personal access token.\n";
    assert!(text.contains(bearer));
    let text = text.replace(bearer, scheme);
    lint_text("specs/oauth.yaml", &text)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn oauth2_client_credentials() {
    let scheme = |flows: &str, ext: &str| {
        format!(
            "    bearerAuth:\n      type: oauth2\n      description: An application's token.\n      \
             flows:\n{flows}      x-rollcall-auth:\n        env: {{client_id: APP_ID}}\n{ext}"
        )
    };
    let good = "        clientCredentials:\n          tokenUrl: https://login.example.com/%7Btenant%7D/token\n          scopes:\n            api.read: Read.\n";
    assert_eq!(with_oauth2(&scheme(good, "")), Vec::<String>::new());
    assert_eq!(
        with_oauth2(&scheme(
            good,
            "        renew-on: [TokenExpired]\n        token-refusal: {error: invalid_client}\n"
        )),
        Vec::<String>::new()
    );
    let lines = |flows: &str, ext: &str| with_oauth2(&scheme(flows, ext)).join("\n");
    let implicit = "        implicit:\n          authorizationUrl: https://login.example.com/auth\n          scopes: {}\n";
    assert!(
        lines(implicit, "").contains("only the clientCredentials flow is supported"),
        "{}",
        lines(implicit, "")
    );
    let relative = "        clientCredentials:\n          tokenUrl: /token\n          scopes: {}\n";
    assert!(lines(relative, "").contains("absolute https URL"));
    let host = "        clientCredentials:\n          tokenUrl: https://%7Bauthority%7D/token\n          scopes: {}\n";
    assert!(lines(host, "").contains("host is not a placeholder"));
    let braces = "        clientCredentials:\n          tokenUrl: https://login.example.com/{tenant}/token\n          scopes: {}\n";
    assert!(
        lines(braces, "").contains("percent-encoded"),
        "{}",
        lines(braces, "")
    );
    let refusal = lines(good, "        token-refusal: {message: no}\n");
    assert!(refusal.contains("an OAuth error response"), "{refusal}");
    let renew = lines(good, "        renew-on: TokenExpired\n");
    assert!(renew.contains("a list of error codes"), "{renew}");
}

/// `x-rollcall.walks` and `x-rollcall.slow-down` are read and checked, on the spec that uses
/// them: a narrowing walk after the whole one, an operation that is no list, a lone walk, and
/// a slow-down refusal that is a 429 or told by nothing are each one located line.
#[test]
fn walks_and_slow_down() {
    let project = Project::workspace();
    let spec = project
        .providers()
        .unwrap()
        .into_iter()
        .map(|provider| std::fs::read_to_string(project.spec_path(&provider)).unwrap())
        .find(|text| text.contains("\n  walks:\n"))
        .expect("a spec with x-rollcall.walks");
    let start = spec.find("\n  walks:\n").unwrap() + 1;
    let end = start + spec[start..].find("\n  account:\n").unwrap() + 1;
    let with = |block: &str| {
        let text = format!("{}{block}{}", &spec[..start], &spec[end..]);
        lint_text("specs/walks.yaml", &text)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    let narrow_last = with(
        "  walks:\n    - {operation: list_members}\n    - {operation: list_members, send: {role: admin}, privileged: true}\n",
    );
    assert_eq!(narrow_last.len(), 1, "{narrow_last:?}");
    assert!(
        narrow_last[0]
            .contains("#/x-rollcall/walks/1: [extensions] this walk narrows `list_members`"),
        "{narrow_last:?}"
    );
    let unknown =
        with("  walks:\n    - {operation: list_members}\n    - {operation: list_teams}\n");
    assert!(
        unknown[0].contains(
            "#/x-rollcall/walks/1/operation: [extensions] `list_teams` is not a list operation"
        ),
        "{unknown:?}"
    );
    let lone = with("  walks:\n    - {operation: list_members}\n");
    assert!(lone[0].contains("one walk is the list's own"), "{lone:?}");
    let bad_kind = with(
        "  walks:\n    - {operation: list_members}\n    - {operation: list_outside_collaborators, kind: contractor}\n",
    );
    assert!(
        bad_kind[0].contains("#/x-rollcall/walks/1/kind"),
        "{bad_kind:?}"
    );
    let status =
        with("  slow-down:\n    - {status: 429, header: x-ratelimit-remaining, is: '0'}\n");
    assert!(
        status[0].contains(
            "#/x-rollcall/slow-down/0/status: [extensions] expected an error status other than 429"
        ),
        "{status:?}"
    );
    let nothing = with("  slow-down:\n    - {status: 403, is: '0'}\n");
    assert!(
        nothing[0].contains("exactly one of `header` or `at`"),
        "{nothing:?}"
    );
}

/// `x-rollcall.errors.request-id-header` is a list of header names; anything else is one located
/// line.
#[test]
fn request_id_header() {
    let project = Project::workspace();
    let declared = "    request-id-header: [x-zendesk-request-id]\n";
    let spec = project
        .providers()
        .unwrap()
        .into_iter()
        .map(|provider| std::fs::read_to_string(project.spec_path(&provider)).unwrap())
        .find(|text| text.contains(declared))
        .expect("a spec that names its request id header");
    let with = |line: &str| {
        lint_text("specs/ids.yaml", &spec.replace(declared, line))
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        with("    request-id-header: [X-Zendesk-Request-Id, x-request-id]\n"),
        Vec::<String>::new()
    );
    let spaced = with("    request-id-header: [x zendesk]\n");
    assert_eq!(spaced.len(), 1, "{spaced:?}");
    assert!(
        spaced[0].contains(
            "#/x-rollcall/errors/request-id-header/0: [extensions] expected an HTTP header name"
        ),
        "{spaced:?}"
    );
    let bare = with("    request-id-header: x-zendesk-request-id\n");
    assert!(
        bare[0].contains("#/x-rollcall/errors/request-id-header: [extensions] expected a list"),
        "{bare:?}"
    );
}
