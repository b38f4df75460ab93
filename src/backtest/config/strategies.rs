//! `[[strategies]]`: a built-in or a script, its parameters, its sizer and
//! its script limits.

use super::*;

pub(super) fn sizer(check: &Checker<'_>, raw: &RawSizer) -> Result<Sizer, ConfigError> {
    let kind = raw.kind.get_ref().as_str();
    let span = raw.kind.span();
    let fail = |field: &str, message: String| {
        check.fail(
            raw.kind.span(),
            &format!("strategies.sizer.{field}"),
            message,
        )
    };
    // Each kind's fields; any other field given is an error.
    let (fields, sizer): (&[&str], Result<Sizer, ConfigError>) = match kind {
        "fixed_quantity" => (
            &["quantity"],
            match raw.quantity {
                Some(q) if !q.is_zero() => Ok(Sizer::FixedQuantity(q)),
                _ => Err(fail(
                    "quantity",
                    "fixed_quantity needs a positive 'quantity'".into(),
                )),
            },
        ),
        "fraction_of_equity" => (
            &["fraction"],
            match &raw.fraction {
                Some(value) => {
                    let fraction = check.decimal(value, "strategies.sizer.fraction")?;
                    if fraction <= 0 || fraction > FIXED_SCALAR {
                        Err(check.fail(
                            value.span(),
                            "strategies.sizer.fraction",
                            "must be in (0, 1]",
                        ))
                    } else {
                        Ok(Sizer::FractionOfEquity(fraction))
                    }
                }
                None => Err(fail(
                    "fraction",
                    "fraction_of_equity needs 'fraction'".into(),
                )),
            },
        ),
        "all_in" => (&[], Ok(Sizer::FractionOfEquity(FIXED_SCALAR))),
        "fixed_risk" => (
            &["risk", "atr_period", "atr_multiple"],
            (|| {
                let risk = in_range(check, &span, raw.risk.as_ref(), "risk", 0.0, 1.0)?;
                let atr_multiple = in_range(
                    check,
                    &span,
                    raw.atr_multiple.as_ref(),
                    "atr_multiple",
                    0.0,
                    1e6,
                )?;
                let atr_period = positive(check, &span, raw.atr_period.as_ref(), "atr_period")?;
                Ok(Sizer::FixedRisk {
                    risk,
                    atr_period,
                    atr_multiple,
                })
            })(),
        ),
        "kelly" => (
            &["cap", "min_trades"],
            in_range(check, &span, raw.cap.as_ref(), "cap", 0.0, 1.0).map(|cap| Sizer::Kelly {
                cap,
                min_trades: raw.min_trades.unwrap_or(20),
            }),
        ),
        "volatility_target" => (
            &["target", "lookback"],
            (|| {
                let target = in_range(check, &span, raw.target.as_ref(), "target", 0.0, 100.0)?;
                let lookback = positive(check, &span, raw.lookback.as_ref(), "lookback")?;
                if lookback < 2 {
                    return Err(fail("lookback", "lookback needs at least 2 returns".into()));
                }
                Ok(Sizer::VolatilityTarget { target, lookback })
            })(),
        ),
        other => {
            return Err(check.fail(
                raw.kind.span(),
                "strategies.sizer.kind",
                format!(
                    "unknown sizer '{other}' (expected fixed_quantity, fraction_of_equity, all_in, fixed_risk, kelly or volatility_target)"
                ),
            ));
        }
    };
    let given = [
        ("quantity", raw.quantity.is_some()),
        ("fraction", raw.fraction.is_some()),
        ("risk", raw.risk.is_some()),
        ("atr_period", raw.atr_period.is_some()),
        ("atr_multiple", raw.atr_multiple.is_some()),
        ("cap", raw.cap.is_some()),
        ("min_trades", raw.min_trades.is_some()),
        ("target", raw.target.is_some()),
        ("lookback", raw.lookback.is_some()),
    ];
    if let Some((field, _)) = given.iter().find(|(f, set)| *set && !fields.contains(f)) {
        return Err(fail(
            field,
            format!("'{field}' does not apply to the {kind} sizer"),
        ));
    }
    sizer
}

/// A required number in (low, high].
pub(super) fn in_range(
    check: &Checker<'_>,
    kind: &std::ops::Range<usize>,
    value: Option<&Spanned<f64>>,
    field: &str,
    low: f64,
    high: f64,
) -> Result<f64, ConfigError> {
    let field = format!("strategies.sizer.{field}");
    let Some(value) = value else {
        return Err(check.fail(kind.clone(), &field, "is required for this sizer"));
    };
    let x = *value.get_ref();
    if x > low && x <= high {
        Ok(x)
    } else {
        Err(check.fail(
            value.span(),
            &field,
            format!("must be in ({low}, {high}], got {x}"),
        ))
    }
}

