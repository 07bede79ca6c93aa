//! One file per page.
pub mod accounts;
pub mod areas;
pub mod audit;
pub mod cooperative;
pub mod decision;
pub mod device;
pub mod duplicates;
pub mod home;
pub mod import;
pub mod login;
pub mod password;
pub mod reference;
pub mod register;
pub mod reports;
pub mod six_month;
pub mod visit_form;
