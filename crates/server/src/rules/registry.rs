//! The cooperative registry imported from the alliance's spreadsheet and exported in the
//! same columns ([`hoptac_core::registry`] decides what a row means).
//!
//! The file is read as Excel shows it by [`crate::spreadsheets`] (the sheet, merged
//! cells, number formats, the date system, old Vietnamese encodings); the order of day
//! and month in dates written with numbers is told from the file's own dates, or asked.
//! A blank cell keeps what is stored; "(xóa)" clears it ([`hoptac_core::registry::overlay`]).
//!
//! A dry run reads and matches every row and writes nothing; applying does the same and
//! writes every created or updated record in one transaction, logged for pull (the
//! officers' tablets receive them by the normal pull) and audited (action "import").
//! Rows match an existing record by hoptac id, tax code, registration number, then
//! name within the commune; a row equal to its record changes nothing, so importing the
//! same file twice changes nothing the second time.

use crate::error::{ApiError, ApiResult};
use crate::spreadsheets;
use crate::storage::{self, Db, Who};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Cooperative, Role, UserInfo};
use hoptac_core::registry::{
    identifier_key, overlay, parse_row, AreaIndex, Cell, ColumnMatch, Field, ImportReport, Mapping,
    RowNote, COLUMNS, MAX_IMPORT_ROWS,
};
use hoptac_core::spreadsheet::{detect_date_order, DateOrder, DateOrderFinding, DateOrderNote};
use hoptac_core::sync::Change;
use hoptac_core::text::normalize;
use hoptac_core::validate::{date_of_millis_vn, validate_cooperative};
use std::collections::HashMap;

/// The header row: the first of the first ten rows naming two or more known columns
/// (lists often start with a title and a date above the table), else the first
/// non-empty row.
fn header_row(rows: &[Vec<Cell>]) -> Option<usize> {
    let known = |r: &Vec<Cell>| {
        r.iter()
            .filter(|c| hoptac_core::registry::match_header(&c.text()).is_some())
            .count()
    };
    rows.iter()
        .take(10)
        .position(|r| known(r) >= 2)
        .or_else(|| {
            rows.iter()
                .position(|r| r.iter().any(|c| *c != Cell::Empty))
        })
}

/// One record the import will write.
enum Write {
    Create(Cooperative),
    Update {
        before: Cooperative,
        after: Cooperative,
    },
    /// The row names another commune: the record moves there with its history
    /// ([`super::moves::relocate`]), after any update of its fields.
    Move {
        id: String,
        to: String,
    },
}

/// Which of a row's identifiers point to which existing record.
struct Index {
    by_id: HashMap<String, usize>,
    by_tax: HashMap<String, usize>,
    by_reg: HashMap<String, usize>,
    by_name: HashMap<(String, String), usize>,
}

impl Index {
    fn new(records: &[Cooperative]) -> Index {
        let mut ix = Index {
            by_id: HashMap::new(),
            by_tax: HashMap::new(),
            by_reg: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (i, c) in records.iter().enumerate() {
            ix.add(c, i);
        }
        ix
    }

    fn add(&mut self, c: &Cooperative, i: usize) {
        self.by_id.insert(c.id.clone(), i);
        if let Some(k) = c.tax_code.as_deref().and_then(identifier_key) {
            self.by_tax.entry(k).or_insert(i);
        }
        if let Some(k) = c.registration_no.as_deref().and_then(identifier_key) {
            self.by_reg.entry(k).or_insert(i);
        }
        self.by_name
            .entry((normalize(&c.name), c.area_id.clone()))
            .or_insert(i);
    }
}

/// How an import reads a file: the administrator's choices after a dry run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportOptions {
    /// The file's headers → column keys where they differ ("" to ignore a column).
    pub mapping: Vec<(String, String)>,
    /// The worksheet to read (XLSX); None: the first visible one.
    pub sheet: Option<String>,
    /// Day and month order of dates written with numbers; None: told from the file.
    pub date_order: Option<DateOrder>,
    /// Write (true) or dry-run (false).
    pub apply: bool,
}

