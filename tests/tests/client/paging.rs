//! Every provider's all-users walk: its own paging parameters, every documented way a walk
//! ends, loops and caps that end it with an error, and laziness (one page in memory).

use super::common::*;
use futures::{StreamExt as _, TryStreamExt as _};
use rollcall::{Error, ErrorKind, PagingError, zendesk_sell};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The paging error that ended a walk.
fn paging_error(error: &Error) -> &PagingError {
    match error.kind() {
        ErrorKind::Paging(paging) => paging,
        other => panic!("expected a paging error, got {other:?}"),
    }
}

/// Collects a stream's users until its first error.
async fn until_error<T>(stream: rollcall::UserStream<'_, T>) -> (Vec<T>, Option<Error>) {
    let mut users = Vec::new();
    let mut stream = stream;
    while let Some(item) = stream.next().await {
        match item {
            Ok(user) => users.push(user),
            Err(error) => {
                assert!(
                    stream.next().await.is_none(),
                    "the stream ends after an error"
                );
                return (users, Some(error));
            }
        }
    }
    (users, None)
}

// --- Zendesk Sell: page numbers ---------------------------------------------------------

/// A Sell server with `total` users that pages as asked; `next_on_last` keeps a `next_page`
/// link on the last page (the walk must then stop on the empty page after it).
fn sell_server(total: i64, next_on_last: bool) -> impl Fn(&Request) -> ResponseTemplate {
    move |request: &Request| {
        ResponseTemplate::new(200).set_body_json(sell_body(request, total, next_on_last))
    }
}

/// The page a Sell server with `total` users answers `request` with.
fn sell_body(request: &Request, total: i64, next_on_last: bool) -> serde_json::Value {
    let page: i64 = query(request, "page").unwrap().parse().unwrap();
    let per_page: i64 = query(request, "per_page").unwrap().parse().unwrap();
    let first = (page - 1) * per_page + 1;
    let last = (page * per_page).min(total);
    let more = last < total || (next_on_last && first <= total);
    let next = more.then_some(page as u64 + 1);
    sell_page(first, last, next)
}

/// The page numbers `requests` asked for, in the order they arrived.
fn pages_asked(requests: &[Request]) -> Vec<u64> {
    requests
        .iter()
        .map(|r| query(r, "page").unwrap().parse().unwrap())
        .collect()
}

/// One page after the other (`page_concurrency(1)`): exactly the pages there are, in order.
#[tokio::test]
async fn sell_walks_2500_users_until_there_is_no_next_page() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSell.path()))
        .respond_with(sell_server(2500, false))
        .mount(&server)
        .await;
    let client = zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .retry(fast_retry())
        .page_concurrency(1)
        .build()
        .unwrap();
    let users: Vec<_> = client.all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 2500);
    assert!(users.iter().map(|u| u.id).eq(1..=2500));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 25);
    for (n, request) in requests.iter().enumerate() {
        assert_eq!(
            request.url.query(),
            Some(format!("page={}&per_page=100", n + 1).as_str())
        );
    }
}

/// Pages requested ahead, concurrently (the default): every user once and in order, every page
/// asked once, and at most `page_concurrency - 1` pages past the last one.
#[tokio::test]
async fn sell_fetches_pages_ahead_and_yields_every_user_once_in_order() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSell.path()))
        .respond_with({
            let pages = sell_server(2500, false);
            move |request: &Request| pages(request)
        })
        .mount(&server)
        .await;
    let client = sell(&server);
    assert_eq!(
        client.config().page_concurrency(),
        rollcall::DEFAULT_PAGE_CONCURRENCY
    );
    let stream = client.all_users();
    let report = stream.report();
    let users: Vec<_> = stream.try_collect().await.unwrap();
    assert!(users.iter().map(|u| u.id).eq(1..=2500), "in order, once");
    let report = report.get();
    assert_eq!((report.pages, report.users), (25, 2500));
    let mut asked = pages_asked(&server.received_requests().await.unwrap());
    asked.sort_unstable();
    let mut once = asked.clone();
    once.dedup();
    // A page asked twice can only be a transport retry, which the report counts.
    let arrived = pages_asked(&server.received_requests().await.unwrap());
    assert_eq!(
        asked.len() - once.len(),
        report.retries as usize,
        "{arrived:?} {report:?}"
    );
    assert!(
        once[..25].iter().copied().eq(1..=25),
        "every page: {once:?}"
    );
    assert!(
        once.len() - 25 < rollcall::DEFAULT_PAGE_CONCURRENCY,
        "at most page_concurrency - 1 pages past the last: {once:?}"
    );
}

