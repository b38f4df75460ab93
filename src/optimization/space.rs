//! The search space: each parameter's path into the config, its values,
//! and the config text with one point's values written in.
//!
//! A point is written into the user's own TOML document (`toml_edit`), at
//! the place each path names, keeping everything else as written: a config
//! that a point makes invalid is reported at the user's own line, and
//! `best.toml` is the user's file with the best values in it.

use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use toml_edit::{DocumentMut, InlineTable, Item, TableLike, Value};

use crate::trading::script::ExprNumber;

/// One parameter's value at one point: an integer, or an exact decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParamNumber {
    Int(i64),
    Decimal(Decimal),
}

impl ParamNumber {
    /// As the constraint sees it.
    #[must_use]
    pub fn expr(self) -> ExprNumber {
        match self {
            Self::Int(i) => ExprNumber::Int(i),
            Self::Decimal(d) => ExprNumber::Float(d.to_f64().unwrap_or(f64::NAN)),
        }
    }

    /// As a float, for charts and the Bayesian search.
    #[must_use]
    pub fn as_f64(self) -> f64 {
        match self {
            #[allow(clippy::cast_precision_loss, reason = "parameter values are small")]
            Self::Int(i) => i as f64,
            Self::Decimal(d) => d.to_f64().unwrap_or(f64::NAN),
        }
    }

    fn decimal(self) -> Decimal {
        match self {
            Self::Int(i) => Decimal::from(i),
            Self::Decimal(d) => d,
        }
    }
}

/// In part files: integers as JSON numbers, decimals as their exact text.
impl serde::Serialize for ParamNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Int(i) => serializer.serialize_i64(*i),
            Self::Decimal(_) => serializer.serialize_str(&self.to_string()),
        }
    }
}

impl<'de> serde::Deserialize<'de> for ParamNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Int(i64),
            Text(String),
        }
        match Repr::deserialize(deserializer)? {
            Repr::Int(i) => Ok(Self::Int(i)),
            Repr::Text(text) => Decimal::from_str(&text)
                .map(Self::Decimal)
                .map_err(serde::de::Error::custom),
        }
    }
}

impl std::fmt::Display for ParamNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Int(i) => write!(f, "{i}"),
            Self::Decimal(d) => write!(f, "{}", d.normalize()),
        }
    }
}

/// How a value is written into the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A TOML integer: only integer values fit.
    Integer,
    /// A TOML float.
    Float,
    /// A number written as a string (`"0.5"`).
    Text,
}

/// The values a parameter takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    /// An explicit list, in the order written.
    List(Vec<ParamNumber>),
    /// `from`, `from + step`, … (`count` values, all ≤ `to`).
    Stepped {
        from: Decimal,
        step: Decimal,
        count: u64,
        integer: bool,
    },
    /// Any value in `[from, to]` at `scale` decimals (log-uniform when
    /// `log`): random and Bayesian searches only.
    Continuous {
        from: Decimal,
        to: Decimal,
        log: bool,
        scale: u32,
        integer: bool,
    },
}

impl Domain {
    /// How many values a grid takes; `None` for a continuous range.
    #[must_use]
    pub fn size(&self) -> Option<u64> {
        match self {
            Self::List(values) => u64::try_from(values.len()).ok(),
            Self::Stepped { count, .. } => Some(*count),
            Self::Continuous { .. } => None,
        }
    }

    /// The `index`th value of a discrete domain.
    #[must_use]
    pub fn value(&self, index: u64) -> Option<ParamNumber> {
        match self {
            Self::List(values) => values.get(usize::try_from(index).ok()?).copied(),
            Self::Stepped {
                from,
                step,
                count,
                integer,
            } => {
                if index >= *count {
                    return None;
                }
                let value = from.checked_add(step.checked_mul(Decimal::from(index))?)?;
                Some(number(value, *integer))
            }
            Self::Continuous { .. } => None,
        }
    }

    /// The position of `value` in a discrete domain.
    #[must_use]
    pub fn index_of(&self, value: ParamNumber) -> Option<u64> {
        match self {
            Self::List(values) => values
                .iter()
                .position(|v| *v == value)
                .and_then(|i| u64::try_from(i).ok()),
            Self::Stepped {
                from, step, count, ..
            } => {
                let offset = value.decimal().checked_sub(*from)?;
                let index = offset.checked_div(*step)?;
                if index.fract() != Decimal::ZERO || index.is_sign_negative() {
                    return None;
                }
                index.to_u64().filter(|i| i < count)
            }
            Self::Continuous { .. } => None,
        }
    }

