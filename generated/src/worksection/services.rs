//! Reading [`Services`] and [`ServiceAccounts`], whichever way PHP encoded them.

use super::types::{ServiceAccounts, Services};

impl Services {
    /// The messenger accounts, if the user has the group (`None` for `services: []`).
    pub fn chats(&self) -> Option<&ServiceAccounts> {
        match self {
            Services::UserServices(services) => services.chats.as_ref(),
            Services::NoServices(_) => None,
        }
    }

    /// The social network profiles, if the user has the group (`None` for `services: []`).
    pub fn socials(&self) -> Option<&ServiceAccounts> {
        match self {
            Services::UserServices(services) => services.socials.as_ref(),
            Services::NoServices(_) => None,
        }
    }
}

impl ServiceAccounts {
    /// The handle on `service` (for example `"Telegram"`), if the user has one (a `null` handle
    /// counts as none).
    pub fn get(&self, service: &str) -> Option<&str> {
        match self {
            ServiceAccounts::Accounts(accounts) => accounts.get(service)?.as_deref(),
            ServiceAccounts::NoAccounts(_) => None,
        }
    }

    /// The accounts as `(service, handle)` pairs, sorted by service; none for `[]`. Services
    /// whose handle is `null` are left out.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let accounts = match self {
            ServiceAccounts::Accounts(accounts) => Some(accounts),
            ServiceAccounts::NoAccounts(_) => None,
        };
        accounts
            .into_iter()
            .flatten()
            .filter_map(|(service, handle)| Some((service.as_str(), handle.as_deref()?)))
    }

    /// Whether there are no accounts (`{}`, `[]`, or only `null` handles).
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}
