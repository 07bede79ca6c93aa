//! The registry's cached list: the officer's cooperatives as the registry page lists,
//! filters and sorts them ([`Row`]), kept as one text in `meta` under the cooperatives'
//! stamp so that opening the registry reads one record, not 10,000; decoded while the app
//! starts ([`prefetch`]), rebuilt from the records when stale ([`load`]) and after a sync
//! that wrote cooperatives ([`refresh`]).

use hoptac_core::keyed::Keyed;
use hoptac_core::model::{Area, CoopKind, OperatingStatus, Sector};
use hoptac_core::text::normalize;

/// A line of the registry: what the list shows, filters and sorts on, and nothing more.
#[derive(Clone, PartialEq)]
#[cfg_attr(test, derive(Debug))]
pub struct Row {
    pub id: String,
    pub name: String,
    pub kind: CoopKind,
    pub sector: Sector,
    pub area_id: String,
    pub status: OperatingStatus,
    pub newly: bool,
    pub members: u32,
    pub version: i64,
    pub commune: String,
    /// Folded name, commune and products, for search.
    pub key: String,
}

const FIELD: char = '\u{1f}';
const LINE: char = '\u{1e}';

/// The rows as one text (the registry's cache, Store::registry_cache): a field separator
/// and a line separator that no typed text contains (they are removed if it does).
pub fn encode(rows: &[Row]) -> String {
    let mut out = String::with_capacity(rows.len() * 160);
    let clean = |s: &str| s.replace([FIELD, LINE], " ");
    for r in rows {
        let fields = [
            clean(&r.id),
            clean(&r.name),
            r.kind.key().to_string(),
            r.sector.key().to_string(),
            clean(&r.area_id),
            r.status.key().to_string(),
            u8::from(r.newly).to_string(),
            r.members.to_string(),
            r.version.to_string(),
            clean(&r.commune),
            clean(&r.key),
            // Was the folded name (the list's order); rows are stored in that order.
            String::new(),
        ];
        out.push_str(&fields.join("\u{1f}"));
        out.push(LINE);
    }
    out
}

/// The rows back from [`encode`]'s text; a line that does not read is left out.
fn decode(text: &str) -> Vec<Row> {
    text.split(LINE)
        .filter_map(|line| {
            // The fields without a Vec per line (10,000 lines at each start).
            let mut it = line.split(FIELD);
            let mut f = [""; 12];
            for slot in f.iter_mut() {
                *slot = it.next()?;
            }
            if it.next().is_some() {
                return None;
            }
            Some(Row {
                id: f[0].into(),
                name: f[1].into(),
                kind: CoopKind::from_key(f[2])?,
                sector: Sector::from_key(f[3])?,
                area_id: f[4].into(),
                status: OperatingStatus::from_key(f[5])?,
                newly: f[6] == "1",
                members: f[7].parse().ok()?,
                version: f[8].parse().ok()?,
                commune: f[9].into(),
                key: f[10].into(),
            })
        })
        .collect()
}

/// The rows built from the stored records (when the cache is stale), in name order. Only
/// the fields the list needs are read from each record (turning 10,000 whole records into
/// `Cooperative`s took most of the time); a record without an id or a name is left out.
fn build_rows(areas: &[Area], coops: Vec<wasm_bindgen::JsValue>) -> Vec<Row> {
    // Each commune's name and its folded form, once per commune.
    let names: std::collections::HashMap<&str, (&str, String)> = areas
        .iter()
        .map(|a| (a.id.as_str(), (a.name.as_str(), normalize(&a.name))))
        .collect();
    // The field names as JavaScript strings, made once (not once per record).
    let [k_id, k_name, k_area, k_products, k_kind, k_sector, k_status, k_newly, k_members, k_version] =
        [
            "id",
            "name",
            "area_id",
            "main_products",
            "kind",
            "sector",
            "status",
            "newly_established",
            "members",
            "version",
        ]
        .map(wasm_bindgen::JsValue::from);
    // (folded name, row): the folded name is the list's order and starts the search key.
    let rows: Vec<(String, Row)> = coops
        .iter()
        .filter_map(|c| {
            let get = |k: &wasm_bindgen::JsValue| js_sys::Reflect::get(c, k).ok();
            let text = |k: &wasm_bindgen::JsValue| get(k).and_then(|v| v.as_string());
            let id = text(&k_id)?;
            let name = text(&k_name)?;
            let area_id = text(&k_area).unwrap_or_default();
            let (commune, folded_commune) = names
                .get(area_id.as_str())
                .map(|(n, f)| (n.to_string(), f.as_str()))
                .unwrap_or_default();
            let folded = normalize(&name);
            let key = format!(
                "{folded} {folded_commune} {}",
                normalize(&text(&k_products).unwrap_or_default())
            );
            Some((
                folded,
                Row {
                    kind: text(&k_kind).and_then(|k| CoopKind::from_key(&k))?,
                    sector: text(&k_sector)
                        .and_then(|k| Sector::from_key(&k))
                        .unwrap_or(Sector::Other),
                    status: text(&k_status)
                        .and_then(|k| OperatingStatus::from_key(&k))
                        .unwrap_or(OperatingStatus::Active),
                    newly: get(&k_newly).and_then(|v| v.as_bool()).unwrap_or(false),
                    members: get(&k_members).and_then(|v| v.as_f64()).unwrap_or(0.0) as u32,
                    version: get(&k_version).and_then(|v| v.as_f64()).unwrap_or(0.0) as i64,
                    key,
                    commune,
                    id,
                    name,
                    area_id,
                },
            ))
        })
        .collect();
    crate::util::sort_by_key(rows, |r| (0, r.0.clone()))
        .into_iter()
        .map(|(_, row)| row)
        .collect()
}

