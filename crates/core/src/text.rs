//! Search normalisation: lower case, Vietnamese diacritics folded, spaces collapsed, so
//! "hoa lu" finds "Hoa Lư" and "dich vu" finds "Dịch vụ".

/// Folds one lower-case character to its base letter ("ư" → "u", "đ" → "d").
fn fold_char(c: char) -> Option<char> {
    const GROUPS: &[(&str, char)] = &[
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("đ", 'd'),
    ];
    // Combining marks (text typed or pasted in decomposed form) are dropped.
    if ('\u{0300}'..='\u{036F}').contains(&c) {
        return None;
    }
    for (set, base) in GROUPS {
        if set.contains(c) {
            return Some(*base);
        }
    }
    Some(c)
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
        self.words.iter().all(|w| haystack_normalized.contains(w.as_str()))
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
