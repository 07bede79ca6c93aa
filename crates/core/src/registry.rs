//! The cooperative registry as alliances keep it in Excel: the columns (Vietnamese
//! headers as an alliance writes them, with the variants found in provincial lists), how a
//! row's cells become a cooperative's fields, how a commune named in a cell is found in
//! the area tree, and the import report. The server reads the file (XLSX with calamine,
//! CSV with the csv crate) into [`Cell`]s and applies what this module decides; the
//! export writes the same columns, so export → import changes nothing.

use crate::i18n::Msg;
use crate::keyed::Keyed;
use crate::labels;
use crate::model::{
    Area, AreaLevel, CoopKind, Cooperative, OperatingScale, OperatingStatus, Sector,
};
use crate::text::{normalize, parse_decimal, parse_whole};
use serde::{Deserialize, Serialize};

/// Most data rows one import reads (a province has a few thousand; the national list
/// about 100,000 would be imported province by province).
pub const MAX_IMPORT_ROWS: usize = 50_000;

pub use crate::spreadsheet::Cell;
use crate::spreadsheet::{is_scientific, DateOrder};

/// What a cell writes to empty a field on purpose: a blank cell keeps what is stored
/// (an office's list often leaves cells blank it did not fill in), this one clears it.
pub const CLEAR_MARK: &str = "(xóa)";

/// Whether a cell's text is [`CLEAR_MARK`] (or "(xoa)", "(clear)").
pub fn is_clear_mark(text: &str) -> bool {
    matches!(normalize(text).as_str(), "(xoa)" | "(clear)")
}

/// A field of the registry an import column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// hoptac's own id (written by the export, so a round trip matches rows exactly).
    Id,
    Name,
    Kind,
    Sector,
    /// The commune (xã/phường/thị trấn) by name.
    Commune,
    /// The district (huyện/quận), to tell two communes of one name apart.
    District,
    /// The commune's code in the national list of administrative units.
    CommuneCode,
    TaxCode,
    /// Whether tax registration is done ("Có"/"Chưa").
    TaxRegistered,
    RegistrationNo,
    EstablishedOn,
    ChairName,
    ChairPhone,
    Members,
    Workers,
    CharterCapital,
    CultivatedArea,
    Status,
    Scale,
    MainProducts,
}

/// A column: its field, the header the export writes (Vietnamese, as alliances write it),
/// its English name, and other headers that mean the same.
pub struct Column {
    pub field: Field,
    pub key: &'static str,
    pub header: &'static str,
    pub en: &'static str,
    pub aliases: &'static [&'static str],
}