/// How dates written with numbers only are read: the administrator's choice, else what
/// the file's own dates tell; an error to show when the file cannot tell and nobody chose.
fn date_order(
    column: Vec<String>,
    chosen: Option<DateOrder>,
) -> (DateOrder, Option<DateOrderNote>, Option<Msg>) {
    let finding = detect_date_order(column.iter().map(String::as_str));
    let examples = |f: &DateOrderFinding| match f {
        DateOrderFinding::Unclear { examples } => examples.clone(),
        DateOrderFinding::Mixed { dmy, mdy } => vec![dmy.clone(), mdy.clone()],
        DateOrderFinding::Told { example, .. } => vec![example.clone()],
        DateOrderFinding::NoQuestion => Vec::new(),
    };
    if let Some(order) = chosen {
        let note = DateOrderNote {
            order,
            rule: Msg::new("Theo lựa chọn của bạn.", "As you chose."),
            examples: examples(&finding),
            settled: true,
        };
        return (order, Some(note), None);
    }
    match &finding {
        DateOrderFinding::NoQuestion => (DateOrder::Dmy, None, None),
        DateOrderFinding::Told { order, example } => {
            let (vi, en) = match order {
                DateOrder::Dmy => ("ngày/tháng/năm", "day/month/year"),
                DateOrder::Mdy => ("tháng/ngày/năm (kiểu Mỹ)", "month/day/year (US style)"),
            };
            let note = DateOrderNote {
                order: *order,
                rule: Msg::new(
                    format!("Ngày ghi theo {vi}: thấy \"{example}\" trong tệp."),
                    format!("Dates are written {en}: the file has \"{example}\"."),
                ),
                examples: examples(&finding),
                settled: true,
            };
            (*order, Some(note), None)
        }
        DateOrderFinding::Unclear { examples: ex } => {
            let note = DateOrderNote {
                order: DateOrder::Dmy,
                rule: Msg::new(
                    "Tệp không cho biết ngày ghi trước hay tháng ghi trước: hãy chọn.",
                    "The file does not tell whether the day or the month comes first: choose.",
                ),
                examples: ex.clone(),
                settled: false,
            };
            let problem = Msg::new(
                format!("Ngày như \"{}\" đọc được hai cách (ngày/tháng hoặc tháng/ngày): hãy chọn cách ghi ngày của tệp.", ex[0]),
                format!("Dates such as \"{}\" read two ways (day/month or month/day): choose how the file writes dates.", ex[0]),
            );
            (DateOrder::Dmy, Some(note), Some(problem))
        }
        DateOrderFinding::Mixed { dmy, mdy } => {
            let note = DateOrderNote {
                order: DateOrder::Dmy,
                rule: Msg::new(
                    "Tệp có cả hai cách ghi ngày.",
                    "The file writes dates both ways.",
                ),
                examples: examples(&finding),
                settled: false,
            };
            let problem = Msg::new(
                format!("Tệp ghi ngày theo hai cách (\"{dmy}\" là ngày/tháng, \"{mdy}\" là tháng/ngày): hãy sửa cho thống nhất."),
                format!("The file writes dates two ways (\"{dmy}\" day first, \"{mdy}\" month first): make them agree."),
            );
            (DateOrder::Dmy, Some(note), Some(problem))
        }
    }
}

