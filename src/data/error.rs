//! Data errors name the file, and the row and column when there is one.

use std::fmt;
use std::path::PathBuf;

/// A data file could not be read or failed a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    pub path: PathBuf,
    /// 1-based line in a CSV file (the header is line 1), or 1-based row in
    /// a Parquet file.
    pub row: Option<usize>,
    pub column: Option<String>,
    pub message: String,
    /// Whether the file is bad input, or an output that cannot be written.
    pub kind: DataErrorKind,
}

/// What a [`DataError`] is about: the exit code differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataErrorKind {
    /// A data file that cannot be read or fails a check (bad input).
    Invalid,
    /// An output file that cannot be written (a runtime failure).
    Unwritable,
}

impl DataError {
    pub fn file(path: &std::path::Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            row: None,
            column: None,
            message: message.into(),
            kind: DataErrorKind::Invalid,
        }
    }

    /// An output file that cannot be written.
    pub fn unwritable(path: &std::path::Path, error: impl fmt::Display) -> Self {
        Self {
            kind: DataErrorKind::Unwritable,
            ..Self::file(path, format!("cannot write: {error}"))
        }
    }

    /// An error about a whole column.
    pub fn column(path: &std::path::Path, column: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            row: None,
            column: Some(column.to_string()),
            message: message.into(),
            kind: DataErrorKind::Invalid,
        }
    }

    /// A configured column is not in the file; lists the ones that are.
    pub fn missing_column(
        path: &std::path::Path,
        header_row: Option<usize>,
        column: &str,
        found: &[String],
    ) -> Self {
        Self {
            row: header_row,
            ..Self::column(
                path,
                column,
                format!("missing column (found: {})", found.join(", ")),
            )
        }
    }

    pub fn at(
        path: &std::path::Path,
        row: usize,
        column: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path: path.to_path_buf(),
            row: Some(row),
            column: Some(column.to_string()),
            message: message.into(),
            kind: DataErrorKind::Invalid,
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(row) = self.row {
            write!(f, ":{row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, " column '{column}'")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DataError {}