/// Every column, in the export's order.
pub const COLUMNS: &[Column] = &[
    Column {
        field: Field::Id,
        key: "id",
        header: "Mã hồ sơ",
        en: "Record id",
        aliases: &["Mã hoptac", "ID"],
    },
    Column {
        field: Field::Name,
        key: "name",
        header: "Tên HTX",
        en: "Name",
        aliases: &[
            "Tên hợp tác xã",
            "Tên HTX/THT",
            "Tên HTX, THT",
            "Tên tổ chức",
            "Tên đơn vị",
            "Tên",
        ],
    },
    Column {
        field: Field::Kind,
        key: "kind",
        header: "Loại hình",
        en: "Kind",
        aliases: &["Loại", "Loại hình tổ chức"],
    },
    Column {
        field: Field::Sector,
        key: "sector",
        header: "Lĩnh vực",
        en: "Sector",
        aliases: &["Lĩnh vực hoạt động", "Ngành nghề", "Ngành"],
    },
    Column {
        field: Field::Commune,
        key: "commune",
        header: "Xã/Phường",
        en: "Commune",
        aliases: &[
            "Xã/Phường/Thị trấn",
            "Xã, phường, thị trấn",
            "Xã",
            "Phường",
            "Địa bàn xã",
        ],
    },
    Column {
        field: Field::District,
        key: "district",
        header: "Huyện/Thành phố",
        en: "District",
        aliases: &[
            "Huyện",
            "Quận",
            "Huyện/Quận",
            "Huyện/TP",
            "Huyện, thành phố",
        ],
    },
    Column {
        field: Field::CommuneCode,
        key: "commune_code",
        header: "Mã xã",
        en: "Commune code",
        aliases: &["Mã ĐVHC", "Mã đơn vị hành chính"],
    },
    Column {
        field: Field::TaxCode,
        key: "tax_code",
        header: "Mã số thuế",
        en: "Tax code",
        aliases: &["MST", "Mã số doanh nghiệp"],
    },
    Column {
        field: Field::TaxRegistered,
        key: "tax_registered",
        header: "Đã đăng ký thuế",
        en: "Tax registered",
        aliases: &["Đăng ký thuế", "ĐK thuế", "Đã ĐK thuế"],
    },
    Column {
        field: Field::RegistrationNo,
        key: "registration_no",
        header: "Số ĐKKD",
        en: "Business registration no.",
        aliases: &[
            "Số đăng ký kinh doanh",
            "Số GCN ĐKKD",
            "Số giấy chứng nhận đăng ký",
            "Số đăng ký",
        ],
    },
    Column {
        field: Field::EstablishedOn,
        key: "established_on",
        header: "Ngày thành lập",
        en: "Founded on",
        aliases: &["Ngày đăng ký", "Ngày thành lập/đăng ký", "Ngày cấp ĐKKD"],
    },
    Column {
        field: Field::ChairName,
        key: "chair_name",
        header: "Chủ tịch HĐQT/Giám đốc",
        en: "Chair / director",
        aliases: &[
            "Chủ tịch HĐQT",
            "Giám đốc",
            "Chủ tịch HĐQT kiêm Giám đốc",
            "Người đại diện theo pháp luật",
            "Người đại diện",
            "Tổ trưởng",
        ],
    },
    Column {
        field: Field::ChairPhone,
        key: "chair_phone",
        header: "Điện thoại",
        en: "Phone",
        aliases: &["Số điện thoại", "SĐT", "ĐT"],
    },
    Column {
        field: Field::Members,
        key: "members",
        header: "Số thành viên",
        en: "Members",
        aliases: &["Thành viên", "Số TV"],
    },
    Column {
        field: Field::Workers,
        key: "workers",
        header: "Số lao động",
        en: "Workers",
        aliases: &["Lao động", "Số LĐ"],
    },
    Column {
        field: Field::CharterCapital,
        key: "charter_capital_vnd",
        header: "Vốn điều lệ (đồng)",
        en: "Charter capital (VND)",
        aliases: &["Vốn điều lệ", "Vốn điều lệ (VNĐ)", "Vốn điều lệ (đ)"],
    },
    Column {
        field: Field::CultivatedArea,
        key: "cultivated_area_ha",
        header: "Diện tích canh tác (ha)",
        en: "Cultivated area (ha)",
        aliases: &["Diện tích canh tác", "Diện tích (ha)"],
    },
    Column {
        field: Field::Status,
        key: "status",
        header: "Tình trạng hoạt động",
        en: "Operating status",
        aliases: &["Tình trạng", "Trạng thái", "Tình hình hoạt động"],
    },
    Column {
        field: Field::Scale,
        key: "scale",
        header: "Quy mô",
        en: "Scale",
        aliases: &["Phạm vi hoạt động", "Quy mô hoạt động"],
    },
    Column {
        field: Field::MainProducts,
        key: "main_products",
        header: "Sản phẩm chính",
        en: "Main products",
        aliases: &["Sản phẩm, dịch vụ chính", "Sản phẩm"],
    },
];

/// The column of a field.
pub fn column(field: Field) -> &'static Column {
    COLUMNS
        .iter()
        .find(|c| c.field == field)
        .expect("every field has a column")
}

/// The column whose key is `key` ("tax_code").
pub fn column_by_key(key: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.key == key)
}

/// A header reduced for comparison: diacritics folded, lower case, letters and digits only.
fn header_key(s: &str) -> String {
    normalize(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The column a header names, if it is one of [`COLUMNS`]' headers or aliases (compared
/// without diacritics, case, spaces or punctuation: "MÃ SỐ THUẾ", "Ma so thue" and
/// "Mã số thuế:" are one). Money in millions ("Vốn điều lệ (triệu đồng)") is recognised by
/// [`capital_unit`].
pub fn match_header(header: &str) -> Option<&'static Column> {
    let k = header_key(header);
    if k.is_empty() {
        return None;
    }
    let found = COLUMNS.iter().find(|c| {
        header_key(c.header) == k
            || header_key(c.key) == k
            || c.aliases.iter().any(|a| header_key(a) == k)
    });
    found.or_else(|| {
        // "Vốn điều lệ (triệu đồng)", "Vốn điều lệ (tỷ đồng)".
        (k.starts_with("vondieule")).then(|| column(Field::CharterCapital))
    })
}

/// How many đồng one unit of a capital column's numbers is: 1,000,000 when its header
/// says "triệu" (millions), 1,000,000,000 for "tỷ", else 1.
pub fn capital_unit(header: &str) -> i64 {
    let k = header_key(header);
    if k.contains("trieu") {
        1_000_000
    } else if k.contains("ty") && !k.contains("tyle") {
        1_000_000_000
    } else {
        1
    }
}

/// A tax code or registration number reduced to what identifies it: letters and digits
/// only, upper case ("0101 234-567" → "0101234567"). None when nothing is left.
pub fn identifier_key(s: &str) -> Option<String> {
    let k: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!k.is_empty()).then_some(k)
}

