//! What a fake needs to know of a provider: generated from its spec into the `rollcall` crate
//! (`rollcall::Provider::fake()`, each module's `FAKE`).

use std::collections::BTreeMap;
use std::fmt;

use crate::{AnyClient, ClientOptions, Error, ProviderInfo, Sends, Vars};

/// `rollcall::Provider::connect` of one provider: a client from environment-style variables.
pub type Connect = fn(&Vars<'_>, &ClientOptions) -> Result<Box<dyn AnyClient>, Error>;

/// How a walk of one list operation reaches every user: a connector from the registry, the
/// list operations, the credentials, the error shapes and sample records.
pub struct FakeSpec {
    /// The provider.
    pub provider: &'static ProviderInfo,
    /// `rollcall::Provider::connect` for this provider.
    pub connect: Connect,
    /// The list operations (`x-rollcall-pagination`), in the spec's order.
    pub lists: &'static [FakeList],
    /// The incremental export (`x-rollcall-pagination.incremental`), if the spec declares one.
    pub incremental: Option<FakeList>,
    /// The error envelope that arrives with HTTP 200 (`x-rollcall.envelope`), if any.
    pub envelope: Option<FakeEnvelope>,
    /// The answer to wrong credentials, from the list operation's 401 (or 4XX) example.
    pub auth_error: FakeResponse,
    /// The answer to too many requests, from the list operation's 429 example.
    pub rate_limited: FakeResponse,
    /// The token URL's answer to wrong client credentials (JSON; `x-rollcall-auth`'s
    /// `token-refusal`), empty when the spec gives none.
    pub token_refusal: &'static str,
    /// Facts about the user schema.
    pub user: FakeUser,
    /// The walks whose union is the account list (`x-rollcall.walks`); empty: the one list.
    /// The fake shares its users among the walked operations (user `k` of `n` in the
    /// `k mod n`th operation in order of appearance), and a walk that narrows an operation
    /// lists every third of that operation's users, from its first.
    pub walks: &'static [FakeWalk],
    /// The refusal that means "slow down" without being 429 (`x-rollcall.slow-down`), if the
    /// spec declares one: what [`Fault::SlowDownOnce`](super::Fault::SlowDownOnce) answers.
    pub slow_down: Option<FakeSlowDown>,
}

/// One walk of a union (`x-rollcall.walks`).
#[derive(Debug)]
pub struct FakeWalk {
    /// The list operation walked.
    pub operation: &'static str,
    /// The query parameters it sends that narrow the operation (`role=admin`).
    pub send: &'static [(&'static str, &'static str)],
    /// The facts it adds to the users it lists.
    pub facts: crate::Facts,
}

/// A refusal that means "slow down" without being 429.
#[derive(Debug)]
pub struct FakeSlowDown {
    /// The HTTP status.
    pub status: u16,
    /// The header (and value) that tells it from a plain refusal, if a header does.
    pub header: Option<(&'static str, &'static str)>,
    /// The header the refusal declares for when the window resets (Unix seconds), if any:
    /// the fake sends it a second ahead, as a real server would.
    pub reset: Option<&'static str>,
    /// The body (JSON), from the spec's example of it.
    pub body: &'static str,
}

impl fmt::Debug for FakeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeSpec")
            .field("provider", &self.provider.name)
            .field("lists", &self.lists)
            .finish_non_exhaustive()
    }
}

