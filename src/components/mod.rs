pub mod header;
pub mod status_bar;
