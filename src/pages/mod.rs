//! One file per page.
pub mod audit;
pub mod cooperative;
pub mod device;
pub mod home;
pub mod login;
pub mod register;
pub mod reports;
pub mod review;
pub mod six_month;
pub mod visit_form;
