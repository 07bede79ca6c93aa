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

/// True when every word of `query` occurs in `haystack` (both given raw).
pub fn matches(haystack_normalized: &str, query: &str) -> bool {
    normalize(query)
        .split(' ')
        .all(|w| haystack_normalized.contains(w))
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
    fn query_words_match_in_any_order() {
        let h = normalize("HTX Thêu ren Văn Lâm, xã Ninh Hải, Hoa Lư");
        assert!(matches(&h, "hoa lu"));
        assert!(matches(&h, "theu ren"));
        assert!(matches(&h, "lâm văn"));
        assert!(!matches(&h, "gia vien"));
        assert!(matches(&h, ""), "an empty query matches everything");
    }
}
