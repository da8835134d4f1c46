//! The `rollcall` binary run as a process against loopback imitations of the providers.

use std::path::PathBuf;
use std::process::Command;

use rollcall::Provider;
use rollcall::testing::Fault;
use rollcall_tests::fixtures;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod run;
use run::rollcall;

const SELL_TOKEN: &str = "sell-secret-token-0123456789";

/// The path of `provider`'s list operation, from its spec.
fn list_path(provider: Provider) -> &'static str {
    provider.fake().walked().expect("a list operation").path
}

/// The variables a client of `provider` reads, with the kit's fake values.
fn env_of(provider: Provider) -> Vec<(String, String)> {
    provider.fake().env().into_iter().collect()
}

/// The variable of the secret of `provider`'s first way to authenticate (`ZENDESK_SELL_TOKEN`).
fn secret_var(provider: Provider) -> &'static str {
    provider.env_vars()[0].last().expect("a credential")
}

/// `env` as `rollcall()` takes it.
fn borrowed(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The shared Sell fixture, active and not invited unless `overrides` say otherwise.
fn sell_user(id: i64, overrides: Value) -> Value {
    let mut user = fixtures::sell_user(id);
    let defaults = json!({"status": "active", "invited": false});
    for (key, value) in defaults
        .as_object()
        .into_iter()
        .chain(overrides.as_object())
        .flatten()
    {
        user[key] = value.clone();
    }
    user
}

fn sell_page(users: Vec<Value>) -> Value {
    fixtures::sell_page_of(users, None)
}

async fn sell_server(users: Vec<Value>) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(list_path(Provider::ZendeskSell)))
        .respond_with(ResponseTemplate::new(200).set_body_json(sell_page(users)))
        .mount(&server)
        .await;
    server
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rollcall-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(name);
    std::fs::write(&file, text).expect("written");
    file
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_lists_every_provider_with_its_variables() {
    let run = rollcall(&["providers"], &[]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.lines().count(), Provider::ALL.len(), "{run:?}");
    for provider in Provider::ALL {
        let name = provider.name();
        let line = run
            .stdout
            .lines()
            .find(|line| line.starts_with(name) && line[name.len()..].starts_with(' '))
            .unwrap_or_else(|| panic!("no line for {name}: {}", run.stdout));
        for var in provider.env_vars().into_iter().flatten() {
            assert!(line.contains(var), "{var}: {line}");
        }
        assert!(line.contains(provider.info().title), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_prints_accounts_and_raw_records() {
    let server = sell_server(vec![
        sell_user(1, json!({})),
        sell_user(2, json!({"email": ""})),
    ])
    .await;
    let uri = server.uri();
    let env = [(secret_var(Provider::ZendeskSell), SELL_TOKEN)];
    let run = rollcall(&["users", "zendesk-sell", "--base-url", &uri], &env).await;
    assert_eq!(run.code, 0, "{run:?}");
    let lines = run.lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["provider"], "zendesk-sell");
    assert_eq!(lines[0]["id"], "1");
    assert_eq!(lines[0]["email"], "user1@example.com");
    assert_eq!(lines[1]["id"], "2");
    assert_eq!(lines[1]["email"], Value::Null);
    // The line keeps the documented field order.
    let first = run.stdout.lines().next().unwrap();
    let order: Vec<usize> = [
        "provider",
        "id",
        "email",
        "name",
        "status",
        "kind",
        "roles",
        "privileged",
        "created_at",
        "updated_at",
        "last_login_at",
    ]
    .iter()
    .map(|key| first.find(&format!("\"{key}\":")).expect(key))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{first}");
    assert_eq!(lines[0].as_object().unwrap().len(), 11, "{first}");
    assert!(!run.stdout.contains(SELL_TOKEN) && !run.stderr.contains(SELL_TOKEN));

    let raw = rollcall(
        &["users", "zendesk-sell", "--raw", "--base-url", &uri],
        &env,
    )
    .await;
    assert_eq!(raw.code, 0, "{raw:?}");
    let lines = raw.lines();
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[0]["identity_type"], "person");
    assert_eq!(lines[1]["email"], "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2_with_one_line() {
    let missing = rollcall(
        &["users", "zendesk-sell", "--base-url", "http://127.0.0.1:9"],
        &[],
    )
    .await;
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.stderr.contains(secret_var(Provider::ZendeskSell)),
        "{missing:?}"
    );
    assert_eq!(missing.stderr.lines().count(), 1, "{missing:?}");

    let unknown = rollcall(&["users", "salesforce"], &[]).await;
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(unknown.stderr.contains("unknown provider `salesforce`"));
    assert_eq!(unknown.stderr.lines().count(), 1, "{unknown:?}");

    let flag = rollcall(&["users", "zendesk-sell", "--format", "xml"], &[]).await;
    assert_eq!(flag.code, 2, "{flag:?}");
    assert_eq!(flag.stderr.lines().count(), 1, "{flag:?}");

    let help = rollcall(&["users", "--help"], &[]).await;
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Examples:"), "{help:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_failures_exit_1_without_secrets() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(list_path(Provider::ZendeskSell)))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "errors": [{"error": {"code": "unauthorized", "message": "The access token is invalid"}}],
            "meta": {"type": "errors", "http_status": "401 Unauthorized"}
        })))
        .mount(&server)
        .await;
    let run = rollcall(
        &["users", "zendesk-sell", "--base-url", &server.uri()],
        &[(secret_var(Provider::ZendeskSell), SELL_TOKEN)],
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(
        run.stderr.contains("The access token is invalid"),
        "{run:?}"
    );
    assert!(!run.stderr.contains(SELL_TOKEN));
    assert!(run.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_finds_joined_left_and_changed_accounts() {
    let account = |id: &str, status: &str, roles: Value, privileged: bool| {
        json!({"provider": "zendesk-sell", "id": id, "email": format!("{id}@example.com"),
               "name": null, "status": status, "kind": "member", "roles": roles,
               "privileged": privileged, "created_at": null, "updated_at": null,
               "last_login_at": null})
        .to_string()
    };
    let old = temp_file(
        "old.jsonl",
        &[
            account("1", "active", json!(["user"]), false),
            account("2", "active", json!(["user"]), false),
            account("3", "active", json!(["user"]), false),
        ]
        .join("\n"),
    );
    let new = temp_file(
        "new.jsonl",
        &[
            account("1", "active", json!(["user"]), false),
            account("3", "suspended", json!(["admin"]), true),
            account("4", "invited", json!([]), false),
            String::new(),
        ]
        .join("\n"),
    );
    let run = rollcall(
        &["compare", old.to_str().unwrap(), new.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let lines = run.lines();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert_eq!(lines[0]["change"], "left");
    assert_eq!(lines[0]["id"], "2");
    assert_eq!(lines[1]["change"], "changed");
    assert_eq!(lines[1]["id"], "3");
    assert_eq!(
        lines[1]["status"],
        json!({"before": "active", "after": "suspended"})
    );
    assert_eq!(
        lines[1]["roles"],
        json!({"before": ["user"], "after": ["admin"]})
    );
    assert_eq!(
        lines[1]["privileged"],
        json!({"before": false, "after": true})
    );
    assert!(lines[1].get("email").is_none());
    assert_eq!(lines[2]["change"], "joined");
    assert_eq!(lines[2]["id"], "4");
    assert_eq!(lines[2]["status"], "invited");

    let broken = temp_file(
        "broken.jsonl",
        &format!(
            "{}\n{{\"id\": 1\n",
            account("1", "active", json!([]), false)
        ),
    );
    let run = rollcall(
        &["compare", old.to_str().unwrap(), broken.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("broken.jsonl:2:"), "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1);
}

/// One loopback imitation per provider, each serving records that cover its mapping table;
/// every account comes back with the right status, kind, roles and privileged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_provider_maps_its_accounts() {
    struct Case {
        provider: Provider,
        body: Value,
        /// id → (status, kind, privileged)
        expected: &'static [(&'static str, &'static str, &'static str, bool)],
    }
    let uuid = |n: u32| format!("00000000-0000-4000-8000-{n:012x}");
    let cases = [
        Case {
            provider: Provider::ZendeskSell,
            body: sell_page(vec![
                sell_user(1, json!({"role": "admin"})),
                sell_user(2, json!({"status": "inactive"})),
                sell_user(3, json!({"deleted_at": "2024-05-01T00:00:00Z"})),
                sell_user(
                    4,
                    json!({"invited": true, "confirmed": false, "status": "inactive"}),
                ),
                sell_user(5, json!({"identity_type": "integration"})),
                sell_user(6, json!({"sell_login_disabled": true})),
                sell_user(7, json!({"status": "frozen"})),
            ]),
            expected: &[
                ("1", "active", "member", true),
                ("2", "inactive", "member", false),
                ("3", "deleted", "member", false),
                ("4", "invited", "member", false),
                ("5", "active", "bot", false),
                ("6", "suspended", "member", false),
                ("7", "unknown", "member", false),
            ],
        },
        Case {
            provider: Provider::ZendeskSupport,
            body: json!({"users": [
                {"id": 1, "name": "A", "email": "a@x.org", "role": "admin", "active": true, "suspended": false},
                {"id": 2, "name": "B", "email": null, "role": "end-user", "active": true, "suspended": false},
                {"id": 3, "name": "C", "email": "c@x.org", "role": "agent", "active": false, "suspended": false},
                {"id": 4, "name": "D", "email": "d@x.org", "role": "agent", "active": true, "suspended": true},
                {"id": 5, "name": "E", "email": "e@x.org", "role": "agent", "role_type": 4, "active": true},
            ], "meta": {"has_more": false, "after_cursor": null}, "links": {"next": null}, "count": 5}),
            expected: &[
                ("1", "active", "member", true),
                ("2", "active", "end_user", false),
                ("3", "deleted", "member", false),
                ("4", "suspended", "member", false),
                ("5", "active", "member", true),
            ],
        },
        Case {
            provider: Provider::Sequence,
            body: json!({"items": [
                {"id": uuid(1), "email": "a@x.com", "sequenceAccountIds": [], "state": "active",
                 "roles": [{"roleName": "admin"}]},
                {"id": uuid(2), "email": "b@x.com", "sequenceAccountIds": [], "state": "deleted",
                 "roles": [{"roleName": "readOnlyUser"}]},
                {"id": uuid(3), "email": "c@x.com", "sequenceAccountIds": [], "state": "archived",
                 "roles": []},
            ], "pagination": {"after": null, "totalResultSize": 3}}),
            expected: &[
                (
                    "00000000-0000-4000-8000-000000000001",
                    "active",
                    "member",
                    true,
                ),
                (
                    "00000000-0000-4000-8000-000000000002",
                    "deleted",
                    "member",
                    false,
                ),
                (
                    "00000000-0000-4000-8000-000000000003",
                    "unknown",
                    "member",
                    false,
                ),
            ],
        },
        Case {
            provider: Provider::Worksection,
            body: json!({"status": "ok", "data": [
                {"id": "1", "name": "A", "email": "a@x.com", "role": "Owner"},
                {"id": "2", "name": "B", "email": "b@x.com", "role": "Account admin"},
                {"id": "3", "name": "C", "email": "c@x.com", "role": "User"},
                {"id": "4", "name": "D", "email": "d@x.com", "role": "Guest"},
                {"id": "5", "name": "E", "email": "e@x.com", "role": "reader"},
            ]}),
            expected: &[
                ("1", "active", "member", true),
                ("2", "active", "member", true),
                ("3", "active", "member", false),
                ("4", "active", "guest", false),
                ("5", "active", "guest", false),
            ],
        },
        Case {
            provider: Provider::EntraId,
            body: json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [
                {"id": uuid(1), "displayName": "A", "mail": "a@x.com", "accountEnabled": true, "userType": "Member", "createdDateTime": "2021-03-04T09:15:00Z"},
                {"id": uuid(2), "displayName": "B", "mail": "b@x.com", "accountEnabled": false, "userType": "Member", "createdDateTime": null},
                {"id": uuid(3), "displayName": "C", "mail": null, "accountEnabled": true, "userType": "Guest", "externalUserState": "PendingAcceptance"},
                {"id": uuid(4), "displayName": "D", "mail": "d@x.com", "accountEnabled": true, "userType": "Guest", "externalUserState": "Accepted"},
                {"id": uuid(5), "displayName": "E", "mail": "e@x.com", "accountEnabled": null, "userType": null},
            ]}),
            expected: &[
                (
                    "00000000-0000-4000-8000-000000000001",
                    "active",
                    "member",
                    false,
                ),
                (
                    "00000000-0000-4000-8000-000000000002",
                    "suspended",
                    "member",
                    false,
                ),
                (
                    "00000000-0000-4000-8000-000000000003",
                    "invited",
                    "guest",
                    false,
                ),
                (
                    "00000000-0000-4000-8000-000000000004",
                    "active",
                    "guest",
                    false,
                ),
                (
                    "00000000-0000-4000-8000-000000000005",
                    "unknown",
                    "member",
                    false,
                ),
            ],
        },
    ];
    for case in cases {
        let name = case.provider.name();
        let mut env = env_of(case.provider);
        let server = MockServer::builder().start().await;
        let uri = server.uri();
        // A scheme with a token URL asks this server for its token (the authority host).
        for scheme in case.provider.info().schemes {
            for var in scheme.vars {
                if var.role == rollcall::Role::Authority {
                    env.push((var.name.to_owned(), uri.clone()));
                    Mock::given(method("POST"))
                        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                            "token_type": "Bearer", "expires_in": 3599, "access_token": "tok-1"
                        })))
                        .mount(&server)
                        .await;
                }
            }
        }
        let env = borrowed(&env);
        // The values of the credentials (the secret of each way to authenticate).
        let secrets: Vec<&str> = case
            .provider
            .info()
            .schemes
            .iter()
            .flat_map(|scheme| scheme.vars)
            .filter(|var| var.role == rollcall::Role::Secret)
            .filter_map(|var| env.iter().find(|(k, _)| *k == var.name).map(|(_, v)| *v))
            .collect();
        assert!(!secrets.is_empty(), "{name}");
        Mock::given(method("GET"))
            .and(path(list_path(case.provider)))
            .respond_with(ResponseTemplate::new(200).set_body_json(&case.body))
            .mount(&server)
            .await;
        let run = rollcall(&["users", name, "--base-url", &uri], &env).await;
        assert_eq!(run.code, 0, "{}: {run:?}", name);
        let got: Vec<(String, String, String, bool)> = run
            .lines()
            .iter()
            .map(|a| {
                (
                    a["id"].as_str().unwrap().to_owned(),
                    a["status"].as_str().unwrap().to_owned(),
                    a["kind"].as_str().unwrap().to_owned(),
                    a["privileged"].as_bool().unwrap(),
                )
            })
            .collect();
        let expected: Vec<(String, String, String, bool)> = case
            .expected
            .iter()
            .map(|(i, s, k, p)| ((*i).into(), (*s).into(), (*k).into(), *p))
            .collect();
        assert_eq!(got, expected, "{}", name);
        for secret in &secrets {
            assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
        }

        // The other formats hold the same accounts.
        let csv = rollcall(
            &["users", name, "--base-url", &uri, "--format", "csv"],
            &env,
        )
        .await;
        assert_eq!(csv.code, 0, "{csv:?}");
        let rows: Vec<&str> = csv.stdout.lines().collect();
        assert_eq!(
            rows[0],
            "provider,id,email,name,status,kind,roles,privileged,created_at,updated_at,last_login_at"
        );
        assert_eq!(rows.len(), expected.len() + 1, "{}", csv.stdout);
        for (row, (id, status, kind, privileged)) in rows[1..].iter().zip(&expected) {
            let cells: Vec<&str> = row.split(',').collect();
            assert_eq!(cells[0], name);
            assert_eq!(cells[1], id);
            assert_eq!(cells[4], status);
            assert_eq!(cells[5], kind);
            assert_eq!(cells[7], privileged.to_string());
        }

        let scim = rollcall(
            &["users", name, "--base-url", &uri, "--format", "scim"],
            &env,
        )
        .await;
        assert_eq!(scim.code, 0, "{scim:?}");
        let users = scim.lines();
        assert_eq!(users.len(), expected.len());
        for (user, (id, status, _, _)) in users.iter().zip(&expected) {
            assert_eq!(
                user["schemas"][0],
                "urn:ietf:params:scim:schemas:core:2.0:User"
            );
            assert_eq!(&user["id"], id);
            let active = !matches!(status.as_str(), "deleted" | "inactive" | "suspended");
            assert_eq!(user["active"], active, "{user}");
        }

        let table = rollcall(
            &["users", name, "--base-url", &uri, "--format", "table"],
            &env,
        )
        .await;
        assert_eq!(table.code, 0, "{table:?}");
        let lines: Vec<&str> = table.stdout.lines().collect();
        assert!(lines[0].starts_with("ID "), "{}", table.stdout);
        assert_eq!(lines.len(), expected.len() + 1);
        for (line, (id, status, kind, _)) in lines[1..].iter().zip(&expected) {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(words[0], id);
            assert!(
                words.contains(&status.as_str()) && words.contains(&kind.as_str()),
                "{line}"
            );
        }

        // --seats-only keeps members and guests.
        let seats = rollcall(&["users", name, "--base-url", &uri, "--seats-only"], &env).await;
        assert_eq!(seats.code, 0, "{seats:?}");
        let kept: Vec<String> = seats
            .lines()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        let seated: Vec<String> = expected
            .iter()
            .filter(|(_, _, kind, _)| kind == "member" || kind == "guest")
            .map(|(id, ..)| id.clone())
            .collect();
        assert_eq!(kept, seated, "{}", name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_counts_the_walk() {
    let uuid = |n: u32| format!("00000000-0000-4000-8000-{n:012x}");
    let user = |n: u32| {
        json!({"id": uuid(n), "email": format!("u{n}@x.com"), "sequenceAccountIds": [],
               "state": "active", "roles": []})
    };
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(list_path(Provider::Sequence)))
        .and(wiremock::matchers::query_param("after", "c1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [user(2), user(3)],
            "pagination": {"after": null, "totalResultSize": 4}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list_path(Provider::Sequence)))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": (1..=99).map(|n| user(n + 10)).chain([user(2)]).collect::<Vec<_>>(),
            "pagination": {"after": "c1", "totalResultSize": 4}
        })))
        .mount(&server)
        .await;
    let report = temp_file("report.json", "");
    let run = rollcall(
        &[
            "users",
            "sequence",
            "--base-url",
            &server.uri(),
            "--report",
            report.to_str().unwrap(),
        ],
        &borrowed(&env_of(Provider::Sequence)),
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let printed = run.lines().len();
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    // 100 on page 1 (user 2 among them), page 2 repeats user 2: one duplicate dropped.
    assert_eq!(printed, 101);
    assert_eq!(
        written,
        json!({"provider": "sequence", "pages": 2, "users": 101, "duplicates": 1, "retries": 0,
               "waited_ms": 0, "declared_total": 4, "stop": "last_page", "resumed_from": null,
               "complete": false})
    );
    // The declared total disagrees with what the walk saw: a warning says so.
    assert!(
        run.stderr
            .contains("declared 4 users but the walk yielded 102"),
        "{run:?}"
    );

    // --max-pages stops early, exit 0, and the report says why.
    let run = rollcall(
        &[
            "users",
            "sequence",
            "--base-url",
            &server.uri(),
            "--max-pages",
            "1",
            "--report",
            report.to_str().unwrap(),
            "--quiet",
        ],
        &borrowed(&env_of(Provider::Sequence)),
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.lines().len(), 100);
    assert!(run.stderr.is_empty(), "{run:?}");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(
        (written["pages"].as_u64(), written["stop"].as_str()),
        (Some(1), Some("max_pages"))
    );
}

