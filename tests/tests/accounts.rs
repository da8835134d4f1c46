//! Every provider's account mapping (`x-rollcall.account` in its spec), pinned case by case:
//! each record is first read into the provider's generated `User` type and written back (what
//! a walk yields), then read as an [`Account`]. Null, missing and unknown values included: an
//! unknown status is `unknown`, never an error.

use rollcall::account::{Kind, Status};
use rollcall::{Account, Provider};
use rollcall_tests::fixtures;
use serde_json::{Value, json};

/// `user` as provider `name`'s walk yields it, read as an account.
fn account(name: &str, user: Value) -> Account {
    let provider: Provider = name.parse().expect("a provider of the registry");
    let typed = provider
        .__round_trip("User", &user.to_string())
        .expect("the spec has a User schema")
        .unwrap_or_else(|e| panic!("{name}: {user} does not fit User: {e}"));
    Account::from_user(provider.info(), typed["value"].clone())
}

/// The facts a mapping decides, in one comparable tuple.
fn facts(account: &Account) -> (Status, Kind, Vec<&str>, bool) {
    (
        account.status,
        account.kind,
        account.roles.iter().map(String::as_str).collect(),
        account.privileged,
    )
}

fn merged(base: &Value, overrides: Value) -> Value {
    let mut user = base.clone();
    for (key, value) in overrides.as_object().unwrap() {
        if value == &json!("<missing>") {
            user.as_object_mut().unwrap().remove(key);
        } else {
            user[key] = value.clone();
        }
    }
    user
}

/// Writes `new` at JSON pointer `at` in `value`, creating the objects on the way.
fn put(value: &mut Value, at: &str, new: Value) {
    let mut here = value;
    for token in at.split('/').skip(1) {
        let key = token.replace("~1", "/").replace("~0", "~");
        if !here.is_object() {
            *here = json!({});
        }
        here = here
            .as_object_mut()
            .expect("made an object above")
            .entry(key)
            .or_insert(Value::Null);
    }
    *here = new;
}

/// Every provider, from its spec alone: the sample user its fake serves, cut down to the
/// properties the schema requires, with a name and an email written where the spec's
/// `x-rollcall.account` says they live (a provider may keep its email at `/person/email`).
#[test]
fn every_provider_maps_a_minimal_record_without_failing() {
    for provider in Provider::ALL {
        let fake = provider.fake();
        let list = fake
            .lists
            .first()
            .expect("a provider with a list operation");
        let item: Value = serde_json::from_str(list.item).expect("the fake's sample item is JSON");
        let sample = list.record.map_or(&item, |at| {
            item.pointer(at).expect("the record inside the item")
        });
        let mut user = json!({});
        for name in fake.user.required {
            user[*name] = sample[*name].clone();
        }
        let rules = &provider.info().account;
        put(&mut user, rules.email, json!("a@example.com"));
        let id = sample
            .pointer(rules.id)
            .cloned()
            .expect("the sample user has an id");
        put(&mut user, rules.id, id);
        if let Some(Value::String(_)) = sample.pointer(rules.name) {
            put(&mut user, rules.name, json!("A"));
        }
        let account = account(provider.name(), user);
        assert_eq!(account.provider, provider.name());
        assert!(!account.id.is_empty(), "{provider}");
        assert_eq!(
            account.email.as_deref(),
            Some("a@example.com"),
            "{provider}"
        );
    }
}

