//! One account list from several walks (`x-rollcall.walks`): a provider whose users are the
//! union of several list operations or filters (the owners, the members, the outside
//! collaborators), each walk adding facts about the users it lists. The walks run one after
//! the other in the spec's order; each user is yielded once, at its first sighting, with the
//! facts of the walk that listed it — which is why a walk that narrows an operation comes
//! before the walk of the whole operation (`cargo xtask lint` checks it).

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hasher as _};
use std::sync::Arc;

use futures::StreamExt as _;
use serde::Serialize;

use crate::account_rules::Facts;
use crate::error::{Error, ErrorKind, PagingError};
use crate::provider::ProviderInfo;
use crate::stream::{Report, Stop, UserStream, WalkReport};

/// A user of a union of walks: the provider's record, with the facts of the walk that listed
/// it. Its JSON form is the record's, with the facts under [`FACTS_KEY`](crate::FACTS_KEY).
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Walked<U> {
    /// The provider's own record.
    #[serde(flatten)]
    pub user: U,
    /// What the walk that listed it says.
    #[serde(rename = "rollcall:facts")]
    pub facts: Facts,
}

/// Every user of `walks`, in order, each once (by its id, fed to a hasher by `id`), with the
/// facts of the first walk that listed it. The report adds up the walks' pages, retries and
/// waits; users listed again by a later walk count as duplicates. The first walk that does not
/// reach its end ends the union with its stop (and its error), and so does a user past
/// `max_users` (the client's cap, for the union as for each walk).
pub fn walk_union<'a, U: Send + 'a>(
    provider: &'static ProviderInfo,
    walks: Vec<(Facts, UserStream<'a, U>)>,
    id: fn(&U, &mut DefaultHasher),
    max_users: Option<u64>,
) -> UserStream<'a, Walked<U>> {
    let report = Report::default();
    let reports: Arc<Vec<Report>> = Arc::new(walks.iter().map(|(_, s)| s.report()).collect());
    let total = walks.len();
    let parts = walks.iter().filter_map(|(_, s)| s.marks()).collect();
    let shared = report.clone();
    let state = (
        walks.into_iter().enumerate(),
        None,
        HashSet::<u64>::new(),
        0u64,
    );
    let stream = futures::stream::unfold(Some(state), move |state| {
        let reports = Arc::clone(&reports);
        let shared = shared.clone();
        async move {
            let (mut walks, mut current, mut seen, mut duplicates) = state?;
            loop {
                let (index, facts, stream): &mut (usize, Facts, UserStream<'a, U>) =
                    match &mut current {
                        Some(walk) => walk,
                        None => match walks.next() {
                            Some((index, (facts, stream))) => {
                                current.insert((index, facts, stream))
                            }
                            None => {
                                sum(&shared, &reports, duplicates, None);
                                return None;
                            }
                        },
                    };
                match stream.next().await {
                    Some(Ok(user)) => {
                        let mut hasher = DefaultHasher::new();
                        id(&user, &mut hasher);
                        if !seen.insert(hasher.finish()) {
                            duplicates += 1;
                            continue;
                        }
                        if let Some(max_users) = max_users
                            && seen.len() as u64 > max_users
                        {
                            sum(&shared, &reports, duplicates, Some(*index));
                            shared.update(|r| {
                                r.users = max_users;
                                r.stop = Some(Stop::MaxUsers);
                            });
                            let error = Error::new(
                                provider.name,
                                "all_users",
                                ErrorKind::Paging(PagingError::UserLimit { max_users }),
                            );
                            return Some((Err(error), None));
                        }
                        let walked = Walked {
                            user,
                            facts: *facts,
                        };
                        sum(&shared, &reports, duplicates, Some(*index));
                        return Some((Ok(walked), Some((walks, current, seen, duplicates))));
                    }
                    Some(Err(error)) => {
                        // The walk's own stop: an error, or one of its caps.
                        let stop = stream.report().get().stop.unwrap_or(Stop::Error);
                        sum(&shared, &reports, duplicates, Some(*index));
                        shared.update(|r| r.stop = Some(stop));
                        return Some((Err(error), None));
                    }
                    None => {
                        let stop = stream.report().get().stop;
                        let last = *index + 1 == total;
                        if !last && !matches!(stop, Some(Stop::LastPage | Stop::EmptyPage)) {
                            // A walk cut short (caps): the union is as incomplete as it.
                            sum(&shared, &reports, duplicates, Some(*index));
                            shared.update(|r| r.stop = stop);
                            return None;
                        }
                        current = None;
                    }
                }
            }
        }
    });
    UserStream::new(stream.boxed(), report).with_parts(parts)
}

/// Writes into `union` the sum of the walks' reports so far (those up to `upto`, or all),
/// with `duplicates` dropped across walks; the stop is the last walk's once all have ended.
fn sum(union: &Report, walks: &[Report], duplicates: u64, upto: Option<usize>) {
    let mut total = WalkReport::default();
    let end = upto.map_or(walks.len(), |i| i + 1);
    for report in &walks[..end] {
        let report = report.get();
        total.pages += report.pages;
        total.users += report.users;
        total.duplicates += report.duplicates;
        total.retries += report.retries;
        total.waited_ms += report.waited_ms;
        total.stop = report.stop;
    }
    total.users = total.users.saturating_sub(duplicates);
    total.duplicates += duplicates;
    if upto.is_some() {
        total.stop = None;
    }
    union.update(|r| *r = total);
}

/// The refusal of a union of walks asked to resume: its checkpoints would have to say where
/// each walk stood and which users were yielded, which no checkpoint holds.
pub fn cannot_resume_union(provider: &'static ProviderInfo) -> Error {
    Error::new(
        provider.name,
        "all_users",
        ErrorKind::Resume(
            "a walk that is the union of several cannot be resumed; walk it again".into(),
        ),
    )
}
