pub mod conflicts;
pub mod header;
pub mod status_bar;
pub mod update_banner;
