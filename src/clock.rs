//! The tablet's clock, corrected by the server's (issue 13). Every API answer states the
//! server's time (`x-server-time`, ms since the epoch); [`observe`] estimates how far the
//! tablet's clock is off (the answer's time against the middle of the request), and
//! [`crate::util::now_ms`] adds that offset, so the dates the app fills in by default
//! (visit date, created_at) follow the server's clock. The offset is kept in the store's
//! `meta` for use offline after a restart; more than
//! hoptac_core::sync::CLOCK_SKEW_WARNING_MS off, the status bar says so.
//!
//! The answer also states the server's identity (`x-server-epoch`), which a restore from a
//! backup changes; [`crate::sync`] compares it with the one it saw last.

use leptos::prelude::*;
use std::cell::{Cell, RefCell};

thread_local! {
    static OFFSET_MS: Cell<i64> = const { Cell::new(0) };
    static EPOCH: RefCell<Option<String>> = const { RefCell::new(None) };
    static SKEW: RwSignal<Option<i64>> = RwSignal::new(None);
}

/// The tablet's own clock, uncorrected (ms since the epoch).
pub fn device_now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// How far the server's clock is ahead of the tablet's (ms; negative: behind).
pub fn offset_ms() -> i64 {
    OFFSET_MS.with(Cell::get)
}

/// The offset, when it is larger than the warning threshold (for the status bar). An
/// app-wide signal: made in [`crate::start`] before anything mounts, so no page owns it.
pub fn skew() -> RwSignal<Option<i64>> {
    SKEW.with(|s| *s)
}

/// Sets the offset (from an answer, or from the store at start-up).
pub fn set_offset(offset: i64) {
    OFFSET_MS.with(|o| o.set(offset));
    let warn = (offset.abs() > hoptac_core::sync::CLOCK_SKEW_WARNING_MS).then_some(offset);
    if skew().get_untracked() != warn {
        skew().set(warn);
    }
}

/// Reads the server's time and identity from an answer to a request sent at `sent`
/// (device ms) and received at `received`.
pub fn observe(headers: &gloo_net::http::Headers, sent: i64, received: i64) {
    let get = |name: &str| headers.get(name);
    if let Some(server) =
        get(hoptac_core::sync::SERVER_TIME_HEADER).and_then(|t| t.parse::<i64>().ok())
    {
        // Answers slower than 10 s say little about the clock.
        if received - sent < 10_000 {
            set_offset(server - (sent + received) / 2);
        }
    }
    if let Some(epoch) = get(hoptac_core::sync::SERVER_EPOCH_HEADER) {
        EPOCH.with(|e| *e.borrow_mut() = Some(epoch));
    }
}

/// The server identity stated by the latest answer, if any.
pub fn server_epoch() -> Option<String> {
    EPOCH.with(|e| e.borrow().clone())
}

/// "12 phút" / "3 giờ": how far off, for the warning.
pub fn describe(offset: i64) -> (String, String) {
    let minutes = offset.unsigned_abs() / 60_000;
    let (vi_dir, en_dir) = if offset > 0 {
        ("chậm", "behind")
    } else {
        ("nhanh", "ahead of")
    };
    let (vi, en) = if minutes >= 120 {
        let h = minutes / 60;
        (format!("{h} giờ"), format!("{h} hours"))
    } else {
        (format!("{minutes} phút"), format!("{minutes} minutes"))
    };
    (
        format!("Đồng hồ máy này {vi_dir} {vi} so với máy chủ. Ngày giờ ứng dụng điền sẵn đã theo giờ máy chủ; hãy chỉnh lại đồng hồ trong Cài đặt của máy."),
        format!("This tablet's clock is {en} {en_dir} the server's. The dates the app fills in follow the server's clock; set the tablet's clock in its Settings."),
    )
}