/// `RUST_LOG=rollcall=debug` shows each request (method, path, status, attempt), each retry
/// and each page on stderr, and no credential or signature in any of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracing_shows_requests_without_secrets() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(list_path(Provider::ZendeskSell)))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list_path(Provider::ZendeskSell)))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(sell_page(vec![sell_user(1, json!({}))])),
        )
        .mount(&server)
        .await;
    let env = [
        (secret_var(Provider::ZendeskSell), SELL_TOKEN),
        ("RUST_LOG", "rollcall=debug"),
    ];
    let run = rollcall(
        &["users", "zendesk-sell", "--base-url", &server.uri()],
        &env,
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.lines().len(), 1);
    let log = &run.stderr;
    let sell = list_path(Provider::ZendeskSell);
    assert!(
        log.contains(&format!("path=\"{sell}\"")) || log.contains(&format!("path={sell}")),
        "{log}"
    );
    assert!(log.contains("method=GET"), "{log}");
    assert!(
        log.contains("status=503") && log.contains("status=200"),
        "{log}"
    );
    assert!(log.contains("attempt=2"), "{log}");
    assert!(log.contains("retrying after a wait"), "{log}");
    assert!(log.contains("page") && log.contains("users=1"), "{log}");
    assert!(!log.contains(SELL_TOKEN), "{log}");
    assert!(!log.contains("per_page"), "no query in the log: {log}");

    // Worksection signs its query: neither the key nor the signature is logged.
    let key = "ws-secret-key-for-tracing";
    let signature = rollcall::query_md5_hash("action=get_users", key);
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status": "ok", "data": [
                {"id": "1", "name": "A", "email": "a@x.com", "role": "Owner"}
            ]})),
        )
        .mount(&server)
        .await;
    let env = [
        (secret_var(Provider::Worksection), key),
        ("RUST_LOG", "rollcall=debug"),
    ];
    let run = rollcall(&["users", "worksection", "--base-url", &server.uri()], &env).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains(list_path(Provider::Worksection)),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(key) && !run.stderr.contains(&signature),
        "{}",
        run.stderr
    );

    // Without RUST_LOG, stderr stays empty (not a terminal: no progress line either).
    let run = rollcall(
        &["users", "worksection", "--base-url", &server.uri()],
        &[(secret_var(Provider::Worksection), key)],
    )
    .await;
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}

