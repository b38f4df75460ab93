//! The `[optimize]` table: what to search, how, and for which objective,
//! checked against the config it sits in before anything runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use toml::Spanned;
use toml_edit::DocumentMut;

use crate::analysis::stats::STAT_KEYS;
use crate::backtest::ConfigError;
use crate::backtest::config::Checker;
use crate::core::text::nearest;
use crate::trading::script::BoolExpression;

use super::space::{self, Domain, Existing, ParamNumber, Target, ValueKind};

/// How points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Grid,
    Random,
    Bayesian,
}

impl Method {
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Grid => "grid",
            Self::Random => "random",
            Self::Bayesian => "bayesian",
        }
    }
}

/// Whether larger or smaller objective values are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Maximize,
    Minimize,
}

/// The stats key ranked on, and which way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objective {
    pub key: String,
    pub direction: Direction,
}

impl Objective {
    /// Whether higher values are better.
    #[must_use]
    pub fn maximizes(&self) -> bool {
        self.direction == Direction::Maximize
    }

    /// Checks `key` against the stats table's keys.
    ///
    /// # Errors
    /// An unknown key (with the nearest one), or a key that is not a
    /// number (`Start`, `End`).
    pub fn new(key: &str, direction: Direction) -> Result<Self, String> {
        if !STAT_KEYS.contains(&key) {
            let hint = nearest(key, STAT_KEYS)
                .map_or_else(String::new, |k| format!(" — did you mean '{k}'?"));
            return Err(format!("'{key}' is not a stats key{hint}"));
        }
        if matches!(key, "Start" | "End") {
            return Err(format!("'{key}' is a time, not a value to optimise"));
        }
        Ok(Self {
            key: key.to_string(),
            direction,
        })
    }
}

/// One swept parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// As written in `[optimize.params]`.
    pub path: String,
    /// Its column and chart name: the path's last part when no other
    /// parameter shares it, else the whole path.
    pub name: String,
    /// The constraint's variable for it, when `name` is an identifier.
    pub variable: Option<String>,
    pub target: Target,
    pub domain: Domain,
}

/// Points a Bayesian search asks at a time unless `[optimize] batch` says.
pub const DEFAULT_BATCH: usize = 8;

/// What the command line says over the `[optimize]` table.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub method: Option<Method>,
    pub max_tries: Option<u64>,
    pub objective: Option<Objective>,
    pub seed: Option<u64>,
}

/// A checked `[optimize]` table with the document its points are written
/// into.
#[derive(Debug)]
pub struct OptimizeSpec {
    pub path: PathBuf,
    pub source: String,
    pub method: Method,
    pub objective: Objective,
    pub params: Vec<Param>,
    pub constraint: Option<Constraint>,
    pub max_tries: Option<u64>,
    pub seed: u64,
    /// Points the Bayesian search asks at a time.
    pub batch: usize,
    pub document: DocumentMut,
}

/// `constraint = "fast < slow"`, compiled, with where it was written.
#[derive(Debug)]
pub struct Constraint {
    pub text: String,
    pub expression: BoolExpression,
    span: std::ops::Range<usize>,
}

