//! The fake server: a wiremock `MockServer` with one responder per list operation.

use std::collections::BTreeMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::store::{Store, set};
use super::{FakeAuth, FakeList, FakeSpec, FakeStyle, Fault};
use crate::{AnyClient, ClientOptions, Error, query_md5_hash};
use crate::{Role, Scheme};

/// A running fake provider on loopback; it stops when dropped.
///
/// ```no_run
/// # async fn run(provider: &'static rollcall_runtime::testing::FakeSpec) {
/// use rollcall_runtime::testing::{FakeProvider, Fault};
///
/// let fake = FakeProvider::start(provider).users(3).fault(Fault::AuthError).await;
/// println!("{} {:?}", fake.uri(), fake.env());
/// # }
/// ```
pub struct FakeProvider {
    server: MockServer,
    spec: &'static FakeSpec,
    env: BTreeMap<String, String>,
    users: usize,
    faults: Vec<Fault>,
    state: Arc<State>,
}

/// A fake being configured: `.users(n)`, `.fault(f)`, then `.await` starts it.
#[must_use = "a fake starts when awaited"]
pub struct FakeBuilder {
    spec: &'static FakeSpec,
    users: usize,
    faults: Vec<Fault>,
    listener: Option<std::net::TcpListener>,
    token_lifetime: Duration,
    foreign_origin: Option<String>,
}

/// A request the fake received.
#[derive(Clone, Debug)]
pub struct FakeRequest {
    /// The HTTP method.
    pub method: String,
    /// The full URL, query included.
    pub url: reqwest::Url,
    /// The headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body (a token request's form).
    pub body: Vec<u8>,
}

impl FakeRequest {
    /// The decoded value of query parameter `name`.
    pub fn query(&self, name: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }

