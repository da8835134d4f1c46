//! The hand-rolled decoding codegen emits for speed gives exactly what serde's derived code
//! would: untagged unions (dispatched on the JSON kind) are checked against a mirror enum that
//! derives `#[serde(untagged)]`, timestamps against chrono's own `Deserialize`, and open enums
//! against their `From<String>`.

use std::collections::BTreeMap;

use rollcall::{worksection, zendesk_sell, zendesk_support};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Every kind of JSON value, with numbers at the edges of the integer types.
fn inputs() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(60),
        json!(381920455512_i64),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(60.5),
        json!(-0.25),
        json!(""),
        json!("381920455513"),
        json!("ünïcode \"quoted\""),
        json!([]),
        json!(["a", "b"]),
        json!([1]),
        json!({}),
        json!({"Telegram": "@anna"}),
        json!({"Telegram": 5}),
        json!({"title": "Invalid", "message": "bad"}),
        json!({"message": "missing title"}),
    ]
}

/// Asserts that `Ours` and `Mirror` accept the same inputs and, through `same`, decode them to
/// the same value.
fn agree<Ours, Mirror>(same: impl Fn(&Ours, &Mirror) -> bool)
where
    Ours: DeserializeOwned + std::fmt::Debug,
    Mirror: DeserializeOwned + std::fmt::Debug,
{
    let mut accepted = 0;
    for input in inputs() {
        let text = input.to_string();
        let ours = serde_json::from_str::<Ours>(&text);
        let mirror = serde_json::from_str::<Mirror>(&text);
        match (&ours, &mirror) {
            (Ok(a), Ok(b)) => {
                assert!(same(a, b), "{text}: ours {a:?}, serde {b:?}");
                accepted += 1;
            }
            (Err(_), Err(_)) => {}
            _ => panic!("{text}: ours {ours:?}, serde {mirror:?}"),
        }
    }
    assert!(accepted >= 2, "the inputs exercise at least two variants");
}

#[test]
fn sell_zendesk_user_id_decodes_as_untagged_would() {
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    enum Mirror {
        String(String),
        Number(i64),
    }
    use zendesk_sell::types::UserZendeskUserId as Ours;
    agree::<Ours, Mirror>(|a, b| match (a, b) {
        (Ours::String(a), Mirror::String(b)) => a == b,
        (Ours::Number(a), Mirror::Number(b)) => a == b,
        _ => false,
    });
}

#[test]
fn support_error_status_decodes_as_untagged_would() {
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    enum Mirror {
        Code(i64),
        Text(String),
    }
    use zendesk_support::types::ErrorItemStatus as Ours;
    agree::<Ours, Mirror>(|a, b| match (a, b) {
        (Ours::Code(a), Mirror::Code(b)) => a == b,
        (Ours::Text(a), Mirror::Text(b)) => a == b,
        _ => false,
    });
}

#[test]
fn worksection_rate_decodes_as_untagged_would() {
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    enum Mirror {
        Number(f64),
        String(String),
    }
    use worksection::types::UserRate as Ours;
    agree::<Ours, Mirror>(|a, b| match (a, b) {
        (Ours::Number(a), Mirror::Number(b)) => a.to_bits() == b.to_bits(),
        (Ours::String(a), Mirror::String(b)) => a == b,
        _ => false,
    });
}

#[test]
fn worksection_service_accounts_decode_as_untagged_would() {
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    enum Mirror {
        Accounts(BTreeMap<String, Option<String>>),
        NoAccounts(Vec<String>),
    }
    use worksection::types::ServiceAccounts as Ours;
    agree::<Ours, Mirror>(|a, b| match (a, b) {
        (Ours::Accounts(a), Mirror::Accounts(b)) => a == b,
        (Ours::NoAccounts(a), Mirror::NoAccounts(b)) => a == b,
        _ => false,
    });
}

#[test]
fn support_error_body_decodes_as_untagged_would() {
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    enum Mirror {
        Text(String),
        Object(zendesk_support::types::ErrorObject),
    }
    use zendesk_support::types::ErrorBodyError as Ours;
    agree::<Ours, Mirror>(|a, b| match (a, b) {
        (Ours::Text(a), Mirror::Text(b)) => a == b,
        (Ours::Object(a), Mirror::Object(b)) => a == b,
        _ => false,
    });
}

#[test]
fn a_mismatched_kind_names_what_was_expected() {
    let error = serde_json::from_str::<zendesk_sell::types::UserZendeskUserId>("[1]")
        .expect_err("an array is neither a string nor an integer");
    assert_eq!(
        error.to_string(),
        "invalid type: sequence, expected a string or an integer at line 1 column 1"
    );
}

#[test]
fn open_enums_decode_borrowed_and_escaped_strings_alike() {
    use zendesk_sell::types::UserStatus;
    for (text, expected) in [
        (r#""active""#, UserStatus::Active),
        // An escape makes serde_json hand over an owned string instead of a borrowed one.
        (r#""\u0061ctive""#, UserStatus::Active),
        (r#""suspended""#, UserStatus::Other("suspended".to_owned())),
        (
            r#""sus\npended""#,
            UserStatus::Other("sus\npended".to_owned()),
        ),
    ] {
        assert_eq!(
            serde_json::from_str::<UserStatus>(text).unwrap(),
            expected,
            "{text}"
        );
    }
    assert!(serde_json::from_str::<UserStatus>("1").is_err());
}

#[test]
fn timestamps_decode_as_chrono_would() {
    #[derive(Debug, Deserialize)]
    struct Mirror {
        created_at: Option<chrono::DateTime<chrono::Utc>>,
    }
    let inputs = [
        json!("2019-03-04T08:15:00Z"),
        json!("2019-03-04T08:15:00.123456+02:00"),
        json!("2019-03-04T08:15:00-00:30"),
        // Accepted only by chrono's lenient parser: the fallback must keep them.
        json!("2019-03-04 08:15:00Z"),
        json!("2019-03-04t08:15:00z"),
        json!("2019-03-04T08:15:00 +02:00"),
        json!("2019-03-04T08:15:60Z"),
        json!("2019-03-04"),
        json!("2019-02-30T08:15:00Z"),
        json!(""),
        json!("yesterday"),
        json!(null),
        json!(1551687300),
        json!(true),
    ];
    let mut parsed = 0;
    for input in inputs {
        let ours = serde_json::from_value::<zendesk_sell::types::User>(
            json!({"id": 1, "name": "N", "created_at": input}),
        );
        let mirror = serde_json::from_value::<Mirror>(json!({ "created_at": input }));
        match (&ours, &mirror) {
            (Ok(user), Ok(m)) => {
                assert_eq!(user.created_at, m.created_at, "{input}");
                parsed += usize::from(m.created_at.is_some());
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{input}"),
            _ => panic!("{input}: ours {ours:?}, chrono {mirror:?}"),
        }
    }
    assert!(
        parsed >= 5,
        "the inputs include strict and lenient timestamps"
    );
    let missing =
        serde_json::from_value::<zendesk_sell::types::User>(json!({"id": 1, "name": "N"}))
            .expect("a missing optional timestamp is None");
    assert_eq!(missing.created_at, None);
}