    /// A value drawn from `unit` in `[0, 1)`: uniform over a discrete
    /// domain's values, or over a continuous range (its logarithm when
    /// `log`), rounded to the range's scale.
    #[must_use]
    pub fn draw(&self, unit: f64) -> Option<ParamNumber> {
        match self {
            Self::List(_) | Self::Stepped { .. } => {
                let len = self.size()?;
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    clippy::cast_precision_loss,
                    reason = "unit < 1 keeps the index below len"
                )]
                let index = ((unit * len as f64) as u64).min(len.saturating_sub(1));
                self.value(index)
            }
            Self::Continuous {
                from,
                to,
                log,
                scale,
                integer,
            } => {
                let (lo, hi) = (from.to_f64()?, to.to_f64()?);
                let x = if *log {
                    (lo.ln() + unit * (hi.ln() - lo.ln())).exp()
                } else {
                    lo + unit * (hi - lo)
                };
                let value = Decimal::from_f64_retain(x)?
                    .round_dp(*scale)
                    .clamp(*from, *to);
                Some(number(value, *integer))
            }
        }
    }
}

fn number(value: Decimal, integer: bool) -> ParamNumber {
    if integer {
        value
            .to_i64()
            .map_or(ParamNumber::Decimal(value), ParamNumber::Int)
    } else {
        ParamNumber::Decimal(value)
    }
}

/// One step of a resolved path: a key of a table, or an element of an
/// array of tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Where a parameter's value lives in the document, and how it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    steps: Vec<Step>,
    pub kind: ValueKind,
    /// The config did not hold a value here: the sweep adds it.
    pub added: bool,
}

/// What the config holds at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// A number of this kind.
    Number(ValueKind),
    /// Nothing yet: the path ends in keys missing from a table that
    /// exists (the sweep adds them).
    Absent,
}

/// Finds `path` in `doc`. Segments are split at dots; an array of tables
/// (`[[strategies]]`, `[[venues]]`, …) is indexed by an element's `id` or
/// `name` (which may contain dots: `instruments.SYNTH.SIM.taker_fee`) or by
/// its 0-based position. Keys missing below a table that exists are
/// added when a value is written (`venues.SIM.slippage.ticks` adds
/// `slippage = { ticks = … }`), and the config then checks them.
///
/// # Errors
/// A message saying how far the path got and why it names nothing.
pub fn resolve(doc: &DocumentMut, path: &str) -> Result<(Vec<Step>, Existing), String> {
    let segments: Vec<&str> = path.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err("a path is dot-separated names, none of them empty".into());
    }
    let mut steps = Vec::new();
    let existing = walk(Node::Table(doc.as_table()), &segments, &mut steps, "")?;
    Ok((steps, existing))
}

impl Target {
    #[must_use]
    pub const fn new(steps: Vec<Step>, kind: ValueKind, added: bool) -> Self {
        Self { steps, kind, added }
    }
}

enum Node<'a> {
    Table(&'a dyn TableLike),
    Array(Vec<Node<'a>>),
    Scalar(&'a Value),
}

fn item_node(item: &Item) -> Option<Node<'_>> {
    match item {
        Item::Table(t) => Some(Node::Table(t)),
        Item::ArrayOfTables(a) => Some(Node::Array(
            a.iter().map(|t| Node::Table(t as &dyn TableLike)).collect(),
        )),
        Item::Value(v) => Some(value_node(v)),
        Item::None => None,
    }
}

fn value_node(value: &Value) -> Node<'_> {
    match value {
        Value::InlineTable(t) => Node::Table(t),
        Value::Array(a) => Node::Array(a.iter().map(value_node).collect()),
        other => Node::Scalar(other),
    }
}

fn scalar_kind(value: &Value) -> Option<ValueKind> {
    match value {
        Value::Integer(_) => Some(ValueKind::Integer),
        Value::Float(_) => Some(ValueKind::Float),
        Value::String(s) if Decimal::from_str(s.value().trim()).is_ok() => Some(ValueKind::Text),
        _ => None,
    }
}

fn element_name<'a>(node: &Node<'a>) -> Option<&'a str> {
    let Node::Table(table) = node else {
        return None;
    };
    ["id", "name"]
        .iter()
        .find_map(|key| table.get(key).and_then(Item::as_str))
}