/// A `rollcall fake` process, and what it printed before serving: its URL, the variables to
/// export and its comment lines.
struct Served {
    child: std::process::Child,
    url: String,
    env: Vec<(String, String)>,
    comments: Vec<String>,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        use std::io::{BufRead as _, BufReader};
        use std::process::Stdio;

        let mut child = Command::new(env!("CARGO_BIN_EXE_rollcall"))
            .arg("fake")
            .args(args)
            .env_clear()
            .stdout(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let (mut url, mut env, mut comments) = (String::new(), Vec::new(), Vec::new());
        loop {
            let mut line = String::new();
            assert!(
                stdout.read_line(&mut line).expect("reads") > 0,
                "{args:?}: ended early"
            );
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("export ") {
                let (name, value) = rest.split_once('=').expect("NAME=value");
                env.push((name.to_owned(), value.to_owned()));
            } else if line.starts_with("# Ctrl-C") {
                break;
            } else {
                if line.starts_with("# a fake") {
                    url = line.rsplit(' ').next().expect("a URL").to_owned();
                }
                comments.push(line.to_owned());
            }
        }
        assert!(url.starts_with("http://127.0.0.1:"), "{args:?}: {url}");
        Served {
            child,
            url,
            env,
            comments,
        }
    }

    fn env(&self) -> Vec<(&str, &str)> {
        borrowed(&self.env)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `rollcall fake` serves until interrupted and prints its URL and variables; `rollcall users`
/// with those lists every user, and a fault that does not apply is a usage error.
#[tokio::test]
async fn fake_serves_every_provider_until_killed() {
    for provider in Provider::ALL.iter().map(|p| p.name()) {
        let served = Served::start(&[provider, "--users", "12"]);
        let (url, env) = (&served.url, served.env());
        let run = rollcall(&["users", provider, "--base-url", url], &env).await;
        assert_eq!(run.code, 0, "{provider}: {}", run.stderr);
        assert_eq!(run.lines().len(), 12, "{provider}");
        let wrong: Vec<(&str, &str)> = env.iter().map(|(k, _)| (*k, "wrong")).collect();
        let run = rollcall(&["users", provider, "--base-url", url], &wrong).await;
        assert_eq!(run.code, 1, "{provider}: credentials are checked");
        assert!(run.stderr.contains(provider), "{}", run.stderr);
    }
    let (provider, fault) = Provider::ALL
        .iter()
        .find_map(|p| {
            let fault = Fault::ALL.iter().find(|f| !f.applies_to(p.fake()))?;
            Some((p.name(), fault.to_string()))
        })
        .expect("some fault does not apply to some provider");
    let run = rollcall(&["fake", provider, "--fault", &fault], &[]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("does not apply to {provider}")),
        "{}",
        run.stderr
    );
    let run = rollcall(&["fake", provider, "--fault", "sometimes"], &[]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown fault `sometimes`"),
        "{}",
        run.stderr
    );
}

/// `rollcall fake --token-lifetime` hands out tokens that live that long, where the provider
/// exchanges credentials for tokens; a walk through it still lists every user. Elsewhere the
/// flag is a usage error.
#[tokio::test]
async fn fake_token_lifetime_applies_where_tokens_are_handed_out() {
    let exchanges = |p: &Provider| {
        p.info().schemes.iter().any(|s| {
            matches!(
                s.sends,
                rollcall::testing::FakeAuth::ClientCredentials { .. }
            )
        })
    };
    let provider = Provider::ALL
        .iter()
        .find(|p| exchanges(p))
        .expect("a provider with a token URL")
        .name();
    let served = Served::start(&[provider, "--users", "12", "--token-lifetime", "1"]);
    assert!(
        served
            .comments
            .iter()
            .any(|c| c == "# each access token it hands out lives 1 s"),
        "{:?}",
        served.comments
    );
    let run = rollcall(
        &[
            "users",
            provider,
            "--base-url",
            &served.url,
            "--page-size",
            "3",
        ],
        &served.env(),
    )
    .await;
    assert_eq!(run.code, 0, "{provider}: {}", run.stderr);
    assert_eq!(run.lines().len(), 12, "{provider}");

    let other = Provider::ALL
        .iter()
        .find(|p| !exchanges(p))
        .expect("a provider without one")
        .name();
    let run = rollcall(&["fake", other, "--token-lifetime", "1"], &[]).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("--token-lifetime does not apply"),
        "{}",
        run.stderr
    );
}

