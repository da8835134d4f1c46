//! Synthetic users in each provider's real shape, rendered once into page bodies. The users
//! are the recorded shapes the tests use (`tests/src/fixtures.rs`, included here by path so
//! that a user weighs what a real one does and the shapes exist once); which provider is which
//! comes from the registry (`rollcall::Provider`).

use bytes::Bytes;
use rollcall::Provider;
use serde_json::Value;

#[path = "../../tests/src/fixtures.rs"]
mod shapes;

/// A provider by its kebab-case name, as the registry reads it.
pub fn parse(name: &str) -> Result<Provider, String> {
    name.parse()
}

/// The largest page the provider serves (its spec's `maximum`, which is also the clients'
/// default); a provider that does not page answers with every user at once.
pub fn page_size(provider: Provider, users: usize) -> usize {
    provider
        .info()
        .max_page_size
        .map_or(users.max(1), |max| max as usize)
}

/// The bodies of every page of a walk over `users` users, in order; `None` for a provider
/// without a recorded shape (it cannot be compared with a hand-written baseline either).
pub fn pages(provider: Provider, users: usize) -> Option<Vec<Bytes>> {
    let size = page_size(provider, users);
    let count = users.div_ceil(size).max(1);
    (0..count)
        .map(|index| {
            let first = (index * size + 1) as i64;
            let last = ((index + 1) * size).min(users) as i64;
            let more = index + 1 < count;
            let page = page(provider, index, first, last, more)?;
            Some(Bytes::from(serde_json::to_vec(&page).expect("json")))
        })
        .collect()
}

/// Page `index` (0-based) with users `first..=last`; cursors are `c<next index>`, Sell's next
/// link names the next page number.
fn page(provider: Provider, index: usize, first: i64, last: i64, more: bool) -> Option<Value> {
    let next = format!("c{}", index + 1);
    let cursor = more.then_some(next.as_str());
    Some(match provider {
        Provider::ZendeskSell => shapes::sell_page(first, last, more.then_some(index as u64 + 2)),
        Provider::ZendeskSupport => shapes::support_page(first, last, Some(more), cursor, more),
        Provider::Sequence => shapes::sequence_page(first, last, Some(cursor)),
        Provider::Worksection => shapes::worksection_envelope(first, last),
        _ => return None,
    })
}
