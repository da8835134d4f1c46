//! Worksection users API (`https://{account}.worksection.com/api/admin/v2/?action=get_users`),
//! generated from `specs/worksection.yaml`.

#[rustfmt::skip]
mod generated;

pub use generated::*;

crate::runtime::client_hooks!(Client);