    /// The decoded value of field `name` of a form body (`application/x-www-form-urlencoded`).
    pub fn form(&self, name: &str) -> Option<String> {
        form_fields(&self.body)
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl FakeProvider {
    /// A fake of `provider` (`rollcall::Provider::X`, or its `FakeSpec`) with 10 users and no
    /// fault; configure it with the builder's methods, then `.await` it.
    pub fn start(provider: impl Into<&'static FakeSpec>) -> FakeBuilder {
        FakeBuilder {
            spec: provider.into(),
            users: 10,
            faults: Vec::new(),
            listener: None,
            token_lifetime: Duration::from_secs(3600),
            foreign_origin: None,
        }
    }

    /// The base URL the fake serves (`http://127.0.0.1:PORT`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The environment variables (credentials, host variables) a client of the fake reads, as
    /// `rollcall::Provider::connect` and the `rollcall` CLI read them.
    pub fn env(&self) -> &BTreeMap<String, String> {
        &self.env
    }

    /// What the fake serves.
    pub fn spec(&self) -> &'static FakeSpec {
        self.spec
    }

    /// How many users it serves now (those it started with, plus added, less removed).
    pub fn user_count(&self) -> usize {
        self.state.store().ids().len()
    }

    /// The ids of the users it serves now, as the provider writes them (a number as its
    /// decimal text).
    pub fn user_ids(&self) -> Vec<String> {
        self.state.store().ids()
    }

    /// Adds `n` users, served from the next request on (and exported as changed by an
    /// incremental export); returns their ids.
    ///
    /// ```no_run
    /// # async fn run(provider: &'static rollcall_runtime::testing::FakeSpec) {
    /// use rollcall_runtime::testing::FakeProvider;
    ///
    /// let fake = FakeProvider::start(provider).users(3).await;
    /// let joined = fake.add_users(1);
    /// fake.update_user("2", |user| user["name"] = "Renamed".into());
    /// fake.remove_user("3");
    /// assert_eq!(fake.user_count(), 3);
    /// # let _ = joined; }
    /// ```
    pub fn add_users(&self, n: usize) -> Vec<String> {
        self.state.store().add(n)
    }

    /// Changes user `id` (the provider's own JSON of the user, in every list's shape) from the
    /// next request on; `false` when there is no such user.
    pub fn update_user(&self, id: &str, mut change: impl FnMut(&mut Value)) -> bool {
        self.state.store().update(id, &mut change)
    }

    /// Removes user `id`: lists stop serving it, and an incremental export sends it once more
    /// with the fields its provider's account rules read as deleted; `false` when there is no
    /// such user.
    pub fn remove_user(&self, id: &str) -> bool {
        self.state.store().remove(id)
    }

    /// Its faults.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// Client options pointed at the fake (the base URL); set more fields before connecting.
    pub fn options(&self) -> ClientOptions {
        ClientOptions {
            base_url: Some(self.uri()),
            ..ClientOptions::default()
        }
    }

    /// A client of the provider pointed at the fake, with the fake's credentials and the
    /// default settings otherwise.
    ///
    /// # Panics
    ///
    /// When the provider's `connect` refuses the fake's variables (a bug).
    pub fn client(&self) -> Box<dyn AnyClient> {
        self.client_with(self.options())
            .unwrap_or_else(|e| panic!("connecting to the fake {}: {e}", self.spec.name()))
    }

    /// A client with `options` (the base URL is set to the fake's unless already set).
    ///
    /// # Errors
    ///
    /// What the provider's `connect` refuses.
    pub fn client_with(&self, mut options: ClientOptions) -> Result<Box<dyn AnyClient>, Error> {
        if options.base_url.is_none() {
            options.base_url = Some(self.uri());
        }
        let env = &self.env;
        (self.spec.connect)(&|name: &str| env.get(name).cloned(), &options)
    }

    /// The requests the fake received at a scheme's token URL (OAuth 2.0 client
    /// credentials), in order; [`requests`](Self::requests) lists them too.
    pub async fn token_requests(&self) -> Vec<FakeRequest> {
        let paths = &self.state.token_paths;
        self.received()
            .await
            .into_iter()
            .filter(|r| paths.iter().any(|p| on_path(p, r.url.path())))
            .collect()
    }

    /// Every request the fake received at the provider's API, in order (those at a token URL
    /// are [`token_requests`](Self::token_requests)).
    pub async fn requests(&self) -> Vec<FakeRequest> {
        let paths = &self.state.token_paths;
        self.received()
            .await
            .into_iter()
            .filter(|r| !paths.iter().any(|p| on_path(p, r.url.path())))
            .collect()
    }

    /// Every request the fake received, in order.
    async fn received(&self) -> Vec<FakeRequest> {
        let received = self.server.received_requests().await.unwrap_or_default();
        received
            .into_iter()
            .map(|r| FakeRequest {
                method: r.method.to_string(),
                url: reqwest::Url::parse(r.url.as_str()).expect("wiremock hands out valid URLs"),
                headers: r
                    .headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
                body: r.body,
            })
            .collect()
    }
}

impl std::fmt::Debug for FakeProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeProvider")
            .field("provider", &self.spec.name())
            .field("uri", &self.uri())
            .field("users", &self.users)
            .field("faults", &self.faults)
            .finish()
    }
}

impl FakeBuilder {
    /// Serves `n` users (10 by default).
    pub fn users(mut self, n: usize) -> Self {
        self.users = n;
        self
    }

    /// Adds a fault (call again for several).
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// How long each access token it hands out lives (a scheme with a token URL; one hour by
    /// default): `expires_in` says so, and a request signed with it later is refused as the
    /// provider refuses an expired token.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Where [`Fault::ForeignNextLink`] points the next page (by default an origin that does
    /// not resolve): another fake or mock, to see that nothing is sent there.
    pub fn foreign_origin(mut self, origin: impl Into<String>) -> Self {
        self.foreign_origin = Some(origin.into().trim_end_matches('/').to_owned());
        self
    }

