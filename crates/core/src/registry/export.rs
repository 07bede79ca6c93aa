//! A cooperative as a row of the registry's export: the same columns the import reads,
//! so export → import changes nothing.

use super::*;

/// The cells of a cooperative's export row, in [`COLUMNS`]' order.
pub fn export_row(c: &Cooperative, commune: &Area, district: Option<&Area>) -> Vec<Cell> {
    let text = |s: &Option<String>| s.clone().map(Cell::Text).unwrap_or(Cell::Empty);
    COLUMNS
        .iter()
        .map(|col| match col.field {
            Field::Id => Cell::Text(c.id.clone()),
            Field::Name => Cell::Text(c.name.clone()),
            Field::Kind => Cell::Text(labels::kind(c.kind).0.into()),
            Field::Sector => Cell::Text(labels::sector(c.sector).0.into()),
            Field::Commune => Cell::Text(commune.name.clone()),
            Field::District => district
                .map(|d| Cell::Text(d.name.clone()))
                .unwrap_or(Cell::Empty),
            Field::CommuneCode => {
                Cell::Text(commune.code.clone().unwrap_or_else(|| commune.id.clone()))
            }
            Field::TaxCode => text(&c.tax_code),
            Field::TaxRegistered => Cell::Text(if c.tax_registered { "Có" } else { "Chưa" }.into()),
            Field::RegistrationNo => text(&c.registration_no),
            Field::EstablishedOn => c
                .established_on
                .clone()
                .map(Cell::Date)
                .unwrap_or(Cell::Empty),
            Field::ChairName => text(&c.chair_name),
            Field::ChairPhone => text(&c.chair_phone),
            Field::Members => c
                .members
                .map(|n| Cell::Number(n.into()))
                .unwrap_or(Cell::Empty),
            Field::Workers => c
                .workers
                .map(|n| Cell::Number(n.into()))
                .unwrap_or(Cell::Empty),
            Field::CharterCapital => c
                .charter_capital_vnd
                .map(|n| Cell::Number(n as f64))
                .unwrap_or(Cell::Empty),
            Field::CultivatedArea => c
                .cultivated_area_ha
                .map(Cell::Number)
                .unwrap_or(Cell::Empty),
            Field::Status => Cell::Text(labels::status(c.status).0.into()),
            Field::Scale => c
                .scale
                .map(|s| Cell::Text(labels::scale(s).0.into()))
                .unwrap_or(Cell::Empty),
            Field::MainProducts => text(&c.main_products),
        })
        .collect()
}

/// The words naming a unit's level that a name may start with, folded
/// ([`normalize`]): "Thành phố", "Thị trấn", "Huyện", "Phường", "Xã" and their
/// abbreviations.
pub(super) const LEVEL_WORDS: [&str; 11] = [
    "thanh pho ",
    "tp. ",
    "tp ",
    "thi tran ",
    "thi xa ",
    "huyen ",
    "quan ",
    "phuong ",
    "xa ",
    "tt. ",
    "tt ",
];
