//! The paths generated code names the runtime by, each spelled once.

use proc_macro2::TokenStream;
use quote::quote;

/// The runtime as generated code reaches it: the one hidden module that re-exports every item
/// generated code calls, so that what is public only for generated code stays apart from the
/// documented API.
pub fn runtime() -> TokenStream {
    quote!(::rollcall_runtime::__codegen)
}