#[test]
fn zendesk_sell() {
    // The shared recorded Sell user (active, invited and confirmed, a plain `user`), named.
    let base = merged(
        &fixtures::sell_user(10),
        json!({"name": "Ann", "email": "ann@example.com", "status": "active", "reports_to": 7}),
    );
    let sell = |overrides: Value| account("zendesk-sell", merged(&base, overrides));
    let ann = sell(json!({}));
    assert_eq!(
        facts(&ann),
        (Status::Active, Kind::Member, vec!["user"], false)
    );
    assert_eq!(ann.id, "10");
    assert_eq!(ann.name.as_deref(), Some("Ann"));
    assert_eq!(ann.manager.as_deref(), Some("7"));
    assert_eq!(ann.created_at.as_deref(), Some("2019-03-04T08:15:00Z"));
    assert_eq!(ann.updated_at.as_deref(), Some("2023-11-20T14:02:41Z"));
    assert_eq!(ann.last_login_at, None);
    let scim = ann.to_scim();
    assert_eq!(
        scim["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"]["value"],
        "7"
    );

    let cases = [
        (json!({"status": "inactive"}), Status::Inactive),
        (
            json!({"deleted_at": "2024-01-01T00:00:00Z", "status": "active"}),
            Status::Deleted,
        ),
        (
            json!({"invited": true, "confirmed": false}),
            Status::Invited,
        ),
        (json!({"sell_login_disabled": true}), Status::Suspended),
        (json!({"status": "archived"}), Status::Unknown),
        (json!({"status": "<missing>"}), Status::Unknown),
        (json!({"status": "ACTIVE"}), Status::Active),
    ];
    for (overrides, status) in cases {
        assert_eq!(sell(overrides.clone()).status, status, "{overrides}");
    }
    let admin = sell(
        json!({"role": "admin", "roles": [{"id": 1, "name": "Sales"}, {"id": 2, "name": "admin"}]}),
    );
    assert_eq!(
        facts(&admin),
        (Status::Active, Kind::Member, vec!["admin", "Sales"], true)
    );
    let bot = sell(json!({"identity_type": "integration"}));
    assert_eq!(bot.kind, Kind::Bot);
    let empty =
        sell(json!({"email": "", "reports_to": null, "role": "<missing>", "roles": "<missing>"}));
    assert_eq!(empty.email, None);
    assert_eq!(empty.manager, None);
    assert_eq!(facts(&empty), (Status::Active, Kind::Member, vec![], false));
    assert!(empty.to_scim().get("emails").is_none());
}

#[test]
fn zendesk_support() {
    let base = json!({
        "id": 360000000001_i64, "name": "Bo", "email": "bo@example.org", "role": "agent",
        "active": true, "suspended": false, "role_type": null,
        "created_at": "2014-03-12T08:45:03Z", "updated_at": "2024-11-02T16:20:11Z",
        "last_login_at": "2024-11-01T09:00:00Z",
    });
    let support = |overrides: Value| account("zendesk-support", merged(&base, overrides));
    let bo = support(json!({}));
    assert_eq!(
        facts(&bo),
        (Status::Active, Kind::Member, vec!["agent"], false)
    );
    assert_eq!(bo.id, "360000000001");
    assert_eq!(bo.last_login_at.as_deref(), Some("2024-11-01T09:00:00Z"));
    let cases = [
        (
            json!({"role": "end-user"}),
            (Status::Active, Kind::EndUser, vec!["end-user"], false),
        ),
        (
            json!({"role": "admin"}),
            (Status::Active, Kind::Member, vec!["admin"], true),
        ),
        (
            json!({"role_type": 4}),
            (Status::Active, Kind::Member, vec!["agent"], true),
        ),
        (
            json!({"role_type": 2}),
            (Status::Active, Kind::Member, vec!["agent"], false),
        ),
        (
            json!({"active": false}),
            (Status::Deleted, Kind::Member, vec!["agent"], false),
        ),
        (
            json!({"suspended": true}),
            (Status::Suspended, Kind::Member, vec!["agent"], false),
        ),
        (
            json!({"active": false, "suspended": true}),
            (Status::Deleted, Kind::Member, vec!["agent"], false),
        ),
        (
            json!({"active": "<missing>", "suspended": "<missing>", "role": "<missing>"}),
            (Status::Unknown, Kind::Member, vec![], false),
        ),
        (
            json!({"role": "light-agent"}),
            (Status::Active, Kind::Member, vec!["light-agent"], false),
        ),
    ];
    for (overrides, expected) in cases {
        assert_eq!(facts(&support(overrides.clone())), expected, "{overrides}");
    }
    let nulls = support(json!({"email": null, "last_login_at": null}));
    assert_eq!((nulls.email, nulls.last_login_at), (None, None));
}