    /// Serves on this listener instead of a free loopback port.
    pub fn listener(mut self, listener: std::net::TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    async fn run(self) -> FakeProvider {
        let server = match self.listener {
            Some(listener) => MockServer::builder().listener(listener).start().await,
            // A server of its own, not one from wiremock's shared pool: a walk that requests
            // pages ahead drops requests that may still arrive, and must not reach another
            // test's fake.
            None => MockServer::builder().start().await,
        };
        let spec = self.spec;
        let mut env = spec.env();
        // Tokens are asked of the fake itself, as the authority host variable says.
        for scheme in spec.provider.schemes {
            for var in scheme.vars.iter().filter(|v| v.role == Role::Authority) {
                env.insert(var.name.to_owned(), server.uri());
            }
        }
        let token_urls: Vec<(&'static Scheme, String)> = spec
            .provider
            .schemes
            .iter()
            .filter_map(|scheme| Some((scheme, token_path(scheme)?)))
            .collect();
        let state = Arc::new(State {
            spec,
            faults: self.faults.clone(),
            env: env.clone(),
            uri: server.uri(),
            foreign_origin: self
                .foreign_origin
                .unwrap_or_else(|| FOREIGN_ORIGIN.to_owned()),
            rate_limited: AtomicBool::new(false),
            slowed: AtomicBool::new(false),
            answered: AtomicU64::new(0),
            store: Store::new(spec, self.users, &self.faults),
            token_paths: token_urls.iter().map(|(_, path)| path.clone()).collect(),
            token_lifetime: self.token_lifetime,
            tokens: Mutex::default(),
        });
        for (scheme, path) in token_urls {
            Mock::given(method("POST"))
                .and(PathTemplate(path))
                .respond_with(TokenResponder {
                    state: Arc::clone(&state),
                    scheme,
                })
                .mount(&server)
                .await;
        }
        for list in spec.lists.iter().chain(&spec.incremental) {
            let page: Value = serde_json::from_str(list.page).unwrap_or_else(|_| json!({}));
            // A path with parameters (`/orgs/{org}/members`) matches any value of them.
            Mock::given(method(list.method))
                .and(PathTemplate(list.path.to_owned()))
                .respond_with(ListResponder {
                    state: Arc::clone(&state),
                    list,
                    page,
                })
                .mount(&server)
                .await;
        }
        FakeProvider {
            server,
            spec,
            env,
            users: self.users,
            faults: self.faults,
            state,
        }
    }
}

impl IntoFuture for FakeBuilder {
    type Output = FakeProvider;
    type IntoFuture = Pin<Box<dyn Future<Output = FakeProvider> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// Removes the member at `pointer`, if its parent is there.
fn remove(value: &mut Value, pointer: &str) {
    if let Some((parent, last)) = pointer.rsplit_once('/')
        && let Some(Value::Object(object)) = value.pointer_mut(parent)
    {
        object.remove(&last.replace("~1", "/").replace("~0", "~"));
    }
}

/// The path of `scheme`'s token URL, its placeholders kept (`/{tenant_id}/oauth2/token`);
/// `None` for a scheme without one.
fn token_path(scheme: &Scheme) -> Option<String> {
    let crate::Sends::ClientCredentials { token_url, .. } = scheme.sends else {
        return None;
    };
    let rest = token_url.split_once("://")?.1;
    Some(rest.find('/').map_or("/", |at| &rest[at..]).to_owned())
}

/// Whether `path` is the path `template` with any value in each placeholder segment (a list's
/// `{org}`; a token URL's `{tenant_id}`, where a wrong tenant still reaches the token URL,
/// which refuses it).
fn on_path(template: &str, path: &str) -> bool {
    let (ours, theirs): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), path.split('/').collect());
    ours.len() == theirs.len()
        && ours.iter().zip(&theirs).all(|(ours, theirs)| {
            (ours.starts_with('{') && ours.ends_with('}') && !theirs.is_empty()) || ours == theirs
        })
}

/// The decoded fields of a form body (`application/x-www-form-urlencoded`), in order; read as
/// a URL's query, which is encoded the same way.
fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    reqwest::Url::parse(&format!("http://form/?{text}"))
        .map(|url| url.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// Matches the requests to one path template ([`on_path`]).
struct PathTemplate(String);

impl wiremock::Match for PathTemplate {
    fn matches(&self, request: &Request) -> bool {
        on_path(&self.0, request.url.path())
    }
}

/// The access tokens a fake handed out.
#[derive(Default)]
struct Tokens {
    /// Each token with when it expires.
    issued: Vec<(String, Instant)>,
    /// How many requests the first token signed ([`Fault::TokenExpiresMidWalk`]).
    first_uses: usize,
}

/// What every list's responder shares.
struct State {
    spec: &'static FakeSpec,
    faults: Vec<Fault>,
    env: BTreeMap<String, String>,
    uri: String,
    foreign_origin: String,
    rate_limited: AtomicBool,
    slowed: AtomicBool,
    /// How many list answers were given: the fake's request ids.
    answered: AtomicU64,
    store: Mutex<Store>,
    token_paths: Vec<String>,
    token_lifetime: Duration,
    tokens: Mutex<Tokens>,
}

impl State {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    /// Whether the request carries the credentials of one of `list`'s schemes.
    fn authenticated(&self, list: &FakeList, request: &Request) -> bool {
        self.spec
            .provider
            .schemes
            .iter()
            .filter(|s| list.schemes.is_empty() || list.schemes.contains(&s.key))
            .any(|scheme| self.matches(scheme, request))
    }

    fn matches(&self, scheme: &Scheme, request: &Request) -> bool {
        let value = |var: &str| self.env.get(var).map_or("", String::as_str);
        let Some((secret, vars)) = scheme.vars.split_last() else {
            return false;
        };
        let secret = value(secret.name);
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        match scheme.sends {
            FakeAuth::Bearer => header("authorization") == format!("Bearer {secret}"),
            FakeAuth::Basic { user } => {
                let mut name = user.to_owned();
                for var in vars {
                    name = name.replace(&format!("{{{}}}", var.arg), value(var.name));
                }
                let encoded =
                    base64::engine::general_purpose::STANDARD.encode(format!("{name}:{secret}"));
                header("authorization") == format!("Basic {encoded}")
            }
            FakeAuth::Header(name) => header(name) == secret,
            FakeAuth::PrefixedHeader { name, prefix } => {
                header(name).strip_prefix(prefix) == Some(secret)
            }
            FakeAuth::Query(name) => query(name).as_deref() == Some(secret),
            FakeAuth::ClientCredentials { .. } => {
                let Some(token) = header("authorization").strip_prefix("Bearer ") else {
                    return false;
                };
                let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
                let Some(at) = tokens.issued.iter().position(|(t, _)| t == token) else {
                    return false;
                };
                if at == 0 && self.has(Fault::TokenExpiresMidWalk) {
                    tokens.first_uses += 1;
                    if tokens.first_uses > 1 {
                        return false;
                    }
                }
                Instant::now() < tokens.issued[at].1
            }
            FakeAuth::QueryMd5(parameter) => {
                let raw = request.url.query().unwrap_or("");
                let marker = format!("{parameter}=");
                let (unsigned, hash) = match raw.rfind(&format!("&{marker}")) {
                    Some(at) => (&raw[..at], &raw[at + 1 + marker.len()..]),
                    None => match raw.strip_prefix(&marker) {
                        Some(hash) => ("", hash),
                        None => return false,
                    },
                };
                hash == query_md5_hash(unsigned, secret)
            }
        }
    }

    /// The provider's answer to wrong credentials.
    fn refused(&self) -> ResponseTemplate {
        match &self.spec.envelope {
            Some(envelope) => json_answer(200, envelope.error),
            None => canned(&self.spec.auth_error),
        }
    }
}

fn json_answer(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json; charset=utf-8")
}

fn canned(response: &super::FakeResponse) -> ResponseTemplate {
    let template = ResponseTemplate::new(response.status);
    if response.content_type.is_empty() {
        template
    } else {
        template.set_body_raw(response.body.to_owned(), response.content_type)
    }
}

/// Where [`Fault::ForeignNextLink`] points: another origin, never contacted (`.invalid` does
/// not resolve).
const FOREIGN_ORIGIN: &str = "http://rollcall-foreign.invalid";

const SERVER_ERROR: &str = "<!DOCTYPE html>\n<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n<center><h1>503 Service Temporarily Unavailable</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n";

/// Serves a scheme's token URL (OAuth 2.0 client credentials, the form of RFC 6749 §4.4): a
/// token for the fake's client id, secret and the scheme's scopes, else the provider's refusal.
struct TokenResponder {
    state: Arc<State>,
    scheme: &'static Scheme,
}

impl Respond for TokenResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &self.state;
        let crate::Sends::ClientCredentials { token_url, scopes } = self.scheme.sends else {
            return ResponseTemplate::new(404);
        };
        let form: BTreeMap<String, String> = form_fields(&request.body).into_iter().collect();
        let field = |name: &str| form.get(name).map_or("", String::as_str);
        let env = |var: &crate::Var| state.env.get(var.name).map_or("", String::as_str);
        // The client id is the plain credential that fills no placeholder of the token URL.
        let client_id = self
            .scheme
            .vars
            .iter()
            .find(|v| v.role == Role::Plain && !token_url.contains(&format!("{{{}}}", v.arg)));
        let secret = self.scheme.vars.iter().find(|v| v.role == Role::Secret);
        if field("grant_type") != "client_credentials" {
            return json_answer(400, r#"{"error":"unsupported_grant_type"}"#);
        }
        let asked: Vec<&str> = field("scope").split(' ').collect();
        if !scopes.iter().all(|s| asked.contains(s)) {
            return json_answer(400, r#"{"error":"invalid_scope"}"#);
        }
        // The token URL's placeholders (a tenant) as the fake's variables have them.
        let mut expected = token_url.to_owned();
        for var in self.scheme.vars {
            expected = expected.replace(&format!("{{{}}}", var.arg), env(var));
        }
        let ours = reqwest::Url::parse(&expected).is_ok_and(|url| url.path() == request.url.path());
        let known = ours
            && client_id.is_some_and(|v| field("client_id") == env(v))
            && secret.is_some_and(|v| field("client_secret") == env(v));
        if !known || state.has(Fault::TokenRefused) {
            return match state.spec.token_refusal {
                "" => json_answer(
                    401,
                    r#"{"error":"invalid_client","error_description":"client authentication failed"}"#,
                ),
                body => json_answer(401, body),
            };
        }
        let mut tokens = state.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let token = format!("fake-access-token-{}", tokens.issued.len() + 1);
        tokens
            .issued
            .push((token.clone(), Instant::now() + state.token_lifetime));
        let body = json!({
            "token_type": "Bearer",
            "expires_in": state.token_lifetime.as_secs_f64().ceil() as u64,
            "access_token": token,
        });
        json_answer(200, &body.to_string())
    }
}

/// Serves one list operation.
struct ListResponder {
    state: Arc<State>,
    list: &'static FakeList,
    page: Value,
}

impl Respond for ListResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut answer = self.answer(request);
        // Like the real servers, every answer carries a request id in the header the spec
        // names, so errors built from it show one.
        if let Some(name) = self.state.spec.provider.errors.request_id_header.first() {
            let n = self.state.answered.fetch_add(1, Ordering::Relaxed) + 1;
            answer = answer.insert_header(*name, format!("fake-{n:08x}").as_str());
        }
        match self.state.faults.iter().find_map(|f| match f {
            Fault::Slow(delay) => Some(*delay),
            _ => None,
        }) {
            Some(delay) => answer.set_delay(delay),
            None => answer,
        }
    }
}

