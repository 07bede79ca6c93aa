//! Search normalisation: lower case, Vietnamese diacritics folded, spaces collapsed, so
//! "hoa lu" finds "Hoa Lư" and "dich vu" finds "Dịch vụ".

/// Folds one lower-case character to its base letter ("ư" → "u", "đ" → "d"). A `match`
/// (not a search through strings of letters): the registry folds ~1 million characters
/// when it rebuilds its list of 10,000 cooperatives.
fn fold_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c);
    }
    Some(match c {
        // Combining marks (text typed or pasted in decomposed form) are dropped.
        '\u{0300}'..='\u{036F}' => return None,
        'à' | 'á' | 'ả' | 'ã' | 'ạ' | 'ă' | 'ằ' | 'ắ' | 'ẳ' | 'ẵ' | 'ặ' | 'â' | 'ầ' | 'ấ' | 'ẩ'
        | 'ẫ' | 'ậ' => 'a',
        'è' | 'é' | 'ẻ' | 'ẽ' | 'ẹ' | 'ê' | 'ề' | 'ế' | 'ể' | 'ễ' | 'ệ' => 'e',
        'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' => 'i',
        'ò' | 'ó' | 'ỏ' | 'õ' | 'ọ' | 'ô' | 'ồ' | 'ố' | 'ổ' | 'ỗ' | 'ộ' | 'ơ' | 'ờ' | 'ớ' | 'ở'
        | 'ỡ' | 'ợ' => 'o',
        'ù' | 'ú' | 'ủ' | 'ũ' | 'ụ' | 'ư' | 'ừ' | 'ứ' | 'ử' | 'ữ' | 'ự' => 'u',
        'ỳ' | 'ý' | 'ỷ' | 'ỹ' | 'ỵ' => 'y',
        // 'ð' is the lower case of 'Ð' (U+00D0), which old encodings and some keyboards
        // put where 'Đ' (U+0110) belongs.
        'đ' | 'ð' => 'd',
        other => other,
    })
}

/// The form used both for the stored search key and for the query.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.chars().flat_map(char::to_lowercase).filter_map(fold_char) {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A search query folded once, to test many records with (a list filters 10,000 records on
/// each keystroke: folding the query for each of them cost more than the search).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    words: Vec<String>,
}

impl Query {
    pub fn new(query: &str) -> Query {
        Query {
            words: normalize(query)
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    /// True when every word of the query occurs in `haystack_normalized` (a text already
    /// passed through [`normalize`]); an empty query matches everything.
    pub fn matches(&self, haystack_normalized: &str) -> bool {
        self.words
            .iter()
            .all(|w| haystack_normalized.contains(w.as_str()))
    }
}

/// True when every word of `query` (given raw) occurs in `haystack_normalized`.
pub fn matches(haystack_normalized: &str, query: &str) -> bool {
    Query::new(query).matches(haystack_normalized)
}

/// A number as typed, split into sign, whole digits and fraction digits.
struct Typed {
    negative: bool,
    whole: String,
    fraction: String,
}

/// Whether `groups` (split at a grouping mark) group thousands: 1 to 3 digits, then
/// exactly 3 in each later group.
fn grouped(groups: &[&str]) -> bool {
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    groups.iter().all(|g| digits(g))
        && groups[0].len() <= 3
        && groups[1..].iter().all(|g| g.len() == 3)
}

/// Reads a number as a Vietnamese officer types it (see [`parse_decimal`]).
fn read_typed(s: &str) -> Option<Typed> {
    let s = s.trim();
    let (negative, s) = match s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2212}')) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, s),
    };
    // Spaces (also no-break and thin spaces) only ever group digits.
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let (dots, commas) = (s.matches('.').count(), s.matches(',').count());
    // Which mark, if any, separates the fraction.
    let decimal = match (dots, commas) {
        (0, 0) => None,
        // Both: the last one marks the fraction ("1.234,5"; "1,234.5" from an English keyboard).
        (_, _) if dots > 0 && commas > 0 => {
            if s.rfind(',') > s.rfind('.') {
                Some(',')
            } else {
                Some('.')
            }
        }
        // Vietnamese: a single comma is the decimal mark ("92,2").
        (0, 1) => Some(','),
        // Several of one mark group thousands ("1.250.000.000").
        (_, _) if dots > 1 || commas > 1 => None,
        // One dot: "1.234" groups thousands, as Vietnamese write it; "92.2" is a fraction.
        _ => {
            let (head, tail) = s.split_once('.')?;
            if grouped(&[head, tail]) && !head.starts_with('0') {
                None
            } else {
                Some('.')
            }
        }
    };
    let (whole, fraction) = match decimal {
        Some(mark) => {
            let (w, f) = s.rsplit_once(mark)?;
            (w.to_string(), f.to_string())
        }
        None => (s.clone(), String::new()),
    };
    if fraction.contains(['.', ',']) || (decimal.is_some() && fraction.is_empty()) {
        return None;
    }
    let groups: Vec<&str> = whole.split(['.', ',']).collect();
    if groups.len() > 1 {
        if !grouped(&groups) {
            return None;
        }
    } else if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    Some(Typed {
        negative,
        whole: groups.concat(),
        fraction,
    })
}