/// Imports (`opts.apply`) or dry-runs a registry file for `user` (administrators, inside
/// their areas).
///
/// Errors: 403 for other roles; 422 `file` for a file that cannot be read (with what to
/// do), 422 `sheet` for a sheet it does not have. Rows that cannot be imported are not
/// errors: the report lists them.
pub async fn import(
    db: &Db,
    user: &UserInfo,
    bytes: &[u8],
    opts: &ImportOptions,
) -> ApiResult<ImportReport> {
    let (overrides, apply) = (&opts.mapping[..], opts.apply);
    if user.role != Role::Admin {
        return Err(ApiError::Forbidden(
            "only administrators import the registry".into(),
        ));
    }
    let read = spreadsheets::read_upload(bytes, opts.sheet.clone()).await?;
    let rows = read.rows;
    let mut report = ImportReport {
        encoding: read.encoding,
        sheets: read.sheets,
        sheet: read.sheet,
        ..ImportReport::default()
    };
    let Some(h) = header_row(&rows) else {
        report
            .problems
            .push(Msg::new("Tệp không có dòng nào.", "The file has no rows."));
        return Ok(report);
    };
    let headers: Vec<String> = rows[h].iter().map(Cell::text).collect();
    let mut map = Mapping::new(&headers, overrides);
    report.columns = headers
        .iter()
        .zip(&map.fields)
        .map(|(header, f)| ColumnMatch {
            header: header.clone(),
            field: f.map(|f| hoptac_core::registry::column(f).key.to_string()),
        })
        .collect();
    report.problems = map.missing();
    let data: Vec<(u32, &Vec<Cell>)> = rows
        .iter()
        .enumerate()
        .skip(h + 1)
        .filter(|(_, r)| r.iter().any(|c| !c.text().is_empty()))
        .map(|(i, r)| (i as u32 + 1, r))
        .collect();
    if data.len() > MAX_IMPORT_ROWS {
        report.problems.push(Msg::new(
            format!(
                "Tệp có {} dòng; mỗi lần nhập tối đa {MAX_IMPORT_ROWS} dòng. Hãy chia tệp.",
                data.len()
            ),
            format!(
                "The file has {} rows; one import takes at most {MAX_IMPORT_ROWS}. Split the file.",
                data.len()
            ),
        ));
    }
    report.rows = data.len() as u32;
    if let Some(col) = map.column_of(Field::EstablishedOn) {
        let texts = data
            .iter()
            .filter_map(|(_, r)| match r.get(col) {
                Some(Cell::Text(t)) => Some(t.clone()),
                _ => None,
            })
            .collect();
        let (order, note, problem) = date_order(texts, opts.date_order);
        map.date_order = order;
        report.date_order = note;
        report.problems.extend(problem);
    }
    if !report.problems.is_empty() {
        return Ok(report);
    }

    let areas = storage::areas::all(db).await?;
    let index = AreaIndex::new(&areas);
    let mut records = storage::cooperatives::in_paths(db, &user.scopes).await?;
    let mut ix = Index::new(&records);
    let header_of = |f: Field| {
        map.fields
            .iter()
            .position(|x| *x == Some(f))
            .map(|i| headers[i].clone())
            .unwrap_or_default()
    };
    let column_of_key = |key: &str| {
        COLUMNS
            .iter()
            .find(|c| c.key == key)
            .map(|c| header_of(c.field))
            .unwrap_or_default()
    };
    let today = date_of_millis_vn(storage::now_ms());
    // The row of the file each record was first seen on (for "same as row N").
    let mut seen: HashMap<usize, u32> = HashMap::new();
    let mut writes: Vec<Write> = Vec::new();
    // Index in `writes` of each record written, so a later duplicate row cannot write it.
    for (row_no, cells) in data {
        let parsed = match parse_row(row_no, cells, &map) {
            Ok(p) => p,
            Err(notes) => {
                report.refused.extend(notes);
                continue;
            }
        };
        let refuse = |column: String, message: Msg| RowNote {
            row: row_no,
            column,
            message,
        };
        let (named, commune) = match index.commune_then_and_now(&parsed) {
            Ok(a) => a,
            Err(m) => {
                let col = if parsed.commune_code.is_some() {
                    header_of(Field::CommuneCode)
                } else {
                    header_of(Field::Commune)
                };
                report.refused.push(refuse(col, m));
                continue;
            }
        };
        if !in_scope(&commune.path, &user.scopes) {
            report.refused.push(refuse(
                header_of(Field::Commune),
                Msg::new(
                    format!("{} không thuộc địa bàn bạn quản lý.", commune.name),
                    format!("{} is outside your areas.", commune.name),
                ),
            ));
            continue;
        }
        // The record this row is: by id, tax code, registration number, then name.
        let by_tax = parsed
            .coop
            .tax_code
            .as_deref()
            .and_then(identifier_key)
            .and_then(|k| ix.by_tax.get(&k).copied());
        let by_reg = parsed
            .coop
            .registration_no
            .as_deref()
            .and_then(identifier_key)
            .and_then(|k| ix.by_reg.get(&k).copied());
        if let (Some(a), Some(b)) = (by_tax, by_reg) {
            if a != b {
                report.refused.push(refuse(
                    header_of(Field::RegistrationNo),
                    Msg::new(
                        format!("Mã số thuế thuộc \"{}\" nhưng số ĐKKD thuộc \"{}\": hãy kiểm tra lại dòng này.", records[a].name, records[b].name),
                        format!("The tax code belongs to \"{}\" but the registration number to \"{}\": check this row.", records[a].name, records[b].name),
                    ),
                ));
                continue;
            }
        }
        let found = parsed
            .id
            .as_ref()
            .and_then(|id| ix.by_id.get(id).copied())
            .or(by_tax)
            .or(by_reg)
            .or_else(|| {
                ix.by_name
                    .get(&(normalize(&parsed.coop.name), commune.id.clone()))
                    .copied()
            });
        if let Some(i) = found {
            if let Some(first) = seen.get(&i) {
                report.duplicates.push(refuse(
                    String::new(),
                    Msg::new(
                        format!(
                            "Trùng với dòng {first} (cùng hợp tác xã \"{}\"): bỏ qua.",
                            records[i].name
                        ),
                        format!(
                            "Same cooperative as row {first} (\"{}\"): skipped.",
                            records[i].name
                        ),
                    ),
                ));
                continue;
            }
        }
        let mut next = match found {
            Some(i) => overlay(&records[i], &parsed),
            None => Cooperative {
                id: uuid::Uuid::new_v4().to_string(),
                version: 1,
                ..parsed.coop.clone()
            },
        };
        next.name = next.name.trim().to_string();
        // A record the row places in another commune keeps its area here and moves with
        // its history below.
        // A row naming a unit a reorganisation closed (a list written before it) says
        // nothing new about where the cooperative is: it stays where the reorganisation
        // placed it (a divided commune's cooperative may be in any of its units).
        let moves_to = found
            .filter(|i| records[*i].area_id != commune.id && named.is_open())
            .map(|i| (records[i].area_id.clone(), commune.clone()));
        if found.is_none() {
            next.area_id = commune.id.clone();
            next.area_path = commune.path.clone();
        }
        let errors = validate_cooperative(&next, Some(&today));
        if !errors.is_empty() {
            for e in errors {
                report
                    .refused
                    .push(refuse(column_of_key(&e.field), e.message));
            }
            continue;
        }
        if let (Some(i), Some((from, to))) = (found, &moves_to) {
            let from_name = index.get(from).map(|a| a.name.clone()).unwrap_or_default();
            report.moves.push(refuse(
                header_of(Field::Commune),
                Msg::new(
                    format!(
                        "{} chuyển từ {from_name} sang {} (cùng các phiếu khảo sát).",
                        records[i].name, to.name
                    ),
                    format!(
                        "{} moves from {from_name} to {} (with its visit reports).",
                        records[i].name, to.name
                    ),
                ),
            ));
        }
        match found {
            Some(i) if records[i] == next => {
                if moves_to.is_none() {
                    report.unchanged += 1;
                }
                seen.insert(i, row_no);
            }
            Some(i) => {
                report.updated += 1;
                seen.insert(i, row_no);
                let before = records[i].clone();
                next.version = before.version + 1;
                records[i] = next.clone();
                writes.push(Write::Update {
                    before,
                    after: next,
                });
            }
            None => {
                report.created += 1;
                let i = records.len();
                records.push(next.clone());
                ix.add(&next, i);
                seen.insert(i, row_no);
                writes.push(Write::Create(next));
            }
        }
        if let (Some(i), Some((_, to))) = (found, moves_to) {
            writes.push(Write::Move {
                id: records[i].id.clone(),
                to: to.id.clone(),
            });
        }
    }
    if apply {
        let made_meanwhile = write(db, user, &writes).await?;
        report.created -= made_meanwhile;
        report.unchanged += made_meanwhile;
        report.applied = true;
        tracing::info!(by = %user.id, created = report.created, updated = report.updated, refused = report.refused.len(), "registry imported");
    }
    Ok(report)
}