/// `--rate-limit` replaces the documented limit: one request an hour cannot walk three pages
/// within `max_wait` and says so before waiting; `off` walks them; anything else is a usage
/// error naming the forms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_flag_replaces_the_documented_limit() {
    use rollcall::testing::{FakeProvider, FakeStyle};

    let provider = Provider::ALL
        .iter()
        .copied()
        .find(|p| p.fake().walks.is_empty() && p.fake().walked().unwrap().style != FakeStyle::None)
        .expect("a provider that pages");
    let name = provider.name();
    let fake = FakeProvider::start(provider).users(3).await;
    let env: Vec<(&str, &str)> = fake
        .env()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let uri = fake.uri();
    let args = |limit| {
        let uri = uri.as_str();
        [
            "users",
            name,
            "--base-url",
            uri,
            "--page-size",
            "1",
            "--rate-limit",
            limit,
        ]
    };
    let hourly = rollcall(&args("1/hour"), &env).await;
    assert_eq!(hourly.code, 1, "{name}: {hourly:?}");
    assert!(
        hourly
            .stderr
            .contains("gave up before waiting past max_wait (900 s)"),
        "{}",
        hourly.stderr
    );
    let off = rollcall(&args("off"), &env).await;
    assert_eq!(off.code, 0, "{name}: {off:?}");
    assert_eq!(off.lines().len(), 3, "{name}");
    let wrong = rollcall(&args("fast"), &env).await;
    assert_eq!(wrong.code, 2, "{wrong:?}");
    assert!(
        wrong.stderr.contains("write N/second, N/minute or N/hour"),
        "{}",
        wrong.stderr
    );
}