/// The mapping of a file's columns to fields: for each column of the file, the field it
/// fills (None: ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub headers: Vec<String>,
    pub fields: Vec<Option<Field>>,
    /// Đồng per unit of the capital column.
    pub capital_unit: i64,
    /// How dates written with numbers only are read ([`crate::spreadsheet::detect_date_order`]).
    pub date_order: DateOrder,
}

impl Mapping {
    /// Maps `headers` by name; `overrides` (header text → column key, "" to ignore) are
    /// the administrator's choices where the file's headers differ. A field mapped twice
    /// keeps its first column.
    pub fn new(headers: &[String], overrides: &[(String, String)]) -> Mapping {
        let mut fields: Vec<Option<Field>> = Vec::new();
        let mut unit = 1;
        for h in headers {
            let chosen = overrides.iter().find(|(oh, _)| oh.trim() == h.trim());
            let col = match chosen {
                Some((_, key)) => column_by_key(key),
                None => match_header(h),
            };
            let field = col.map(|c| c.field).filter(|f| !fields.contains(&Some(*f)));
            if field == Some(Field::CharterCapital) {
                unit = capital_unit(h);
            }
            fields.push(field);
        }
        Mapping {
            headers: headers.to_vec(),
            fields,
            capital_unit: unit,
            date_order: DateOrder::Dmy,
        }
    }

    fn index(&self, f: Field) -> Option<usize> {
        self.fields.iter().position(|x| *x == Some(f))
    }

    /// The column of the file that fills `f`, if any.
    pub fn column_of(&self, f: Field) -> Option<usize> {
        self.index(f)
    }

    pub fn has(&self, f: Field) -> bool {
        self.index(f).is_some()
    }

    /// What the import cannot do without: a name and a commune (by name or code).
    pub fn missing(&self) -> Vec<Msg> {
        let mut out = Vec::new();
        if !self.has(Field::Name) {
            out.push(Msg::new(
                "Thiếu cột \"Tên HTX\": hãy chọn cột chứa tên hợp tác xã.",
                "No \"Name\" column: choose the column holding the cooperative's name.",
            ));
        }
        if !self.has(Field::Commune) && !self.has(Field::CommuneCode) {
            out.push(Msg::new(
                "Thiếu cột \"Xã/Phường\" (hoặc \"Mã xã\"): hãy chọn cột chứa xã của hợp tác xã.",
                "No \"Commune\" column (or \"Commune code\"): choose the column holding the commune.",
            ));
        }
        out
    }
}

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

fn lookup<T: Keyed>(text: &str, label: impl Fn(T) -> Vec<&'static str>) -> Option<T> {
    let k = header_key(text);
    T::VALUES
        .iter()
        .copied()
        .find(|v| header_key(v.key()) == k || label(*v).into_iter().any(|l| header_key(l) == k))
}