#[derive(Debug, Deserialize)]
struct OptimizeFile {
    optimize: Option<Spanned<RawOptimize>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOptimize {
    method: Option<Spanned<Method>>,
    maximize: Option<Spanned<String>>,
    minimize: Option<Spanned<String>>,
    constraint: Option<Spanned<String>>,
    max_tries: Option<Spanned<u64>>,
    seed: Option<u64>,
    batch: Option<Spanned<usize>>,
    #[serde(default)]
    params: BTreeMap<String, Spanned<toml::Value>>,
}

impl OptimizeSpec {
    /// Reads the `[optimize]` table of the config text `source`.
    ///
    /// # Errors
    /// A located [`ConfigError`]: no table, an unknown field, a path that
    /// names nothing, an empty or malformed range, a bad constraint.
    pub fn parse(path: &Path, source: &str, overrides: &Overrides) -> Result<Self, ConfigError> {
        let file: OptimizeFile =
            toml::from_str(source).map_err(|e| ConfigError::from_toml(path, source, &e))?;
        let Some(table) = file.optimize else {
            return Err(ConfigError::file(
                path,
                "no [optimize] table: add one that names the parameters to search, e.g.\n  \
                 [optimize.params]\n  \"strategies.<id>.params.fast\" = { from = 5, to = 50, step = 5 }",
            ));
        };
        let span = table.span();
        let raw = table.into_inner();
        let at = Checker { path, source };
        let method = overrides
            .method
            .or(raw.method.as_ref().map(|m| *m.get_ref()))
            .unwrap_or(Method::Grid);
        let objective = match &overrides.objective {
            Some(objective) => objective.clone(),
            None => raw_objective(&raw, &at, span.clone())?,
        };
        let document: DocumentMut = source
            .parse()
            .map_err(|e: toml_edit::TomlError| ConfigError::file(path, e.to_string()))?;
        if raw.params.is_empty() {
            return Err(at.fail(span, "optimize.params", "names no parameter to search"));
        }
        // In the order written (the map sorts by name).
        let mut entries: Vec<(&String, &Spanned<toml::Value>)> = raw.params.iter().collect();
        entries.sort_by_key(|(_, v)| v.span().start);
        let mut params = Vec::with_capacity(entries.len());
        for (key, value) in &entries {
            let field = format!("optimize.params.\"{key}\"");
            let (steps, existing) = space::resolve(&document, key)
                .map_err(|m| at.fail(value.span(), &field, format!("names nothing: {m}")))?;
            let domain = domain(value, existing, method, &at, &field)?;
            let kind = match existing {
                Existing::Number(kind) => kind,
                Existing::Absent if is_integer(&domain) => ValueKind::Integer,
                Existing::Absent => ValueKind::Float,
            };
            params.push(Param {
                path: (*key).clone(),
                name: String::new(),
                variable: None,
                target: Target::new(steps, kind, existing == Existing::Absent),
                domain,
            });
        }
        name_params(&mut params);
        let constraint = raw
            .constraint
            .map(|c| {
                let expression = BoolExpression::compile(c.get_ref()).map_err(|e| {
                    // One past the opening quote, then the column in the text.
                    let offset = c.span().start + 1 + e.column.map_or(0, |col| col - 1);
                    at.fail(offset..offset, "optimize.constraint", e.message)
                })?;
                Ok::<_, ConfigError>(Constraint {
                    text: c.get_ref().clone(),
                    expression,
                    span: c.span(),
                })
            })
            .transpose()?;
        let max_tries = overrides
            .max_tries
            .or(raw.max_tries.as_ref().map(|m| *m.get_ref()));
        if let Some(m) = &raw.max_tries
            && *m.get_ref() == 0
        {
            return Err(at.fail(m.span(), "optimize.max_tries", "must be at least 1"));
        }
        if max_tries.is_none() && method != Method::Grid {
            return Err(at.fail(
                span,
                "optimize.max_tries",
                format!(
                    "a {} search needs max_tries (or --{} N on the command line)",
                    method.name(),
                    if method == Method::Random {
                        "random"
                    } else {
                        "bayes"
                    }
                ),
            ));
        }
        let batch = match &raw.batch {
            Some(b) if *b.get_ref() == 0 => {
                return Err(at.fail(b.span(), "optimize.batch", "must be at least 1"));
            }
            Some(b) => *b.get_ref(),
            None => DEFAULT_BATCH,
        };
        Ok(Self {
            path: path.to_path_buf(),
            source: source.to_string(),
            method,
            objective,
            params,
            constraint,
            max_tries,
            seed: overrides.seed.or(raw.seed).unwrap_or(0),
            batch,
            document,
        })
    }