/// Writes the import; returns how many records to create another import made meanwhile
/// (skipped here).
async fn write(db: &Db, user: &UserInfo, writes: &[Write]) -> ApiResult<u32> {
    if writes.is_empty() {
        return Ok(0);
    }
    let mut made_meanwhile = 0;
    let who = Who::online(user);
    let mut tx = db.begin_write().await?;
    tx.wait_for_other_imports().await?;
    let all_areas = storage::areas::all_in(&mut tx).await?;
    let areas: HashMap<&str, &hoptac_core::model::Area> =
        all_areas.iter().map(|a| (a.id.as_str(), a)).collect();
    // The moves of this import are one entry of the cooperatives' history.
    let move_id = format!("import-{}", uuid::Uuid::new_v4().simple());
    let today = date_of_millis_vn(storage::now_ms());
    if writes.iter().any(|w| matches!(w, Write::Move { .. })) {
        storage::reorg::insert(
            &mut tx,
            &move_id,
            &today,
            "Nhập danh sách HTX: chuyển địa bàn theo tệp",
            "{}",
            &user.id,
        )
        .await?;
    }
    let by = super::reorg::MoveBy {
        id: &move_id,
        effective_on: &today,
        user,
        action: "import",
    };
    let mut known = Known::read(&mut tx).await?;
    // New records, stored many to a statement.
    let mut new: Vec<Cooperative> = Vec::new();
    for w in writes {
        if let Write::Move { id, to } = w {
            let Some(c) = storage::cooperatives::lock(&mut tx, id).await? else {
                continue;
            };
            // Where the area went if a reorganisation closed it meanwhile.
            let target = Cooperative {
                area_id: to.clone(),
                area_path: areas
                    .get(to.as_str())
                    .map(|a| a.path.clone())
                    .unwrap_or_default(),
                ..c.clone()
            };
            let to = match land(&areas, &user.scopes, &target)? {
                Some(landed) => landed.area_id,
                None => to.clone(),
            };
            if c.area_id != to {
                let area = areas[to.as_str()];
                super::moves::relocate(&mut tx, &by, &c, area).await?;
            }
            continue;
        }
        // An area a reorganisation closed since the dry run read the areas (it held this
        // lock until it committed): the record goes where that area's records went.
        let landed;
        let w = match w {
            Write::Create(c) => match land(&areas, &user.scopes, c)? {
                Some(c) => {
                    landed = Write::Create(c);
                    &landed
                }
                None => w,
            },
            Write::Update { before, after } => match land(&areas, &user.scopes, after)? {
                Some(after) => {
                    landed = Write::Update {
                        before: before.clone(),
                        after,
                    };
                    &landed
                }
                None => w,
            },
            Write::Move { .. } => unreachable!("handled above"),
        };
        let (before, after) = match w {
            Write::Create(c) => {
                // Made meanwhile by another import of the same file (two clicks, two
                // administrators): not made twice.
                if known.same_record(c).is_some() {
                    made_meanwhile += 1;
                    continue;
                }
                known.add(c);
                new.push(c.clone());
                (None, c)
            }
            Write::Update { before, after } => {
                // Changed since the dry run read it (an officer's edit synced meanwhile):
                // the row is applied over the newer record only if it is still the same.
                let current = storage::cooperatives::lock(&mut tx, &after.id).await?;
                if current.as_ref() != Some(before) {
                    return Err(ApiError::Busy);
                }
                storage::cooperatives::update(&mut tx, after).await?;
                known.remove(before);
                known.add(after);
                (Some(serde_json::to_string(before)?), after)
            }
            Write::Move { .. } => unreachable!("handled above"),
        };
        let duplicates = known.same_identifiers(after);
        if !duplicates.is_empty() {
            // The pair's rows name both records: store the new ones first.
            insert_new(&mut tx, &mut new).await?;
            for (other, field, value) in duplicates {
                storage::cooperatives::flag_duplicate(&mut tx, &after.id, &other, field, &value)
                    .await?;
            }
        }
        tx.record_change(
            "cooperative",
            &after.id,
            &after.area_path,
            &serde_json::to_string(&Change::Cooperative(after.clone()))?,
            who,
            "import",
            before.as_deref(),
            &serde_json::to_string(after)?,
        );
    }
    insert_new(&mut tx, &mut new).await?;
    tx.commit().await?;
    Ok(made_meanwhile)
}