fn kind_of(text: &str) -> Option<CoopKind> {
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

fn sector_of(text: &str) -> Option<Sector> {
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

fn status_of(text: &str) -> Option<OperatingStatus> {
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

fn scale_of(text: &str) -> Option<OperatingScale> {
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
    let mut c = Cooperative {
        id: String::new(),
        kind: CoopKind::Htx,
        name: String::new(),
        sector: Sector::Other,
        area_id: String::new(),
        area_path: String::new(),
        scale: None,
        established_on: None,
        registration_no: None,
        tax_code: None,
        tax_registered: false,
        chair_name: None,
        chair_phone: None,
        members: None,
        workers: None,
        charter_capital_vnd: None,
        cultivated_area_ha: None,
        main_products: None,
        status: OperatingStatus::Active,
        newly_established: false,
        main_photo: None,
        moved_from: None,
        version: 0,
    };
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
fn identifier_problem(field: Field, cell: &Cell) -> Option<Msg> {
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
fn yes_no(text: &str) -> Option<bool> {
    match normalize(text).as_str() {
        "co" | "yes" | "x" | "1" | "roi" | "da" | "da dang ky" | "true" => Some(true),
        "chua" | "no" | "khong" | "0" | "chua dang ky" | "false" => Some(false),
        _ => None,
    }
}

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
const LEVEL_WORDS: [&str; 11] = [
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

/// A name of an area without its level word ("Xã Ninh Hải" → "ninhhai",
/// "TP. Hoa Lư" → "hoalu"), for matching a cell to an area.
pub fn area_name_key(name: &str) -> String {
    let n = normalize(name);
    let mut s = n.as_str();
    for prefix in LEVEL_WORDS {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
            break;
        }
    }
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// A name as written, for telling apart names that fold to the same letters: lower case,
/// without its level word and spaces ("Xã Trực Hùng" → "trựchùng"). Text is NFC when it
/// gets here (the server composes every text it reads).
fn exact_key(name: &str) -> String {
    let lower = name.to_lowercase();
    let folded = normalize(name);
    // Drop the level word as area_key does: as many characters as its folded prefix had.
    let words_dropped = LEVEL_WORDS
        .iter()
        .find(|p| folded.starts_with(*p))
        .map(|p| p.chars().count())
        .unwrap_or(0);
    lower
        .chars()
        .skip(words_dropped)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The area tree, indexed to find the commune a row names.
pub struct AreaIndex<'a> {
    areas: &'a [Area],
}

impl<'a> AreaIndex<'a> {
    pub fn new(areas: &'a [Area]) -> Self {
        AreaIndex { areas }
    }

    pub fn get(&self, id: &str) -> Option<&'a Area> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// The commune of a row: by code when given, else by name (and district when two
    /// communes share a name); a commune closed by a reorganisation gives the one that
    /// replaced it (a list written before the 2025 reform still imports). Errors say
    /// what to write instead.
    pub fn commune(&self, r: &ParsedRow) -> Result<&'a Area, Msg> {
        self.commune_named(r).and_then(|a| self.today(a))
    }

    /// The unit a row names as it names it (a closed one too: a list written before a
    /// reorganisation) and the unit standing for it today.
    pub fn commune_then_and_now(&self, r: &ParsedRow) -> Result<(&'a Area, &'a Area), Msg> {
        let named = self.commune_named(r)?;
        Ok((named, self.today(named)?))
    }

    /// The area that stands today for `a`: itself while open, else its successor's.
    fn today(&self, mut a: &'a Area) -> Result<&'a Area, Msg> {
        for _ in 0..16 {
            if a.is_open() {
                return Ok(a);
            }
            match a.successor_id.as_deref().and_then(|s| self.get(s)) {
                Some(next) => a = next,
                None => break,
            }
        }
        let since = a.closed_on.as_deref().unwrap_or("");
        Err(Msg::new(
            format!(
                "{} đã giải thể từ {since}: hãy ghi xã/phường hiện nay.",
                a.name
            ),
            format!(
                "{} was closed on {since}: write today's commune or ward.",
                a.name
            ),
        ))
    }

    fn commune_named(&self, r: &ParsedRow) -> Result<&'a Area, Msg> {
        let communes = self
            .areas
            .iter()
            .filter(|a| matches!(a.level, AreaLevel::Commune | AreaLevel::Village));
        if let Some(code) = &r.commune_code {
            // By the official code: the open unit carrying it (a new ward may carry the
            // code of a commune it absorbed; while both lists are open, the row's
            // district tells them apart), else a closed one (its successor), else by
            // hoptac's id.
            let code = code.trim();
            // A row that names its commune too: the unit of that code and name, open or
            // closed (a code names different units before and after a reorganisation).
            if let Some(name) = &r.commune {
                let (k, x) = (area_name_key(name), exact_key(name));
                let named: Vec<&Area> = communes
                    .clone()
                    .filter(|a| a.code.as_deref() == Some(code) && area_name_key(&a.name) == k)
                    .collect();
                let exact: Vec<&Area> = named
                    .iter()
                    .copied()
                    .filter(|a| exact_key(&a.name) == x)
                    .collect();
                match (exact.as_slice(), named.as_slice()) {
                    ([one], _) | ([], [one]) => return Ok(one),
                    _ => {}
                }
            }
            let mut open: Vec<&Area> = communes
                .clone()
                .filter(|a| a.is_open() && a.code.as_deref() == Some(code))
                .collect();
            if open.len() > 1 {
                if let Some(d) = &r.district {
                    let dk = area_name_key(d);
                    open.retain(|a| {
                        a.parent_id
                            .as_deref()
                            .and_then(|p| self.get(p))
                            .is_some_and(|p| area_name_key(&p.name) == dk)
                    });
                }
            }
            if open.len() > 1 {
                let names: Vec<&str> = open.iter().map(|a| a.name.as_str()).collect();
                return Err(Msg::new(
                    format!(
                        "Mã \"{code}\" là của {} đơn vị ({}): hãy ghi thêm cột Huyện/Thành phố.",
                        open.len(),
                        names.join(", ")
                    ),
                    format!(
                        "The code \"{code}\" names {} units ({}): add a District column.",
                        open.len(),
                        names.join(", ")
                    ),
                ));
            }
            return open
                .first()
                .copied()
                .or_else(|| communes.clone().find(|a| a.code.as_deref() == Some(code)))
                .or_else(|| communes.clone().find(|a| a.id.eq_ignore_ascii_case(code)))
                .ok_or_else(|| {
                    Msg::new(
                        format!("Không có xã mã \"{code}\" trong danh mục địa bàn."),
                        format!("No commune with code \"{code}\" in the area list."),
                    )
                });
        }
        let Some(name) = &r.commune else {
            return Err(Msg::new("Thiếu tên xã/phường.", "The commune is missing."));
        };
        let key = area_name_key(name);
        let mut found: Vec<&Area> = communes.filter(|a| area_name_key(&a.name) == key).collect();
        // A name an open commune and a closed one share (a new ward named after an old
        // commune): today's.
        if found.len() > 1 && found.iter().any(|a| a.is_open()) {
            found.retain(|a| a.is_open());
        }
        // Names that differ only by their tones ("Trực Hưng", "Trực Hùng") are told apart
        // by the name as written.
        if found.len() > 1 {
            let exact = exact_key(name);
            if found.iter().any(|a| exact_key(&a.name) == exact) {
                found.retain(|a| exact_key(&a.name) == exact);
            }
        }
        if found.len() > 1 {
            if let Some(d) = &r.district {
                let (dk, dx) = (area_name_key(d), exact_key(d));
                let parent_named = |a: &&Area, f: &dyn Fn(&str) -> String, k: &str| {
                    a.parent_id
                        .as_deref()
                        .and_then(|p| self.get(p))
                        .is_some_and(|p| f(&p.name) == k)
                };
                if found.iter().any(|a| parent_named(a, &exact_key, &dx)) {
                    found.retain(|a| parent_named(a, &exact_key, &dx));
                } else {
                    found.retain(|a| parent_named(a, &area_name_key, &dk));
                }
            }
        }
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(Msg::new(
                format!("Không tìm thấy xã/phường \"{name}\" trong địa bàn của bạn."),
                format!("No commune \"{name}\" in your areas."),
            )),
            _ => Err(Msg::new(
                format!(
                    "Có {} xã tên \"{name}\": hãy ghi thêm cột Huyện/Thành phố hoặc Mã xã.",
                    found.len()
                ),
                format!(
                    "{} communes are named \"{name}\": add a District or Commune code column.",
                    found.len()
                ),
            )),
        }
    }
}

/// How a column of the file was understood, for the mapping step.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMatch {
    pub header: String,
    /// The column key it fills ("tax_code"), or None when ignored.
    pub field: Option<String>,
}

/// What an import does (a dry run) or did (applied).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// True when the records were written; false for a dry run (or when nothing could be).
    pub applied: bool,
    /// The file's encoding as detected ("UTF-8", "UTF-8 (BOM)", "Windows-1258", "XLSX").
    pub encoding: String,
    /// Data rows read (the header row and empty rows not counted).
    pub rows: u32,
    pub created: u32,
    pub updated: u32,
    /// Rows equal to the record already held: nothing to change.
    pub unchanged: u32,
    /// Rows skipped because an earlier row of the file is the same cooperative.
    pub duplicates: Vec<RowNote>,
    /// Records the file places in another commune: each moves there with its visit
    /// reports, as a move by hand does (row, the commune column, from → to).
    #[serde(default)]
    pub moves: Vec<RowNote>,
    /// Rows that cannot be imported, with row, column and reason.
    pub refused: Vec<RowNote>,
    /// How each column was understood.
    pub columns: Vec<ColumnMatch>,
    /// What stops the whole file (a required column missing), if anything.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Msg>,
    /// The workbook's worksheets (XLSX), for choosing another than the one read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sheets: Vec<crate::spreadsheet::SheetInfo>,
    /// The worksheet read (XLSX).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// How dates written with numbers only were read (None: the file has none that
    /// could be read both ways).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<crate::spreadsheet::DateOrderNote>,
}

/// Two records flagged as one cooperative: they share a tax code or a business
/// registration number (`field`: "tax_code" or "registration_no").
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    pub a: Cooperative,
    pub b: Cooperative,
    pub field: String,
    pub value: String,
    /// ms since epoch.
    pub found_at: crate::model::Millis,
    /// Visit reports of each record.
    pub a_visits: u32,
    pub b_visits: u32,
}

/// `POST /api/cooperatives/merge`: keep one record, remove the other (its visit reports
/// move to the one kept; its fields fill the kept record's empty ones).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRequest {
    pub keep: String,
    pub remove: String,
}

