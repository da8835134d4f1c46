//! `rollcall users github` against a loopback imitation of GitHub's organization endpoints:
//! one account list from three walks (owners by `role=admin`, every member, the outside
//! collaborators), the organization from `GITHUB_ORG`, and GitHub's refusals — a 403 with an
//! empty rate-limit budget is waited out, any other 403 and a 401 end the run in one line.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod run;
use run::rollcall;

const TOKEN: &str = "github_pat_0123456789abcdefSECRET";

/// A simple user as GitHub lists members and collaborators (no name, no email).
fn user(id: i64, login: &str, kind: &str) -> Value {
    let api = format!("https://api.github.com/users/{login}");
    json!({
        "login": login,
        "id": id,
        "node_id": format!("U_{id}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("https://github.com/{login}"),
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": kind,
        "user_view_type": "public",
        "site_admin": false
    })
}

/// An organization `acme` whose owner alice is also listed as a member, whose members are
/// alice, bob and a bot on two pages (the second named by the `Link` header, on the
/// organization's numeric path as real servers write it), and whose outside collaborator is
/// carol.
async fn organization() -> MockServer {
    let server = MockServer::builder().start().await;
    let ok = |users: Vec<Value>| ResponseTemplate::new(200).set_body_json(users);
    Mock::given(method("GET"))
        .and(path("/orgs/acme/members"))
        .and(query_param("role", "admin"))
        .respond_with(ok(vec![user(1, "alice", "User")]))
        .mount(&server)
        .await;
    let next = format!(
        "<{uri}/organizations/9919/members?per_page=2&page=2>; rel=\"next\", \
         <{uri}/organizations/9919/members?per_page=2&page=2>; rel=\"last\"",
        uri = server.uri()
    );
    Mock::given(method("GET"))
        .and(path("/orgs/acme/members"))
        .and(query_param_is_missing("role"))
        .and(query_param_is_missing("page"))
        .respond_with(
            ok(vec![user(1, "alice", "User"), user(2, "bob", "User")]).insert_header("link", next),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orgs/acme/members"))
        .and(query_param_is_missing("role"))
        .and(query_param("page", "2"))
        .respond_with(ok(vec![user(41898282, "acme-deploy-bot", "Bot")]))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orgs/acme/outside_collaborators"))
        .respond_with(ok(vec![user(7, "carol", "User")]))
        .mount(&server)
        .await;
    server
}

fn env() -> Vec<(&'static str, &'static str)> {
    vec![("GITHUB_ORG", "acme"), ("GITHUB_TOKEN", TOKEN)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_members_and_outside_collaborators_are_one_list() {
    let server = organization().await;
    let uri = server.uri();
    let run = rollcall(
        &["users", "github", "--base-url", &uri, "--page-size", "2"],
        &env(),
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let accounts: Vec<(String, String, String, String, bool)> = run
        .lines()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                a["name"].as_str().unwrap().to_owned(),
                a["status"].as_str().unwrap().to_owned(),
                a["kind"].as_str().unwrap().to_owned(),
                a["privileged"].as_bool().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("1", "alice", "active", "member", true),
        ("2", "bob", "active", "member", false),
        ("41898282", "acme-deploy-bot", "active", "bot", false),
        ("7", "carol", "active", "guest", false),
    ];
    let expected: Vec<(String, String, String, String, bool)> = expected
        .iter()
        .map(|(id, name, status, kind, privileged)| {
            (
                (*id).to_owned(),
                (*name).to_owned(),
                (*status).to_owned(),
                (*kind).to_owned(),
                *privileged,
            )
        })
        .collect();
    assert_eq!(accounts, expected, "{}", run.stdout);
    // Every request names the organization, carries the token and GitHub's headers.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests.len(),
        4,
        "owners, two pages of members, collaborators"
    );
    for request in &requests {
        assert!(
            request.url.path().starts_with("/orgs/acme/"),
            "{}",
            request.url
        );
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("authorization"), format!("Bearer {TOKEN}"));
        assert_eq!(header("accept"), "application/vnd.github+json");
        assert_eq!(header("x-github-api-version"), "2022-11-28");
    }

    let scim = rollcall(
        &["users", "github", "--base-url", &uri, "--format", "scim"],
        &env(),
    )
    .await;
    assert_eq!(scim.code, 0, "{scim:?}");
    let users = scim.lines();
    assert_eq!(users.len(), 4, "{}", scim.stdout);
    let names: Vec<&str> = users
        .iter()
        .map(|u| u["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alice", "bob", "acme-deploy-bot", "carol"]);
    assert!(users.iter().all(|u| u["active"] == json!(true)));
    // The walk's facts stay out of the provider's record.
    let raw = rollcall(&["users", "github", "--base-url", &uri, "--raw"], &env()).await;
    assert_eq!(raw.code, 0, "{raw:?}");
    assert!(!raw.stdout.contains("rollcall:facts"), "{}", raw.stdout);
    assert_eq!(raw.lines().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_organization_is_one_line_naming_its_variable() {
    let server = organization().await;
    let run = rollcall(
        &["users", "github", "--base-url", &server.uri()],
        &[("GITHUB_TOKEN", TOKEN)],
    )
    .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("GITHUB_ORG"), "{}", run.stderr);
    assert!(!run.stderr.contains(TOKEN));
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// GitHub's error body.
fn refusal(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": status.to_string()
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_and_a_plain_403_end_the_run_in_one_line_at_once() {
    for (status, message) in [
        (401, "Bad credentials"),
        (403, "Resource not accessible by integration"),
        (403, "Must have admin rights to Repository."),
    ] {
        let server = MockServer::builder().start().await;
        Mock::given(method("GET"))
            .respond_with(
                refusal(status, message)
                    // A budget left: not the rate limit.
                    .insert_header("x-ratelimit-remaining", "4999"),
            )
            .mount(&server)
            .await;
        let run = rollcall(&["users", "github", "--base-url", &server.uri()], &env()).await;
        assert_eq!(run.code, 1, "{run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains(message), "{}", run.stderr);
        assert!(
            run.stderr.contains(&format!("HTTP {status}")),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains(TOKEN));
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            1,
            "{status} {message}: not retried"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_with_an_empty_budget_is_waited_out_and_the_walk_completes() {
    let server = organization().await;
    // The first request is refused by the primary rate limit, whose window resets in a
    // second or two (a Unix time, as GitHub sends it).
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2;
    Mock::given(method("GET"))
        .respond_with(
            refusal(403, "API rate limit exceeded for user ID 1.")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let run = rollcall(&["users", "github", "--base-url", &server.uri()], &env()).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.lines().len(), 4, "{}", run.stdout);
    // The refused request, then the owners again, two pages of members and the collaborators.
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}

/// A union keeps no checkpoint: `--checkpoint` says so at the start, and the output is still
/// written whole, with no checkpoint file left behind.
#[tokio::test]
async fn a_checkpointed_run_says_the_union_cannot_resume_and_writes_every_account() {
    let server = organization().await;
    let uri = server.uri();
    let dir = std::env::temp_dir().join(format!("rollcall-github-ck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (out, ck) = (dir.join("users.jsonl"), dir.join("users.ck"));
    let (out_arg, ck_arg) = (out.display().to_string(), ck.display().to_string());
    let args = [
        "users",
        "github",
        "--base-url",
        &uri,
        "--page-size",
        "2",
        "-o",
        &out_arg,
        "--checkpoint",
        &ck_arg,
    ];
    let run = rollcall(&args, &env()).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("cannot be resumed"), "{}", run.stderr);
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 4, "{written}");
    assert!(!ck.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
