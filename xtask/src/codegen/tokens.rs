//! The paths generated code names the runtime by, each spelled once.

use proc_macro2::TokenStream;
use quote::quote;

/// The runtime as the glue reaches it: `rt`, which the glue file imports as the one hidden
/// module that re-exports every item generated code calls (`::rollcall_runtime::__codegen`), so
/// that what is public only for generated code stays apart from the documented API.
pub fn runtime() -> TokenStream {
    quote!(rt)
}

/// The runtime's documented API, for what the generated public surface names (the types of
/// statics, parameters and return values), so that a reader of the surface sees the paths users
/// use.
pub fn api() -> TokenStream {
    quote!(::rollcall_runtime)
}