#[test]
fn sequence() {
    let base = json!({
        "id": "00000000-0000-4000-8000-000000000001", "email": "cy@example.com",
        "sequenceAccountIds": ["83da2ca4-49c7-4d81-9c9a-ba5be11768b0"], "state": "active",
        "roles": [{"roleName": "financeUser"}],
    });
    let sequence = |overrides: Value| account("sequence", merged(&base, overrides));
    let cy = sequence(json!({}));
    assert_eq!(
        facts(&cy),
        (Status::Active, Kind::Member, vec!["financeUser"], false)
    );
    assert_eq!(cy.id, "00000000-0000-4000-8000-000000000001");
    assert_eq!((cy.name, cy.created_at), (None, None));
    let cases = [
        (
            json!({"state": "deleted"}),
            (Status::Deleted, Kind::Member, vec!["financeUser"], false),
        ),
        (
            json!({"state": "paused"}),
            (Status::Unknown, Kind::Member, vec!["financeUser"], false),
        ),
        (
            json!({"roles": [{"roleName": "salesUser"}, {"roleName": "admin"}, {"roleName": "admin"}]}),
            (
                Status::Active,
                Kind::Member,
                vec!["salesUser", "admin"],
                true,
            ),
        ),
        (
            json!({"roles": [{}]}),
            (Status::Active, Kind::Member, vec![], false),
        ),
        (
            json!({"roles": []}),
            (Status::Active, Kind::Member, vec![], false),
        ),
    ];
    for (overrides, expected) in cases {
        assert_eq!(facts(&sequence(overrides.clone())), expected, "{overrides}");
    }
}

#[test]
fn worksection() {
    let base = json!({
        "id": "3993", "name": "Dee Doe", "email": "dee@example.com", "role": "User",
        "date_added": "2021-02-15 09:42",
    });
    let worksection = |overrides: Value| account("worksection", merged(&base, overrides));
    let dee = worksection(json!({}));
    assert_eq!(dee.id, "3993");
    assert_eq!(dee.status, Status::Active);
    assert_eq!((dee.kind, dee.privileged), (Kind::Member, false));
    assert_eq!(dee.roles.len(), 1);
    assert!(dee.roles[0].eq_ignore_ascii_case("user"));
    // `date_added` has no time zone: not a created_at.
    assert_eq!(dee.created_at, None);
    assert_eq!(worksection(json!({"id": 3993})).id, "3993");
    for (role, kind, privileged) in [
        ("Owner", Kind::Member, true),
        ("owner", Kind::Member, true),
        ("Account admin", Kind::Member, true),
        ("ACCOUNT ADMIN", Kind::Member, true),
        ("Team admin", Kind::Member, false),
        ("Department admin", Kind::Member, false),
        ("Guest", Kind::Guest, false),
        ("reader", Kind::Guest, false),
        ("Auditor", Kind::Member, false),
    ] {
        let account = worksection(json!({"role": role}));
        assert_eq!(
            (account.kind, account.privileged),
            (kind, privileged),
            "{role}"
        );
        assert_eq!(account.status, Status::Active, "{role}");
    }
    let no_role = worksection(json!({"role": "<missing>"}));
    assert_eq!(
        (no_role.kind, no_role.privileged, no_role.roles.len()),
        (Kind::Member, false, 0)
    );
}