/// Stores the import's new records gathered so far, many to a statement, and empties
/// `new`. Errors (400) when one's id is taken.
async fn insert_new(tx: &mut storage::WriteTx<'_>, new: &mut Vec<Cooperative>) -> ApiResult<()> {
    let stored = storage::cooperatives::insert_many(tx, new, None).await?;
    if stored != new.len() as u64 {
        return Err(ApiError::BadRequest(format!(
            "{} of the {} new records have an id that is taken",
            new.len() as u64 - stored,
            new.len()
        )));
    }
    new.clear();
    Ok(())
}

/// The registry's identifying keys, read once under the import's lock and kept up to
/// date as the import writes: the questions `storage::cooperatives::same_record` and
/// `same_identifiers` ask row by row, for a whole file at once (10,000 rows: some 50,000
/// queries fewer).
struct Known {
    by_tax: HashMap<String, Vec<String>>,
    by_registration: HashMap<String, Vec<String>>,
    /// (area id, name as written) → the first record there of that name.
    by_place: HashMap<(String, String), String>,
}

impl Known {
    async fn read(tx: &mut storage::WriteTx<'_>) -> ApiResult<Known> {
        let mut k = Known {
            by_tax: HashMap::new(),
            by_registration: HashMap::new(),
            by_place: HashMap::new(),
        };
        for i in storage::cooperatives::identifiers(tx).await? {
            k.insert(i.id, i.tax_code_key, i.registration_key, i.area_id, i.name);
        }
        Ok(k)
    }

