//! The hand-written baselines: the least a careful person would write with reqwest and serde to
//! walk each provider's users — no retries, no error typing, no loop detection. The same loop
//! decodes pages into either of two shapes ([`Shapes`]):
//!
//! - [`Minimal`]: a struct with the three fields an export would read (id, name, email), so the
//!   comparison with ours includes the cost of decoding every documented field;
//! - [`Generated`]: rollcall's own generated types, so the comparison isolates what the client
//!   layer (builder, hooks, retry bookkeeping, stream) adds over a bare loop.

use rollcall::{sequence, worksection, zendesk_sell, zendesk_support};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use rollcall::Provider;

/// The fields a minimal client reads; `id` is the provider's own type. Decoding them is the
/// cost being compared; the walk itself only counts users, as ours does.
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct User<Id> {
    pub id: Id,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Deserialize)]
pub struct SellList {
    pub items: Vec<SellItem>,
    pub meta: Option<SellMeta>,
}

#[derive(Deserialize)]
pub struct SellItem {
    pub data: User<i64>,
}

#[derive(Deserialize)]
pub struct SellMeta {
    pub links: Option<SellLinks>,
}

#[derive(Deserialize)]
pub struct SellLinks {
    pub next_page: Option<String>,
}

#[derive(Deserialize)]
pub struct SupportList {
    pub users: Vec<User<i64>>,
    pub meta: SupportMeta,
}

#[derive(Deserialize)]
pub struct SupportMeta {
    pub has_more: bool,
    pub after_cursor: Option<String>,
}

#[derive(Deserialize)]
pub struct SequenceList {
    pub items: Vec<User<String>>,
    pub pagination: Option<SequencePagination>,
}

#[derive(Deserialize)]
pub struct SequencePagination {
    pub after: Option<String>,
}

#[derive(Deserialize)]
pub struct WorksectionEnvelope {
    pub data: Vec<User<String>>,
}

/// What the loop needs of a decoded page.
pub trait Page: DeserializeOwned {
    /// Users on the page whose id is present, so that the decoded users are really read.
    fn users(&self) -> usize;
    /// Whether another page follows, and its cursor where the provider uses one.
    fn next(&self) -> Option<String>;
}

/// The page type of each provider in one decoding shape.
pub trait Shapes {
    type Sell: Page;
    type Support: Page;
    type Sequence: Page;
    type Worksection: Page;
}

/// Three-field structs, written by hand.
pub struct Minimal;

impl Shapes for Minimal {
    type Sell = SellList;
    type Support = SupportList;
    type Sequence = SequenceList;
    type Worksection = WorksectionEnvelope;
}

/// rollcall's generated list types.
pub struct Generated;

impl Shapes for Generated {
    type Sell = zendesk_sell::types::UserList;
    type Support = zendesk_support::types::UserList;
    type Sequence = sequence::types::UserList;
    type Worksection = worksection::types::Envelope;
}

impl Page for SellList {
    fn users(&self) -> usize {
        self.items.iter().filter(|item| item.data.id > 0).count()
    }
    fn next(&self) -> Option<String> {
        let next = self.meta.as_ref()?.links.as_ref()?.next_page.clone();
        next.filter(|_| !self.items.is_empty())
    }
}

impl Page for zendesk_sell::types::UserList {
    fn users(&self) -> usize {
        self.items.iter().filter(|item| item.data.id > 0).count()
    }
    fn next(&self) -> Option<String> {
        let next = self.meta.as_ref()?.links.as_ref()?.next_page.clone();
        next.filter(|_| !self.items.is_empty())
    }
}

impl Page for SupportList {
    fn users(&self) -> usize {
        self.users.iter().filter(|user| user.id > 0).count()
    }
    fn next(&self) -> Option<String> {
        self.meta
            .after_cursor
            .clone()
            .filter(|_| self.meta.has_more)
    }
}

impl Page for zendesk_support::types::UserList {
    fn users(&self) -> usize {
        self.users.iter().filter(|user| user.id > 0).count()
    }
    fn next(&self) -> Option<String> {
        let meta = self.meta.as_ref()?;
        meta.after_cursor
            .clone()
            .filter(|_| meta.has_more == Some(true))
    }
}

impl Page for SequenceList {
    fn users(&self) -> usize {
        self.items.iter().filter(|user| !user.id.is_empty()).count()
    }
    fn next(&self) -> Option<String> {
        self.pagination.as_ref()?.after.clone()
    }
}

impl Page for sequence::types::UserList {
    fn users(&self) -> usize {
        self.items.iter().filter(|user| !user.id.is_empty()).count()
    }
    fn next(&self) -> Option<String> {
        self.pagination.as_ref()?.after.clone()
    }
}

impl Page for WorksectionEnvelope {
    fn users(&self) -> usize {
        self.data.iter().filter(|user| !user.id.is_empty()).count()
    }
    fn next(&self) -> Option<String> {
        None
    }
}

impl Page for worksection::types::Envelope {
    fn users(&self) -> usize {
        // Matched rather than formatted: ours does not format ids either.
        self.data
            .iter()
            .filter(|user| match &user.id {
                worksection::types::UserId::String(id) => !id.is_empty(),
                // A number, or a kind a later spec adds (the enum is non-exhaustive).
                _ => true,
            })
            .count()
    }
    fn next(&self) -> Option<String> {
        None
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

async fn get<T: DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T> {
    let bytes = request.send().await?.error_for_status()?.bytes().await?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// Walks every user of `provider` at `base`, decoding pages into `S`; returns how many it saw.
pub async fn walk<S: Shapes>(provider: Provider, base: &str) -> Result<usize> {
    let http = reqwest::Client::new();
    let mut seen = 0;
    match provider {
        Provider::ZendeskSell => {
            let mut page = 1;
            loop {
                let url = format!("{base}/v2/users?page={page}&per_page=100");
                let list: S::Sell = get(http.get(url).bearer_auth("token")).await?;
                seen += list.users();
                if list.next().is_none() {
                    break;
                }
                page += 1;
            }
        }
        Provider::ZendeskSupport => {
            let mut after: Option<String> = None;
            loop {
                let mut url = format!("{base}/api/v2/users?page%5Bsize%5D=100");
                if let Some(after) = &after {
                    url.push_str(&format!("&page%5Bafter%5D={after}"));
                }
                let list: S::Support =
                    get(http.get(url).basic_auth("a@b.example/token", Some("t"))).await?;
                seen += list.users();
                after = list.next();
                if after.is_none() {
                    break;
                }
            }
        }
        Provider::Sequence => {
            let mut after: Option<String> = None;
            loop {
                let mut url = format!("{base}/users?limit=100");
                if let Some(after) = &after {
                    url.push_str(&format!("&after={after}"));
                }
                let list: S::Sequence = get(http.get(url).basic_auth("id", Some("secret"))).await?;
                seen += list.users();
                after = list.next();
                if after.is_none() {
                    break;
                }
            }
        }
        Provider::Worksection => {
            let url = format!("{base}/api/admin/v2/?action=get_users&hash=0123");
            let envelope: S::Worksection = get(http.get(url)).await?;
            seen += envelope.users();
        }
        _ => return Err(format!("no hand-written baseline for {provider}").into()),
    }
    Ok(seen)
}
