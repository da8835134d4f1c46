//! Typed errors: each provider's error shapes parsed into provider, operation, status, code,
//! message and request id; non-JSON, malformed and truncated bodies give errors, not panics;
//! `Display` is one line.

use super::common::*;
use rollcall::{Error, ErrorBody, ErrorKind, RetryPolicy};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Serves `response` to every request and returns the error of walking `kind`'s users once
/// (no retries).
async fn error_for(kind: Kind, response: ResponseTemplate) -> Error {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(response)
        .mount(&server)
        .await;
    let error = kind
        .all_ids_with(&server, RetryPolicy::none())
        .await
        .expect_err("the call fails");
    let text = error.to_string();
    assert!(!text.contains('\n'), "one line: {text}");
    assert!(
        text.starts_with(&format!("{} {}: ", kind.name(), kind.operation())),
        "{text}"
    );
    error
}

fn json_error(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

// --- Zendesk Sell -------------------------------------------------------------------------

#[tokio::test]
async fn sell_error_envelope_with_logref() {
    let error = error_for(
        Kind::ZendeskSell,
        json_error(
            400,
            json!({
                "errors": [{
                    "error": {"code": "invalid_param", "message": "per_page must be between 1 and 100",
                              "details": "The per_page parameter accepts values from 1 to 100.", "field": "per_page"},
                    "meta": {"type": "error"}
                }],
                "meta": {"type": "errors", "http_status": "400 Bad Request", "logref": "5f0c6a3e"}
            }),
        ),
    )
    .await;
    let api = error.api().unwrap();
    assert_eq!(api.code.as_deref(), Some("invalid_param"));
    assert_eq!(api.request_id.as_deref(), Some("5f0c6a3e"));
    let envelope: rollcall::zendesk_sell::types::ErrorEnvelope = api.body_as().unwrap();
    assert_eq!(envelope.errors.len(), 1);
    assert!(
        matches!(&api.body, ErrorBody::Json(body) if body["errors"].as_array().unwrap().len() == 1)
    );
    assert_eq!(
        error.to_string(),
        "zendesk-sell list_users: HTTP 400 Bad Request: per_page must be between 1 and 100 \
         (code invalid_param, request id 5f0c6a3e)"
    );
}

#[tokio::test]
async fn sell_request_id_falls_back_to_the_header() {
    let error = error_for(
        Kind::ZendeskSell,
        json_error(
            401,
            json!({
                "errors": [{"error": {"code": "unauthorized", "message": "The access token is missing, invalid or revoked."},
                            "meta": {"type": "error"}}],
                "meta": {"type": "errors", "http_status": "401 Unauthorized"}
            }),
        )
        .insert_header("x-request-id", "req-42"),
    )
    .await;
    assert_eq!(
        error.to_string(),
        "zendesk-sell list_users: HTTP 401 Unauthorized: The access token is missing, invalid or \
         revoked. (code unauthorized, request id req-42)"
    );
}

#[tokio::test]
async fn sell_422_with_a_collection_meta_and_several_errors() {
    let error = error_for(
        Kind::ZendeskSell,
        json_error(
            422,
            json!({
                "errors": [
                    {"error": {"code": "blank", "message": "can't be blank", "field": "name"}, "meta": {"type": "error"}},
                    {"error": {"code": "incorrect_value", "message": "is invalid", "field": "email"}, "meta": {"type": "error"}}
                ],
                "meta": {"type": "collection", "http_status": "422 Unprocessable Entity"}
            }),
        ),
    )
    .await;
    assert_eq!(
        error.api().unwrap().message.as_deref(),
        Some("name: can't be blank; email: is invalid")
    );
}

#[tokio::test]
async fn sell_rate_limit_with_a_body_that_is_not_the_envelope() {
    let error = error_for(
        Kind::ZendeskSell,
        json_error(429, json!({"error": "rate limit exceeded"})),
    )
    .await;
    assert_eq!(
        error.to_string(),
        r#"zendesk-sell list_users: HTTP 429 Too Many Requests: {"error":"rate limit exceeded"}"#
    );
}

#[tokio::test]
async fn sell_unknown_user_is_a_404() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(json_error(
            404,
            json!({"errors": [{"error": {"code": "not_found", "message": "User not found"}}],
                   "meta": {"type": "errors", "http_status": "404 Not Found"}}),
        ))
        .mount(&server)
        .await;
    let client = sell(&server);
    let error = client
        .call(client.get_user().id(999).send())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.operation(), "get_user");
    assert_eq!(
        error.to_string(),
        "zendesk-sell get_user: HTTP 404 Not Found: User not found (code not_found)"
    );
}

