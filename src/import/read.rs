//! Reading the export record by record: CSV (RFC 4180: quoted fields may hold commas, doubled
//! quotes and line breaks, so a record can span lines) or JSON Lines. Bytes are decoded field
//! by field, so a record with broken encoding is reported and reading goes on.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::mapping::{Field, Mapping};

/// The export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    /// `jsonl` for `.jsonl` / `.ndjson` files, else `csv`.
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "ndjson") => Format::Jsonl,
            _ => Format::Csv,
        }
    }
}

/// Why a record could not even be read into fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StructureProblem {
    /// CSV: a different number of columns than the header (`found`, `expected`).
    WrongColumnCount { found: usize, expected: usize },
    /// JSON Lines: the line is not one JSON object.
    MalformedJson,
    /// A field's bytes are not UTF-8; names the column.
    InvalidUtf8 { column: String },
}

/// One data record: its place in the file and its field values (trimmed; empty when absent),
/// indexed by [`Field`]. A CSV record's values borrow from the reader's buffer, so reading
/// allocates nothing per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord<'a> {
    /// 1-based physical line where the record starts (the CSV header is line 1).
    pub line: u64,
    /// 1-based data record number.
    pub record: u64,
    pub values: [Cow<'a, str>; Field::ALL.len()],
    pub problem: Option<StructureProblem>,
}

impl RawRecord<'_> {
    pub fn get(&self, field: Field) -> &str {
        self.values.get(field as usize).map_or("", |v| v)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("the header has no {0:?} column (the legacy id); see --mapping")]
    NoLegacyIdColumn(String),
}

/// Calls `each` for every record of the file, in order, with the bytes read so far also fed to
/// `hash` (the file's SHA-256 is computed on the same pass).
pub fn for_each_record(
    path: &Path,
    format: Format,
    mapping: &Mapping,
    hash: Option<&mut ring::digest::Context>,
    mut each: impl FnMut(RawRecord<'_>) -> bool,
) -> Result<(), ReadError> {
    let file = File::open(path).map_err(|source| ReadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let reader = HashingReader { inner: file, hash };
    match format {
        Format::Csv => read_csv(
            BufReader::with_capacity(1 << 20, reader),
            mapping,
            &mut each,
        ),
        Format::Jsonl => read_jsonl(
            BufReader::with_capacity(1 << 20, reader),
            mapping,
            &mut each,
        )
        .map_err(|source| ReadError::Io {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// Feeds everything read through it to a SHA-256 context.
struct HashingReader<'h, R> {
    inner: R,
    hash: Option<&'h mut ring::digest::Context>,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hash) = self.hash.as_deref_mut() {
            hash.update(&buf[..n]);
        }
        Ok(n)
    }
}

fn read_csv<R: Read>(
    reader: R,
    mapping: &Mapping,
    each: &mut impl FnMut(RawRecord<'_>) -> bool,
) -> Result<(), ReadError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let header: Vec<String> = csv
        .byte_headers()?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{feff}')
                .to_owned()
        })
        .collect();
    let indexes = mapping.column_indexes(&header);
    if indexes[Field::LegacyId as usize].is_none() {
        return Err(ReadError::NoLegacyIdColumn(
            mapping.column(Field::LegacyId).to_owned(),
        ));
    }
    let mut row = csv::ByteRecord::new();
    let mut record = 0;
    while csv.read_byte_record(&mut row)? {
        record += 1;
        // csv reports the line where the previous record ended (its terminator is consumed
        // with the next read), so the record itself starts one line later.
        let line = row.position().map_or(0, |p| p.line() + 1);
        let mut problem =
            (row.len() != header.len()).then_some(StructureProblem::WrongColumnCount {
                found: row.len(),
                expected: header.len(),
            });
        let values = std::array::from_fn(|i| {
            let bytes = indexes[i].and_then(|i| row.get(i)).unwrap_or_default();
            match std::str::from_utf8(bytes) {
                Ok(text) => Cow::Borrowed(text.trim()),
                Err(_) => {
                    problem.get_or_insert_with(|| StructureProblem::InvalidUtf8 {
                        column: mapping.column(Field::ALL[i]).to_owned(),
                    });
                    Cow::Owned(String::from_utf8_lossy(bytes).trim().to_owned())
                }
            }
        });
        if !each(RawRecord {
            line,
            record,
            values,
            problem,
        }) {
            break;
        }
    }
    Ok(())
}

fn read_jsonl<R: BufRead>(
    mut reader: R,
    mapping: &Mapping,
    each: &mut impl FnMut(RawRecord<'_>) -> bool,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    let mut line = 0;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        line += 1;
        let trimmed = buf.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        if !each(jsonl_record(trimmed, line, mapping)) {
            return Ok(());
        }
    }
}

fn jsonl_record(bytes: &[u8], line: u64, mapping: &Mapping) -> RawRecord<'static> {
    let (text, utf8_ok) = match std::str::from_utf8(bytes) {
        Ok(text) => (std::borrow::Cow::Borrowed(text), true),
        Err(_) => (String::from_utf8_lossy(bytes), false),
    };
    let object = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text);
    let mut problem = None;
    let values = Field::ALL.map(|field| {
        let value = object
            .as_ref()
            .ok()
            .and_then(|o| o.get(mapping.columns.get(&field)?))
            .map(json_text)
            .unwrap_or_default();
        if !utf8_ok && value.contains('\u{fffd}') && problem.is_none() {
            problem = Some(StructureProblem::InvalidUtf8 {
                column: mapping.column(field).to_owned(),
            });
        }
        Cow::Owned(value)
    });
    if object.is_err() {
        problem = Some(StructureProblem::MalformedJson);
    } else if !utf8_ok && problem.is_none() {
        problem = Some(StructureProblem::InvalidUtf8 {
            column: String::new(),
        });
    }
    RawRecord {
        line,
        record: line,
        values,
        problem,
    }
}