/// Errors for `c`'s tax code and registration number when another record of `others`
/// has the same one (compared by [`identifier_key`]): one legal entity, one record. The
/// tablet checks this against its registry before saving; the server flags what two
/// offline tablets both registered.
pub fn same_identifiers<'a>(
    c: &Cooperative,
    others: impl IntoIterator<Item = &'a Cooperative>,
) -> Vec<crate::validate::FieldError> {
    let tax = c.tax_code.as_deref().and_then(identifier_key);
    let reg = c.registration_no.as_deref().and_then(identifier_key);
    let mut out = Vec::new();
    for o in others {
        if o.id == c.id {
            continue;
        }
        let same = |mine: &Option<String>, theirs: &Option<String>| {
            mine.is_some() && *mine == theirs.as_deref().and_then(identifier_key)
        };
        if same(&tax, &o.tax_code)
            && !out
                .iter()
                .any(|e: &crate::validate::FieldError| e.field == "tax_code")
        {
            out.push(crate::validate::FieldError::new(
                "tax_code",
                format!("Mã số thuế này đã có trong danh sách: \"{}\". Một mã số thuế là một hợp tác xã: hãy mở hồ sơ đó thay vì đăng ký mới.", o.name),
                format!("This tax code is already in the registry: \"{}\". One tax code is one cooperative: open that record instead.", o.name),
            ));
        }
        if same(&reg, &o.registration_no)
            && !out
                .iter()
                .any(|e: &crate::validate::FieldError| e.field == "registration_no")
        {
            out.push(crate::validate::FieldError::new(
                "registration_no",
                format!("Số ĐKKD này đã có trong danh sách: \"{}\".", o.name),
                format!(
                    "This registration number is already in the registry: \"{}\".",
                    o.name
                ),
            ));
        }
    }
    out
}

