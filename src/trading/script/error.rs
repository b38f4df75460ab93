//! Script errors with the script's path, line and column, and the message
//! a user can act on (a tripped limit names the limit).

use std::fmt;
use std::path::{Path, PathBuf};

use rhai::{EvalAltResult, LexError, ParseError, ParseErrorType, Position};

use super::sandbox::ScriptLimits;

/// A script that cannot compile, load or run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl ScriptError {
    /// An error about the script as a whole.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    fn at(path: &Path, position: Position, message: String) -> Self {
        Self {
            path: path.to_path_buf(),
            line: position.line(),
            column: position.position(),
            message,
        }
    }

    /// A compile error.
    #[must_use]
    pub fn parse(path: &Path, error: &ParseError) -> Self {
        let message = match error.err_type() {
            ParseErrorType::Reserved(symbol)
            | ParseErrorType::BadInput(LexError::ImproperSymbol(symbol, _))
                if is_disabled(symbol) =>
            {
                format!(
                    "'{symbol}' is not allowed in strategy scripts (they cannot load or evaluate code)"
                )
            }
            other => format!("syntax error: {other}"),
        };
        Self::at(path, error.position(), message)
    }

    /// A runtime error, located where it happened (inside the innermost
    /// function call), with the limits it may have tripped; `function` is
    /// the hook (or indicator function) the engine called, if any.
    #[must_use]
    pub fn runtime(
        path: &Path,
        error: &EvalAltResult,
        limits: &ScriptLimits,
        function: Option<&str>,
    ) -> Self {
        let mut inner = error;
        let mut position = error.position();
        // (function, consecutive calls): recursion shows once with a count.
        let mut called: Vec<(&str, usize)> = function.map(|f| (f, 1)).into_iter().collect();
        while let EvalAltResult::ErrorInFunctionCall(name, _, cause, _) = inner {
            match called.last_mut() {
                Some((last, n)) if *last == name.as_str() => *n += 1,
                _ => called.push((name.as_str(), 1)),
            }
            inner = cause;
            // The deepest known place: some errors (limits) carry none.
            if !inner.position().is_none() {
                position = inner.position();
            }
        }
        let message = describe(inner, limits);
        let message = if called.is_empty() {
            message
        } else {
            let chain: Vec<String> = called
                .iter()
                .map(|(f, n)| {
                    if *n > 1 {
                        format!("{f} (×{n})")
                    } else {
                        (*f).to_string()
                    }
                })
                .collect();
            format!("in {}: {message}", chain.join(" → "))
        };
        Self::at(path, position, message)
    }
}

fn is_disabled(symbol: &str) -> bool {
    super::sandbox::DISABLED_SYMBOLS.contains(&symbol)
}

/// Functions users reach for that a sandboxed script does not have.
const SANDBOXED: &[&str] = &[
    "open",
    "read",
    "write",
    "file",
    "fs",
    "http",
    "fetch",
    "socket",
    "connect",
    "timestamp",
    "now",
    "sleep",
    "system",
    "exec",
    "command",
    "env",
];

fn describe(error: &EvalAltResult, limits: &ScriptLimits) -> String {
    match error {
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "operation limit reached (max_operations = {}): an endless loop?",
            limits.max_operations
        ),
        EvalAltResult::ErrorStackOverflow(_) => format!(
            "call depth limit reached (max_call_levels = {}): runaway recursion?",
            limits.max_call_levels
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            let limit = match what.to_ascii_lowercase() {
                w if w.contains("string") => {
                    format!("max_string_size = {}", limits.max_string_size)
                }
                w if w.contains("array") => format!("max_array_size = {}", limits.max_array_size),
                w if w.contains("map") => format!("max_map_size = {}", limits.max_map_size),
                _ => "a size limit".to_string(),
            };
            format!("{what} is over the limit ({limit})")
        }
        EvalAltResult::ErrorFunctionNotFound(signature, _) => {
            let name = signature.split([' ', '(']).next().unwrap_or_default();
            let sandboxed = SANDBOXED
                .iter()
                .any(|s| name.to_ascii_lowercase().contains(s));
            if sandboxed {
                format!(
                    "function not found: {signature} (strategy scripts have no file, network or clock access)"
                )
            } else {
                format!("function not found: {signature}")
            }
        }
        EvalAltResult::ErrorModuleNotFound(name, _) => {
            format!("module '{name}' cannot be loaded: strategy scripts cannot import")
        }
        EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
        other => {
            // Rhai appends " (line L, position C)"; the location is ours to print.
            let text = other.to_string();
            match text.rfind(" (line ") {
                Some(at) if text.ends_with(')') => text[..at].to_string(),
                _ => text,
            }
        }
    }
}

impl ScriptError {
    /// `path:line:column`, as far as known.
    #[must_use]
    pub fn location(&self) -> String {
        let mut text = self.path.display().to_string();
        if let Some(line) = self.line {
            text.push_str(&format!(":{line}"));
            if let Some(column) = self.column {
                text.push_str(&format!(":{column}"));
            }
        }
        text
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

impl std::error::Error for ScriptError {}
