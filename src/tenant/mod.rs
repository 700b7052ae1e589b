//! Stage 3: tenant YAML → [`TenantDocument`] (every node spanned) → [`model::TenantModel`], the
//! derived tenant that rules see.

pub mod country;
pub mod document;
pub mod features;
mod load;
pub mod model;
pub mod seats;

pub use document::TenantDocument;
pub(crate) use load::keys_under;
pub use load::{Limits, load};