/// Fills `kept`'s empty fields from `removed` (the record kept wins where both have one).
pub fn fill_from(kept: &Cooperative, removed: &Cooperative) -> Cooperative {
    let mut k = kept.clone();
    macro_rules! fill {
        ($($f:ident),*) => {$(
            if k.$f.is_none() {
                k.$f = removed.$f.clone();
            }
        )*};
    }
    fill!(
        scale,
        established_on,
        registration_no,
        tax_code,
        chair_name,
        chair_phone,
        members,
        workers,
        charter_capital_vnd,
        cultivated_area_ha,
        main_products
    );
    k.tax_registered |= removed.tax_registered;
    if k.sector != Sector::Agriculture {
        k.cultivated_area_ha = kept.cultivated_area_ha;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn headers_as_alliances_write_them() {
        let key = |h: &str| match_header(h).map(|c| c.key);
        assert_eq!(key("Tên HTX"), Some("name"));
        assert_eq!(key("TÊN HỢP TÁC XÃ"), Some("name"));
        assert_eq!(key("Ma so thue"), Some("tax_code"));
        assert_eq!(key("MST"), Some("tax_code"));
        assert_eq!(key("Số ĐKKD"), Some("registration_no"));
        assert_eq!(key("Chủ tịch HĐQT/Giám đốc"), Some("chair_name"));
        assert_eq!(key("Vốn điều lệ (triệu đồng)"), Some("charter_capital_vnd"));
        assert_eq!(capital_unit("Vốn điều lệ (triệu đồng)"), 1_000_000);
        assert_eq!(capital_unit("Vốn điều lệ (đồng)"), 1);
        assert_eq!(key("Ghi chú"), None);
        // Every header the export writes is read back as its own column.
        for c in COLUMNS {
            assert_eq!(
                match_header(c.header).map(|m| m.field),
                Some(c.field),
                "{}",
                c.header
            );
        }
    }

    #[test]
    fn a_row_reads_as_typed_and_names_each_bad_cell() {
        let headers: Vec<String> = [
            "Tên HTX",
            "Loại hình",
            "Lĩnh vực",
            "Xã/Phường",
            "Mã số thuế",
            "Ngày thành lập",
            "Số thành viên",
            "Vốn điều lệ (triệu đồng)",
            "Diện tích canh tác",
            "Tình trạng hoạt động",
            "Ghi chú",
        ]
        .map(String::from)
        .to_vec();
        let map = Mapping::new(&headers, &[]);
        assert_eq!(map.fields[10], None, "an unknown column is ignored");
        assert!(map.missing().is_empty());
        let r = parse_row(
            2,
            &[
                t("HTX Ninh Hải"),
                t("Hợp tác xã"),
                t("Nông nghiệp"),
                t("Xã Ninh Hải"),
                t("2700123456"),
                t("15/03/2019"),
                t("1.234"),
                t("1.500,5"),
                Cell::Number(12.5),
                t("Hoạt động cầm chừng"),
                t("x"),
            ],
            &map,
        )
        .unwrap();
        assert_eq!(r.coop.name, "HTX Ninh Hải");
        assert_eq!(r.coop.kind, CoopKind::Htx);
        assert_eq!(r.coop.established_on.as_deref(), Some("2019-03-15"));
        assert_eq!(
            parse_date("27/11/1997").as_deref(),
            Some("1997-11-27"),
            "founded before 2000"
        );
        assert_eq!(r.coop.members, Some(1234));
        assert_eq!(
            r.coop.charter_capital_vnd,
            Some(1_500_500_000),
            "millions of đồng"
        );
        assert_eq!(r.coop.cultivated_area_ha, Some(12.5));
        assert_eq!(r.coop.status, OperatingStatus::Standstill);
        assert!(r.coop.tax_registered);

        let bad = parse_row(
            7,
            &[
                t("HTX B"),
                t("Công ty"),
                t("Nông nghiệp"),
                t("Ninh Hải"),
                t(""),
                t("31/02/2019"),
                t("nhiều"),
                t(""),
                t(""),
                t(""),
                t(""),
            ],
            &map,
        )
        .unwrap_err();
        let cols: Vec<&str> = bad.iter().map(|n| n.column.as_str()).collect();
        assert_eq!(cols, ["Loại hình", "Ngày thành lập", "Số thành viên"]);
        assert!(bad.iter().all(|n| n.row == 7));
    }

    #[test]
    fn a_mapping_step_names_what_headers_do_not() {
        let headers: Vec<String> = ["Đơn vị", "Địa chỉ xã", "MST"].map(String::from).to_vec();
        let map = Mapping::new(&headers, &[]);
        assert_eq!(map.missing().len(), 2);
        let map = Mapping::new(
            &headers,
            &[
                ("Đơn vị".into(), "name".into()),
                ("Địa chỉ xã".into(), "commune".into()),
            ],
        );
        assert!(map.missing().is_empty());
        assert_eq!(
            map.fields,
            [
                Some(Field::Name),
                Some(Field::Commune),
                Some(Field::TaxCode)
            ]
        );
    }

    #[test]
    fn communes_are_found_by_name_code_or_district() {
        let area = |id: &str, parent: Option<&str>, level, name: &str| Area {
            code: None,
            opened_on: None,
            closed_on: None,
            successor_id: None,
            id: id.into(),
            parent_id: parent.map(String::from),
            level,
            name: name.into(),
            path: String::new(),
        };
        let areas = vec![
            area("NB", None, AreaLevel::Province, "Ninh Bình"),
            area("HLU", Some("NB"), AreaLevel::District, "Huyện Hoa Lư"),
            area("YMO", Some("NB"), AreaLevel::District, "Huyện Yên Mô"),
            area("NHAI", Some("HLU"), AreaLevel::Commune, "Xã Ninh Hải"),
            area("KHANH1", Some("HLU"), AreaLevel::Commune, "Xã Khánh An"),
            area("KHANH2", Some("YMO"), AreaLevel::Commune, "Xã Khánh An"),
        ];
        let idx = AreaIndex::new(&areas);
        let row = |commune: Option<&str>, district: Option<&str>, code: Option<&str>| ParsedRow {
            row: 2,
            id: None,
            coop: parse_row(2, &[], &Mapping::new(&[], &[])).unwrap().coop,
            commune: commune.map(String::from),
            district: district.map(String::from),
            commune_code: code.map(String::from),
            present: vec![],
            cleared: vec![],
        };
        assert_eq!(
            idx.commune(&row(Some("ninh hai"), None, None)).unwrap().id,
            "NHAI"
        );
        assert!(idx
            .commune(&row(Some("Khánh An"), None, None))
            .unwrap_err()
            .vi
            .contains("Có 2 xã"));
        assert_eq!(
            idx.commune(&row(Some("Khánh An"), Some("Yên Mô"), None))
                .unwrap()
                .id,
            "KHANH2"
        );
        assert_eq!(
            idx.commune(&row(None, None, Some("khanh1"))).unwrap().id,
            "KHANH1"
        );
        assert!(
            idx.commune(&row(Some("Hoa Lư"), None, None)).is_err(),
            "a district is not a commune"
        );
        // A code names the open unit carrying it (a new ward keeps the code of a commune
        // it absorbed), and a closed unit's code its successor.
        let coded = |id: &str, code: &str, closed: Option<&str>| Area {
            code: Some(code.into()),
            closed_on: closed.map(|_| "2025-07-01".into()),
            successor_id: closed.map(Into::into),
            ..area(id, Some("NB"), AreaLevel::Commune, id)
        };
        let reformed = vec![
            area("NB", None, AreaLevel::Province, "Ninh Bình"),
            coded("VANGIANG", "14329", Some("HOALU")),
            coded("HOALU", "14329", None),
            coded("NINHNHAT", "14341", Some("HOALU")),
        ];
        let idx = AreaIndex::new(&reformed);
        assert_eq!(
            idx.commune(&row(None, None, Some("14329"))).unwrap().id,
            "HOALU"
        );
        assert_eq!(
            idx.commune(&row(None, None, Some("14341"))).unwrap().id,
            "HOALU"
        );
    }

    #[test]
    fn a_second_record_of_one_legal_entity_is_named() {
        let mut a = parse_row(2, &[], &Mapping::new(&[], &[])).unwrap().coop;
        a.id = "a".into();
        a.name = "HTX A".into();
        a.tax_code = Some("2700123456".into());
        let mut b = a.clone();
        b.id = "b".into();
        b.tax_code = Some("2700 123 456".into());
        b.registration_no = Some("27A-1".into());
        let errs = same_identifiers(&b, [&a, &b]);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "tax_code");
        assert!(errs[0].message.vi.contains("HTX A"));
        assert!(
            same_identifiers(&a, [&a]).is_empty(),
            "a record is not its own duplicate"
        );
        b.tax_code = None;
        assert!(same_identifiers(&b, [&a]).is_empty());
    }

    #[test]
    fn identifiers_ignore_spacing_and_case() {
        assert_eq!(
            identifier_key(" 2700 123-456 ").as_deref(),
            Some("2700123456")
        );
        assert_eq!(
            identifier_key("09.07.000123a").as_deref(),
            Some("09070001 23A".replace(' ', "").as_str())
        );
        assert_eq!(identifier_key(" - "), None);
    }

    #[test]
    fn export_reads_back_as_the_same_profile() {
        let commune = Area {
            code: None,
            opened_on: None,
            closed_on: None,
            successor_id: None,
            id: "NHAI".into(),
            parent_id: Some("HLU".into()),
            level: AreaLevel::Commune,
            name: "Xã Ninh Hải".into(),
            path: "NB/HLU/NHAI/".into(),
        };
        let c = Cooperative {
            id: "coop-1".into(),
            kind: CoopKind::Tht,
            name: "THT Rau sạch".into(),
            sector: Sector::TradeServices,
            area_id: "NHAI".into(),
            area_path: "NB/HLU/NHAI/".into(),
            scale: Some(OperatingScale::InterVillage),
            established_on: Some("2020-01-31".into()),
            registration_no: Some("27A-000123".into()),
            tax_code: Some("2700123456".into()),
            tax_registered: true,
            chair_name: Some("Trần Thị B".into()),
            chair_phone: Some("0912345678".into()),
            members: Some(12),
            workers: Some(3),
            charter_capital_vnd: Some(1_250_000_000),
            cultivated_area_ha: None,
            main_products: Some("Rau".into()),
            status: OperatingStatus::Suspended,
            newly_established: false,
            main_photo: None,
            moved_from: None,
            version: 3,
        };
        let cells = export_row(&c, &commune, None);
        let headers: Vec<String> = COLUMNS.iter().map(|c| c.header.to_string()).collect();
        let r = parse_row(2, &cells, &Mapping::new(&headers, &[])).unwrap();
        assert_eq!(r.id.as_deref(), Some("coop-1"));
        assert_eq!(r.commune_code.as_deref(), Some("NHAI"));
        let mut back = r.coop;
        back.id = c.id.clone();
        back.area_id = c.area_id.clone();
        back.area_path = c.area_path.clone();
        back.version = c.version;
        assert_eq!(back, c);
    }
}
