//! One list operation as the walk sees it: a trait codegen implements on each list request
//! builder with small named accessors (the records, the next cursor, the has-more flag, the
//! next link, the declared total), and the one function that walks any of them.
//!
//! The accessors are code, not data, because they read the provider's own generated types;
//! everything else about paging (the stop rules, look-ahead, de-duplication, caps) is the walk's
//! and is written once, in `walk`.

use std::fmt;
use std::future::Future;
use std::hash::DefaultHasher;
use std::sync::{Arc, Mutex};

use crate::checkpoint::{AtPosition, Checkpoint, Expected, Position};
use crate::config::Config;
use crate::drift::Drift;
use crate::error::{Error, ErrorKind, PagingError};
use crate::page::{Page, Signals, id_hash_probe};
use crate::provider::ProviderInfo;
use crate::scope;
use crate::stream::{Mark, Marks, UserStream};
use crate::walk::{Resume, walk};

/// How a list operation pages (`x-rollcall-pagination.style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    /// Numbered pages, starting at `first`.
    Numbers {
        /// The first page's number.
        first: u64,
    },
    /// An opaque cursor read from each page.
    Cursor,
    /// An opaque cursor read from the `Link` header's `rel="next"` URL (its
    /// [`POSITION_PARAM`](List::POSITION_PARAM)), which must be on the client's origin.
    Link,
    /// The index of a page's first record, counted from 0: each page starts a page size after
    /// the one before, whatever it held (a server that filters after cutting the page sends
    /// fewer).
    Offset,
    /// One response holds every record.
    One,
}

/// A list request builder that the walk can page through; implemented by codegen for every
/// list operation's builder, from its `x-rollcall-pagination`.
pub trait List<'a>: Clone + Send + 'a {
    /// The decoded response of one page.
    type Page: Send;
    /// One record of a page.
    type Record: Send + 'a;
    /// The user a record holds (the record itself unless it wraps the user).
    type User: Send + 'a;

    /// The operationId.
    const OPERATION: &'static str;
    /// How it pages.
    const PAGING: Paging;
    /// The page size the walk asks for unless the client sets one; `None` when the operation
    /// has no page-size parameter.
    const PAGE_SIZE: Option<u32>;
    /// The query parameter that names the page (its number or cursor): the one parameter a
    /// checkpoint's filters leave out.
    const POSITION_PARAM: Option<&'static str> = None;
    /// Whether a page shorter than asked for ends the walk (`x-rollcall-pagination`'s
    /// `short-page-ends`): false where the provider filters a page after cutting it, so that
    /// only an empty page (or a cursor, flag or link) says the list is over.
    const SHORT_PAGE_ENDS: bool = true;

    /// The client's configuration.
    fn config(&self) -> &Config;
    /// The base URL the client sends to: a next link elsewhere is refused.
    fn base_url(&self) -> &str {
        ""
    }
    /// Sends the request and decodes the page, as `Client::call` does.
    fn fetch(self) -> impl Future<Output = Result<Self::Page, Error>> + Send + 'a;
    /// [`fetch`](List::fetch), with the URL the `Link` headers name as the next page's
    /// (`rel="next"`, see `__codegen::next_link`).
    fn fetch_linked(
        self,
    ) -> impl Future<Output = Result<(Self::Page, Option<String>), Error>> + Send + 'a {
        let fetching = self.fetch();
        async move { Ok((fetching.await?, None)) }
    }
    /// The same request asking for `size` records per page.
    fn with_page_size(self, size: u64) -> Self {
        let _ = size;
        self
    }
    /// The same request for page number `page`.
    fn with_page(self, page: u64) -> Self {
        let _ = page;
        self
    }
    /// The same request for the page after `cursor`.
    fn with_cursor(self, cursor: String) -> Self {
        let _ = cursor;
        self
    }
    /// The same request for the page that starts at record `offset`.
    fn with_offset(self, offset: u64) -> Self {
        let _ = offset;
        self
    }

    /// How many records `page` holds.
    fn len(page: &Self::Page) -> usize;
    /// The records of `page`, moved out.
    fn records(page: Self::Page) -> Vec<Self::Record>;
    /// Feeds the id of `record` to `hasher` (see `hash_id`).
    fn id(record: &Self::Record, hasher: &mut DefaultHasher);
    /// The user `record` holds.
    fn user(record: Self::Record) -> Self::User;
    /// The cursor of the next page, as the page names it.
    fn next_cursor(page: &Self::Page) -> Option<String> {
        let _ = page;
        None
    }
    /// The has-more flag; `None` when not declared or not sent.
    fn has_more(page: &Self::Page) -> Option<bool> {
        let _ = page;
        None
    }
    /// Whether the next link is there (see `Signals::link`).
    fn next_link(page: &Self::Page) -> Option<bool> {
        let _ = page;
        None
    }
    /// The end flag: `Some(true)` when the page says it is the last (`end_of_stream`).
    fn at_end(page: &Self::Page) -> Option<bool> {
        let _ = page;
        None
    }
    /// The total number of users the page declares.
    fn total(page: &Self::Page) -> Option<u64> {
        let _ = page;
        None
    }
}

