//! The hand-written baseline: the least a careful person would write with reqwest and serde to
//! walk each provider's users — a struct with the fields they would read, no retries, no error
//! typing, no loop detection.

use serde::Deserialize;

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

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

async fn get<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T> {
    let bytes = request.send().await?.error_for_status()?.bytes().await?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// Walks every user of `provider` at `base`; returns how many it saw.
pub async fn walk(provider: crate::fixtures::Provider, base: &str) -> Result<usize> {
    use crate::fixtures::Provider;
    let http = reqwest::Client::new();
    let mut seen = 0;
    match provider {
        Provider::Sell => {
            let mut page = 1;
            loop {
                let url = format!("{base}/v2/users?page={page}&per_page=100");
                let list: SellList = get(http.get(url).bearer_auth("token")).await?;
                seen += list.items.iter().filter(|item| item.data.id > 0).count();
                let next = list.meta.and_then(|m| m.links).and_then(|l| l.next_page);
                if next.is_none() || list.items.is_empty() {
                    break;
                }
                page += 1;
            }
        }
        Provider::Support => {
            let mut after: Option<String> = None;
            loop {
                let mut url = format!("{base}/api/v2/users?page%5Bsize%5D=100");
                if let Some(after) = &after {
                    url.push_str(&format!("&page%5Bafter%5D={after}"));
                }
                let list: SupportList =
                    get(http.get(url).basic_auth("a@b.example/token", Some("t"))).await?;
                seen += list.users.iter().filter(|user| user.id > 0).count();
                if !list.meta.has_more {
                    break;
                }
                after = list.meta.after_cursor;
            }
        }
        Provider::Sequence => {
            let mut after: Option<String> = None;
            loop {
                let mut url = format!("{base}/users?limit=100");
                if let Some(after) = &after {
                    url.push_str(&format!("&after={after}"));
                }
                let list: SequenceList =
                    get(http.get(url).basic_auth("id", Some("secret"))).await?;
                seen += list.items.iter().filter(|user| !user.id.is_empty()).count();
                after = list.pagination.and_then(|p| p.after);
                if after.is_none() {
                    break;
                }
            }
        }
        Provider::Worksection => {
            let url = format!("{base}/api/admin/v2/?action=get_users&hash=0123");
            let envelope: WorksectionEnvelope = get(http.get(url)).await?;
            seen += envelope
                .data
                .iter()
                .filter(|user| !user.id.is_empty())
                .count();
        }
    }
    Ok(seen)
}
