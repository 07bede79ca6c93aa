//! A row of a registry file read into a cooperative's fields: the values as Excel shows
//! them, the choices named in words, dates in either order, and what a row changes on a
//! stored record (a blank cell changes nothing).

use super::*;

/// A problem with one cell of one row.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowNote {
    /// The row's number as the spreadsheet shows it (the header is row 1).
    pub row: u32,
    /// The column's header as written in the file ("" for the row as a whole).
    pub column: String,
    pub message: Msg,
}

/// A row read: the profile's fields (id, area and version are the caller's to fill) and
/// where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRow {
    pub row: u32,
    /// The id written in the file (an export's), if any.
    pub id: Option<String>,
    pub coop: Cooperative,
    pub commune: Option<String>,
    pub district: Option<String>,
    pub commune_code: Option<String>,
    /// Fields whose cell holds a value: the others keep an existing record's values.
    pub present: Vec<Field>,
    /// Fields whose cell says [`CLEAR_MARK`]: emptied on an existing record.
    pub cleared: Vec<Field>,
}

pub(super) fn lookup<T: Keyed>(text: &str, label: impl Fn(T) -> Vec<&'static str>) -> Option<T> {
    let k = header_key(text);
    T::VALUES
        .iter()
        .copied()
        .find(|v| header_key(v.key()) == k || label(*v).into_iter().any(|l| header_key(l) == k))
}

pub(super) fn kind_of(text: &str) -> Option<CoopKind> {
    lookup(text, |k| {
        let (s, se) = labels::kind(k);
        let (f, fe) = labels::kind_full(k);
        let extra: &[&str] = match k {
            CoopKind::Lhhtx => &["LHHTX", "LH HTX"],
            _ => &[],
        };
        [s, se, f, fe]
            .into_iter()
            .chain(extra.iter().copied())
            .collect()
    })
}

pub(super) fn sector_of(text: &str) -> Option<Sector> {
    lookup(text, |s| {
        let (vi, en) = labels::sector(s);
        let extra: &[&str] = match s {
            Sector::IndustryHandicraft => &[
                "Công nghiệp - tiểu thủ công nghiệp",
                "Tiểu thủ công nghiệp",
                "Công nghiệp",
                "CN-TTCN",
            ],
            Sector::TradeServices => &["Thương mại - dịch vụ", "Dịch vụ", "Thương mại", "TM-DV"],
            Sector::CreditFund => &["Quỹ tín dụng nhân dân", "Tín dụng", "QTDND"],
            Sector::EnvironmentWater => &["Môi trường", "Nước sạch", "Vệ sinh môi trường"],
            Sector::Agriculture => &["Nông nghiệp, thủy sản", "Nông, lâm, ngư nghiệp", "Thủy sản"],
            _ => &[],
        };
        [vi, en].into_iter().chain(extra.iter().copied()).collect()
    })
}

pub(super) fn status_of(text: &str) -> Option<OperatingStatus> {
    lookup(text, |s| {
        let (vi, en) = labels::status(s);
        let extra: &[&str] = match s {
            OperatingStatus::Active => &["Hoạt động", "Hoạt động bình thường", "Đang HĐ"],
            OperatingStatus::Standstill => &["Cầm chừng", "Hoạt động cầm chừng, không hiệu quả"],
            OperatingStatus::Suspended => &["Tạm ngừng hoạt động", "Ngừng hoạt động"],
            OperatingStatus::Dissolved => &["Giải thể", "Đã giải thể, phá sản"],
        };
        [vi, en].into_iter().chain(extra.iter().copied()).collect()
    })
}

pub(super) fn scale_of(text: &str) -> Option<OperatingScale> {
    lookup(text, |s| {
        let (vi, en) = labels::scale(s);
        let extra: &[&str] = match s {
            OperatingScale::Commune => &["Xã"],
            _ => &[],
        };
        [vi, en].into_iter().chain(extra.iter().copied()).collect()
    })
}

/// A date as alliances write it: "15/03/2019", "15-03-2019", "2019-03-15", or a date cell.
/// Returns "YYYY-MM-DD".
pub fn parse_date(text: &str) -> Option<String> {
    parse_date_in(text, DateOrder::Dmy)
}

