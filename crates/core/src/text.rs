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
        'đ' => 'd',
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
}
