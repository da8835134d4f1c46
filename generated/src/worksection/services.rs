//! Reading [`ServiceAccounts`], whichever way PHP encoded it.

use super::types::ServiceAccounts;

impl ServiceAccounts {
    /// The handle on `service` (for example `"Telegram"`), if the user has one.
    pub fn get(&self, service: &str) -> Option<&str> {
        match self {
            ServiceAccounts::Accounts(accounts) => accounts.get(service).map(String::as_str),
            ServiceAccounts::NoAccounts(_) => None,
        }
    }

    /// The accounts as `(service, handle)` pairs, sorted by service; none for `[]`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let accounts = match self {
            ServiceAccounts::Accounts(accounts) => Some(accounts),
            ServiceAccounts::NoAccounts(_) => None,
        };
        accounts
            .into_iter()
            .flatten()
            .map(|(service, handle)| (service.as_str(), handle.as_str()))
    }

    /// Whether there are no accounts (`{}` or `[]`).
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}