fn walk(
    node: Node<'_>,
    segments: &[&str],
    steps: &mut Vec<Step>,
    done: &str,
) -> Result<Existing, String> {
    let here = if done.is_empty() { "the config" } else { done };
    let Some(first) = segments.first() else {
        return match node {
            Node::Scalar(value) => scalar_kind(value)
                .map(Existing::Number)
                .ok_or_else(|| format!("{here} is {}, not a number", value.type_name())),
            Node::Table(_) => Err(format!("{here} is a table, not a number")),
            Node::Array(_) => Err(format!("{here} is an array, not a number")),
        };
    };
    let joined = |k: usize| segments[..k].join(".");
    let next_done = |k: usize| {
        if done.is_empty() {
            joined(k)
        } else {
            format!("{done}.{}", joined(k))
        }
    };
    match node {
        Node::Table(table) => {
            for k in 1..=segments.len() {
                let key = joined(k);
                if let Some(child) = table.get(&key).and_then(item_node) {
                    steps.push(Step::Key(key));
                    return walk(child, &segments[k..], steps, &next_done(k));
                }
            }
            // Missing keys are added (tables inline), and the config then
            // says whether it knows them.
            steps.extend(segments.iter().map(|s| Step::Key((*s).to_string())));
            Ok(Existing::Absent)
        }
        Node::Array(elements) => {
            let names: Vec<Option<&str>> = elements.iter().map(element_name).collect();
            for k in (1..=segments.len()).rev() {
                let key = joined(k);
                let position = names
                    .iter()
                    .position(|n| *n == Some(key.as_str()))
                    .or_else(|| key.parse::<usize>().ok().filter(|i| *i < elements.len()));
                if let Some(i) = position {
                    let child = elements.into_iter().nth(i).ok_or("array changed")?;
                    steps.push(Step::Index(i));
                    return walk(child, &segments[k..], steps, &next_done(k));
                }
            }
            let named: Vec<&str> = names.iter().flatten().copied().collect();
            Err(format!(
                "{here} has no element named '{first}' (by id or name: {}; or a 0-based index below {})",
                if named.is_empty() {
                    "none".to_string()
                } else {
                    named.join(", ")
                },
                elements.len()
            ))
        }
        Node::Scalar(value) => Err(format!(
            "{here} is {}, which has no '{first}'",
            value.type_name()
        )),
    }
}

/// The TOML value written for `number` into a place of `kind`.
fn toml_value(number: ParamNumber, kind: ValueKind) -> Value {
    match (kind, number) {
        (ValueKind::Integer | ValueKind::Float, ParamNumber::Int(i))
            if kind == ValueKind::Integer =>
        {
            Value::from(i)
        }
        (ValueKind::Text, n) => Value::from(n.to_string()),
        // A float's shortest text is the decimal's, so the config reads
        // back the exact decimal (it parses numbers from their text).
        (_, n) => Value::from(n.to_string().parse::<f64>().unwrap_or(f64::NAN)),
    }
}

/// Writes `number` at `target` in `doc`, keeping the old value's spacing
/// and comments.
///
/// # Errors
/// When the document no longer has the place (it was resolved on the
/// same document, so this is an internal error).
pub fn write(doc: &mut DocumentMut, target: &Target, number: ParamNumber) -> Result<(), String> {
    let new = toml_value(number, target.kind);
    set_in_table(doc.as_table_mut(), &target.steps, new)
        .ok_or_else(|| "the parameter's place vanished from the config".to_string())
}

fn replace(old: &mut Value, mut new: Value) {
    *new.decor_mut() = old.decor().clone();
    *old = new;
}

fn set_in_table(table: &mut dyn TableLike, steps: &[Step], new: Value) -> Option<()> {
    let (Step::Key(key), rest) = steps.split_first()? else {
        return None;
    };
    match table.get_mut(key) {
        Some(item) => set_in_item(item, rest, new),
        None if rest.is_empty() => {
            table.insert(key, Item::Value(new));
            Some(())
        }
        None => {
            table.insert(key, Item::Value(Value::InlineTable(InlineTable::new())));
            set_in_item(table.get_mut(key)?, rest, new)
        }
    }
}

fn set_in_item(item: &mut Item, steps: &[Step], new: Value) -> Option<()> {
    match item {
        Item::Value(value) => set_in_value(value, steps, new),
        Item::Table(table) => set_in_table(table, steps, new),
        Item::ArrayOfTables(array) => match steps.split_first()? {
            (Step::Index(i), rest) => set_in_table(array.get_mut(*i)?, rest, new),
            _ => None,
        },
        Item::None => None,
    }
}