    fn insert(
        &mut self,
        id: String,
        tax: Option<String>,
        reg: Option<String>,
        area: String,
        name: String,
    ) {
        if let Some(t) = tax {
            self.by_tax.entry(t).or_default().push(id.clone());
        }
        if let Some(r) = reg {
            self.by_registration.entry(r).or_default().push(id.clone());
        }
        self.by_place.entry((area, name)).or_insert(id);
    }

    fn add(&mut self, c: &Cooperative) {
        self.insert(
            c.id.clone(),
            storage::cooperatives::tax_key(c),
            storage::cooperatives::registration_key(c),
            c.area_id.clone(),
            c.name.clone(),
        );
    }

    fn remove(&mut self, c: &Cooperative) {
        let drop = |m: &mut HashMap<String, Vec<String>>, key: Option<String>| {
            if let Some(ids) = key.and_then(|k| m.get_mut(&k)) {
                ids.retain(|x| x != &c.id);
            }
        };
        drop(&mut self.by_tax, storage::cooperatives::tax_key(c));
        drop(
            &mut self.by_registration,
            storage::cooperatives::registration_key(c),
        );
        let place = (c.area_id.clone(), c.name.clone());
        if self.by_place.get(&place) == Some(&c.id) {
            self.by_place.remove(&place);
        }
    }