/// Every user `request` selects, walking every page of its list operation; see `walk` for
/// what the walk holds and when it stops.
pub fn walk_list<'a, L: List<'a>>(
    provider: &'static ProviderInfo,
    request: L,
) -> UserStream<'a, L::User> {
    let (request, marks) = prepare(provider, request);
    walk_from(provider, request, marks, None)
}

/// The rest of the walk `checkpoint` was taken in, with `request` (which must select what the
/// checkpoint's walk selected).
///
/// # Errors
///
/// [`ErrorKind::Resume`] when the checkpoint is of another provider, operation, endpoint,
/// filter set or spec, is older than the client's
/// [`checkpoint_max_age`](Config::checkpoint_max_age), or names a position this operation
/// cannot page to. Nothing is requested before these checks.
pub fn resume_list<'a, L: List<'a>>(
    provider: &'static ProviderInfo,
    request: L,
    checkpoint: &Checkpoint,
) -> Result<UserStream<'a, L::User>, Error> {
    let max_age = request.config().checkpoint_max_age();
    let (request, marks) = prepare(provider, request);
    let refuse = |why: String| Error::new(provider.name, L::OPERATION, ErrorKind::Resume(why));
    let expected = Expected {
        provider: provider.name,
        operation: L::OPERATION,
        spec: provider.spec,
        endpoint: &marks.endpoint,
        filters: &marks.filters,
        id_hash: marks.id_hash,
        max_age,
        now: chrono::Utc::now(),
    };
    if let Some(why) = checkpoint.refusal(&expected) {
        return Err(refuse(why));
    }
    let fits = matches!(
        (&checkpoint.next, L::PAGING),
        (Position::Start | Position::End, _)
            | (Position::Page(_), Paging::Numbers { .. })
            | (Position::Cursor(_), Paging::Cursor | Paging::Link)
            | (Position::Offset(_), Paging::Offset)
    );
    if !fits {
        return Err(refuse(format!(
            "it is at {}, which {} does not page by",
            checkpoint.next,
            L::OPERATION
        )));
    }
    let resume = Resume {
        pages: checkpoint.pages,
        users: checkpoint.users,
        duplicates: checkpoint.duplicates,
        window: checkpoint.recent_ids.clone(),
        from: checkpoint.into(),
    };
    Ok(walk_from(provider, request, marks, Some(resume)))
}

/// The request with the walk's page size, and the facts its checkpoints carry: the endpoint
/// and filters are read from the request as it would be sent, without sending it.
pub(crate) fn prepare<'a, L: List<'a>>(
    provider: &'static ProviderInfo,
    request: L,
) -> (L, Arc<Marks>) {
    let config = request.config().clone();
    let size = page_size::<L>(&config);
    let request = match size {
        Some(size) => request.with_page_size(size),
        None => request,
    };
    let (endpoint, mut filters) = scope::dry_run(request.clone().fetch()).unwrap_or_default();
    filters.retain(|(name, _)| Some(name.as_str()) != L::POSITION_PARAM);
    filters.sort();
    let marks = Arc::new(Marks {
        provider: provider.name,
        operation: L::OPERATION,
        spec: provider.spec,
        endpoint,
        filters,
        id_hash: id_hash_probe(),
        drift: config
            .drift()
            .then(|| Arc::new(Drift::new(provider.drift, config.drift_enum_values()))),
        latest: Mutex::new(Mark {
            next: Position::Start,
            pages: 0,
            users: 0,
            duplicates: 0,
            window: Vec::new(),
        }),
    });
    (request, marks)
}

