//! The `query-md5` signature plugin (Worksection's admin API): the signature is the lowercase
//! hex MD5 of the query string exactly as sent, `action` first, followed by the key.

use std::fmt::Write as _;

use md5::{Digest as _, Md5};

/// The signature of `query` (the query string exactly as sent, without the signature
/// parameter) with `key`: lowercase hex MD5 of the two concatenated.
///
/// ```
/// // The example from Worksection's documentation.
/// let hash = rollcall_runtime::query_md5_hash(
///     "action=get_tasks&id_project=26",
///     "7776461cd931e7b1c8e9632ff8e979ce",
/// );
/// assert_eq!(hash, "ec3ab2c28f21b4a07424f8ed688d6644");
/// ```
pub fn hash(query: &str, key: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(query.as_bytes());
    md5.update(key.as_bytes());
    let mut hex = String::with_capacity(32);
    for byte in md5.finalize() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Puts `action` first, drops any old `parameter`, and appends `parameter=<hash>` as the last
/// parameter — computed over the query string exactly as it will be sent.
pub(super) fn sign(url: &mut reqwest::Url, parameter: &str, key: &str) {
    let query = url.query().unwrap_or("").to_owned();
    let old = format!("{parameter}=");
    let pairs = query
        .split('&')
        .filter(|pair| !pair.is_empty() && *pair != parameter && !pair.starts_with(&old));
    let (action, rest): (Vec<&str>, Vec<&str>) =
        pairs.partition(|pair| *pair == "action" || pair.starts_with("action="));
    let unsigned = action.into_iter().chain(rest).collect::<Vec<_>>().join("&");
    url.set_query((!unsigned.is_empty()).then_some(unsigned.as_str()));
    let sent = url.query().unwrap_or("").to_owned();
    let signature = hash(&sent, key);
    let signed = if sent.is_empty() {
        format!("{parameter}={signature}")
    } else {
        format!("{sent}&{parameter}={signature}")
    };
    url.set_query(Some(&signed));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(url: &str) -> String {
        let mut url = reqwest::Url::parse(url).unwrap();
        sign(&mut url, "hash", "7776461cd931e7b1c8e9632ff8e979ce");
        url.query().unwrap().to_owned()
    }

    #[test]
    fn documented_test_vector() {
        assert_eq!(
            signed("https://x.worksection.com/api/admin/v2/?action=get_tasks&id_project=26"),
            "action=get_tasks&id_project=26&hash=ec3ab2c28f21b4a07424f8ed688d6644"
        );
    }

    #[test]
    fn action_goes_first_and_an_old_hash_is_replaced() {
        assert_eq!(
            signed("https://x.worksection.com/api/admin/v2/?id_project=26&hash=0&action=get_tasks"),
            "action=get_tasks&id_project=26&hash=ec3ab2c28f21b4a07424f8ed688d6644"
        );
    }
}
