//! A boolean expression over named numbers, in the same sandbox as strategy
//! scripts: `bt optimize`'s `constraint = "fast < slow"`. Reusing Rhai
//! (rather than a parser of our own) gives users the operators, functions
//! and error messages they already know from scripts.

use rhai::{AST, Dynamic, Engine, Map, Scope};

use super::sandbox::{ScriptLimits, build_engine};

/// A number bound to a name in an expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ExprNumber {
    Int(i64),
    Float(f64),
}

impl ExprNumber {
    fn dynamic(self) -> Dynamic {
        match self {
            Self::Int(i) => Dynamic::from_int(i),
            Self::Float(f) => Dynamic::from_float(f),
        }
    }
}

/// Why an expression does not compile or evaluate: the message, and the
/// 1-based column in the expression's text when Rhai knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ExprError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.column {
            Some(column) => write!(f, "at column {column}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A compiled boolean expression. Each name is a variable; every value is
/// also in the map `params`, keyed by the names given as `full_names`
/// (parameter paths are not identifiers: `params["venues.SIM.slippage.ticks"]`).
pub struct BoolExpression {
    engine: Engine,
    ast: AST,
}

impl std::fmt::Debug for BoolExpression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoolExpression").finish_non_exhaustive()
    }
}

/// Operations one evaluation may take: a constraint is a line of
/// comparisons, so a loop in one is a mistake to stop early.
const MAX_OPERATIONS: u64 = 10_000;

impl BoolExpression {
    /// Compiles `text` as a single expression (no statements, no functions).
    ///
    /// # Errors
    /// A syntax error, with its column.
    pub fn compile(text: &str) -> Result<Self, ExprError> {
        let limits = ScriptLimits {
            max_operations: MAX_OPERATIONS,
            ..ScriptLimits::default()
        };
        let engine = build_engine(&limits, "constraint");
        let ast = engine.compile_expression(text).map_err(|e| ExprError {
            column: e.position().position(),
            message: format!("syntax error: {}", e.err_type()),
        })?;
        Ok(Self { engine, ast })
    }

    /// Evaluates with `values`: (variable name if it is one, key in
    /// `params`, value).
    ///
    /// # Errors
    /// An unknown variable, a type error, a tripped limit, or a result that
    /// is not a boolean.
    pub fn eval(&self, values: &[(Option<&str>, &str, ExprNumber)]) -> Result<bool, ExprError> {
        let mut scope = Scope::new();
        let mut params = Map::new();
        for (variable, key, value) in values {
            if let Some(name) = variable {
                scope.push_constant_dynamic(*name, value.dynamic());
            }
            params.insert((*key).into(), value.dynamic());
        }
        scope.push_constant("params", params);
        let result: Dynamic = self
            .engine
            .eval_ast_with_scope(&mut scope, &self.ast)
            .map_err(|e| ExprError {
                column: e.position().position(),
                message: e.to_string(),
            })?;
        result.as_bool().map_err(|type_name| ExprError {
            column: None,
            message: format!("must be true or false, but gave a {type_name} ({result})"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(fast: i64, slow: f64) -> Vec<(Option<&'static str>, &'static str, ExprNumber)> {
        vec![
            (
                Some("fast"),
                "strategies.A.params.fast",
                ExprNumber::Int(fast),
            ),
            (
                Some("slow"),
                "strategies.A.params.slow",
                ExprNumber::Float(slow),
            ),
        ]
    }

    #[test]
    fn compares_names_and_full_paths() {
        let e = BoolExpression::compile("fast < slow && params[\"strategies.A.params.fast\"] >= 5")
            .unwrap();
        assert!(e.eval(&values(5, 20.0)).unwrap());
        assert!(!e.eval(&values(30, 20.0)).unwrap());
        assert!(!e.eval(&values(4, 20.0)).unwrap());
    }

    #[test]
    fn a_result_that_is_not_boolean_is_an_error() {
        let e = BoolExpression::compile("fast + 1").unwrap();
        let error = e.eval(&values(5, 20.0)).unwrap_err();
        assert!(error.message.contains("must be true or false"), "{error}");
    }

    #[test]
    fn unknown_names_and_bad_syntax_are_errors_with_columns() {
        let e = BoolExpression::compile("fats < slow").unwrap();
        let error = e.eval(&values(5, 20.0)).unwrap_err();
        assert!(error.message.contains("fats"), "{error}");
        assert_eq!(error.column, Some(1));
        let error = BoolExpression::compile("fast < < slow").unwrap_err();
        assert!(error.column.is_some(), "{error}");
    }

    #[test]
    fn statements_and_endless_work_are_refused() {
        assert!(BoolExpression::compile("let x = 1; x > 0").is_err());
        let e = BoolExpression::compile("(0..100000000).reduce(|s, v| s + v) > 0").unwrap();
        assert!(e.eval(&values(5, 20.0)).is_err());
    }
}