/// [`parse_date`] with day and month in `order` for dates written with numbers only.
pub fn parse_date_in(text: &str, order: DateOrder) -> Option<String> {
    let t = text.trim();
    let iso = if let Some(d) =
        crate::validate::parse_iso_date_from(t, crate::validate::MIN_FOUNDING_YEAR)
    {
        d
    } else {
        let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
        let [d, m, y] = parts.as_slice() else {
            return None;
        };
        let (d, m) = match order {
            DateOrder::Dmy => (d, m),
            DateOrder::Mdy => (m, d),
        };
        let (d, m, y): (u32, u32, i32) = (
            d.trim().parse().ok()?,
            m.trim().parse().ok()?,
            y.trim().parse().ok()?,
        );
        let s = format!("{y:04}-{m:02}-{d:02}");
        crate::validate::parse_iso_date_from(&s, crate::validate::MIN_FOUNDING_YEAR)?
    };
    Some(format!("{:04}-{:02}-{:02}", iso.0, iso.1, iso.2))
}

/// "YYYY-MM-DD" as the export writes it: "15/03/2019".
pub fn format_date(iso: &str) -> String {
    match crate::validate::parse_iso_date_from(iso, crate::validate::MIN_FOUNDING_YEAR) {
        Some((y, m, d)) => format!("{d:02}/{m:02}/{y:04}"),
        None => iso.to_string(),
    }
}