#[test]
fn hubspot() {
    let base = json!({
        "id": "51234568", "email": "rep@example.com", "firstName": "Ann", "lastName": "Lee",
        "roleId": "344776", "roleIds": ["344776"], "superAdmin": false,
    });
    let hubspot = |overrides: Value| account("hubspot", merged(&base, overrides));
    let ann = hubspot(json!({}));
    assert_eq!(ann.id, "51234568");
    assert_eq!(ann.email.as_deref(), Some("rep@example.com"));
    // HubSpot keeps first and last names apart and has no display name: none is made up.
    assert_eq!(ann.name, None);
    assert_eq!(
        facts(&ann),
        (Status::Active, Kind::Member, vec!["344776"], false)
    );
    assert_eq!((ann.created_at, ann.last_login_at), (None, None));
    let cases = [
        (
            json!({"superAdmin": true, "roleId": "<missing>", "roleIds": []}),
            (Status::Active, Kind::Member, vec![], true),
        ),
        (
            json!({"superAdmin": "<missing>"}),
            (Status::Active, Kind::Member, vec!["344776"], false),
        ),
        (
            json!({"roleIds": ["1", "344776"]}),
            (Status::Active, Kind::Member, vec!["1", "344776"], false),
        ),
    ];
    for (overrides, expected) in cases {
        assert_eq!(facts(&hubspot(overrides.clone())), expected, "{overrides}");
    }
}

#[test]
fn google_workspace() {
    let base = json!({
        "id": "117233946150229640163", "primaryEmail": "liz@example.com",
        "name": {"givenName": "Elizabeth", "familyName": "Smith", "fullName": "Elizabeth Smith"},
        "isAdmin": false, "isDelegatedAdmin": false, "suspended": false, "archived": false,
        "creationTime": "2019-02-05T10:30:03.000Z", "lastLoginTime": "2024-05-14T08:21:37.000Z",
    });
    let google = |overrides: Value| account("google-workspace", merged(&base, overrides));
    let liz = google(json!({}));
    assert_eq!(liz.id, "117233946150229640163");
    assert_eq!(liz.email.as_deref(), Some("liz@example.com"));
    assert_eq!(liz.name.as_deref(), Some("Elizabeth Smith"));
    assert_eq!(facts(&liz), (Status::Active, Kind::Member, vec![], false));
    // The generated type writes timestamps in its own precision.
    assert_eq!(liz.created_at.as_deref(), Some("2019-02-05T10:30:03Z"));
    assert_eq!(liz.last_login_at.as_deref(), Some("2024-05-14T08:21:37Z"));
    // Google's "never signed in" is the Unix epoch: read as null, not as 1970.
    let never = google(json!({"lastLoginTime": "1970-01-01T00:00:00.000Z"}));
    assert_eq!(never.last_login_at, None);
    assert_eq!(never.created_at.as_deref(), Some("2019-02-05T10:30:03Z"));
    let cases = [
        (json!({"suspended": true}), (Status::Suspended, false)),
        (json!({"archived": true}), (Status::Inactive, false)),
        (
            json!({"suspended": true, "archived": true}),
            (Status::Suspended, false),
        ),
        (
            json!({"deletionTime": "2024-06-01T00:00:00.000Z", "suspended": true}),
            (Status::Deleted, false),
        ),
        (json!({"isAdmin": true}), (Status::Active, true)),
        (json!({"isDelegatedAdmin": true}), (Status::Active, true)),
        (
            json!({"isAdmin": "<missing>", "suspended": "<missing>"}),
            (Status::Active, false),
        ),
    ];
    for (overrides, expected) in cases {
        let account = google(overrides.clone());
        assert_eq!(
            (account.status, account.privileged),
            expected,
            "{overrides}"
        );
        assert_eq!(account.kind, Kind::Member, "{overrides}");
    }
    let scim = google(json!({"suspended": true})).to_scim();
    assert_eq!(scim["active"], json!(false));
    assert_eq!(scim["userName"], json!("liz@example.com"));
}

