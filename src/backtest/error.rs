//! Config errors: file, line, column and field.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::trading::script::ScriptError;

/// A config that cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

impl ConfigError {
    /// An error for the whole file.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
        }
    }

    /// An error about `field` of the file, at no one place in its text.
    pub fn in_field(path: &Path, field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_string()),
            ..Self::file(path, message)
        }
    }

    /// An error at a byte span of `source`.
    pub fn at(
        path: &Path,
        source: &str,
        span: std::ops::Range<usize>,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = line_column(source, span.start);
        Self {
            path: path.to_path_buf(),
            line: Some(line),
            column: Some(column),
            field: Some(field.to_string()),
            message: message.into(),
        }
    }
}

pub use crate::core::text::line_column;

impl ConfigError {
    /// A TOML syntax or schema error in `source`, at its line and column.
    #[must_use]
    pub fn from_toml(path: &Path, source: &str, error: &toml::de::Error) -> Self {
        let (line, column) = error.span().map_or((None, None), |s| {
            let (l, c) = line_column(source, s.start);
            (Some(l), Some(c))
        });
        let mut message = error.message().trim().to_string();
        // The parser stops nesting without saying where: point at the
        // line that nests deepest.
        let line = if line.is_none() && message.contains("recursion limit") {
            message = "nested too deeply: tables, arrays or dotted keys this deep are beyond the TOML parser's recursion limit".to_string();
            crate::core::text::deepest_line(source)
        } else {
            line
        };
        Self {
            path: path.to_path_buf(),
            line,
            column,
            field: None,
            message,
        }
    }
}

impl From<ScriptError> for ConfigError {
    /// A script that does not compile or load is a bad input like a bad config.
    fn from(error: ScriptError) -> Self {
        Self {
            path: error.path,
            line: error.line,
            column: error.column,
            field: None,
            message: error.message,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, ":{line}:{column}")?,
            (Some(line), None) => write!(f, ":{line}")?,
            _ => {}
        }
        if let Some(field) = &self.field {
            write!(f, ": field '{field}'")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based() {
        let src = "a = 1\nbb = 2\n";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 6), (2, 1));
        assert_eq!(line_column(src, 11), (2, 6));
    }
}
