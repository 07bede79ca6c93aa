//! One file per page.
pub mod cooperative;
pub mod home;
pub mod login;
pub mod reports;
pub mod visit_form;
pub mod register;
pub mod device;