/// A Sequence server of two pages (100 users, then 2) declaring `total` users; the second page
/// answers `second` instead when given.
async fn sequence_server(total: u64, second: Option<ResponseTemplate>) -> MockServer {
    let uuid = |n: u64| format!("00000000-0000-4000-8000-{n:012x}");
    let user = |n: u64| {
        json!({"id": uuid(n), "email": format!("u{n}@x.com"), "sequenceAccountIds": [],
               "state": "active", "roles": []})
    };
    let server = MockServer::builder().start().await;
    let last = ResponseTemplate::new(200).set_body_json(json!({
        "items": [user(101), user(102)],
        "pagination": {"after": null, "totalResultSize": total}
    }));
    Mock::given(method("GET"))
        .and(path(list_path(Provider::Sequence)))
        .and(wiremock::matchers::query_param("after", "c1"))
        .respond_with(second.unwrap_or(last))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list_path(Provider::Sequence)))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": (1..=100).map(user).collect::<Vec<_>>(),
            "pagination": {"after": "c1", "totalResultSize": total}
        })))
        .mount(&server)
        .await;
    server
}

/// The files of `file`'s directory other than `file` itself (a temporary file left behind).
fn others_beside(file: &std::path::Path) -> Vec<PathBuf> {
    std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p != file)
        .collect()
}

