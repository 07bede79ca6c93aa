//! Finding the commune or ward a row names (by name, district or code) in the area tree,
//! today's or before a reorganisation.

use super::*;

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
pub(super) fn exact_key(name: &str) -> String {
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