    /// The config text with `point` written in.
    ///
    /// # Errors
    /// An internal error when a resolved place is gone.
    pub fn config_text(&self, point: &[ParamNumber]) -> Result<String, String> {
        let mut document = self.document.clone();
        for (param, value) in self.params.iter().zip(point) {
            space::write(&mut document, &param.target, *value)?;
        }
        Ok(document.to_string())
    }

    /// Whether `point` passes the constraint.
    ///
    /// # Errors
    /// A located error when the constraint fails to evaluate or is not a
    /// boolean at this point.
    pub fn admits(&self, point: &[ParamNumber]) -> Result<bool, ConfigError> {
        let Some(constraint) = &self.constraint else {
            return Ok(true);
        };
        let values: Vec<(Option<&str>, &str, _)> = self
            .params
            .iter()
            .zip(point)
            .map(|(p, v)| (p.variable.as_deref(), p.path.as_str(), v.expr()))
            .collect();
        constraint.expression.eval(&values).map_err(|e| {
            let shown: Vec<String> = self
                .params
                .iter()
                .zip(point)
                .map(|(p, v)| format!("{} = {v}", p.name))
                .collect();
            ConfigError::at(
                &self.path,
                &self.source,
                constraint.span.clone(),
                "optimize.constraint",
                format!("{} (at {})", e.message, shown.join(", ")),
            )
        })
    }