// --- Zendesk Support ----------------------------------------------------------------------

#[tokio::test]
async fn support_error_shapes() {
    let cases = [
        (
            json_error(404, json!({"error": "RecordNotFound", "description": "Not found"})),
            "HTTP 404 Not Found: Not found (code RecordNotFound)",
        ),
        (
            json_error(401, json!({"error": "Couldn't authenticate you"})),
            "HTTP 401 Unauthorized: Couldn't authenticate you",
        ),
        (
            json_error(
                422,
                json!({"error": "RecordInvalid", "description": "Record validation errors",
                       "details": {"email": [{"description": "Email is already being used", "error": "DuplicateValue"}]}}),
            ),
            "HTTP 422 Unprocessable Entity: Record validation errors; email: Email is already being used (code RecordInvalid)",
        ),
        (
            json_error(403, json!({"error": {"title": "Forbidden", "message": "You do not have access to this page"}})),
            "HTTP 403 Forbidden: You do not have access to this page (code Forbidden)",
        ),
        (
            json_error(
                400,
                json!({"errors": [{"code": "InvalidPaginationDepth", "title": "Invalid pagination depth",
                                   "detail": "Use cursor pagination", "status": "400"}]}),
            ),
            "HTTP 400 Bad Request: Invalid pagination depth: Use cursor pagination (code InvalidPaginationDepth)",
        ),
        (
            ResponseTemplate::new(429)
                .insert_header("retry-after", "7")
                .set_body_string("Number of allowed API requests per minute exceeded"),
            "HTTP 429 Too Many Requests: Number of allowed API requests per minute exceeded",
        ),
        (
            ResponseTemplate::new(500).set_body_raw(
                "<!DOCTYPE html>\n<html><head><title>Zendesk - Internal Server Error</title></head>\n<body><h1>Oops</h1></body></html>",
                "text/html",
            ),
            "HTTP 500 Internal Server Error: Zendesk - Internal Server Error",
        ),
    ];
    for (response, expected) in cases {
        let error = error_for(Kind::ZendeskSupport, response).await;
        assert_eq!(
            error.to_string(),
            format!("zendesk-support list_users: {expected}")
        );
    }
    let rate_limited = error_for(
        Kind::ZendeskSupport,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "7")
            .set_body_string("Number of allowed API requests per minute exceeded"),
    )
    .await;
    let api = rate_limited.api().unwrap();
    assert_eq!(api.retry_after, Some(std::time::Duration::from_secs(7)));
    assert!(matches!(
        &api.body,
        ErrorBody::Text { content_type: Some(ct), .. } if ct == "text/plain"
    ));
}