#[test]
fn pagerduty() {
    let base = json!({
        "id": "PXPGF42", "type": "user", "name": "Earline Greenholt",
        "email": "earline@example.com", "role": "user", "invitation_sent": false,
    });
    let pagerduty = |overrides: Value| account("pagerduty", merged(&base, overrides));
    let earline = pagerduty(json!({}));
    assert_eq!(earline.id, "PXPGF42");
    assert_eq!(earline.name.as_deref(), Some("Earline Greenholt"));
    assert_eq!(
        facts(&earline),
        (Status::Active, Kind::Member, vec!["user"], false)
    );
    for (role, kind, privileged) in [
        ("owner", Kind::Member, true),
        ("admin", Kind::Member, true),
        ("limited_user", Kind::Member, false),
        ("read_only_user", Kind::Guest, false),
        ("read_only_limited_user", Kind::Guest, false),
        ("observer", Kind::Guest, false),
        ("restricted_access", Kind::Guest, false),
        ("responder_plus", Kind::Member, false),
    ] {
        let account = pagerduty(json!({"role": role}));
        assert_eq!(
            (account.kind, account.privileged),
            (kind, privileged),
            "{role}"
        );
        assert_eq!(account.roles, [role], "{role}");
    }
    let invited = pagerduty(json!({"invitation_sent": true, "role": "admin"}));
    assert_eq!(
        (invited.status, invited.privileged),
        (Status::Invited, true)
    );
    let no_role = pagerduty(json!({"role": "<missing>", "invitation_sent": "<missing>"}));
    assert_eq!(
        facts(&no_role),
        (Status::Active, Kind::Member, vec![], false)
    );
}

#[test]
fn jira() {
    let base = json!({
        "accountId": "5b10a2844c20165700ede21g", "accountType": "atlassian",
        "emailAddress": "mia@example.com", "displayName": "Mia Krystof", "active": true,
    });
    let jira = |overrides: Value| account("jira", merged(&base, overrides));
    let mia = jira(json!({}));
    assert_eq!(mia.id, "5b10a2844c20165700ede21g");
    assert_eq!(mia.email.as_deref(), Some("mia@example.com"));
    assert_eq!(mia.name.as_deref(), Some("Mia Krystof"));
    assert_eq!(facts(&mia), (Status::Active, Kind::Member, vec![], false));
    let cases = [
        (json!({"active": false}), (Status::Inactive, Kind::Member)),
        (json!({"accountType": "app"}), (Status::Active, Kind::Bot)),
        (
            json!({"accountType": "customer"}),
            (Status::Active, Kind::EndUser),
        ),
        (
            json!({"accountType": "customer", "active": false}),
            (Status::Inactive, Kind::EndUser),
        ),
        (
            json!({"accountType": "unknown"}),
            (Status::Active, Kind::Member),
        ),
        (
            json!({"accountType": "robot"}),
            (Status::Active, Kind::Member),
        ),
        (
            json!({"active": "<missing>"}),
            (Status::Unknown, Kind::Member),
        ),
    ];
    for (overrides, expected) in cases {
        let account = jira(overrides.clone());
        assert_eq!((account.status, account.kind), expected, "{overrides}");
        assert!(!account.privileged, "{overrides}");
    }
    // Privacy settings hide the address: the account has none, and SCIM falls back to the id.
    let hidden = jira(json!({"emailAddress": "<missing>"}));
    assert_eq!(hidden.email, None);
    assert_eq!(
        hidden.to_scim()["userName"],
        json!("5b10a2844c20165700ede21g")
    );
}