impl ListResponder {
    fn answer(&self, request: &Request) -> ResponseTemplate {
        let state = &self.state;
        if state.has(Fault::AuthError) || !state.authenticated(self.list, request) {
            return state.refused();
        }
        if let (true, Some(envelope)) = (state.has(Fault::ErrorInHttp200), &state.spec.envelope) {
            return json_answer(200, envelope.error);
        }
        let with_header = state.has(Fault::RateLimitedOnce);
        if (with_header || state.has(Fault::RateLimitedOnceWithoutRetryAfter))
            && !state.rate_limited.swap(true, Ordering::SeqCst)
        {
            let answer = canned(&state.spec.rate_limited);
            return if with_header {
                answer.insert_header("retry-after", "1")
            } else {
                answer
            };
        }
        if let (true, Some(slow_down)) = (state.has(Fault::SlowDownOnce), &state.spec.slow_down)
            && !state.slowed.swap(true, Ordering::SeqCst)
        {
            let mut answer = json_answer(slow_down.status, slow_down.body);
            if let Some((name, value)) = slow_down.header {
                answer = answer.insert_header(name, value);
            }
            if let Some(name) = slow_down.reset {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                answer = answer.insert_header(name, (now + 1).to_string().as_str());
            }
            return answer;
        }
        if state.has(Fault::ServerError) {
            return ResponseTemplate::new(503)
                .set_body_raw(SERVER_ERROR, "text/html; charset=utf-8");
        }
        let (body, first, link) = match self.list.start_param {
            Some(start) => {
                let (body, first) = self.export(request, start);
                (body, first, None)
            }
            None => self.page(request),
        };
        let text = body.to_string();
        if first && state.has(Fault::TruncatedJson) {
            let cut = text.len() / 2;
            let cut = (0..=cut)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            return json_answer(200, &text[..cut]);
        }
        let answer = if state.has(Fault::UndeclaredStatus) {
            json_answer(203, &text)
        } else if state.has(Fault::UndeclaredContentType) {
            ResponseTemplate::new(200).set_body_raw(text, "text/json")
        } else {
            json_answer(200, &text)
        };
        let answer = if state.has(Fault::UndeclaredHeader) {
            answer.insert_header("x-ratelimit-remaining", "1000")
        } else {
            answer
        };
        match link {
            Some(link) => answer.insert_header("link", link.as_str()),
            None => answer,
        }
    }

