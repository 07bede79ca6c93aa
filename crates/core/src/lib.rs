//! hoptac-core: everything the tablet app and the server must agree on.
//!
//! Each module holds one concept and says what it is in its first lines; they import
//! downward from [`primitives`] (plain types: time in ms, dates, periods, positions, the
//! unit enums, `FieldError`), which imports nothing of this crate (docs/ARCHITECTURE.md
//! draws the layers; `scripts/check_cycles.py` keeps them free of cycles).
//!
//! This crate compiles for wasm32 and native and has no I/O.

pub mod accounts;
pub mod area_list;
pub mod decisions;
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
pub mod six_month;
pub mod spreadsheet;
pub mod sync;
pub mod text;
pub mod validate;
