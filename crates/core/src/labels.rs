//! The names of the registry's choices (kind, sector, status, scale), Vietnamese first:
//! one place for the app's lists and pages, the server's exports and the registry import,
//! which reads a cell back by these names. Each is `(vi, en)`.

use crate::model::{CoopKind, OperatingScale, OperatingStatus, Sector};

/// A (Vietnamese, English) pair.
pub type Label = (&'static str, &'static str);

/// Short name of a kind, as lists show it ("HTX", "THT", "Liên hiệp HTX").
pub fn kind(k: CoopKind) -> Label {
    match k {
        CoopKind::Htx => ("HTX", "Cooperative"),
        CoopKind::Tht => ("THT", "Group"),
        CoopKind::Lhhtx => ("Liên hiệp HTX", "Union"),
    }
}

/// Full name of a kind (Law on Cooperatives 2023, art. 4).
pub fn kind_full(k: CoopKind) -> Label {
    match k {
        CoopKind::Htx => ("Hợp tác xã", "Cooperative"),
        CoopKind::Tht => ("Tổ hợp tác", "Cooperative group"),
        CoopKind::Lhhtx => ("Liên hiệp hợp tác xã", "Union of cooperatives"),
    }
}

pub fn sector(s: Sector) -> Label {
    match s {
        Sector::Agriculture => ("Nông nghiệp", "Agriculture"),
        Sector::IndustryHandicraft => (
            "Công nghiệp, tiểu thủ công nghiệp",
            "Industry and handicraft",
        ),
        Sector::TradeServices => ("Thương mại, dịch vụ", "Trade and services"),
        Sector::Transport => ("Vận tải", "Transport"),
        Sector::Construction => ("Xây dựng", "Construction"),
        Sector::CreditFund => ("Quỹ tín dụng", "Credit fund"),
        Sector::EnvironmentWater => ("Môi trường, nước sạch", "Environment and water"),
        Sector::Other => ("Khác", "Other"),
    }
}

pub fn status(s: OperatingStatus) -> Label {
    match s {
        OperatingStatus::Active => ("Đang hoạt động", "Active"),
        OperatingStatus::Standstill => ("Hoạt động cầm chừng", "At a standstill"),
        OperatingStatus::Suspended => ("Tạm ngừng", "Suspended"),
        OperatingStatus::Dissolved => ("Đã giải thể", "Dissolved"),
    }
}

pub fn scale(s: OperatingScale) -> Label {
    match s {
        OperatingScale::Village => ("Thôn", "Village"),
        OperatingScale::InterVillage => ("Liên thôn", "Inter-village"),
        OperatingScale::Commune => ("Toàn xã", "Commune"),
        OperatingScale::InterCommune => ("Liên xã", "Inter-commune"),
    }
}