/// Reads one data row. `row` is its spreadsheet number. Errors name each bad cell.
pub fn parse_row(row: u32, cells: &[Cell], map: &Mapping) -> Result<ParsedRow, Vec<RowNote>> {
    let mut notes = Vec::new();
    let mut c = Cooperative::new(
        String::new(),
        CoopKind::Htx,
        String::new(),
        Sector::Other,
        String::new(),
        String::new(),
    );
    let mut out = ParsedRow {
        row,
        id: None,
        coop: c.clone(),
        commune: None,
        district: None,
        commune_code: None,
        present: Vec::new(),
        cleared: Vec::new(),
    };
    for (i, field) in map.fields.iter().enumerate() {
        let Some(field) = *field else { continue };
        let cell = cells.get(i).cloned().unwrap_or(Cell::Empty);
        let text = cell.text();
        if text.is_empty() {
            continue;
        }
        if is_clear_mark(&text) {
            match field {
                Field::Name | Field::Kind | Field::Sector | Field::Status | Field::Commune
                | Field::District | Field::CommuneCode | Field::Id => notes.push(RowNote {
                    row,
                    column: map.headers[i].clone(),
                    message: Msg::new(
                        format!("Cột này không xóa được bằng \"{CLEAR_MARK}\": hãy ghi giá trị đúng."),
                        format!("This column cannot be emptied with \"{CLEAR_MARK}\": write the right value."),
                    ),
                }),
                f => out.cleared.push(f),
            }
            continue;
        }
        if IDENTIFIERS.contains(&field) {
            if let Some(message) = identifier_problem(field, &cell) {
                notes.push(RowNote {
                    row,
                    column: map.headers[i].clone(),
                    message,
                });
                continue;
            }
        }
        out.present.push(field);
        let opt = || (!text.is_empty()).then(|| text.clone());
        let mut bad = |vi: String, en: String| {
            notes.push(RowNote {
                row,
                column: map.headers[i].clone(),
                message: Msg::new(vi, en),
            })
        };
        match field {
            Field::Id => out.id = opt(),
            Field::Name => c.name = text.clone(),
            Field::Kind => match (text.is_empty(), kind_of(&text)) {
                (true, _) => {}
                (_, Some(k)) => c.kind = k,
                _ => bad(format!("Loại hình \"{text}\" không rõ: ghi HTX, THT hoặc Liên hiệp HTX."), format!("Unknown kind \"{text}\": write HTX, THT or Liên hiệp HTX.")),
            },
            Field::Sector => match (text.is_empty(), sector_of(&text)) {
                (true, _) => {}
                (_, Some(s)) => c.sector = s,
                _ => bad(
                    format!("Lĩnh vực \"{text}\" không có trong danh mục ({}).", Sector::VALUES.iter().map(|s| labels::sector(*s).0).collect::<Vec<_>>().join("; ")),
                    format!("Sector \"{text}\" is not in the list ({}).", Sector::VALUES.iter().map(|s| labels::sector(*s).1).collect::<Vec<_>>().join("; ")),
                ),
            },
            Field::Commune => out.commune = opt(),
            Field::District => out.district = opt(),
            Field::CommuneCode => out.commune_code = opt(),
            Field::TaxCode => c.tax_code = opt(),
            Field::TaxRegistered => match yes_no(&text) {
                Some(b) => c.tax_registered = b,
                None => bad(format!("\"{text}\" không rõ: ghi Có hoặc Chưa."), format!("\"{text}\" is unclear: write Có (yes) or Chưa (not yet).")),
            },
            Field::RegistrationNo => c.registration_no = opt(),
            Field::EstablishedOn => match (&cell, text.is_empty()) {
                (_, true) => {}
                (Cell::Number(n), _) if (1.0..100_000.0).contains(n) => {
                    // A date Excel stored as a serial number (days since 1899-12-30).
                    c.established_on = Some(crate::validate::date_of_millis_vn((*n as i64 - 25_569) * 86_400_000));
                }
                _ => match parse_date_in(&text, map.date_order) {
                    Some(d) => c.established_on = Some(d),
                    None => bad(format!("Ngày \"{text}\" không đọc được: ghi ngày/tháng/năm, ví dụ 15/03/2019."), format!("Cannot read the date \"{text}\": write day/month/year, e.g. 15/03/2019.")),
                },
            },
            Field::ChairName => c.chair_name = opt(),
            Field::ChairPhone => c.chair_phone = opt().map(|p| p.replace([' ', '.'], "")),
            Field::Members | Field::Workers => {
                if text.is_empty() {
                    continue;
                }
                match parse_whole(&text).and_then(|n| u32::try_from(n).ok()) {
                    Some(n) if field == Field::Members => c.members = Some(n),
                    Some(n) => c.workers = Some(n),
                    None => bad(format!("\"{text}\" không phải số nguyên không âm."), format!("\"{text}\" is not a whole number of people.")),
                }
            }
            Field::CharterCapital => {
                if text.is_empty() {
                    continue;
                }
                let v = match map.capital_unit {
                    1 => parse_whole(&text),
                    unit => parse_decimal(&text).map(|x| (x * unit as f64).round() as i64),
                };
                match v {
                    Some(v) => c.charter_capital_vnd = Some(v),
                    None => bad(format!("Vốn điều lệ \"{text}\" không phải số tiền (đồng), ví dụ 1.500.000.000."), format!("Charter capital \"{text}\" is not an amount in đồng, e.g. 1.500.000.000.")),
                }
            }
            Field::CultivatedArea => {
                if text.is_empty() {
                    continue;
                }
                match parse_decimal(&text) {
                    Some(v) => c.cultivated_area_ha = Some(v),
                    None => bad(format!("Diện tích \"{text}\" không phải số (ha), ví dụ 12,5."), format!("Area \"{text}\" is not a number of hectares, e.g. 12.5.")),
                }
            }
            Field::Status => match (text.is_empty(), status_of(&text)) {
                (true, _) => {}
                (_, Some(s)) => c.status = s,
                _ => bad(format!("Tình trạng \"{text}\" không rõ: ghi Đang hoạt động, Hoạt động cầm chừng, Tạm ngừng hoặc Đã giải thể."), format!("Unknown status \"{text}\": write Active, At a standstill, Suspended or Dissolved.")),
            },
            Field::Scale => match (text.is_empty(), scale_of(&text)) {
                (true, _) => {}
                (_, Some(s)) => c.scale = Some(s),
                _ => bad(format!("Quy mô \"{text}\" không rõ: ghi Thôn, Liên thôn, Toàn xã hoặc Liên xã."), format!("Unknown scale \"{text}\": write Village, Inter-village, Commune or Inter-commune.")),
            },
            Field::MainProducts => c.main_products = opt(),
        }
    }
    // A tax code written means the tax registration is done, unless the file says.
    if c.tax_code.is_some() && !out.present.contains(&Field::TaxRegistered) {
        c.tax_registered = true;
    }
    if !notes.is_empty() {
        return Err(notes);
    }
    out.coop = c;
    Ok(out)
}

