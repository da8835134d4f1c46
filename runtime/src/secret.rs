//! [`Secret`]: a credential that never shows itself.

use std::fmt;

/// A credential — an access token, an API token, a client secret or an API key.
///
/// Its value is used to sign requests and for nothing else: `Debug` prints `Secret([redacted])`,
/// there is no `Display`, no `Serialize` and no `PartialEq`, so it cannot end up in a log line,
/// an error message or a snapshot by accident. Build one from a `String` or `&str`:
///
/// ```
/// use rollcall_runtime::Secret;
///
/// let token = Secret::from("0123456789abcdef");
/// assert_eq!(format!("{token:?}"), "Secret([redacted])");
/// ```
#[derive(Clone)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().into_boxed_str())
    }

    /// Whether the secret is the empty string (an unset environment variable, say).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value itself; only the request signing in this crate reads it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}