    /// A record that is `c` already: the same tax code, else registration number, else
    /// name in the same area.
    fn same_record(&self, c: &Cooperative) -> Option<&str> {
        fn first(m: &HashMap<String, Vec<String>>, key: Option<String>) -> Option<&str> {
            key.and_then(|k| m.get(&k))
                .and_then(|ids| ids.first())
                .map(String::as_str)
        }
        first(&self.by_tax, storage::cooperatives::tax_key(c))
            .or_else(|| {
                first(
                    &self.by_registration,
                    storage::cooperatives::registration_key(c),
                )
            })
            .or_else(|| {
                self.by_place
                    .get(&(c.area_id.clone(), c.name.clone()))
                    .map(String::as_str)
            })
    }

    /// The other records sharing an identifier with `c`: (their id, the field, `c`'s value).
    fn same_identifiers(&self, c: &Cooperative) -> Vec<(String, &'static str, String)> {
        let mut out = Vec::new();
        let checks = [
            (
                "tax_code",
                &self.by_tax,
                storage::cooperatives::tax_key(c),
                &c.tax_code,
            ),
            (
                "registration_no",
                &self.by_registration,
                storage::cooperatives::registration_key(c),
                &c.registration_no,
            ),
        ];
        for (field, m, key, value) in checks {
            let Some(ids) = key.and_then(|k| m.get(&k)) else {
                continue;
            };
            let mut others: Vec<&String> = ids.iter().filter(|x| **x != c.id).collect();
            others.sort();
            for id in others {
                out.push((id.clone(), field, value.clone().unwrap_or_default()));
            }
        }
        out
    }
}

/// Record `c` in the area it belongs in today, when a reorganisation closed its area
/// after the import read the areas (None: its area is open). `areas`: every area by id,
/// read under the import lock (a reorganisation holds it until it commits). A dissolved
/// area with no successor refuses the import: run it again and the row is refused with
/// its line.
fn land(
    areas: &HashMap<&str, &hoptac_core::model::Area>,
    scopes: &[String],
    c: &Cooperative,
) -> ApiResult<Option<Cooperative>> {
    let mut at = areas.get(c.area_id.as_str()).copied();
    // A chain is at most a few reforms long; the bound stops a cycle a bad row could make.
    for _ in 0..16 {
        match at {
            // Landed outside the importer's areas (merged into another district's): as
            // if closed with no successor of theirs.
            Some(a) if a.closed_on.is_none() && !in_scope(&a.path, scopes) => break,
            Some(a) if a.closed_on.is_none() => {
                return Ok((a.id != c.area_id).then(|| Cooperative {
                    area_id: a.id.clone(),
                    area_path: a.path.clone(),
                    ..c.clone()
                }))
            }
            Some(a) => {
                at = a
                    .successor_id
                    .as_deref()
                    .and_then(|s| areas.get(s).copied())
            }
            None => break,
        }
    }
    Err(ApiError::field(
        "file",
        Msg::new(
            "Địa bàn của một dòng vừa bị giải thể (sắp xếp đơn vị hành chính trong lúc nhập). Hãy nhập lại tệp.",
            "An area of a row was closed meanwhile (a reorganisation during the import). Import the file again.",
        ),
    ))
}