    /// A located error about the constraint as a whole.
    #[must_use]
    pub fn constraint_error(&self, message: &str) -> ConfigError {
        match &self.constraint {
            Some(c) => ConfigError::at(
                &self.path,
                &self.source,
                c.span.clone(),
                "optimize.constraint",
                message,
            ),
            None => ConfigError::file(&self.path, message),
        }
    }
}

fn raw_objective(
    raw: &RawOptimize,
    at: &Checker<'_>,
    span: std::ops::Range<usize>,
) -> Result<Objective, ConfigError> {
    let (key, direction, field) = match (&raw.maximize, &raw.minimize) {
        (Some(_), Some(min)) => {
            return Err(at.fail(
                min.span(),
                "optimize.minimize",
                "give maximize or minimize, not both",
            ));
        }
        (Some(max), None) => (max, Direction::Maximize, "optimize.maximize"),
        (None, Some(min)) => (min, Direction::Minimize, "optimize.minimize"),
        (None, None) => {
            return Objective::new("Sharpe Ratio", Direction::Maximize)
                .map_err(|m| at.fail(span, "optimize", m));
        }
    };
    Objective::new(key.get_ref(), direction).map_err(|m| at.fail(key.span(), field, m))
}

fn is_integer(domain: &Domain) -> bool {
    match domain {
        Domain::List(values) => values.iter().all(|v| matches!(v, ParamNumber::Int(_))),
        Domain::Stepped { integer, .. } | Domain::Continuous { integer, .. } => *integer,
    }
}

/// A TOML number as an exact decimal, and whether it was an integer.
fn decimal_of(value: &toml::Value) -> Option<(Decimal, bool)> {
    match value {
        toml::Value::Integer(i) => Some((Decimal::from(*i), true)),
        toml::Value::Float(f) if f.is_finite() => {
            Decimal::from_str(&f.to_string()).ok().map(|d| (d, false))
        }
        toml::Value::String(s) => Decimal::from_str(s.trim()).ok().map(|d| (d, false)),
        _ => None,
    }
}

fn domain(
    value: &Spanned<toml::Value>,
    existing: Existing,
    method: Method,
    at: &Checker<'_>,
    field: &str,
) -> Result<Domain, ConfigError> {
    let fail = |message: String| at.fail(value.span(), field, message);
    let integer_place = existing == Existing::Number(ValueKind::Integer);
    let fit = |d: Decimal, was_integer: bool| -> Result<ParamNumber, ConfigError> {
        if was_integer || (integer_place && d.fract().is_zero()) {
            d.to_i64()
                .map(ParamNumber::Int)
                .ok_or_else(|| fail(format!("{d} is out of range")))
        } else if integer_place {
            Err(fail(format!(
                "{} does not fit the value's precision: the config holds an integer here",
                d.normalize()
            )))
        } else {
            Ok(ParamNumber::Decimal(d))
        }
    };
    match value.get_ref() {
        toml::Value::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                let (d, was_integer) = decimal_of(item)
                    .ok_or_else(|| fail(format!("list items must be numbers, not {item}")))?;
                let v = fit(d, was_integer)?;
                if values.contains(&v) {
                    return Err(fail(format!("{v} is listed twice")));
                }
                values.push(v);
            }
            if values.is_empty() {
                return Err(fail("the list is empty".into()));
            }
            Ok(Domain::List(values))
        }
        toml::Value::Table(table) => {
            for key in table.keys() {
                if !matches!(key.as_str(), "from" | "to" | "step" | "log") {
                    return Err(fail(format!(
                        "unknown key '{key}' in a range (expected from, to, step, log)"
                    )));
                }
            }
            let bound = |name: &str| -> Result<(Decimal, bool), ConfigError> {
                let v = table
                    .get(name)
                    .ok_or_else(|| fail(format!("a range needs '{name}'")))?;
                decimal_of(v).ok_or_else(|| fail(format!("'{name}' must be a number, not {v}")))
            };
            let (from, from_int) = bound("from")?;
            let (to, to_int) = bound("to")?;
            let log = match table.get("log") {
                None => false,
                Some(toml::Value::Boolean(b)) => *b,
                Some(other) => {
                    return Err(fail(format!("'log' must be true or false, not {other}")));
                }
            };
            if from > to {
                return Err(fail(format!(
                    "the range is empty: from {from} is above to {to}"
                )));
            }
            if table.contains_key("step") {
                if log {
                    return Err(fail("a range has a step or log = true, not both".into()));
                }
                let (step, step_int) = bound("step")?;
                if step <= Decimal::ZERO {
                    return Err(fail(format!("the step must be above 0, not {step}")));
                }
                let integer = from_int && to_int && step_int;
                if integer_place && !integer && !(from.fract().is_zero() && step.fract().is_zero())
                {
                    return Err(fail(format!(
                        "a step of {} does not fit the value's precision: the config holds an integer here",
                        step.normalize()
                    )));
                }
                let count = ((to - from) / step).floor().to_u64().map(|n| n + 1);
                let count = count.ok_or_else(|| fail("the range has too many steps".into()))?;
                Ok(Domain::Stepped {
                    from,
                    step,
                    count,
                    integer: integer || integer_place,
                })
            } else {
                if method == Method::Grid {
                    return Err(fail(
                        "a grid needs a step or a list; a range without one (or with log = true) is for random and bayesian searches"
                            .into(),
                    ));
                }
                if log && from <= Decimal::ZERO {
                    return Err(fail(format!(
                        "a log range must start above 0, not at {from}"
                    )));
                }
                if from == to {
                    return Err(fail("the range is a single value: list it instead".into()));
                }
                if integer_place && !(from.fract().is_zero() && to.fract().is_zero()) {
                    return Err(fail(format!(
                        "from {} to {} does not fit the value's precision: the config holds an integer here",
                        from.normalize(),
                        to.normalize()
                    )));
                }
                let integer = (from_int && to_int) || integer_place;
                Ok(Domain::Continuous {
                    from,
                    to,
                    log,
                    scale: if integer {
                        0
                    } else {
                        from.scale().max(to.scale())
                    },
                    integer,
                })
            }
        }
        other => Err(fail(format!(
            "expected a list of values or a range {{ from, to, step }}, not {other}"
        ))),
    }
}