/// The request id comes from the header the spec names (`request-id-header`) before the
/// generic `X-Request-Id`, and a provider never reads another's header.
#[tokio::test]
async fn the_request_id_header_is_the_one_the_spec_names() {
    let unauthorized = || {
        json_error(401, json!({"error": "Couldn't authenticate you"}))
            .insert_header("x-request-id", "generic-1")
            .insert_header("x-zendesk-request-id", "zd-7")
    };
    let error = error_for(Kind::ZendeskSupport, unauthorized()).await;
    assert_eq!(
        error.to_string(),
        "zendesk-support list_users: HTTP 401 Unauthorized: Couldn't authenticate you \
         (request id zd-7)"
    );
    let plain_text = ResponseTemplate::new(503)
        .set_body_string("maintenance")
        .insert_header("x-zendesk-request-id", "zd-8");
    let error = error_for(Kind::ZendeskSupport, plain_text).await;
    assert_eq!(error.api().unwrap().request_id.as_deref(), Some("zd-8"));
    let error = error_for(Kind::Sequence, unauthorized()).await;
    assert_eq!(
        error.api().unwrap().request_id.as_deref(),
        Some("generic-1")
    );
    let only_zendesks = ResponseTemplate::new(401).insert_header("x-zendesk-request-id", "zd-9");
    let error = error_for(Kind::Sequence, only_zendesks).await;
    assert_eq!(error.api().unwrap().request_id, None);
}

// --- Sequence -----------------------------------------------------------------------------

#[tokio::test]
async fn sequence_documented_error_and_bodiless_errors() {
    let error = error_for(
        Kind::Sequence,
        json_error(
            400,
            json!({"error": {"type": "UnrecognisedApiVersion", "message": "Unrecognised API version: 2023-01-01"}}),
        ),
    )
    .await;
    assert_eq!(
        error.to_string(),
        "sequence list_users: HTTP 400 Bad Request: Unrecognised API version: 2023-01-01 (code UnrecognisedApiVersion)"
    );
    let error = error_for(Kind::Sequence, ResponseTemplate::new(401)).await;
    assert_eq!(
        error.to_string(),
        "sequence list_users: HTTP 401 Unauthorized"
    );
    assert!(matches!(error.api().unwrap().body, ErrorBody::Empty));
}

// --- Worksection --------------------------------------------------------------------------

#[tokio::test]
async fn worksection_error_envelope_in_http_200() {
    let error = error_for(
        Kind::Worksection,
        json_error(
            200,
            json!({"status": "error", "status_code": 2, "message": "Action hash is missed or invalid"}),
        ),
    )
    .await;
    let api = error.api().expect("an API error");
    assert_eq!(api.status.as_u16(), 200);
    assert_eq!(api.code.as_deref(), Some("2"));
    assert_eq!(
        error.to_string(),
        "worksection get_users: HTTP 200 OK: Action hash is missed or invalid (code 2)"
    );
}

#[tokio::test]
async fn worksection_expired_oauth_token_in_http_200() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(json_error(
            200,
            json!({"status": "error", "status_code": 401, "message": "Access token expired",
                   "message_details": "Refresh the token"}),
        ))
        .mount(&server)
        .await;
    let error =
        futures::TryStreamExt::try_collect::<Vec<_>>(worksection_oauth(&server).all_users())
            .await
            .unwrap_err();
    assert_eq!(
        error.to_string(),
        "worksection get_users_oauth2: HTTP 200 OK: Access token expired: Refresh the token (code 401)"
    );
}

#[tokio::test]
async fn worksection_error_envelope_with_an_http_error_status() {
    let error = error_for(
        Kind::Worksection,
        json_error(
            403,
            json!({"status": "error", "status_code": 5, "message": "Access denied"}),
        ),
    )
    .await;
    assert_eq!(
        error.to_string(),
        "worksection get_users: HTTP 403 Forbidden: Access denied (code 5)"
    );
    let envelope: rollcall::worksection::types::Envelope = error.api().unwrap().body_as().unwrap();
    assert_eq!(envelope.status_code, Some(5));
}

#[tokio::test]
async fn worksection_json_sent_as_text_html_is_accepted() {
    // PHP's default Content-Type is text/html; for Worksection the body decides.
    let server = MockServer::builder().start().await;
    let body = serde_json::to_vec(&worksection_envelope(1, 2)).unwrap();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/html; charset=UTF-8"))
        .mount(&server)
        .await;
    assert_eq!(
        Kind::Worksection.all_ids(&server).await.unwrap(),
        ["1", "2"]
    );
}