/// One list operation as a fake serves it.
#[derive(Debug)]
pub struct FakeList {
    /// The operationId.
    pub operation: &'static str,
    /// The HTTP method, upper-case.
    pub method: &'static str,
    /// The path, relative to the server.
    pub path: &'static str,
    /// The security schemes it accepts (empty: every scheme of the spec).
    pub schemes: &'static [&'static str],
    /// How it pages.
    pub style: FakeStyle,
    /// Pointer of the records array in a page.
    pub items: &'static str,
    /// Pointer of the user inside a record, when a record wraps it.
    pub record: Option<&'static str>,
    /// Pointer of the id inside the user (empty: none).
    pub id: &'static str,
    /// The page-number parameter and the first page's number.
    pub page_param: Option<(&'static str, i64)>,
    /// The page-size parameter.
    pub size_param: Option<&'static str>,
    /// The largest page size.
    pub max_size: Option<u32>,
    /// The cursor parameter.
    pub cursor_param: Option<&'static str>,
    /// The offset parameter (the index of a page's first record, from 0).
    pub offset_param: Option<&'static str>,
    /// Pointer of the next cursor in a page.
    pub next_cursor: Option<&'static str>,
    /// Pointer of the has-more flag.
    pub has_more: Option<&'static str>,
    /// Pointer of the next page's link.
    pub next_link: Option<&'static str>,
    /// Whether the last page sends the next link as `null` (nullable in the spec) rather than
    /// leaving it out.
    pub link_nullable: bool,
    /// Whether the last page sends the next cursor as `null` rather than leaving it out.
    pub cursor_nullable: bool,
    /// Whether the last page sends the next cursor as an empty string (a cursor its object
    /// always carries, required and not nullable) rather than leaving it out.
    pub cursor_empty_at_end: bool,
    /// Whether pages may hold fewer records than asked for before the last
    /// (`short-page-ends: false`): the fake then leaves one record out of every page, as a
    /// provider that filters a page after cutting it does, and still serves every user.
    pub short_pages: bool,
    /// Pointer of the declared total.
    pub total: Option<&'static str>,
    /// Pointer of the flag that says a page is the last (`end_of_stream`).
    pub end: Option<&'static str>,
    /// The start-time parameter of an incremental export (epoch seconds).
    pub start_param: Option<&'static str>,
    /// Parameters every request of the walk sends, with their values.
    pub fixed: &'static [(&'static str, &'static str)],
    /// Whether the `Link` header's cursor is a page number (from 1) rather than an opaque
    /// cursor: the cursor parameter takes an integer.
    pub link_pages: bool,
    /// A page from the spec's first 200 example (JSON): the shape every page is built from.
    pub page: &'static str,
    /// A record from that page (JSON): the shape every user is built from.
    pub item: &'static str,
}

impl FakeList {
    /// How many records a page of `size` holds before the last (one fewer with short pages).
    pub fn per_page(&self, size: usize) -> usize {
        if self.short_pages && size > 1 {
            size - 1
        } else {
            size
        }
    }

    /// Whether only an empty page ends a walk of this list: pages go on when short and no
    /// flag, link or cursor says which is the last.
    pub fn ends_on_empty_page(&self) -> bool {
        self.short_pages
            && self.has_more.is_none()
            && self.next_link.is_none()
            && !matches!(self.style, FakeStyle::Cursor | FakeStyle::Link)
    }

    /// The sample record ([`item`](Self::item)) as JSON.
    pub fn sample_record(&self) -> serde_json::Value {
        serde_json::from_str(self.item).unwrap_or_else(|_| serde_json::json!({}))
    }

    /// The user inside the sample record (the record itself when no record wraps the user).
    pub fn sample_user(&self) -> serde_json::Value {
        let record = self.sample_record();
        match self.record {
            Some(at) => record
                .pointer(at)
                .cloned()
                .unwrap_or(serde_json::Value::Null),
            None => record,
        }
    }

    /// The sample page ([`page`](Self::page)) holding the sample record as its only one.
    pub fn sample_page(&self) -> serde_json::Value {
        let mut page: serde_json::Value =
            serde_json::from_str(self.page).unwrap_or_else(|_| serde_json::json!({}));
        if let Some(items) = page.pointer_mut(self.items) {
            *items = serde_json::Value::Array(vec![self.sample_record()]);
        }
        page
    }
}

/// How a list pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FakeStyle {
    /// Numbered pages.
    Page,
    /// Opaque cursors.
    Cursor,
    /// Offsets: the index of each page's first record.
    Offset,
    /// Opaque cursors in the `Link` header's `rel="next"` URL.
    Link,
    /// Everything in one response.
    None,
}

/// How a scheme proves who sends a request (the provider table's [`Sends`]).
pub type FakeAuth = Sends;

/// An error envelope sent with HTTP 200.
#[derive(Debug)]
pub struct FakeEnvelope {
    /// Pointer of the field that decides.
    pub at: &'static str,
    /// The value that means success.
    pub ok: &'static str,
    /// An error envelope from the spec's examples (JSON).
    pub error: &'static str,
}