#[test]
fn slack() {
    let base = json!({
        "id": "W012A3CDE", "team_id": "T012AB3C4", "name": "spengler", "deleted": false,
        "profile": {"real_name": "Egon Spengler", "email": "spengler@example.com"},
        "is_admin": false, "is_owner": false, "is_primary_owner": false,
        "is_restricted": false, "is_ultra_restricted": false, "is_bot": false,
        "is_app_user": false, "updated": 1502138686,
    });
    let slack = |overrides: Value| account("slack", merged(&base, overrides));
    let egon = slack(json!({}));
    assert_eq!(egon.id, "W012A3CDE");
    assert_eq!(egon.email.as_deref(), Some("spengler@example.com"));
    assert_eq!(egon.name.as_deref(), Some("Egon Spengler"));
    assert_eq!(facts(&egon), (Status::Active, Kind::Member, vec![], false));
    // `updated` is Unix seconds, not RFC 3339: no timestamp is guessed.
    assert_eq!(egon.updated_at, None);
    let cases = [
        (
            json!({"deleted": true}),
            (Status::Deleted, Kind::Member, false),
        ),
        (
            json!({"is_invited_user": true}),
            (Status::Invited, Kind::Member, false),
        ),
        (json!({"is_bot": true}), (Status::Active, Kind::Bot, false)),
        (
            json!({"is_app_user": true}),
            (Status::Active, Kind::Bot, false),
        ),
        (
            json!({"id": "USLACKBOT"}),
            (Status::Active, Kind::Bot, false),
        ),
        (
            json!({"is_restricted": true}),
            (Status::Active, Kind::Guest, false),
        ),
        (
            json!({"is_restricted": true, "is_ultra_restricted": true}),
            (Status::Active, Kind::Guest, false),
        ),
        (
            json!({"is_admin": true}),
            (Status::Active, Kind::Member, true),
        ),
        (
            json!({"is_owner": true}),
            (Status::Active, Kind::Member, true),
        ),
        (
            json!({"is_primary_owner": true}),
            (Status::Active, Kind::Member, true),
        ),
        // A deleted user keeps little more than its id and name.
        (
            json!({"deleted": true, "is_admin": "<missing>", "is_restricted": "<missing>"}),
            (Status::Deleted, Kind::Member, false),
        ),
    ];
    for (overrides, expected) in cases {
        let account = slack(overrides.clone());
        assert_eq!(
            (account.status, account.kind, account.privileged),
            expected,
            "{overrides}"
        );
    }
    let bot = slack(json!({"is_bot": true, "profile": {"real_name": "Deploy Bot"}}));
    assert_eq!((bot.email, bot.name.as_deref()), (None, Some("Deploy Bot")));
}

#[test]
fn okta() {
    let base = json!({
        "id": "00ub0oNGTSWTBKOLGLNR", "status": "ACTIVE",
        "created": "2013-06-24T16:39:18.000Z", "lastUpdated": "2013-07-02T21:36:25.344Z",
        "lastLogin": "2013-06-24T17:39:19.000Z",
        "profile": {"login": "isaac@example.com", "email": "isaac@example.com",
                    "displayName": "Isaac Brock"},
    });
    let okta = |overrides: Value| account("okta", merged(&base, overrides));
    let isaac = okta(json!({}));
    assert_eq!(isaac.id, "00ub0oNGTSWTBKOLGLNR");
    assert_eq!(isaac.email.as_deref(), Some("isaac@example.com"));
    assert_eq!(isaac.name.as_deref(), Some("Isaac Brock"));
    assert_eq!(facts(&isaac), (Status::Active, Kind::Member, vec![], false));
    assert_eq!(isaac.created_at.as_deref(), Some("2013-06-24T16:39:18Z"));
    assert_eq!(
        isaac.updated_at.as_deref(),
        Some("2013-07-02T21:36:25.344Z")
    );
    assert_eq!(isaac.last_login_at.as_deref(), Some("2013-06-24T17:39:19Z"));
    for (status, expected) in [
        ("ACTIVE", Status::Active),
        ("RECOVERY", Status::Active),
        ("PASSWORD_EXPIRED", Status::Active),
        ("LOCKED_OUT", Status::Suspended),
        ("SUSPENDED", Status::Suspended),
        ("STAGED", Status::Invited),
        ("PROVISIONED", Status::Invited),
        ("DEPROVISIONED", Status::Deleted),
        ("PENDING_USER_ACTION", Status::Unknown),
    ] {
        assert_eq!(okta(json!({"status": status})).status, expected, "{status}");
    }
    let never = okta(json!({"lastLogin": null, "status": "STAGED"}));
    assert_eq!((never.status, never.last_login_at), (Status::Invited, None));
}