#[tokio::test]
async fn sell_stops_on_an_empty_page_even_with_a_next_link() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSell.path()))
        .respond_with(sell_server(250, true))
        .mount(&server)
        .await;
    let users: Vec<_> = sell(&server).all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 250);
    // Pages 1-3 hold users, page 4 is empty and ends the walk; pages fetched ahead of it
    // (at most page_concurrency - 1) are dropped unread.
    let asked = pages_asked(&server.received_requests().await.unwrap());
    assert!(asked.contains(&4), "{asked:?}");
    assert!(
        asked.len() < 4 + rollcall::DEFAULT_PAGE_CONCURRENCY,
        "{asked:?}"
    );
}

/// A list page without the top-level `meta` (seen in official fixtures) cannot say whether
/// another page follows: the walk goes on while pages are full and stops on a short or empty one.
#[tokio::test]
async fn sell_without_meta_goes_on_while_pages_are_full() {
    for (total, needed) in [(250, 3), (200, 3)] {
        let server = MockServer::builder().start().await;
        Mock::given(method("GET"))
            .and(path(Kind::ZendeskSell.path()))
            .respond_with(move |request: &Request| {
                let mut body = sell_body(request, total, false);
                body.as_object_mut().unwrap().remove("meta");
                ResponseTemplate::new(200).set_body_json(body)
            })
            .mount(&server)
            .await;
        let users: Vec<_> = sell(&server).all_users().try_collect().await.unwrap();
        assert_eq!(users.len(), total as usize);
        assert!(users.iter().map(|u| u.id).eq(1..=total));
        let requests = server.received_requests().await.unwrap().len();
        assert!(
            (needed..needed + rollcall::DEFAULT_PAGE_CONCURRENCY).contains(&requests),
            "{total} users: {requests} requests"
        );
    }
}

#[tokio::test]
async fn sell_without_meta_stops_on_a_short_page() {
    let server = MockServer::builder().start().await;
    let mut page = sell_page(1, 3, Some(2));
    page.as_object_mut().unwrap().remove("meta");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    let users: Vec<_> = sell(&server).all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 3);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn sell_uses_the_configured_page_size() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(sell_server(120, false))
        .mount(&server)
        .await;
    let client = rollcall::zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .page_size(25)
        .build()
        .unwrap();
    let users: Vec<_> = client.all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 120);
    let requests = server.received_requests().await.unwrap();
    // Five pages of 25 (the last holds 20), and perhaps pages asked ahead past it.
    let asked = pages_asked(&requests);
    assert!((1..=5).all(|p| asked.contains(&p)), "{asked:?}");
    assert!(
        requests.len() < 5 + rollcall::DEFAULT_PAGE_CONCURRENCY,
        "{asked:?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| query(r, "per_page").as_deref() == Some("25"))
    );
}

#[tokio::test]
async fn sell_server_that_ignores_page_is_caught() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(sell_page(1, 100, Some(2))))
        .mount(&server)
        .await;
    let (users, error) = until_error(sell(&server).all_users()).await;
    assert_eq!(users.len(), 100, "the first page is yielded once");
    let error = error.expect("the walk ends with an error");
    assert_eq!(paging_error(&error), &PagingError::RepeatedPage { page: 2 });
    assert_eq!(
        error.to_string(),
        "zendesk-sell list_users: page 2 repeats the users of an earlier page"
    );
    // Page 2 is checked in turn, before the pages fetched ahead of it.
    let requests = server.received_requests().await.unwrap().len();
    assert!(
        (2..=1 + rollcall::DEFAULT_PAGE_CONCURRENCY).contains(&requests),
        "{requests}"
    );
}

