//! The registry's columns: the Vietnamese headers alliances write (with the variants found
//! in provincial lists), the fields they fill, and how a file's headers map to them.

use super::*;

/// Most data rows one import reads (a province has a few thousand; the national list
/// about 100,000 would be imported province by province).
pub const MAX_IMPORT_ROWS: usize = 50_000;

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
pub(super) fn header_key(s: &str) -> String {
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