/// A JSON value as the text the CSV would hold: strings as they are, numbers and booleans
/// printed, null empty.
fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.trim().to_owned(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(content: &[u8], format: Format) -> Vec<RawRecord<'static>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export");
        std::fs::write(&path, content).unwrap();
        let mut records = Vec::new();
        for_each_record(&path, format, &Mapping::default(), None, |r| {
            records.push(RawRecord {
                values: r.values.map(|v| Cow::Owned(v.into_owned())),
                ..r
            });
            true
        })
        .unwrap();
        records
    }

    #[test]
    fn csv_records_may_span_lines_and_carry_broken_bytes() {
        let csv = b"user_id,login,per_adr,sur_name\r\n\
            1,ali ,\"Navro'z, \"\"MFY\"\"\r\nline two\",Valiyev\r\n\
            2,vali,x,\xc8\xe2\xe0\xed\r\n\
            3,olim,x\r\n";
        let records = read_all(csv, Format::Csv);
        assert_eq!(records.len(), 3);
        assert_eq!(records[0].line, 2);
        assert_eq!(records[0].get(Field::Login), "ali");
        assert_eq!(records[0].get(Field::FamilyName), "Valiyev");
        assert_eq!(records[0].problem, None);
        assert_eq!(records[1].line, 4);
        assert_eq!(
            records[1].problem,
            Some(StructureProblem::InvalidUtf8 {
                column: "sur_name".into()
            })
        );
        assert_eq!(records[2].record, 3);
        assert_eq!(
            records[2].problem,
            Some(StructureProblem::WrongColumnCount {
                found: 3,
                expected: 4
            })
        );
    }

    #[test]
    fn json_lines_numbers_and_broken_lines() {
        let jsonl = b"{\"user_id\": 7, \"login\": \"ali\"}\n{\"user_id\": 8, \"lo\n";
        let records = read_all(jsonl, Format::Jsonl);
        assert_eq!(records[0].get(Field::LegacyId), "7");
        assert_eq!(records[0].problem, None);
        assert_eq!(records[1].line, 2);
        assert_eq!(records[1].problem, Some(StructureProblem::MalformedJson));
    }
}
