pub mod conflicts;
pub mod header;
pub mod report_view;
pub mod returned;
pub mod status_bar;
pub mod update_banner;