#[tokio::test]
async fn a_server_that_never_ends_hits_the_page_cap() {
    let server = MockServer::builder().start().await;
    // Always a full page of new users and a next link.
    Mock::given(method("GET"))
        .respond_with(sell_server(i64::MAX / 2, false))
        .mount(&server)
        .await;
    let client = rollcall::zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .max_pages(5)
        .build()
        .unwrap();
    let (users, error) = until_error(client.all_users()).await;
    assert_eq!(users.len(), 500);
    let error = error.unwrap();
    assert_eq!(
        paging_error(&error),
        &PagingError::PageLimit { max_pages: 5 }
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
    let default = rollcall::zendesk_sell::Client::with_token("t")
        .build()
        .unwrap();
    assert_eq!(
        default.config().max_pages(),
        Some(rollcall::DEFAULT_MAX_PAGES),
        "walks are capped by default"
    );
}

#[tokio::test]
async fn the_user_cap_yields_exactly_that_many_users() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(sell_server(1000, false))
        .mount(&server)
        .await;
    let capped = |max| {
        rollcall::zendesk_sell::Client::with_token(SELL_TOKEN)
            .base_url(server.uri())
            .max_users(max)
            .build()
            .unwrap()
    };
    let client = capped(150);
    let (users, error) = until_error(client.all_users()).await;
    assert_eq!(users.len(), 150);
    assert_eq!(
        paging_error(&error.unwrap()),
        &PagingError::UserLimit { max_users: 150 }
    );
    // A cap at or above the total is no error.
    let client = capped(1000);
    let users: Vec<_> = client.all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 1000);
}

#[tokio::test]
async fn pages_are_fetched_only_as_the_stream_is_read() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(sell_server(2500, false))
        .mount(&server)
        .await;
    // One page after the other: a page is fetched only when the previous one is used up.
    let client = zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .page_concurrency(1)
        .build()
        .unwrap();
    let mut users = client.all_users();
    assert!(server.received_requests().await.unwrap().is_empty());
    let first: Vec<_> = users.by_ref().take(100).try_collect().await.unwrap();
    assert_eq!(first.len(), 100);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    let next = users.try_next().await.unwrap().unwrap();
    assert_eq!(next.id, 101);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    // Pages fetched ahead (the default): never more than page_concurrency beyond the reader.
    let client = sell(&server);
    let mut users = client.all_users();
    let _: Vec<_> = users.by_ref().take(150).try_collect().await.unwrap();
    let asked = server.received_requests().await.unwrap().len() - 2;
    assert!(
        (2..=2 + rollcall::DEFAULT_PAGE_CONCURRENCY).contains(&asked),
        "{asked} pages asked for 150 users"
    );
}

// --- Zendesk Support: cursors -----------------------------------------------------------

/// A Support server with `total` users; cursors are `c<offset>` with characters that need
/// encoding. `last` shapes the last page.
fn support_server(
    total: i64,
    last: fn(first: i64, last: i64) -> serde_json::Value,
) -> impl Fn(&Request) -> ResponseTemplate {
    move |request: &Request| {
        assert_eq!(
            query(request, "include_boundary_indicators").as_deref(),
            Some("true")
        );
        let size: i64 = query(request, "page[size]").unwrap().parse().unwrap();
        let offset: i64 = match query(request, "page[after]") {
            None => 0,
            Some(cursor) => cursor
                .strip_prefix("c+/")
                .and_then(|c| c.strip_suffix('='))
                .unwrap()
                .parse()
                .unwrap(),
        };
        let first = offset + 1;
        let end = (offset + size).min(total);
        let body = if end < total {
            let cursor = format!("c+/{end}=");
            support_page(first, end, Some(true), Some(&cursor), true)
        } else {
            last(first, end)
        };
        ResponseTemplate::new(200).set_body_json(body)
    }
}

async fn support_walk(
    total: i64,
    last: fn(i64, i64) -> serde_json::Value,
) -> (usize, Vec<Request>) {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSupport.path()))
        .respond_with(support_server(total, last))
        .mount(&server)
        .await;
    let users: Vec<_> = support(&server).all_users().try_collect().await.unwrap();
    assert!(
        users.iter().map(|u| u.id).eq(1..=users.len() as i64),
        "users in order, none twice"
    );
    (users.len(), server.received_requests().await.unwrap())
}

#[tokio::test]
async fn support_walks_2500_users_by_cursor_until_has_more_is_false() {
    // The last page says has_more: false but still carries a cursor and a next link.
    let (count, requests) = support_walk(2500, |first, last| {
        support_page(first, last, Some(false), Some("c+/9999="), true)
    })
    .await;
    assert_eq!(count, 2500);
    assert_eq!(requests.len(), 25);
    assert_eq!(
        requests[0].url.query(),
        Some("include_boundary_indicators=true&page%5Bsize%5D=100")
    );
    assert_eq!(
        requests[1].url.query(),
        Some("include_boundary_indicators=true&page%5Bafter%5D=c%2B%2F100%3D&page%5Bsize%5D=100")
    );
}