/// The walk of `request` (already sized), from its first page or from a checkpoint.
fn walk_from<'a, L: List<'a>>(
    provider: &'static ProviderInfo,
    request: L,
    marks: Arc<Marks>,
    resume: Option<Resume>,
) -> UserStream<'a, L::User> {
    let config = request.config().clone();
    let size = page_size::<L>(&config);
    let signals = signals::<L>(&config);
    let op = L::OPERATION;
    let at = resume
        .as_ref()
        .map_or(Position::Start, |r| r.from.next.clone());
    match L::PAGING {
        Paging::Numbers { first } => {
            let start = match at {
                Position::Page(number) => number,
                _ => first,
            };
            walk(
                provider,
                op,
                &config,
                Some(start),
                Some(|page: &u64| page + 1),
                move |number: Option<u64>| {
                    let number = number.unwrap_or(first);
                    let fetching = request.clone().with_page(number).fetch();
                    async move {
                        let body = fetching.await?;
                        let next = signals(&body).more().then_some(number + 1);
                        Ok(page::<L, _>(body, next))
                    }
                },
                L::user,
                marks,
                resume,
                true,
            )
        }
        Paging::Cursor => {
            let start = match at {
                Position::Cursor(cursor) => Some(cursor),
                _ => None,
            };
            walk(
                provider,
                op,
                &config,
                start,
                None,
                move |cursor: Option<String>| {
                    let request = request.clone();
                    let fetching = match cursor {
                        Some(cursor) => request.with_cursor(cursor),
                        None => request,
                    }
                    .fetch();
                    async move {
                        let body = fetching.await?;
                        let more = signals(&body).more();
                        let next = L::next_cursor(&body).filter(|c| !c.is_empty() && more);
                        Ok(page::<L, _>(body, next))
                    }
                },
                L::user,
                marks,
                resume,
                true,
            )
        }
        Paging::Link => {
            let start = match at {
                Position::Cursor(cursor) => Some(cursor),
                _ => None,
            };
            let base = request.base_url().to_owned();
            let param = L::POSITION_PARAM.unwrap_or_default();
            walk(
                provider,
                op,
                &config,
                start,
                None,
                move |cursor: Option<String>| {
                    let request = request.clone();
                    let fetching = match cursor {
                        Some(cursor) => request.with_cursor(cursor),
                        None => request,
                    }
                    .fetch_linked();
                    let base = base.clone();
                    async move {
                        let (body, link) = fetching.await?;
                        // A link the walk must not follow ends it after this page's users.
                        Ok(match link.map(|link| cursor_of_link(&base, &link, param)) {
                            None => page::<L, String>(body, None),
                            Some(Ok(next)) => {
                                page::<L, _>(body, Some(next).filter(|c| !c.is_empty()))
                            }
                            Some(Err(error)) => page::<L, String>(body, None).ending_with(error),
                        })
                    }
                },
                L::user,
                marks,
                resume,
                true,
            )
        }
        Paging::Offset => {
            // Without a page size the step is unknown: one page, as a page walk of one.
            let step = size.unwrap_or(u64::MAX);
            let start = match at {
                Position::Offset(at) => at,
                _ => 0,
            };
            walk(
                provider,
                op,
                &config,
                Some(Offset { at: start, step }),
                Some(|offset: &Offset| offset.next()),
                move |offset: Option<Offset>| {
                    let offset = offset.unwrap_or(Offset { at: 0, step });
                    let fetching = request.clone().with_offset(offset.at).fetch();
                    async move {
                        let body = fetching.await?;
                        let next = signals(&body).more().then(|| offset.next());
                        Ok(page::<L, _>(body, next))
                    }
                },
                L::user,
                marks,
                resume,
                true,
            )
        }
        Paging::One => walk(
            provider,
            op,
            &config,
            None,
            None,
            move |_: Option<u64>| {
                let fetching = request.clone().fetch();
                async move { Ok(page::<L, u64>(fetching.await?, None)) }
            },
            L::user,
            marks,
            resume,
            true,
        ),
    }
}

