//! The library API and the default policy: data-driven cases, policy files, the catalog, the
//! tenant schema, differential tests against a reference model, the docs' examples,
//! `check-policy` and `skuld test`. One test binary (one link) for all of them; each module was
//! a test binary of its own.

mod cases;
mod catalog;
mod check_policy;
mod common;
mod differential;
mod docs;
mod docs_placeholders;
mod facade;
mod matrix;
mod msrv;
mod policies;
mod schema;
mod skuld_test;
#[path = "../support/yaml.rs"]
mod yaml;