    /// The page `request` asks for, and whether it is the first.
    /// With it, the `Link` header of a list that pages by one (its `rel="next"` URL).
    fn page(&self, request: &Request) -> (Value, bool, Option<String>) {
        let list = self.list;
        let state = &self.state;
        let query: BTreeMap<String, String> = request.url.query_pairs().into_owned().collect();
        let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let keep = |number: usize| state.spec.serves(list, number, &pairs);
        let store = state.store();
        let n = store.count(list, &keep);
        let size = list
            .size_param
            .and_then(|p| query.get(p)?.parse::<usize>().ok())
            .filter(|s| *s > 0)
            .unwrap_or_else(|| match list.style {
                FakeStyle::None => n.max(1),
                _ => list.max_size.map_or(100, |m| m as usize),
            });
        // A list whose pages come back short holds one record fewer than asked on each page.
        let per = list.per_page(size);
        let mut asked_offset = 0;
        let (offset, received_cursor, page_number) = match list.style {
            FakeStyle::None => (0, None, 0),
            FakeStyle::Page => {
                let (param, start) = list.page_param.unwrap_or(("page", 1));
                let page = query
                    .get(param)
                    .and_then(|p| p.parse::<i64>().ok())
                    .unwrap_or(start);
                let index = usize::try_from(page - start).unwrap_or(0);
                let offset = if state.has(Fault::RepeatedPage) {
                    0
                } else {
                    index * per
                };
                (offset, None, page)
            }
            FakeStyle::Offset => {
                let offset = list
                    .offset_param
                    .and_then(|p| query.get(p)?.parse::<usize>().ok())
                    .unwrap_or(0);
                asked_offset = offset;
                let offset = if state.has(Fault::RepeatedPage) {
                    0
                } else {
                    offset / size * per + offset % size
                };
                (offset, None, 0)
            }
            FakeStyle::Link if list.link_pages => {
                let cursor = list.cursor_param.and_then(|p| query.get(p)).cloned();
                let page = cursor
                    .as_deref()
                    .and_then(|c| c.parse::<usize>().ok())
                    .unwrap_or(1);
                (page.saturating_sub(1) * per, cursor, 0)
            }
            FakeStyle::Cursor | FakeStyle::Link => {
                let cursor = list.cursor_param.and_then(|p| query.get(p)).cloned();
                let offset = cursor
                    .as_deref()
                    .and_then(|c| c.strip_prefix("fake-cursor-"))
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0);
                (offset, cursor, 0)
            }
        };
        let first = offset == 0 && received_cursor.is_none();
        let start = offset.min(n);
        let end = (offset + per).min(n);
        let more = match list.style {
            FakeStyle::None => false,
            FakeStyle::Page | FakeStyle::Offset if state.has(Fault::RepeatedPage) => n > per,
            _ if state.has(Fault::EmptyPageAfterLastFullOne) => offset < n,
            _ => end < n,
        };
        let mut body = self.page.clone();
        set(
            &mut body,
            list.items,
            Value::Array(store.slice(list, start, end, &keep)),
        );
        if let Some(at) = list.has_more {
            set(&mut body, at, json!(more));
        }
        if let Some(at) = list.end {
            set(&mut body, at, json!(!more));
        }
        if let Some(at) = list.total {
            set(&mut body, at, json!(n));
        }
        let mut next_query: Vec<(String, String)> = list
            .fixed
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(param) = list.size_param {
            next_query.push((param.to_owned(), size.to_string()));
        }
        if matches!(list.style, FakeStyle::Cursor | FakeStyle::Link) {
            let next = match received_cursor {
                Some(cursor) if state.has(Fault::RepeatedCursor) => cursor,
                _ if list.link_pages => (offset / per.max(1) + 2).to_string(),
                _ => format!("fake-cursor-{}", offset + per),
            };
            if let Some(at) = list.next_cursor {
                if more {
                    set(&mut body, at, json!(next));
                } else if list.cursor_nullable {
                    set(&mut body, at, Value::Null);
                } else if list.cursor_empty_at_end {
                    set(&mut body, at, json!(""));
                } else {
                    remove(&mut body, at);
                }
            }
            if let Some(param) = list.cursor_param {
                next_query.push((param.to_owned(), next));
            }
        }
        if let (FakeStyle::Offset, Some(param)) = (list.style, list.offset_param) {
            next_query.push((param.to_owned(), (asked_offset + size).to_string()));
        }
        if let (FakeStyle::Page, Some((param, _))) = (list.style, list.page_param) {
            next_query.push((param.to_owned(), (page_number + 1).to_string()));
        }
        let next_url = || {
            // A foreign next link: the same page on another origin, which no client may follow.
            let origin = if state.has(Fault::ForeignNextLink) {
                &state.foreign_origin
            } else {
                &state.uri
            };
            let mut url = reqwest::Url::parse(&format!("{origin}{}", request.url.path()))
                .expect("the fake's own URL");
            url.query_pairs_mut().extend_pairs(&next_query);
            url
        };
        if let Some(at) = list.next_link {
            if more {
                set(&mut body, at, json!(next_url().as_str()));
            } else if list.link_nullable {
                set(&mut body, at, Value::Null);
            } else {
                remove(&mut body, at);
            }
        }
        // A list whose next link is in the body sends no `Link` header.
        let link = (list.style == FakeStyle::Link && list.next_link.is_none()).then(|| {
            let mine = reqwest::Url::parse(&format!("{}{}", state.uri, request.url.path()))
                .expect("the fake's own URL");
            let mut header = format!("<{mine}>; rel=\"self\"");
            if more {
                header.push_str(&format!(", <{}>; rel=\"next\"", next_url()));
            }
            header
        });
        (body, first, link)
    }

    /// A page of the incremental export `request` asks for (from `start` epoch seconds, or
    /// after a cursor), and whether it is the first: every change in order, removed users
    /// with the fields that read as deleted, the cursor kept on the last page.
    fn export(&self, request: &Request, start: &str) -> (Value, bool) {
        let list = self.list;
        let query: BTreeMap<String, String> = request.url.query_pairs().into_owned().collect();
        let size = list
            .size_param
            .and_then(|p| query.get(p)?.parse::<usize>().ok())
            .filter(|s| *s > 0)
            .unwrap_or_else(|| list.max_size.map_or(100, |m| m as usize));
        let cursor = list
            .cursor_param
            .and_then(|p| query.get(p))
            .and_then(|c| c.strip_prefix("fake-change-")?.parse::<u64>().ok());
        let since = query.get(start).and_then(|t| t.parse::<i64>().ok());
        let (page, last, end, clock) = {
            let store = self.state.store();
            let keep = |e: &super::store::Entry| match (cursor, since) {
                (Some(after), _) => e.seq > after,
                (None, Some(since)) => e.changed_at >= since,
                (None, None) => false,
            };
            let (page, last, end) = store.changes(list, keep, size);
            (page, last, end, store.clock())
        };
        let after = last.unwrap_or(cursor.unwrap_or(clock));
        let mut body = self.page.clone();
        set(&mut body, list.items, Value::Array(page));
        if let Some(at) = list.end {
            set(&mut body, at, json!(end));
        }
        if let Some(at) = list.next_cursor {
            set(&mut body, at, json!(format!("fake-change-{after}")));
        }
        (body, cursor.is_none())
    }
}