fn set_in_value(value: &mut Value, steps: &[Step], new: Value) -> Option<()> {
    if steps.is_empty() {
        replace(value, new);
        return Some(());
    }
    match value {
        Value::InlineTable(table) => set_in_table(table, steps, new),
        Value::Array(array) => match steps.split_first()? {
            (Step::Index(i), rest) => set_in_value(array.get_mut(*i)?, rest, new),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
[backtest]
name = "t"

[[venues]]
name = "SIM"
slippage = { ticks = 0 }   # keep me

[[instruments]]
id = "SYNTH.SIM"
taker_fee = "0.001"

[[strategies]]
id = "EMA-10-30"
params = { fast = 10, slow = 30, size = 1.0 }
"#;

    fn doc() -> DocumentMut {
        CONFIG.parse().unwrap()
    }

    fn set(path: &str, number: ParamNumber) -> String {
        let mut d = doc();
        let (steps, existing) = resolve(&d, path).unwrap();
        let kind = match existing {
            Existing::Number(kind) => kind,
            Existing::Absent => ValueKind::Integer,
        };
        let target = Target::new(steps, kind, existing == Existing::Absent);
        write(&mut d, &target, number).unwrap();
        d.to_string()
    }

    #[test]
    fn paths_find_elements_by_id_name_or_index() {
        let text = set("strategies.EMA-10-30.params.fast", ParamNumber::Int(5));
        assert!(
            text.contains("params = { fast = 5, slow = 30, size = 1.0 }"),
            "{text}"
        );
        let text = set("venues.0.slippage.ticks", ParamNumber::Int(2));
        assert!(
            text.contains("slippage = { ticks = 2 }   # keep me"),
            "{text}"
        );
        let text = set(
            "instruments.SYNTH.SIM.taker_fee",
            ParamNumber::Decimal(Decimal::new(25, 4)),
        );
        assert!(text.contains("taker_fee = \"0.0025\""), "{text}");
        let text = set(
            "strategies.EMA-10-30.params.size",
            ParamNumber::Decimal(Decimal::new(50, 2)),
        );
        assert!(text.contains("size = 0.5 }"), "{text}");
    }

    #[test]
    fn missing_keys_are_added() {
        let text = set("strategies.EMA-10-30.params.period", ParamNumber::Int(7));
        assert!(text.contains("period = 7"), "{text}");
        let text = set("venues.SIM.latency.base_ms", ParamNumber::Int(5));
        assert!(text.contains("latency = { base_ms = 5 }"), "{text}");
    }

    #[test]
    fn paths_that_name_nothing_say_why() {
        let d = doc();
        let e = resolve(&d, "strategies.EMA-9.params.fast").unwrap_err();
        assert!(
            e.contains("no element named 'EMA-9'") && e.contains("EMA-10-30"),
            "{e}"
        );
        let e = resolve(&d, "backtest.name").unwrap_err();
        assert!(e.contains("not a number"), "{e}");
        let e = resolve(&d, "venues.SIM.slippage").unwrap_err();
        assert!(e.contains("a table"), "{e}");
    }

    #[test]
    fn stepped_domains_are_exact_decimals() {
        let d = Domain::Stepped {
            from: Decimal::new(1, 1),
            step: Decimal::new(1, 1),
            count: 3,
            integer: false,
        };
        let values: Vec<String> = (0..3).map(|i| d.value(i).unwrap().to_string()).collect();
        assert_eq!(values, ["0.1", "0.2", "0.3"]);
        assert_eq!(
            d.index_of(ParamNumber::Decimal(Decimal::new(3, 1))),
            Some(2)
        );
        assert_eq!(d.index_of(ParamNumber::Decimal(Decimal::new(35, 2))), None);
        assert_eq!(d.value(3), None);
    }

    #[test]
    fn continuous_draws_stay_in_range_at_their_scale() {
        let d = Domain::Continuous {
            from: Decimal::new(1, 2),
            to: Decimal::new(100, 0),
            log: true,
            scale: 2,
            integer: false,
        };
        for k in 0..100 {
            let ParamNumber::Decimal(v) = d.draw(f64::from(k) / 100.0).unwrap() else {
                panic!("decimal expected");
            };
            assert!(v >= Decimal::new(1, 2) && v <= Decimal::new(100, 0));
            assert!(v.scale() <= 2);
        }
    }
}