/// A number as a Vietnamese officer types it, or None when the text is not one (the form
/// then keeps what was typed and says so; a field is never silently emptied):
/// "1.234,5" → 1234.5 (dots group thousands, a comma marks the fraction), "92,2" → 92.2,
/// "1 234,5" → 1234.5, and as typed on an English keyboard "92.2" → 92.2 and
/// "1,234.5" → 1234.5. A single dot before exactly three digits groups thousands, as in
/// Vietnamese: "1.234" → 1234.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let t = read_typed(s)?;
    let whole = if t.whole.is_empty() { "0" } else { &t.whole };
    let text = if t.fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{}", t.fraction)
    };
    let v: f64 = text.parse().ok()?;
    v.is_finite().then_some(if t.negative { -v } else { v })
}

/// A whole number as typed: an amount in đồng ("1.250.000.000", "1 250 000 000",
/// "1,250,000,000" → 1250000000) or a count. None for a fraction, text, or a number
/// beyond i64.
pub fn parse_whole(s: &str) -> Option<i64> {
    let t = read_typed(s)?;
    if !t.fraction.is_empty() || t.whole.is_empty() {
        return None;
    }
    let v: i64 = t.whole.parse().ok()?;
    Some(if t.negative { -v } else { v })
}

/// Whether `c` is a control character no text may hold: everything of Unicode's Cc class
/// but tab, line feed and carriage return (NUL, which PostgreSQL refuses outright, and the
/// rest, which no form can type), and the bidirectional embeddings, overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069), which make a text read otherwise than it is
/// stored ("Trojan Source").
pub fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_and_case() {
        assert_eq!(normalize("Hoa Lư"), "hoa lu");
        assert_eq!(
            normalize("HTX Dịch vụ  Nông nghiệp Đồng Giao"),
            "htx dich vu nong nghiep dong giao"
        );
        assert_eq!(normalize("ĐƯỜNG"), "duong");
        // Decomposed input: "u" + horn + dot below.
        assert_eq!(normalize("Vu\u{031B}\u{0323}"), "vu");
    }

    #[test]
    fn every_vietnamese_vowel_and_d_folds_in_both_cases() {
        for (letters, base) in [
            ("àáảãạăằắẳẵặâầấẩẫậ", "a"),
            ("èéẻẽẹêềếểễệ", "e"),
            ("ìíỉĩị", "i"),
            ("òóỏõọôồốổỗộơờớởỡợ", "o"),
            ("ùúủũụưừứửữự", "u"),
            ("ỳýỷỹỵ", "y"),
            ("đ", "d"),
        ] {
            let n = letters.chars().count();
            assert_eq!(normalize(letters), base.repeat(n), "{letters}");
            assert_eq!(
                normalize(&letters.to_uppercase()),
                base.repeat(n),
                "{letters}"
            );
        }
        // Other letters and digits are kept as they are (lower-cased).
        assert_eq!(normalize("Số 7, ÉCOLE ñ"), "so 7, ecole ñ");
    }

    #[test]
    fn a_folded_query_matches_like_the_raw_one() {
        let h = normalize("HTX Dịch vụ nông nghiệp Ninh Giang, Hoa Lư");
        let q = Query::new("  Dịch   VỤ ");
        assert!(q.matches(&h));
        assert!(Query::new("").matches(&h));
        assert!(!Query::new("dich thuy").matches(&h));
        assert!(Query::new("lu hoa").matches(&h));
    }

    #[test]
    fn query_words_match_in_any_order() {
        let h = normalize("HTX Thêu ren Văn Lâm, xã Ninh Hải, Hoa Lư");
        assert!(matches(&h, "hoa lu"));
        assert!(matches(&h, "theu ren"));
        assert!(matches(&h, "lâm văn"));
        assert!(!matches(&h, "gia vien"));
        assert!(matches(&h, ""), "an empty query matches everything");
    }

    #[test]
    fn numbers_are_read_as_vietnamese_officers_type_them() {
        assert_eq!(super::parse_decimal("1.234,5"), Some(1234.5));
        assert_eq!(super::parse_decimal("92,2"), Some(92.2));
        assert_eq!(super::parse_decimal("92.2"), Some(92.2));
        assert_eq!(super::parse_decimal(" 1 234,5 "), Some(1234.5));
        assert_eq!(super::parse_decimal("1,234.5"), Some(1234.5));
        assert_eq!(super::parse_decimal("1.234"), Some(1234.0));
        assert_eq!(super::parse_decimal("0.234"), Some(0.234));
        assert_eq!(super::parse_decimal("12"), Some(12.0));
        assert_eq!(super::parse_decimal(",5"), Some(0.5));
        for bad in [
            "",
            "abc",
            "1,2,3.4.5",
            "1.23.4",
            "12a",
            "1..2",
            "1,",
            "-",
            "1.234.5,6,7",
        ] {
            assert_eq!(super::parse_decimal(bad), None, "{bad:?}");
        }
        assert_eq!(super::parse_whole("1.250.000.000"), Some(1_250_000_000));
        assert_eq!(super::parse_whole("1 250 000 000"), Some(1_250_000_000));
        assert_eq!(super::parse_whole("1,250,000,000"), Some(1_250_000_000));
        assert_eq!(super::parse_whole("-35.000.000"), Some(-35_000_000));
        assert_eq!(super::parse_whole("250000"), Some(250_000));
        for bad in ["1,5", "1.25", "12 tỷ", "99999999999999999999", "1.2345"] {
            assert_eq!(super::parse_whole(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn an_eth_folds_like_d_with_stroke() {
        assert_eq!(
            super::normalize("ÐINH THỊ HOA"),
            super::normalize("Đinh Thị Hoa")
        );
        assert_eq!(super::normalize("Ðồng"), "dong");
    }
}
