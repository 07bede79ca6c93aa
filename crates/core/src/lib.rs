//! hoptac-core: everything the tablet app and the server must agree on.
//!
//! - [`model`]: the records (areas, cooperatives, visit reports, users) as they travel.
//! - [`validate`]: the rules a record must pass; the app checks them before saving, the
//!   server checks them again with the same code before applying a mutation.
//! - [`sync`]: push/pull messages and the exactly-once sequencing rules.
//! - [`i18n`]: Vietnamese-first messages, English second.
//! - [`error`]: stable error codes shared by the API and the app.
//! - [`text`]: search normalisation (Vietnamese diacritics folding), numbers as
//!   Vietnamese officers type them.
//! - [`limits`]: how long each free-text field may be.
//! - [`accounts`]: the account API's shapes and the user name and password rules.
//! - [`labels`]: the names of the registry's choices (kind, sector, status, scale).
//! - [`reference`]: the lists reports choose from (programmes, difficulties, support),
//!   data the server owns and administrators add to.
//! - [`area_list`]: the official list of administrative units, imported.
//! - [`reorg`]: reorganisations of the area tree (the 2025 reform) and what they move.
//! - [`fields`]: the visit report's field catalogue (key, label, kind, section, limit,
//!   export column) the form, report view, review and export read.
//! - [`photo`]: photos on reports and cooperatives, named by content hash, and the plan
//!   of which the tablet uploads.
//! - [`registry`]: the registry's spreadsheet columns, import and export.
//!
//! This crate compiles for wasm32 and native and has no I/O.

pub mod accounts;
pub mod area_list;
pub mod error;
pub mod fields;
pub mod i18n;
pub mod keyed;
pub mod labels;
pub mod limits;
pub mod merge;
pub mod model;
pub mod photo;
pub mod primitives;
pub mod queue;
pub mod reference;
pub mod registry;
pub mod reorg;
pub mod report;
pub mod review;
pub mod six_month;
pub mod spreadsheet;
pub mod sync;
pub mod text;
pub mod validate;