/// The walk on the list builder keeps every filter set on it, on every page: Support's
/// server-side `role[]` filter (seats only) while walking by cursor.
#[tokio::test]
async fn support_walk_on_the_builder_keeps_its_filters() {
    use rollcall::zendesk_support::types::ListUsersRoleItem;
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSupport.path()))
        .respond_with(support_server(250, |first, last| {
            support_page(first, last, Some(false), None, false)
        }))
        .mount(&server)
        .await;
    let client = support(&server);
    let users: Vec<_> = client
        .list_users()
        .role(vec![ListUsersRoleItem::Agent, ListUsersRoleItem::Admin])
        .all_users()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 250);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        let roles: Vec<String> = request
            .url
            .query_pairs()
            .filter(|(name, _)| name == "role[]")
            .map(|(_, value)| value.into_owned())
            .collect();
        assert_eq!(roles, ["agent", "admin"], "{:?}", request.url.query());
    }
}

#[tokio::test]
async fn support_stops_when_after_cursor_is_null() {
    let (count, requests) = support_walk(250, |first, last| {
        let mut page = support_page(first, last, Some(true), None, true);
        page["links"]["next"] =
            json!("https://acme.zendesk.com/api/v2/users.json?page%5Bsize%5D=100");
        page
    })
    .await;
    assert_eq!((count, requests.len()), (250, 3));
}

#[tokio::test]
async fn support_stops_when_links_next_is_null() {
    let (count, requests) = support_walk(250, |first, last| {
        support_page(first, last, Some(true), Some("c+/9999="), false)
    })
    .await;
    assert_eq!((count, requests.len()), (250, 3));
}

#[tokio::test]
async fn support_stops_on_an_empty_page_after_has_more_true() {
    // 300 users, a multiple of the page size: page 3 says has_more true, page 4 is empty.
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(|request: &Request| {
            let after = query(request, "page[after]");
            let body = match after.as_deref() {
                None => support_page(1, 100, Some(true), Some("c+/100="), true),
                Some("c+/100=") => support_page(101, 200, Some(true), Some("c+/200="), true),
                Some("c+/200=") => support_page(201, 300, Some(true), Some("c+/300="), true),
                Some(_) => json!({"users": [], "meta": {"has_more": true, "after_cursor": "c+/300=", "before_cursor": null}, "links": {"next": "x", "prev": null}}),
            };
            ResponseTemplate::new(200).set_body_json(body)
        })
        .mount(&server)
        .await;
    let users: Vec<_> = support(&server).all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 300);
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn support_repeated_cursor_ends_the_walk_with_an_error() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(|request: &Request| {
            // Fresh users on every page, but the same cursor after the first.
            let body = match query(request, "page[after]") {
                None => support_page(1, 100, Some(true), Some("stuck"), true),
                Some(_) => support_page(101, 200, Some(true), Some("stuck"), true),
            };
            ResponseTemplate::new(200).set_body_json(body)
        })
        .mount(&server)
        .await;
    let client = support(&server);
    let (users, error) = until_error(client.all_users()).await;
    assert_eq!(users.len(), 200);
    let error = error.unwrap();
    assert_eq!(
        paging_error(&error),
        &PagingError::RepeatedCursor {
            page: 2,
            cursor: "stuck".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "zendesk-support list_users: page 2 returned the cursor `stuck`, which the walk has already followed"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

// --- Sequence: after cursors ------------------------------------------------------------

fn sequence_server(
    total: i64,
    last_after: Option<Option<&'static str>>,
) -> impl Fn(&Request) -> ResponseTemplate {
    move |request: &Request| {
        let limit: i64 = query(request, "limit").unwrap().parse().unwrap();
        let offset: i64 = query(request, "after").map_or(0, |c| c.parse().unwrap());
        let end = (offset + limit).min(total);
        let body = if end < total {
            let cursor = end.to_string();
            sequence_page(offset + 1, end, Some(Some(&cursor)))
        } else {
            sequence_page(offset + 1, end, last_after)
        };
        ResponseTemplate::new(200).set_body_json(body)
    }
}

async fn sequence_walk(total: i64, last_after: Option<Option<&'static str>>) -> (usize, usize) {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(Kind::Sequence.path()))
        .respond_with(sequence_server(total, last_after))
        .mount(&server)
        .await;
    let users: Vec<_> = sequence(&server).all_users().try_collect().await.unwrap();
    let expected: Vec<String> = (1..=users.len() as i64).map(sequence_uuid).collect();
    let got: Vec<String> = users.iter().map(|u| u.id.to_string()).collect();
    assert_eq!(got, expected);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.query(), Some("limit=100"));
    if requests.len() > 1 {
        assert_eq!(requests[1].url.query(), Some("after=100&limit=100"));
    }
    (users.len(), requests.len())
}

#[tokio::test]
async fn sequence_walks_2500_users_until_after_is_null() {
    assert_eq!(sequence_walk(2500, Some(None)).await, (2500, 25));
}

#[tokio::test]
async fn sequence_stops_when_after_is_absent() {
    assert_eq!(sequence_walk(250, None).await, (250, 3));
}

#[tokio::test]
async fn sequence_stops_when_pagination_is_absent() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [sequence_user(1)]})),
        )
        .mount(&server)
        .await;
    let users: Vec<_> = sequence(&server).all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn sequence_stops_on_an_empty_page() {
    // The last full page still hands out a cursor; the page after it is empty.
    assert_eq!(sequence_walk(200, Some(Some("200"))).await, (200, 3));
}