/// `existing` with the fields the row has a value for taken from it. A blank cell keeps
/// the stored value (an office's list leaves blank what it did not fill in); a cell
/// saying [`CLEAR_MARK`] empties it. An identifier written another way (spaces, dots,
/// case: "0912 345 678" for "0912345678") keeps the stored text. A new tax code marks
/// the tax registration done unless the file has the column saying so. Id, area and
/// version stay.
pub fn overlay(existing: &Cooperative, row: &ParsedRow) -> Cooperative {
    let mut c = existing.clone();
    let r = &row.coop;
    // The stored text when the row writes the same identifier another way.
    let same_or = |stored: &Option<String>, new: &Option<String>| -> Option<String> {
        let key = |s: &Option<String>| s.as_deref().and_then(identifier_key);
        if key(stored).is_some() && key(stored) == key(new) {
            stored.clone()
        } else {
            new.clone()
        }
    };
    for f in &row.present {
        match f {
            Field::Name => c.name = r.name.clone(),
            Field::Kind => c.kind = r.kind,
            Field::Sector => c.sector = r.sector,
            Field::TaxCode => {
                let next = same_or(&c.tax_code, &r.tax_code);
                if next != c.tax_code && !row.present.contains(&Field::TaxRegistered) {
                    c.tax_registered = true;
                }
                c.tax_code = next;
            }
            Field::TaxRegistered => c.tax_registered = r.tax_registered,
            Field::RegistrationNo => {
                c.registration_no = same_or(&c.registration_no, &r.registration_no)
            }
            Field::EstablishedOn => c.established_on = r.established_on.clone(),
            Field::ChairName => c.chair_name = r.chair_name.clone(),
            Field::ChairPhone => c.chair_phone = same_or(&c.chair_phone, &r.chair_phone),
            Field::Members => c.members = r.members,
            Field::Workers => c.workers = r.workers,
            Field::CharterCapital => c.charter_capital_vnd = r.charter_capital_vnd,
            Field::CultivatedArea => c.cultivated_area_ha = r.cultivated_area_ha,
            Field::Status => c.status = r.status,
            Field::Scale => c.scale = r.scale,
            Field::MainProducts => c.main_products = r.main_products.clone(),
            Field::Id | Field::Commune | Field::District | Field::CommuneCode => {}
        }
    }
    for f in &row.cleared {
        match f {
            Field::TaxCode => c.tax_code = None,
            Field::TaxRegistered => c.tax_registered = false,
            Field::RegistrationNo => c.registration_no = None,
            Field::EstablishedOn => c.established_on = None,
            Field::ChairName => c.chair_name = None,
            Field::ChairPhone => c.chair_phone = None,
            Field::Members => c.members = None,
            Field::Workers => c.workers = None,
            Field::CharterCapital => c.charter_capital_vnd = None,
            Field::CultivatedArea => c.cultivated_area_ha = None,
            Field::Scale => c.scale = None,
            Field::MainProducts => c.main_products = None,
            _ => {}
        }
    }
    c
}

/// Columns whose cells are codes: read as the text Excel shows, never as numbers.
pub const IDENTIFIERS: &[Field] = &[
    Field::TaxCode,
    Field::RegistrationNo,
    Field::ChairPhone,
    Field::CommuneCode,
];

/// Why an identifier cell cannot be read as written, if it cannot: a long number Excel
/// shows in scientific notation (its last digits are gone), or a number whose leading
/// zero Excel dropped (a tax code or phone of 9 digits: every Vietnamese tax code has
/// 10, every phone number starts with 0).
pub(super) fn identifier_problem(field: Field, cell: &Cell) -> Option<Msg> {
    let text = cell.text();
    let fix_vi = "Hãy định dạng cột là Văn bản (Text) và gõ lại đủ các chữ số.";
    let fix_en = "Format the column as Text and type every digit again.";
    if is_scientific(&text) || matches!(cell, Cell::Number(n) if *n >= 1e11 || n.fract() != 0.0) {
        return Some(Msg::new(
            format!("\"{text}\" là số dạng khoa học (Excel đã làm mất các chữ số cuối). {fix_vi}"),
            format!("\"{text}\" is a number in scientific notation (Excel dropped its last digits). {fix_en}"),
        ));
    }
    if let Cell::Number(_) = cell {
        let lost_zero = match field {
            Field::TaxCode => text.len() == 9,
            Field::ChairPhone => text.len() == 9,
            _ => false,
        };
        if lost_zero {
            return Some(Msg::new(
                format!("\"{text}\" thiếu số 0 ở đầu (Excel coi là số). {fix_vi} Ví dụ 0{text}."),
                format!("\"{text}\" lost its leading 0 (Excel took it for a number). {fix_en} For example 0{text}."),
            ));
        }
    }
    None
}

/// "Có"/"Chưa" and their variants (yes/no, x, 1/0, rồi/không).
pub(super) fn yes_no(text: &str) -> Option<bool> {
    match normalize(text).as_str() {
        "co" | "yes" | "x" | "1" | "roi" | "da" | "da dang ky" | "true" => Some(true),
        "chua" | "no" | "khong" | "0" | "chua dang ky" | "false" => Some(false),
        _ => None,
    }
}
