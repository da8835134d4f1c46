//! The paths generated code names the runtime by, each spelled once.

use proc_macro2::TokenStream;
use quote::quote;

/// The runtime crate as generated code reaches it: its documented API.
pub fn runtime() -> TokenStream {
    quote!(::rollcall_runtime)
}