#[tokio::test]
async fn sequence_repeated_cursor_ends_the_walk_with_an_error() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(|request: &Request| {
            let body = match query(request, "after") {
                None => sequence_page(1, 100, Some(Some("A"))),
                Some(a) if a == "A" => sequence_page(101, 200, Some(Some("B"))),
                Some(_) => sequence_page(201, 300, Some(Some("A"))),
            };
            ResponseTemplate::new(200).set_body_json(body)
        })
        .mount(&server)
        .await;
    let client = sequence(&server);
    let (users, error) = until_error(client.all_users()).await;
    assert_eq!(users.len(), 300);
    assert_eq!(
        paging_error(&error.unwrap()),
        &PagingError::RepeatedCursor {
            page: 3,
            cursor: "A".into()
        }
    );
}

// --- Worksection: one response ----------------------------------------------------------

#[tokio::test]
async fn worksection_lists_every_user_in_one_request() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(Kind::Worksection.path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(worksection_envelope(1, 2500)))
        .expect(1)
        .mount(&server)
        .await;
    let users: Vec<_> = worksection(&server)
        .all_users()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 2500);
}

#[tokio::test]
async fn worksection_success_without_data_has_no_users() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "ok"})))
        .mount(&server)
        .await;
    let users: Vec<_> = worksection(&server)
        .all_users()
        .try_collect()
        .await
        .unwrap();
    assert!(users.is_empty());
}

#[tokio::test]
async fn every_provider_honours_the_user_cap() {
    for kind in Kind::ALL.iter().copied() {
        let server = MockServer::builder().start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(kind.last_page(10)))
            .mount(&server)
            .await;
        // The cap lives in the client: build one through the registry with the cap set.
        let mut options = rollcall::ClientOptions::default();
        options.base_url = Some(server.uri());
        options.max_users = Some(4);
        let client = kind.connect(&test_env(kind), &options).unwrap();
        let result: Result<Vec<serde_json::Value>, Error> =
            client.all_users_json().try_collect().await;
        let error = result.unwrap_err();
        assert_eq!(
            paging_error(&error),
            &PagingError::UserLimit { max_users: 4 },
            "{kind:?}"
        );
        assert_eq!(error.provider(), kind.name());
    }
}

/// `seats_json` walks with the provider's server-side seat filter where its spec declares one
/// (Support's `role[]`), on every page; the others cannot filter, and say so.
#[tokio::test]
async fn seats_walk_with_the_providers_own_filter() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSupport.path()))
        .respond_with(support_server(250, |first, last| {
            support_page(first, last, Some(false), None, false)
        }))
        .mount(&server)
        .await;
    let mut options = rollcall::ClientOptions::default();
    options.base_url = Some(server.uri());
    let client = Kind::ZendeskSupport
        .connect(&test_env(Kind::ZendeskSupport), &options)
        .unwrap();
    let seats = client.seats_json().expect("Support filters seats itself");
    let users: Vec<serde_json::Value> = seats.try_collect().await.unwrap();
    assert_eq!(users.len(), 250);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        let roles: Vec<String> = request
            .url
            .query_pairs()
            .filter(|(name, _)| name == "role[]")
            .map(|(_, value)| value.into_owned())
            .collect();
        assert_eq!(roles, ["agent", "admin"], "{:?}", request.url.query());
    }
    // Every provider filters exactly when its spec says how (`seats`).
    for kind in Kind::ALL.iter().copied() {
        let client = kind.connect(&test_env(kind), &options).unwrap();
        assert_eq!(
            client.seats_json().is_some(),
            !kind.info().seats.is_empty(),
            "{kind}"
        );
    }
}