/// Reads every cooperative and builds the registry's rows, with the stamp to cache them
/// under ([`save`]).
async fn rebuild() -> (Vec<Row>, String) {
    let store = crate::handles::store();
    let areas: Vec<Area> = store.areas().await.unwrap_or_default();
    let t = crate::util::perf_now();
    let (coops, stamp) = store.cooperatives_js_stamped().await.unwrap_or_default();
    crate::util::bench_record("rebuildRead", crate::util::perf_now() - t);
    let t = crate::util::perf_now();
    let rows = build_rows(&areas, coops);
    crate::util::bench_record("rebuildRows", crate::util::perf_now() - t);
    (rows, stamp)
}

/// Caches the list `text` ([`encode`]) under `stamp` (the cooperatives' stamp when they
/// were read).
pub async fn save(stamp: String, text: String) {
    let _ = crate::handles::store()
        .save_registry_cache(stamp, text)
        .await;
}

/// Rebuilds the cached list now and caches it (after a sync that wrote cooperatives while
/// the registry is not open: the registry re-reads, and caches, by itself).
pub fn refresh() {
    leptos::task::spawn_local(async {
        let (rows, stamp) = rebuild().await;
        save(stamp, encode(&rows)).await;
    });
}

thread_local! {
    /// The cached list read at start-up, decoded: (stamp, rows, this tab's cooperative
    /// writes when it was read).
    static PREFETCH: std::cell::RefCell<Option<futures::future::LocalBoxFuture<'static, Option<(String, Vec<Row>, u64)>>>> =
        const { std::cell::RefCell::new(None) };
}

/// Decodes the registry's cached list that src/early.js read before the wasm started
/// (crate::early), while the store opens and the app mounts (the registry, the officer's
/// first page, takes it with [`load`]). Called before the store is open.
pub fn prefetch() {
    use futures::FutureExt;
    let writes = crate::store::coops_writes();
    let read = async move {
        let (stamp, text) = crate::early::registry().await?;
        let t = crate::util::perf_now();
        let rows = decode(&text);
        crate::util::bench_record("decode", crate::util::perf_now() - t);
        Some((stamp, rows, writes))
    };
    let (tx, rx) = futures::channel::oneshot::channel();
    // Before the app mounts, Leptos's executor is not set up yet: wasm-bindgen's runs it.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = tx.send(read.await);
    });
    let early = rx.map(|r| r.ok().flatten()).boxed_local();
    PREFETCH.with(|p| *p.borrow_mut() = Some(early));
}

/// The registry's rows and, when they were built afresh rather than read from the cache,
/// the stamp to cache them under ([`save`], once they are shown). The cached list is used
/// when no cooperative changed since it was built (read before the wasm started on the
/// first opening: see [`prefetch`]; one record otherwise); failing that, every record is
/// read. The list read at start-up is used only if no cooperative was written since (a
/// registration, an edit or a pull may have come between); if that read found no current
/// list, the stored one is stale and is not read again.
pub async fn load() -> (Vec<Row>, Option<String>) {
    let store = crate::handles::store();
    let t0 = crate::util::perf_now();
    crate::util::bench_record("registryStart", t0);
    let prefetch = PREFETCH.with(|p| p.borrow_mut().take());
    let prefetched = prefetch.is_some();
    let early = match prefetch {
        Some(early) => match early.await {
            // No cooperative written by this tab since the read: the stored stamp need
            // not be read again.
            Some((_, rows, writes)) if writes == super::coops_writes() => Some(rows),
            Some((stamp, rows, _))
                if store.cooperatives_stamp().await.ok().as_ref() == Some(&stamp) =>
            {
                Some(rows)
            }
            _ => None,
        },
        None => None,
    };
    crate::util::bench_record("earlyReady", crate::util::perf_now());
    let cached = match early {
        Some(rows) => Some(rows),
        None if prefetched => None,
        None => store
            .registry_cache()
            .await
            .ok()
            .flatten()
            .map(|text| decode(&text)),
    };
    match cached {
        Some(rows) => {
            crate::util::bench_record("registryCacheHit", crate::util::perf_now() - t0);
            (rows, None)
        }
        None => {
            let (rows, stamp) = rebuild().await;
            (rows, Some(stamp))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn row(id: &str, name: &str) -> Row {
        Row {
            id: id.into(),
            name: name.into(),
            kind: CoopKind::Tht,
            sector: Sector::Agriculture,
            area_id: "NB-HL-NINHHAI".into(),
            status: OperatingStatus::Standstill,
            newly: true,
            members: 9,
            version: 0,
            commune: "Xã Ninh Hải".into(),
            key: normalize(&format!("{name} Xã Ninh Hải")),
        }
    }

    #[wasm_bindgen_test]
    fn the_cached_list_reads_back_as_written() {
        let rows = vec![row("a", "THT Trồng sen"), row("b", "HTX Dịch vụ")];
        assert_eq!(decode(&encode(&rows)), rows);
    }

    #[wasm_bindgen_test]
    fn separators_in_names_and_broken_lines_do_not_break_the_list() {
        let rows = vec![row("a", "THT\u{1f}Sen\u{1e}Hồ"), row("b", "HTX Dịch vụ")];
        let back = decode(&encode(&rows));
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].name, "THT Sen Hồ");
        // A line with a field too many or too few, or a number that does not read, is left out.
        let text = encode(&rows);
        let broken = text.replacen("\u{1f}9\u{1f}", "\u{1f}nine\u{1f}", 1);
        assert_eq!(decode(&broken).len(), 1);
        assert_eq!(decode("a\u{1f}b\u{1e}").len(), 0);
    }
}
