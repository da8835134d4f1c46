//! Walk reports: every all-pages walk counts its pages, users, dropped duplicates, retries and
//! waits, keeps the total the server declares, and says why it stopped.

use super::common::*;
use futures::{StreamExt as _, TryStreamExt as _};
use rollcall::{Stop, WalkReport, zendesk_sell};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Walks to the end (or the first error) and returns the users yielded and the report.
async fn walk<T>(stream: rollcall::UserStream<'_, T>) -> (usize, WalkReport) {
    let report = stream.report();
    let users = stream
        .take_while(|u| futures::future::ready(u.is_ok()))
        .count()
        .await;
    (users, report.get())
}

#[tokio::test]
async fn sequence_counts_pages_duplicates_and_the_declared_total() {
    let server = MockServer::builder().start().await;
    // Page 1: users 1-3; page 2 repeats user 3 and adds 4; the server declares 5.
    let mut first = sequence_page(1, 3, Some(Some("c1")));
    first["pagination"]["totalResultSize"] = json!(5);
    let mut second = sequence_page(3, 4, Some(None));
    second["pagination"]["totalResultSize"] = json!(5);
    Mock::given(method("GET"))
        .and(path(Kind::Sequence.path()))
        .and(query_param("after", "c1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(second))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(Kind::Sequence.path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(first))
        .mount(&server)
        .await;
    // Pages of 3: a full page says another may follow.
    let client = rollcall::sequence::Client::with_credentials(
        rollcall::sequence::Region::Production,
        SEQUENCE_ID,
        SEQUENCE_SECRET,
    )
    .base_url(server.uri())
    .page_size(3)
    .build()
    .unwrap();
    let (users, report) = walk(client.all_users()).await;
    assert_eq!(users, 4);
    assert_eq!(report.pages, 2);
    assert_eq!(report.users, 4);
    assert_eq!(report.duplicates, 1);
    assert_eq!(report.declared_total, Some(5));
    assert_eq!(report.stop, Some(Stop::LastPage));
    // 4 yielded + 1 duplicate = 5 sent: as declared.
    assert!(!report.total_disagrees());
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({"pages": 2, "users": 4, "duplicates": 1, "retries": 0, "waited_ms": 0,
               "declared_total": 5, "stop": "last_page", "resumed_from": null})
    );
}

#[tokio::test]
async fn support_reports_retries_waits_and_an_empty_last_page() {
    let server = MockServer::builder().start().await;
    let mut first = support_page(1, 2, Some(true), Some("a1"), true);
    first["count"] = json!(3);
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSupport.path()))
        .and(query_param("page[after]", "a1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "users": [], "meta": {"has_more": false, "after_cursor": null}, "count": 3
        })))
        .mount(&server)
        .await;
    // The first request is refused once with a Retry-After of 0 s, then answered.
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSupport.path()))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSupport.path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(first))
        .mount(&server)
        .await;
    let client = support(&server);
    let (users, report) = walk(client.all_users()).await;
    assert_eq!(users, 2);
    assert_eq!(report.retries, 1);
    assert_eq!(report.pages, 2);
    assert_eq!(report.stop, Some(Stop::EmptyPage));
    assert_eq!(report.declared_total, Some(3));
    assert!(report.total_disagrees(), "{report:?}");
}

#[tokio::test]
async fn caps_and_errors_say_why_the_walk_stopped() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSell.path()))
        .respond_with(move |request: &wiremock::Request| {
            let page: i64 = query(request, "page").unwrap().parse().unwrap();
            ResponseTemplate::new(200).set_body_json(sell_page(
                page * 2 - 1,
                page * 2,
                Some(page as u64 + 1),
            ))
        })
        .mount(&server)
        .await;
    let capped = zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .page_size(2)
        .max_pages(3)
        .build()
        .unwrap();
    let (users, report) = walk(capped.all_users()).await;
    assert_eq!(
        (users, report.pages, report.stop),
        (6, 3, Some(Stop::MaxPages))
    );
    let capped = zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .page_size(2)
        .max_users(3)
        .build()
        .unwrap();
    let (users, report) = walk(capped.all_users()).await;
    assert_eq!(
        (users, report.users, report.stop),
        (3, 3, Some(Stop::MaxUsers))
    );

    let failing = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&failing)
        .await;
    let client = sell(&failing);
    let users = client.all_users();
    let report = users.report();
    assert!(users.try_collect::<Vec<_>>().await.is_err());
    let report = report.get();
    assert_eq!(report.stop, Some(Stop::Error));
    assert_eq!(report.retries, 3, "{report:?}");
    assert_eq!(report.pages, 0);
}

#[tokio::test]
async fn the_report_survives_the_json_view_of_any_client() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(worksection_envelope(1, 4)))
        .mount(&server)
        .await;
    let client = rollcall::Provider::Worksection
        .connect(
            &|name| (name == "WORKSECTION_API_KEY").then(|| WORKSECTION_KEY.to_owned()),
            &{
                let mut options = rollcall::ClientOptions::default();
                options.base_url = Some(server.uri());
                options
            },
        )
        .unwrap();
    let (users, report) = walk(client.all_users_json()).await;
    assert_eq!(users, 4);
    assert_eq!(
        (
            report.pages,
            report.users,
            report.stop,
            report.declared_total
        ),
        (1, 4, Some(Stop::LastPage), None)
    );
}