// --- Jira -----------------------------------------------------------------------------------

#[tokio::test]
async fn jira_bad_login_is_its_plain_text_under_a_json_content_type() {
    let error = error_for(
        Kind::Jira,
        ResponseTemplate::new(401).set_body_raw(
            "Client must be authenticated to access this resource.",
            "application/json;charset=UTF-8",
        ),
    )
    .await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        error.to_string(),
        "jira list_users: HTTP 401 Unauthorized: Client must be authenticated to access this \
         resource."
    );
}

// --- PagerDuty ------------------------------------------------------------------------------

#[tokio::test]
async fn pagerduty_refused_key_without_a_body_is_one_line() {
    let error = error_for(
        Kind::Pagerduty,
        ResponseTemplate::new(401).set_body_raw("", "text/html; charset=utf-8"),
    )
    .await;
    assert_eq!(
        error.to_string(),
        "pagerduty list_users: HTTP 401 Unauthorized"
    );
}

// --- Bodies that are not what the operation returns, for every provider -------------------

fn invalid_reason(error: &Error) -> &str {
    match error.kind() {
        ErrorKind::InvalidResponse { reason, status } => {
            assert_eq!(status.map(|s| s.as_u16()), Some(200));
            reason
        }
        other => panic!("expected an invalid response, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_json_is_an_error() {
    for kind in Kind::ALL.iter().copied() {
        let error = error_for(
            kind,
            ResponseTemplate::new(200).set_body_raw("{\"items\": [}", "application/json"),
        )
        .await;
        assert!(
            invalid_reason(&error).starts_with("malformed JSON: "),
            "{kind:?}: {error}"
        );
    }
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_an_error() {
    for kind in Kind::ALL.iter().copied() {
        // A page whose records are a number instead of an array.
        let mut page = kind.last_page(1);
        *page.pointer_mut(kind.list().items).expect("records") = json!(2);
        let error = error_for(kind, ResponseTemplate::new(200).set_body_json(page)).await;
        assert!(
            invalid_reason(&error).starts_with("JSON that does not match the schema: "),
            "{kind:?}: {error}"
        );
    }
}

#[tokio::test]
async fn an_html_page_with_status_200_is_an_error() {
    for kind in Kind::ALL.iter().copied() {
        let error = error_for(
            kind,
            ResponseTemplate::new(200).set_body_raw(
                "<html><head><title>Sign in</title></head><body>Please sign in</body></html>",
                "text/html",
            ),
        )
        .await;
        assert_eq!(
            error.to_string(),
            format!(
                "{} {}: HTTP 200 OK: an HTML page instead of JSON: Sign in",
                kind.name(),
                kind.operation()
            )
        );
    }
}

#[tokio::test]
async fn json_with_a_wrong_content_type_is_an_error() {
    // Providers whose spec says they send JSON as anything (`any-content-type`) are exempt.
    for kind in Kind::ALL
        .iter()
        .copied()
        .filter(|kind| !kind.info().any_content_type)
    {
        let body = serde_json::to_vec(&kind.last_page(1)).unwrap();
        let error = error_for(
            kind,
            ResponseTemplate::new(200).set_body_raw(body, "text/plain"),
        )
        .await;
        assert_eq!(
            invalid_reason(&error),
            "expected a JSON body, got Content-Type `text/plain`",
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn an_empty_body_and_an_unlisted_status_are_errors() {
    for kind in Kind::ALL.iter().copied() {
        let error = error_for(kind, ResponseTemplate::new(200)).await;
        assert_eq!(invalid_reason(&error), "the body is empty", "{kind:?}");
        let error = error_for(kind, ResponseTemplate::new(204)).await;
        assert_eq!(
            error.to_string(),
            format!(
                "{} {}: HTTP 204 No Content: status 204 No Content is not one the operation returns",
                kind.name(),
                kind.operation()
            )
        );
    }
}