/// `--output FILE` writes a complete walk or nothing: FILE is replaced only when the walk
/// reached the last page and the declared total agrees; a walk cut short by `--max-pages`, an
/// error or a disagreeing total leaves FILE as it was, exits 1 and says why in one line, and
/// leaves no temporary file behind. `--allow-partial` writes it anyway and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_is_complete_or_nothing() {
    let dir = std::env::temp_dir().join(format!("rollcall-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.jsonl");
    let report = std::env::temp_dir().join(format!("rollcall-output-{}.json", std::process::id()));
    let env = env_of(Provider::Sequence);
    let run_with = |uri: String, extra: &'static [&'static str]| {
        let file = file.to_str().unwrap().to_owned();
        let report = report.to_str().unwrap().to_owned();
        let env = env.clone();
        async move {
            let mut args = vec![
                "users",
                "sequence",
                "--base-url",
                &uri,
                "--output",
                &file,
                "--report",
                &report,
                "--quiet",
            ];
            args.extend(extra);
            rollcall(&args, &borrowed(&env)).await
        }
    };
    let complete = |report: &std::path::Path| -> Value {
        serde_json::from_str::<Value>(&std::fs::read_to_string(report).unwrap()).unwrap()["complete"]
            .clone()
    };

    // Complete: FILE holds every user, nothing on stdout, the report says complete.
    let server = sequence_server(102, None).await;
    let run = run_with(server.uri(), &[]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 102);
    assert_eq!(complete(&report), json!(true));
    assert!(others_beside(&file).is_empty());

    let before = "the previous export\n";
    let cases: [(&str, MockServer, &'static [&'static str], &str); 3] = [
        (
            "--max-pages",
            sequence_server(102, None).await,
            &["--max-pages", "1"],
            "max_pages after 1 page(s)",
        ),
        (
            "an error",
            sequence_server(102, Some(ResponseTemplate::new(401))).await,
            &[],
            "401",
        ),
        (
            "a disagreeing total",
            sequence_server(150, None).await,
            &[],
            "declared 150 users but the walk yielded 102",
        ),
    ];
    for (what, server, extra, why) in cases {
        std::fs::write(&file, before).unwrap();
        let run = run_with(server.uri(), extra).await;
        assert_eq!(run.code, 1, "{what}: {run:?}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), before, "{what}");
        assert_eq!(run.stderr.lines().count(), 1, "{what}: {run:?}");
        assert!(run.stderr.contains("left as it was"), "{what}: {run:?}");
        assert!(run.stderr.contains(why), "{what}: {run:?}");
        assert!(
            others_beside(&file).is_empty(),
            "{what}: a temporary file was left"
        );
    }

    // --allow-partial writes what the walk got, and says it is incomplete.
    std::fs::write(&file, before).unwrap();
    let server = sequence_server(102, None).await;
    let run = run_with(server.uri(), &["--max-pages", "1", "--allow-partial"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 100);
    assert_eq!(complete(&report), json!(false));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&report);
}

