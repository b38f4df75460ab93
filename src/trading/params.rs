//! Strategy parameters as the config gives them, read with errors that name
//! the parameter.

use std::collections::BTreeMap;

/// One parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Int(i64),
    Float(f64),
    /// Decimal text kept exact (for sizes and prices).
    Text(String),
    Bool(bool),
}

/// A parameter is missing, of the wrong type or out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter '{name}': {reason}")]
pub struct ParamError {
    pub name: String,
    pub reason: String,
}

/// The `params` table of one strategy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    values: BTreeMap<String, ParamValue>,
}

impl Params {
    #[must_use]
    pub const fn new(values: BTreeMap<String, ParamValue>) -> Self {
        Self { values }
    }

    /// Every parameter, in name order.
    #[must_use]
    pub const fn values(&self) -> &BTreeMap<String, ParamValue> {
        &self.values
    }

    fn err(name: &str, reason: impl Into<String>) -> ParamError {
        ParamError {
            name: name.to_string(),
            reason: reason.into(),
        }
    }

    /// A whole number ≥ `min`, or `default` when absent.
    ///
    /// # Errors
    /// When present but not a whole number ≥ `min`.
    pub fn usize_or(&self, name: &str, default: usize, min: usize) -> Result<usize, ParamError> {
        let value = match self.values.get(name) {
            None => return Ok(default),
            Some(ParamValue::Int(v)) => usize::try_from(*v)
                .map_err(|_| Self::err(name, format!("must be ≥ {min}, got {v}")))?,
            Some(other) => {
                return Err(Self::err(
                    name,
                    format!("expected a whole number, got {other:?}"),
                ));
            }
        };
        if value < min {
            return Err(Self::err(name, format!("must be ≥ {min}, got {value}")));
        }
        Ok(value)
    }

    /// A decimal as raw at the global scale (from an integer, a float's
    /// shortest text, or a string), or `default_raw` when absent.
    ///
    /// # Errors
    /// When present but not a decimal.
    pub fn decimal_raw_or(&self, name: &str, default_raw: i128) -> Result<i128, ParamError> {
        let text = match self.values.get(name) {
            None => return Ok(default_raw),
            Some(ParamValue::Int(v)) => v.to_string(),
            // Rust prints the shortest text that round-trips, so 0.1 reads as "0.1".
            Some(ParamValue::Float(v)) => v.to_string(),
            Some(ParamValue::Text(t)) => t.clone(),
            Some(ParamValue::Bool(_)) => {
                return Err(Self::err(name, "expected a number, got a boolean"));
            }
        };
        crate::core::fixed::parse_raw(&text)
            .map(|(raw, _)| raw)
            .map_err(|e| Self::err(name, e.to_string()))
    }

    /// A fraction in (0, 1] as raw at the global scale, or `default_raw`.
    ///
    /// # Errors
    /// When present but not a decimal in (0, 1].
    pub fn fraction_or(&self, name: &str, default_raw: i128) -> Result<i128, ParamError> {
        let raw = self.decimal_raw_or(name, default_raw)?;
        if raw <= 0 || raw > crate::core::fixed::FIXED_SCALAR {
            return Err(Self::err(name, "must be in (0, 1]"));
        }
        Ok(raw)
    }

    /// Fails on a parameter that is not in `known`, with a suggestion.
    ///
    /// # Errors
    /// For the first unknown parameter.
    pub fn reject_unknown(&self, known: &[&str]) -> Result<(), ParamError> {
        for name in self.values.keys() {
            if !known.contains(&name.as_str()) {
                return Err(Self::err(
                    name,
                    format!("unknown parameter (known: {})", known.join(", ")),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, ParamValue)]) -> Params {
        Params::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn reads_typed_values_with_defaults() {
        let p = params(&[
            ("fast", ParamValue::Int(10)),
            ("size", ParamValue::Float(0.5)),
        ]);
        assert_eq!(p.usize_or("fast", 1, 1).unwrap(), 10);
        assert_eq!(p.usize_or("slow", 30, 1).unwrap(), 30);
        assert_eq!(p.decimal_raw_or("size", 0).unwrap(), 500_000_000);
        assert_eq!(p.decimal_raw_or("missing", 7).unwrap(), 7);
    }

    #[test]
    fn errors_name_the_parameter() {
        let p = params(&[("fast", ParamValue::Int(0)), ("x", ParamValue::Bool(true))]);
        assert_eq!(
            p.usize_or("fast", 1, 1).unwrap_err().to_string(),
            "parameter 'fast': must be ≥ 1, got 0"
        );
        assert!(p.decimal_raw_or("x", 0).is_err());
        assert_eq!(p.reject_unknown(&["fast"]).unwrap_err().name, "x");
    }
}