#[test]
fn github() {
    let base = json!({
        "login": "mona-lisa", "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==",
        "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
        "url": "https://api.github.com/users/mona-lisa", "html_url": "https://github.com/mona-lisa",
        "type": "User", "site_admin": false,
    });
    let github = |overrides: Value| account("github", merged(&base, overrides));
    let mona = github(json!({}));
    assert_eq!(mona.id, "583231");
    assert_eq!(
        (mona.email.as_deref(), mona.name.as_deref()),
        (None, Some("mona-lisa"))
    );
    assert_eq!(facts(&mona), (Status::Active, Kind::Member, vec![], false));
    for (kind, expected) in [
        ("Bot", Kind::Bot),
        ("bot", Kind::Bot),
        ("User", Kind::Member),
        ("Mannequin", Kind::Member),
    ] {
        assert_eq!(github(json!({"type": kind})).kind, expected, "{kind}");
    }
    // `site_admin` is GitHub staff, not an owner of the organization.
    assert!(!github(json!({"site_admin": true})).privileged);
    let public = github(json!({"email": "mona@example.com", "name": "Mona"}));
    assert_eq!(public.email.as_deref(), Some("mona@example.com"));
}

/// The facts a walk of a union adds (`x-rollcall.walks`) read into the account: the walk's
/// kind where the rules give the default, its privilege on top of the rules'; the record's
/// own rules win over the walk's kind (a bot listed among outside collaborators is a bot).
#[test]
fn facts_of_a_walk() {
    let provider: Provider = "github".parse().unwrap();
    let record = |kind: &str, facts: Value| {
        let mut user = json!({
            "login": "carol", "id": 7, "node_id": "U_7", "avatar_url": "a", "url": "u",
            "html_url": "h", "type": kind, "site_admin": false,
        });
        user[rollcall::FACTS_KEY] = facts;
        Account::from_user(provider.info(), user)
    };
    let owner = record("User", json!({"privileged": true}));
    assert_eq!(facts(&owner), (Status::Active, Kind::Member, vec![], true));
    assert!(
        owner.raw.get(rollcall::FACTS_KEY).is_none(),
        "{}",
        owner.raw
    );
    let guest = record("User", json!({"kind": "guest", "privileged": false}));
    assert_eq!(facts(&guest), (Status::Active, Kind::Guest, vec![], false));
    let bot = record("Bot", json!({"kind": "guest", "privileged": false}));
    assert_eq!(bot.kind, Kind::Bot);
    let garbled = record("User", json!({"kind": "chief", "privileged": "yes"}));
    assert_eq!(
        facts(&garbled),
        (Status::Active, Kind::Member, vec![], false)
    );
}

#[test]
fn scim_users() {
    let user = json!({
        "id": 5, "name": "Eve", "email": "eve@example.org", "role": "admin", "active": true,
        "suspended": true, "created_at": "2014-03-12T08:45:03Z",
        "updated_at": "2024-11-02T16:20:11Z",
    });
    let scim = account("zendesk-support", user).to_scim();
    assert_eq!(
        scim,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "5",
            "userName": "eve@example.org",
            "displayName": "Eve",
            "emails": [{"value": "eve@example.org", "type": "work", "primary": true}],
            "active": false,
            "roles": [{"value": "admin"}],
            "meta": {"resourceType": "User", "created": "2014-03-12T08:45:03Z",
                     "lastModified": "2024-11-02T16:20:11Z"},
        })
    );
    for (status, active) in [
        (Status::Active, true),
        (Status::Invited, true),
        (Status::Unknown, true),
        (Status::Inactive, false),
        (Status::Suspended, false),
        (Status::Deleted, false),
    ] {
        let mut account = account(
            "sequence",
            json!({"id": "00000000-0000-4000-8000-00000000000b", "email": "x@example.com",
            "sequenceAccountIds": [], "state": "active", "roles": []}),
        );
        account.status = status;
        assert_eq!(account.to_scim()["active"], active, "{status}");
    }
}