/// A provider whose way to authenticate has a token URL, through its fake: `rollcall users`
/// lists every user once (as SCIM too) with the token the fake hands out, and a missing client
/// secret is named in one line before anything is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_walk_and_a_missing_secret() {
    use rollcall::testing::{FakeAuth, FakeProvider};

    let providers = Provider::ALL.iter().copied().filter(|p| {
        p.info()
            .schemes
            .first()
            .is_some_and(|s| matches!(s.sends, FakeAuth::ClientCredentials { .. }))
    });
    let mut seen = 0;
    for provider in providers {
        seen += 1;
        let name = provider.name();
        let fake = FakeProvider::start(provider).users(30).await;
        let env: Vec<(String, String)> = fake
            .env()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let uri = fake.uri();
        let run = rollcall(
            &["users", name, "--base-url", &uri, "--page-size", "7"],
            &borrowed(&env),
        )
        .await;
        assert_eq!(run.code, 0, "{name}: {run:?}");
        let ids: std::collections::BTreeSet<String> = run
            .lines()
            .iter()
            .map(|a| a["id"].as_str().expect("an id").to_owned())
            .collect();
        assert_eq!(
            (run.lines().len(), ids.len()),
            (30, 30),
            "{name}: each once"
        );
        assert_eq!(fake.token_requests().await.len(), 1, "{name}");
        assert_eq!(fake.requests().await.len(), 5, "{name}: 5 pages of 7");

        let scim = rollcall(
            &["users", name, "--base-url", &uri, "--format", "scim"],
            &borrowed(&env),
        )
        .await;
        assert_eq!(scim.code, 0, "{name}: {scim:?}");
        let users = scim.lines();
        assert_eq!(users.len(), 30, "{name}");
        for user in &users {
            assert!(ids.contains(user["id"].as_str().expect("an id")), "{user}");
            assert!(
                user["schemas"][0]
                    .as_str()
                    .is_some_and(|s| s.contains("scim"))
            );
        }

        let secret = provider.info().schemes[0]
            .vars
            .iter()
            .find(|v| v.role == rollcall::Role::Secret)
            .expect("a secret")
            .name;
        let without: Vec<(&str, &str)> = borrowed(&env)
            .into_iter()
            .filter(|(k, _)| *k != secret)
            .collect();
        let before = fake.token_requests().await.len();
        let missing = rollcall(&["users", name, "--base-url", &uri], &without).await;
        assert_eq!(missing.code, 2, "{name}: {missing:?}");
        assert_eq!(missing.stderr.lines().count(), 1, "{missing:?}");
        assert!(missing.stderr.contains(secret), "{missing:?}");
        assert_eq!(
            fake.token_requests().await.len(),
            before,
            "{name}: nothing sent"
        );

        let wrong: Vec<(&str, &str)> = borrowed(&env)
            .into_iter()
            .map(|(k, v)| {
                if k == secret {
                    (k, "wrong-secret-0a1b2c")
                } else {
                    (k, v)
                }
            })
            .collect();
        let refused = rollcall(&["users", name, "--base-url", &uri], &wrong).await;
        assert_eq!(refused.code, 1, "{name}: {refused:?}");
        assert_eq!(refused.stderr.lines().count(), 1, "{refused:?}");
        assert!(refused.stderr.contains("no access token"), "{refused:?}");
        assert!(
            !refused.stderr.contains("wrong-secret-0a1b2c"),
            "{refused:?}"
        );
        let description: Value =
            serde_json::from_str(provider.fake().token_refusal).unwrap_or(Value::Null);
        if let Some(text) = description["error_description"].as_str() {
            let first = text.lines().next().unwrap_or_default();
            assert!(refused.stderr.contains(first), "{refused:?}");
        }
    }
    assert!(seen > 0, "some provider has a token URL");
}