/// A required whole number ≥ 1.
pub(super) fn positive(
    check: &Checker<'_>,
    kind: &std::ops::Range<usize>,
    value: Option<&Spanned<usize>>,
    field: &str,
) -> Result<usize, ConfigError> {
    let field = format!("strategies.sizer.{field}");
    let most = crate::indicators::MAX_PERIOD;
    match value {
        Some(v) if (1..=most).contains(v.get_ref()) => Ok(*v.get_ref()),
        Some(v) => Err(check.fail(v.span(), &field, format!("must be from 1 to {most}"))),
        None => Err(check.fail(kind.clone(), &field, "is required for this sizer")),
    }
}

/// A strategy's `builtin` or `script` (exactly one); a script is compiled
/// here, before any data is read. Returns the span errors about it point at.
pub(super) fn strategy_logic(
    check: &Checker<'_>,
    raw: &RawStrategy,
    base_dir: &Path,
) -> Result<(StrategyLogic, std::ops::Range<usize>), ConfigError> {
    match (&raw.builtin, &raw.script) {
        (Some(name), None) => {
            if let Some(limits) = &raw.limits {
                return Err(check.fail(
                    limits.span(),
                    "strategies.limits",
                    "limits apply to script strategies only",
                ));
            }
            Ok((StrategyLogic::Builtin(name.get_ref().clone()), name.span()))
        }
        (None, Some(script)) => {
            let path = base_dir.join(script.get_ref());
            if !path.is_file() {
                return Err(check.fail(
                    script.span(),
                    "strategies.script",
                    format!("no script file at {}", path.display()),
                ));
            }
            let limits = match &raw.limits {
                None => ScriptLimits::default(),
                Some(l) => {
                    let limits = script_limits(l.get_ref());
                    limits
                        .check()
                        .map_err(|m| check.fail(l.span(), "strategies.limits", m))?;
                    limits
                }
            };
            let program = ScriptProgram::load(&path, limits).map_err(ConfigError::from)?;
            Ok((StrategyLogic::Script(Arc::new(program)), script.span()))
        }
        (Some(name), Some(_)) => Err(check.fail(
            name.span(),
            "strategies",
            "give either builtin or script, not both",
        )),
        (None, None) => Err(check.fail(
            raw.instrument.span(),
            "strategies",
            format!(
                "needs builtin = \"...\" (one of {}) or script = \"path.rhai\"",
                builtin::BUILTIN_NAMES.join(", ")
            ),
        )),
    }
}

pub(super) fn script_limits(raw: &RawScriptLimits) -> ScriptLimits {
    let d = ScriptLimits::default();
    ScriptLimits {
        max_operations: raw.max_operations.unwrap_or(d.max_operations),
        max_call_levels: raw.max_call_levels.unwrap_or(d.max_call_levels),
        max_expr_depth: raw.max_expr_depth.unwrap_or(d.max_expr_depth),
        max_string_size: raw.max_string_size.unwrap_or(d.max_string_size),
        max_array_size: raw.max_array_size.unwrap_or(d.max_array_size),
        max_map_size: raw.max_map_size.unwrap_or(d.max_map_size),
        max_indicator_bytes: raw.max_indicator_bytes.unwrap_or(d.max_indicator_bytes),
        max_orders: raw.max_orders.unwrap_or(d.max_orders),
    }
}

pub(super) fn params(
    check: &Checker<'_>,
    raw: &std::collections::BTreeMap<String, Spanned<toml::Value>>,
) -> Result<Params, ConfigError> {
    let mut values = std::collections::BTreeMap::new();
    for (name, value) in raw {
        let v = match value.get_ref() {
            toml::Value::Integer(i) => ParamValue::Int(*i),
            toml::Value::Float(f) => ParamValue::Float(*f),
            toml::Value::String(s) => ParamValue::Text(s.clone()),
            toml::Value::Boolean(b) => ParamValue::Bool(*b),
            other => {
                return Err(check.fail(
                    value.span(),
                    &format!("strategies.params.{name}"),
                    format!("unsupported parameter type {}", other.type_str()),
                ));
            }
        };
        values.insert(name.clone(), v);
    }
    Ok(Params::new(values))
}