/// A canned answer.
#[derive(Debug)]
pub struct FakeResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` (empty: no body).
    pub content_type: &'static str,
    /// The body.
    pub body: &'static str,
}

/// Facts about the user schema that faults use.
#[derive(Debug)]
pub struct FakeUser {
    /// Its required properties.
    pub required: &'static [&'static str],
    /// Its nullable properties.
    pub nullable: &'static [&'static str],
    /// Pointers of its properties that are open enums.
    pub open_enums: &'static [&'static str],
    /// Its properties that are neither required nor nullable.
    pub strict: &'static [&'static str],
    /// Its plain string properties (no format, no enum), the id aside.
    pub strings: &'static [&'static str],
    /// Its `date-time` string properties.
    pub timestamps: &'static [&'static str],
}

impl FakeSpec {
    /// Whether user number `number` (from 1) is served by a request of `list` whose query
    /// holds `query` (see [`walks`](Self::walks)); always for a provider of one list.
    pub fn serves(&self, list: &FakeList, number: usize, query: &[(String, String)]) -> bool {
        let mut operations: Vec<&str> = Vec::new();
        for walk in self.walks {
            if !operations.contains(&walk.operation) {
                operations.push(walk.operation);
            }
        }
        let Some(index) = operations.iter().position(|op| *op == list.operation) else {
            return true;
        };
        let k = number.saturating_sub(1);
        if k % operations.len() != index {
            return false;
        }
        let narrowed = self.walks.iter().any(|walk| {
            walk.operation == list.operation
                && !walk.send.is_empty()
                && walk
                    .send
                    .iter()
                    .all(|(name, value)| query.iter().any(|(n, v)| n == name && v == value))
        });
        !narrowed || (k / operations.len()).is_multiple_of(3)
    }

    /// What each walk of a default client requests, with how many of `n` users it lists: the
    /// walked list with all `n` for a provider of one list; each walk of a union
    /// (`x-rollcall.walks`) with its share.
    pub fn shares(&self, n: usize) -> Vec<(&'static FakeList, usize)> {
        if self.walks.is_empty() {
            return self.walked().map(|list| (list, n)).into_iter().collect();
        }
        self.walks
            .iter()
            .filter_map(|walk| {
                let list = self.lists.iter().find(|l| l.operation == walk.operation)?;
                let query: Vec<(String, String)> = walk
                    .send
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect();
                let count = (1..=n).filter(|k| self.serves(list, *k, &query)).count();
                Some((list, count))
            })
            .collect()
    }

    /// The provider's kebab-case name.
    pub fn name(&self) -> &'static str {
        self.provider.name
    }

    /// The environment a client of the fake reads: a value for every host variable and every
    /// argument of every scheme (an email address where the argument is one).
    pub fn env(&self) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        for host in self.hosts() {
            env.insert(host.to_owned(), "acme".to_owned());
        }
        for var in self.provider.server {
            if var.role == crate::Role::Param {
                env.insert(var.name.to_owned(), "acme".to_owned());
            }
        }
        for scheme in self.provider.schemes {
            // An authority host is the fake's own address, known once it listens.
            for var in scheme
                .vars
                .iter()
                .filter(|v| v.role != crate::Role::Authority)
            {
                env.entry(var.name.to_owned())
                    .or_insert_with(|| value_for(var.arg, var.name));
            }
        }
        env
    }

    /// The list operation a client authenticated with `scheme` walks (as `all_users` picks it).
    pub fn list_for(&self, scheme: &str) -> Option<&'static FakeList> {
        self.lists
            .iter()
            .find(|l| l.schemes.contains(&scheme))
            .or_else(|| self.lists.iter().find(|l| l.schemes.is_empty()))
            .or_else(|| self.lists.first())
    }

    /// The list operation a default client (the first scheme) walks.
    pub fn walked(&self) -> Option<&'static FakeList> {
        self.list_for(self.provider.schemes.first().map_or("", |s| s.key))
    }

    /// The environment variables of the server's host variables (`ZENDESK_SUPPORT_SUBDOMAIN`).
    pub fn hosts(&self) -> Vec<&'static str> {
        self.provider.host_vars()
    }
}

fn value_for(arg: &str, var: &str) -> String {
    if arg.contains("email") {
        "admin@example.com".to_owned()
    } else {
        format!("fake-{}", var.to_ascii_lowercase().replace('_', "-"))
    }
}