/// The refused and skipped rows of a report as CSV (UTF-8 with BOM, so Excel shows the
/// Vietnamese): row, column, reason.
pub fn notes_csv(report: &ImportReport, lang_vi: bool) -> ApiResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let head = if lang_vi {
        ["Dòng", "Cột", "Lý do"]
    } else {
        ["Row", "Column", "Reason"]
    };
    w.write_record(head)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    for n in report.refused.iter().chain(&report.duplicates) {
        let msg = if lang_vi {
            &n.message.vi
        } else {
            &n.message.en
        };
        w.write_record([n.row.to_string().as_str(), n.column.as_str(), msg.as_str()])
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

/// The registry inside `user`'s areas as XLSX, in [`COLUMNS`]' order (what the import
/// reads back unchanged). Supervisors and administrators.
pub async fn export(db: &Db, user: &UserInfo) -> ApiResult<Vec<u8>> {
    if !matches!(user.role, Role::Supervisor | Role::Admin) {
        return Err(ApiError::Forbidden("your role may not do this".into()));
    }
    let areas = storage::areas::all(db).await?;
    let index = AreaIndex::new(&areas);
    let mut records = storage::cooperatives::in_paths(db, &user.scopes).await?;
    records.sort_by(|a, b| a.area_path.cmp(&b.area_path).then(a.name.cmp(&b.name)));
    use crate::spreadsheets::write::Cell as X;
    let mut rows = vec![COLUMNS
        .iter()
        .map(|c| X::Text(c.header.into()))
        .collect::<Vec<_>>()];
    for c in &records {
        let Some(commune) = index.get(&c.area_id) else {
            continue;
        };
        let district = commune
            .parent_id
            .as_deref()
            .and_then(|p| index.get(p))
            .filter(|d| d.parent_id.is_some());
        rows.push(
            hoptac_core::registry::export_row(c, commune, district)
                .into_iter()
                .map(|cell| match cell {
                    Cell::Empty => X::Empty,
                    Cell::Text(s) => X::Text(s),
                    Cell::Date(d) => X::Date(d),
                    // Counts and đồng are whole: shown with thousands separated.
                    Cell::Number(n) if n.fract() == 0.0 => X::Int(n as i64),
                    Cell::Number(n) => X::Num(n),
                })
                .collect(),
        );
    }
    crate::spreadsheets::write::xlsx("Danh sách HTX", &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_for_an_area_closed_during_the_import_lands_where_its_records_went() {
        use hoptac_core::model::{Area, AreaLevel};
        let area = |id: &str, successor: Option<&str>| Area {
            id: id.into(),
            parent_id: None,
            level: AreaLevel::Commune,
            name: id.into(),
            path: format!("P/{id}/"),
            code: None,
            opened_on: None,
            closed_on: successor.map(|_| "2025-07-01".into()),
            successor_id: successor.map(Into::into),
        };
        let all = vec![
            area("A", Some("X")),
            area("X", Some("Y")),
            area("Y", None),
            area("B", None),
        ];
        let mut gone = area("D", None);
        gone.closed_on = Some("2025-07-01".into());
        let all: Vec<Area> = all.into_iter().chain(std::iter::once(gone)).collect();
        let areas: HashMap<&str, &Area> = all.iter().map(|a| (a.id.as_str(), a)).collect();
        let coop = |area: &str| -> Cooperative {
            serde_json::from_value(serde_json::json!({"id": "c", "kind": "htx", "name": "HTX",
                "sector": "agriculture", "area_id": area, "area_path": format!("P/{area}/"),
                "status": "active", "version": 1}))
            .unwrap()
        };
        let all_of_p = vec!["P/".to_string()];
        assert_eq!(
            land(&areas, &all_of_p, &coop("B")).unwrap(),
            None,
            "open: as it is"
        );
        let landed = land(&areas, &all_of_p, &coop("A")).unwrap().unwrap();
        assert_eq!(
            (landed.area_id.as_str(), landed.area_path.as_str()),
            ("Y", "P/Y/"),
            "two reforms on"
        );
        let refused = land(&areas, &all_of_p, &coop("D")).unwrap_err();
        assert!(
            land(&areas, &["P/A/".to_string()], &coop("A")).is_err(),
            "landed outside the importer's areas"
        );
        assert!(
            format!("{refused:?}").contains("Import the file again"),
            "{refused:?}"
        );
    }

    #[test]
    fn csv_separators_and_title_rows() {
        let text = "DANH SÁCH HTX TỈNH NINH BÌNH\n\nTên HTX;Xã/Phường;Mã số thuế\nHTX A;Ninh Hải;2700123456\n";
        let rows = spreadsheets::read(text.as_bytes(), None).unwrap().rows;
        let h = header_row(&rows).unwrap();
        assert_eq!(rows[h][0], Cell::Text("Tên HTX".into()));
        assert_eq!(rows[h + 1][2], Cell::Text("2700123456".into()));
    }
}
