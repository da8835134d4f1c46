//! The `rollcall` binary run as a process against loopback imitations of the providers.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SELL_TOKEN: &str = "sell-secret-token-0123456789";

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }
}

/// Runs `rollcall args...` with only the variables in `env`, off the async runtime's threads
/// (the mock servers keep answering meanwhile).
async fn rollcall(args: &[&str], env: &[(&str, &str)]) -> Run {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let output = Command::new(env!("CARGO_BIN_EXE_rollcall"))
            .args(&args)
            .env_clear()
            .envs(env)
            .output()
            .expect("the binary runs");
        Run {
            code: output.status.code().expect("exited"),
            stdout: String::from_utf8(output.stdout).expect("UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8"),
        }
    })
    .await
    .expect("joined")
}

fn sell_user(id: i64, overrides: Value) -> Value {
    let mut user = json!({
        "id": id,
        "name": format!("User {id}"),
        "email": format!("user{id}@example.com"),
        "status": "active",
        "invited": false,
        "confirmed": true,
        "role": "user",
        "roles": [],
        "reports_to": null,
        "deleted_at": null,
        "created_at": "2019-03-04T08:15:00Z",
        "updated_at": "2023-11-20T14:02:41Z",
        "identity_type": "person",
    });
    for (key, value) in overrides.as_object().expect("an object") {
        user[key] = value.clone();
    }
    user
}

fn sell_page(users: Vec<Value>) -> Value {
    let items: Vec<Value> = users
        .into_iter()
        .map(|user| json!({"data": user, "meta": {"type": "user"}}))
        .collect();
    json!({"items": items, "meta": {"type": "collection", "count": items.len(), "links": {}}})
}

async fn sell_server(users: Vec<Value>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/users"))
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
    for (name, var) in [
        ("zendesk-sell", "ZENDESK_SELL_TOKEN"),
        ("zendesk-support", "ZENDESK_SUPPORT_OAUTH_TOKEN"),
        ("sequence", "SEQUENCE_CLIENT_SECRET"),
        ("worksection", "WORKSECTION_API_KEY"),
    ] {
        let line = run
            .stdout
            .lines()
            .find(|line| line.starts_with(name) && line[name.len()..].starts_with(' '))
            .unwrap_or_else(|| panic!("no line for {name}: {}", run.stdout));
        assert!(line.contains(var), "{line}");
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
    let env = [("ZENDESK_SELL_TOKEN", SELL_TOKEN)];
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
    assert!(missing.stderr.contains("ZENDESK_SELL_TOKEN"), "{missing:?}");
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
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/users"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "errors": [{"error": {"code": "unauthorized", "message": "The access token is invalid"}}],
            "meta": {"type": "errors", "http_status": "401 Unauthorized"}
        })))
        .mount(&server)
        .await;
    let run = rollcall(
        &["users", "zendesk-sell", "--base-url", &server.uri()],
        &[("ZENDESK_SELL_TOKEN", SELL_TOKEN)],
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
