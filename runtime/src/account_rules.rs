//! The data of the account mapping: [`AccountRules`], generated from a spec's
//! `x-rollcall.account` into its [`ProviderInfo`](crate::ProviderInfo), and the [`Status`] and
//! [`Kind`] an account reads as. The mapping itself, which evaluates these on a user record,
//! is in `account`; this module holds only what a provider's description is built from.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a provider's user record becomes an [`Account`](crate::Account) (`x-rollcall.account` in
/// its spec).
/// Every pointer is RFC 6901 into the user's JSON form, with `*` for every element; an empty
/// pointer means "not mapped".
#[derive(Debug, Clone, Copy)]
pub struct AccountRules {
    /// The user's id (a string or number).
    pub id: &'static str,
    /// The email address.
    pub email: &'static str,
    /// The display name.
    pub name: &'static str,
    /// The status: the first rule that matches wins; none matching gives `unknown`.
    pub status: &'static [Rule<Status>],
    /// The kind: the first rule that matches wins; none matching gives `member`.
    pub kind: &'static [Rule<Kind>],
    /// Where role names are: every string found, in order, without repeats.
    pub roles: &'static [&'static str],
    /// Whether the account is privileged: the first rule that matches wins (a spec's rule gives
    /// `true` unless it says otherwise); none matching gives `false`.
    pub privileged: &'static [Rule<bool>],
    /// When the account was created (RFC 3339; anything else reads as unknown).
    pub created_at: &'static str,
    /// When it was last changed.
    pub updated_at: &'static str,
    /// When its owner last signed in.
    pub last_login_at: &'static str,
    /// The id of the user's manager (SCIM's enterprise `manager`).
    pub manager: &'static str,
    /// A timestamp the provider sends to mean "never" (an RFC 3339 instant, such as the Unix
    /// epoch for a user who never signed in); each of the account's timestamps at that instant
    /// reads as null. Empty: none.
    pub never: &'static str,
}

impl AccountRules {
    /// The mapping of a spec without `x-rollcall.account`: `/id`, `/email` and `/name`, status
    /// `unknown`, kind `member`, no roles.
    pub const DEFAULT: AccountRules = AccountRules {
        id: "/id",
        email: "/email",
        name: "/name",
        status: &[],
        kind: &[],
        roles: &[],
        privileged: &[],
        created_at: "",
        updated_at: "",
        last_login_at: "",
        manager: "",
        never: "",
    };
}

impl Default for AccountRules {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A value that applies when every test matches.
#[derive(Debug, Clone, Copy)]
pub struct Rule<V: 'static> {
    /// What the rule gives.
    pub value: V,
    /// The tests, all of which must match (none: always matches).
    pub all: &'static [Test],
}

/// One test on a user record.
#[derive(Debug, Clone, Copy)]
pub struct Test {
    /// A pointer; with `*`, the test matches when any value reached matches.
    pub at: &'static str,
    /// What must hold there.
    pub check: Check,
    /// Whether strings compare without regard to case.
    pub ci: bool,
}

/// What a [`Test`] checks.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// The value is there and not `null` (`true`), or missing or `null` (`false`).
    Present(bool),
    /// The value equals one of these.
    Is(&'static [Literal]),
}

/// A value in a spec's test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Literal {
    /// A string.
    Str(&'static str),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// `null`.
    Null,
}

/// Whether an account can be used: `active`, `inactive`, `suspended`, `invited`, `deleted` or
/// `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Can sign in and use the account.
    Active,
    /// Switched off, but not deleted.
    Inactive,
    /// Blocked by an administrator.
    Suspended,
    /// Invited, has not joined yet.
    Invited,
    /// Deleted (providers that still list deleted users).
    Deleted,
    /// The provider does not say, or says something the mapping does not know.
    Unknown,
}

/// What holds the account: `member`, `guest`, `end_user` or `bot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A person holding a seat.
    Member,
    /// A limited or external person.
    Guest,
    /// A customer without a seat.
    EndUser,
    /// An integration or service account.
    Bot,
}

impl Status {
    /// The snake_case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
            Status::Suspended => "suspended",
            Status::Invited => "invited",
            Status::Deleted => "deleted",
            Status::Unknown => "unknown",
        }
    }
}

impl Kind {
    /// The snake_case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Member => "member",
            Kind::Guest => "guest",
            Kind::EndUser => "end_user",
            Kind::Bot => "bot",
        }
    }

    /// Whether the account takes a seat (`member` or `guest`).
    pub fn is_seat(self) -> bool {
        matches!(self, Kind::Member | Kind::Guest)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The key under which a `Walked` user's JSON form carries its [`Facts`]; an
/// [`Account`](crate::Account) reads them from there (and keeps them out of its `raw`).
pub const FACTS_KEY: &str = "rollcall:facts";

/// What the walk that listed a user says about it, beyond the record (`x-rollcall.walks`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Facts {
    /// What holds the account, unless the account rules say otherwise (an outside
    /// collaborator is a guest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// Whether the account can administer the provider's account (an owner).
    pub privileged: bool,
}

impl Facts {
    /// The facts of a walk: its kind, and whether its users are privileged.
    pub const fn new(kind: Option<Kind>, privileged: bool) -> Self {
        Self { kind, privileged }
    }

    /// The facts `value` carries under [`FACTS_KEY`], removed from it; `None` without them.
    pub(crate) fn take(value: &mut serde_json::Value) -> Option<Self> {
        let facts = value.as_object_mut()?.remove(FACTS_KEY)?;
        let kind = facts
            .get("kind")
            .and_then(|k| serde_json::from_value(k.clone()).ok());
        let privileged = facts.get("privileged").and_then(serde_json::Value::as_bool);
        Some(Self {
            kind,
            privileged: privileged.unwrap_or(false),
        })
    }
}
