//! A CSV file as an import reads it: UTF-8 with or without a byte-order mark, fields
//! separated by `,` or `;` (whichever the header row uses more), quoted fields that may hold
//! separators and line breaks (the `csv` crate), and a header row naming the columns.

use super::RowError;

/// The header's names (trimmed, in lower case) and every record after it with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<String>,
    pub records: Vec<Record>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The line of the file the record starts on (the header is line 1).
    pub line: u64,
    pub fields: Vec<String>,
}

/// The most records one import takes.
pub const MAX_RECORDS: usize = 200_000;

/// Reads `bytes` as a table; a file that cannot be one is refused as a whole (line 1 for
/// what is wrong with the file itself, else the line of the broken record).
pub fn read(bytes: &[u8]) -> Result<Table, RowError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64;
        RowError::new(line, "", "the file must be UTF-8 text (save it as \"CSV UTF-8\")")
    })?;
    if text.trim().is_empty() {
        return Err(RowError::new(1, "", "the file is empty"));
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => {
            return Err(RowError::new(
                1,
                "",
                format!("the header row cannot be read: {e}"),
            ));
        }
        None => return Err(RowError::new(1, "", "the file is empty")),
    };
    let columns: Vec<String> = header.iter().map(|c| c.trim().to_lowercase()).collect();
    let mut lines = LineCounter::new(text);
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| lines.at(p.byte()));
            RowError::new(line, "", format!("this record cannot be read: {e}"))
        })?;
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_RECORDS {
            return Err(RowError::new(
                line,
                "",
                format!("an import takes at most {MAX_RECORDS} rows; split the file"),
            ));
        }
        rows.push(Record {
            line,
            fields: record.iter().map(str::to_owned).collect(),
        });
    }
    Ok(Table {
        columns,
        records: rows,
    })
}

/// The line of a byte offset, counted forward as the records come (the `csv` crate's own
/// line numbers are those of the previous record's end).
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn new(text: &str) -> LineCounter<'_> {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line a record starting at `byte` begins on. The `csv` crate places a record where
    /// the previous one's line break begins, so breaks (and blank lines) there are skipped.
    fn at(&mut self, byte: u64) -> u64 {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        while byte < self.text.len() && matches!(self.text[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte >= self.offset {
            self.line += self.text[self.offset..byte]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.offset = byte;
        }
        self.line
    }
}

/// `;` when the first line has more of them than commas (as spreadsheets write CSV where the
/// decimal separator is a comma), else `,`.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    let count = |c: char| first.chars().filter(|x| *x == c).count();
    if count(';') > count(',') { b';' } else { b',' }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spreadsheet_export_reads_with_its_bom_semicolons_and_quoted_newlines() {
        let file = "\u{feff}SKU; Name ;Price\r\nA-1;\"Cable; 1 m\";1,99\r\n\r\nA-2;\"two\nlines\";2\r\n";
        let table = read(file.as_bytes()).unwrap();
        assert_eq!(table.columns, ["sku", "name", "price"]);
        assert_eq!(
            table.records,
            [
                Record {
                    line: 2,
                    fields: vec!["A-1".into(), "Cable; 1 m".into(), "1,99".into()]
                },
                Record {
                    line: 4,
                    fields: vec!["A-2".into(), "two\nlines".into(), "2".into()]
                },
            ]
        );
    }

    #[test]
    fn what_is_not_a_table_is_refused_with_its_line() {
        assert_eq!(read(b"").unwrap_err().reason, "the file is empty");
        let latin1 = read(b"sku,name\nA-1,Caf\xe9\n").unwrap_err();
        assert_eq!(latin1.line, 2);
        assert!(latin1.reason.contains("UTF-8"));
    }
}