/// What each page of `L` says about the next, with `config`'s page size.
pub(crate) fn signals<'a, L: List<'a>>(
    config: &Config,
) -> impl Fn(&L::Page) -> Signals + Copy + Send + use<'a, L> {
    let size = page_size::<L>(config);
    move |page: &L::Page| Signals {
        has_more: L::has_more(page),
        link: L::next_link(page),
        full: size.is_some_and(|size| L::len(page) as u64 >= size),
        short_page_continues: !L::SHORT_PAGE_ENDS,
        end: L::at_end(page),
    }
}

/// The cursor a next link carries in `param`, once the link is known to be on `base`'s origin
/// (a relative link is read against `base`).
fn cursor_of_link(base: &str, link: &str, param: &'static str) -> Result<String, PagingError> {
    let base = reqwest::Url::parse(base).ok();
    let url = match &base {
        Some(base) => base.join(link),
        None => reqwest::Url::parse(link),
    };
    let Ok(url) = url else {
        return Err(PagingError::LinkWithoutCursor {
            link: link.to_owned(),
            param,
        });
    };
    if let Some(base) = &base
        && url.origin() != base.origin()
    {
        return Err(PagingError::ForeignLink {
            origin: url.origin().ascii_serialization(),
            expected: base.origin().ascii_serialization(),
        });
    }
    url.query_pairs()
        .find(|(name, _)| name == param)
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| {
            let mut bare = url.clone();
            bare.set_query(None);
            PagingError::LinkWithoutCursor {
                link: bare.to_string(),
                param,
            }
        })
}

/// The page size a walk asks for: the client's, else the list's. An offset walk asks for no
/// more than the list's own (the spec's `max-size`): it steps by the size it asked for, and a
/// server that cut pages below that would make it skip records.
fn page_size<'a, L: List<'a>>(config: &Config) -> Option<u64> {
    let size = L::PAGE_SIZE?;
    let asked = config.page_size().unwrap_or(size);
    let asked = match L::PAGING {
        Paging::Offset => asked.min(size),
        _ => asked,
    };
    Some(u64::from(asked))
}

/// Where an offset walk's page starts, and how far the next one starts after it (the page
/// size asked for): the walk's cursor for [`Paging::Offset`].
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
struct Offset {
    at: u64,
    step: u64,
}

impl Offset {
    fn next(&self) -> Self {
        Self {
            at: self.at.saturating_add(self.step),
            step: self.step,
        }
    }
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "offset {}", self.at)
    }
}

impl AtPosition for Offset {
    fn position(&self) -> Position {
        Position::Offset(self.at)
    }
}

/// The walk's view of a decoded page: its records, the cursor of the next one and the total.
pub(crate) fn page<'a, L: List<'a>, C>(body: L::Page, next: Option<C>) -> Page<L::Record, C> {
    let total = L::total(&body);
    Page::new(L::records(body), next, L::id).with_total(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_next_link_gives_its_cursor_on_the_clients_origin_only() {
        let base = "https://people.example.com";
        assert_eq!(
            cursor_of_link(
                base,
                "https://people.example.com/api/v1/users?after=00u9&limit=200",
                "after"
            ),
            Ok("00u9".to_owned())
        );
        assert_eq!(
            cursor_of_link(base, "/api/v1/users?limit=2&after=a%2Bb", "after"),
            Ok("a+b".to_owned())
        );
        for foreign in [
            "https://evil.example/api/v1/users?after=1",
            "http://people.example.com/api/v1/users?after=1",
            "https://people.example.com:8443/api/v1/users?after=1",
        ] {
            let error = cursor_of_link(base, foreign, "after").unwrap_err();
            assert!(
                matches!(&error, PagingError::ForeignLink { expected, .. } if expected == base),
                "{foreign}: {error}"
            );
        }
        let error = cursor_of_link(
            base,
            "https://people.example.com/api/v1/users?limit=2",
            "after",
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the next page's link (https://people.example.com/api/v1/users) has no `after` to page by"
        );
    }
}