/// Gives each parameter its short name where that is unambiguous.
fn name_params(params: &mut [Param]) {
    let last = |p: &Param| p.path.rsplit('.').next().unwrap_or(&p.path).to_string();
    let lasts: Vec<String> = params.iter().map(last).collect();
    for (i, param) in params.iter_mut().enumerate() {
        let short = &lasts[i];
        let unique = lasts.iter().filter(|l| *l == short).count() == 1;
        param.name = if unique {
            short.clone()
        } else {
            param.path.clone()
        };
        let identifier = param
            .name
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && param
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        param.variable = identifier.then(|| param.name.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
[backtest]
name = "t"

[[venues]]
name = "SIM"
slippage = { ticks = 0 }

[[strategies]]
id = "EMA"
params = { fast = 10, slow = 30, size = 1.0 }
"#;

    fn parse(optimize: &str) -> Result<OptimizeSpec, ConfigError> {
        let text = format!("{BASE}\n{optimize}");
        OptimizeSpec::parse(Path::new("c.toml"), &text, &Overrides::default())
    }

    #[test]
    fn reads_ranges_lists_and_the_constraint() {
        let spec = parse(
            r#"[optimize]
maximize = "Return [%]"
constraint = "fast < slow"
[optimize.params]
"strategies.EMA.params.slow" = [20, 30]
"strategies.EMA.params.fast" = { from = 5, to = 15, step = 5 }
"strategies.EMA.params.size" = { from = 0.5, to = 1.0, step = 0.25 }
"#,
        )
        .unwrap();
        let names: Vec<&str> = spec.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["slow", "fast", "size"], "in the order written");
        assert_eq!(spec.params[1].domain.size(), Some(3));
        assert_eq!(spec.params[2].domain.value(2).unwrap().to_string(), "1");
        assert_eq!(spec.objective.key, "Return [%]");
        let point = [
            ParamNumber::Int(20),
            ParamNumber::Int(15),
            ParamNumber::Int(1),
        ];
        assert!(spec.admits(&point).unwrap());
        let text = spec.config_text(&point).unwrap();
        assert!(
            text.contains("params = { fast = 15, slow = 20, size = 1.0 }"),
            "{text}"
        );
    }

    #[test]
    fn bad_tables_are_located_errors() {
        let cases = [
            ("[optimize]\nmaximise = \"SQN\"\n", "unknown field"),
            (
                "[optimize]\nmaximize = \"Sharp Ratio\"\n[optimize.params]\n\"venues.SIM.slippage.ticks\" = [1]\n",
                "did you mean 'Sharpe Ratio'",
            ),
            (
                "[optimize.params]\n\"strategies.X.params.fast\" = [1]\n",
                "names nothing",
            ),
            (
                "[optimize.params]\n\"venues.SIM.slippage.ticks\" = { from = 3, to = 1, step = 1 }\n",
                "empty",
            ),
            (
                "[optimize.params]\n\"venues.SIM.slippage.ticks\" = { from = 0, to = 3, step = 0 }\n",
                "above 0",
            ),
            (
                "[optimize.params]\n\"venues.SIM.slippage.ticks\" = { from = 0, to = 3, step = 0.5 }\n",
                "precision",
            ),
            (
                "[optimize.params]\n\"venues.SIM.slippage.ticks\" = { from = 0, to = 3 }\n",
                "a grid needs a step",
            ),
            (
                "[optimize]\nconstraint = \"fast <\"\n[optimize.params]\n\"venues.SIM.slippage.ticks\" = [1]\n",
                "syntax error",
            ),
            (
                "[optimize]\nmethod = \"random\"\n[optimize.params]\n\"venues.SIM.slippage.ticks\" = [1]\n",
                "needs max_tries",
            ),
        ];
        for (table, expected) in cases {
            let error = parse(table).unwrap_err();
            assert!(error.to_string().contains(expected), "{table}: {error}");
            assert!(error.line.is_some(), "{table}: {error}");
        }
        let error = parse("").unwrap_err();
        assert!(error.message.contains("no [optimize] table"), "{error}");
    }

    #[test]
    fn shared_last_parts_use_full_paths() {
        let spec = parse(
            "[optimize.params]\n\"strategies.EMA.params.size\" = [1]\n\"strategies.0.params.size\" = [1]\n",
        )
        .unwrap();
        assert_eq!(spec.params[0].name, "strategies.EMA.params.size");
        assert_eq!(spec.params[0].variable, None);
    }
}
