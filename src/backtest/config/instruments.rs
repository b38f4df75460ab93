//! `[[instruments]]`: each kind with its own fields, increments, limits.

use super::*;

pub(super) fn instrument(
    check: &Checker<'_>,
    raw: &RawInstrument,
) -> Result<Instrument, ConfigError> {
    let span = raw.id.span();
    let need = |field: &str, present: bool| -> Result<(), ConfigError> {
        if present {
            Ok(())
        } else {
            Err(check.fail(
                span.clone(),
                &format!("instruments.{field}"),
                format!("kind {:?} needs '{field}'", raw.kind),
            ))
        }
    };
    let expiry = |field: &str| -> Result<UnixNanos, ConfigError> {
        need(field, raw.expiry.is_some())?;
        raw.expiry.as_ref().map_or(Ok(UnixNanos(0)), |e| {
            check.timestamp(e, "instruments.expiry")
        })
    };
    // Fields that belong to other kinds are mistakes, not silently ignored.
    let extras: [(&str, bool, &[RawInstrumentKind]); 10] = [
        (
            "base_currency",
            raw.base_currency.is_some(),
            &[
                RawInstrumentKind::FxPair,
                RawInstrumentKind::CryptoPerpetual,
            ],
        ),
        (
            "is_inverse",
            raw.is_inverse.is_some(),
            &[RawInstrumentKind::CryptoPerpetual],
        ),
        (
            "underlying",
            raw.underlying.is_some(),
            &[RawInstrumentKind::Future, RawInstrumentKind::Option],
        ),
        (
            "expiry",
            raw.expiry.is_some(),
            &[
                RawInstrumentKind::Future,
                RawInstrumentKind::Option,
                RawInstrumentKind::PredictionMarket,
            ],
        ),
        ("strike", raw.strike.is_some(), &[RawInstrumentKind::Option]),
        ("right", raw.right.is_some(), &[RawInstrumentKind::Option]),
        (
            "market",
            raw.market.is_some(),
            &[RawInstrumentKind::Betting],
        ),
        (
            "selection",
            raw.selection.is_some(),
            &[RawInstrumentKind::Betting],
        ),
        (
            "outcome",
            raw.outcome.is_some(),
            &[RawInstrumentKind::PredictionMarket],
        ),
        (
            "settlement",
            raw.settlement.is_some(),
            &[
                RawInstrumentKind::Betting,
                RawInstrumentKind::PredictionMarket,
            ],
        ),
    ];
    for (field, present, kinds) in extras {
        if present && !kinds.contains(&raw.kind) {
            return Err(check.fail(
                span.clone(),
                &format!("instruments.{field}"),
                format!("'{field}' does not apply to kind {:?}", raw.kind),
            ));
        }
    }
    let kind = match raw.kind {
        RawInstrumentKind::Equity => InstrumentKind::Equity,
        RawInstrumentKind::FxPair => {
            need("base_currency", raw.base_currency.is_some())?;
            InstrumentKind::CurrencyPair {
                base_currency: raw.base_currency.unwrap_or(raw.currency),
            }
        }
        RawInstrumentKind::CryptoPerpetual => {
            need("base_currency", raw.base_currency.is_some())?;
            InstrumentKind::CryptoPerpetual {
                base_currency: raw.base_currency.unwrap_or(raw.currency),
                is_inverse: raw.is_inverse.unwrap_or(false),
            }
        }
        RawInstrumentKind::Future => {
            need("underlying", raw.underlying.is_some())?;
            InstrumentKind::Future {
                underlying: raw.underlying.clone().unwrap_or_default(),
                expiry: expiry("expiry")?,
            }
        }
        RawInstrumentKind::Option => {
            need("underlying", raw.underlying.is_some())?;
            need("strike", raw.strike.is_some())?;
            need("right", raw.right.is_some())?;
            let strike = raw.strike.as_ref().map_or(Ok(Price::default()), |s| {
                Price::parse(s.get_ref(), raw.price_precision)
                    .map_err(|e| check.fail(s.span(), "instruments.strike", e.to_string()))
            })?;
            let right = match raw
                .right
                .as_ref()
                .map(|r| r.get_ref().to_ascii_lowercase())
                .as_deref()
            {
                Some("call") => OptionRight::Call,
                Some("put") => OptionRight::Put,
                _ => {
                    return Err(check.fail(
                        raw.right.as_ref().map_or(span.clone(), Spanned::span),
                        "instruments.right",
                        "expected \"call\" or \"put\"",
                    ));
                }
            };
            InstrumentKind::Option {
                underlying: raw.underlying.clone().unwrap_or_default(),
                strike,
                right,
                expiry: expiry("expiry")?,
            }
        }
        RawInstrumentKind::Betting => {
            need("market", raw.market.is_some())?;
            need("selection", raw.selection.is_some())?;
            InstrumentKind::Betting {
                market: raw.market.clone().unwrap_or_default(),
                selection: raw.selection.clone().unwrap_or_default(),
            }
        }
        RawInstrumentKind::PredictionMarket => {
            need("outcome", raw.outcome.is_some())?;
            let expiry = raw
                .expiry
                .as_ref()
                .map(|e| check.timestamp(e, "instruments.expiry"))
                .transpose()?;
            InstrumentKind::PredictionMarket {
                outcome: raw.outcome.clone().unwrap_or_default(),
                expiry,
            }
        }
    };
    let mut inst = Instrument::new(
        raw.id.get_ref().clone(),
        kind,
        raw.currency,
        raw.price_precision,
        raw.size_precision,
    )
    .map_err(|e| check.fail(span.clone(), "instruments.price_precision", e.to_string()))?;
    if let Some(inc) = &raw.price_increment {
        inst.price_increment = Price::parse(inc.get_ref(), raw.price_precision)
            .map_err(|e| check.fail(inc.span(), "instruments.price_increment", e.to_string()))?;
        if inst.price_increment.raw <= 0 {
            return Err(check.fail(
                inc.span(),
                "instruments.price_increment",
                "must be positive",
            ));
        }
    }
    if let Some(inc) = &raw.size_increment {
        inst.size_increment = Quantity::parse(inc.get_ref(), raw.size_precision)
            .map_err(|e| check.fail(inc.span(), "instruments.size_increment", e.to_string()))?;
        if inst.size_increment.is_zero() {
            return Err(check.fail(inc.span(), "instruments.size_increment", "must be positive"));
        }
    }
    if let Some(m) = raw.multiplier {
        if m.is_zero() {
            return Err(check.fail(span, "instruments.multiplier", "must be positive"));
        }
        inst.multiplier = m;
    }
    if let (Some(min), Some(max)) = (raw.min_quantity, raw.max_quantity)
        && min > max
    {
        return Err(check.fail(
            span,
            "instruments.min_quantity",
            format!("min_quantity {min} is above max_quantity {max}: every order would be denied"),
        ));
    }
    inst.min_quantity = raw.min_quantity;
    inst.max_quantity = raw.max_quantity;
    Ok(inst)
}

/// A binary instrument's `settlement`: whether its outcome happened (1)
/// or not (0).
pub(super) fn settlement(
    check: &Checker<'_>,
    raw: &RawInstrument,
) -> Result<Option<bool>, ConfigError> {
    let Some(value) = &raw.settlement else {
        return Ok(None);
    };
    match value.get_ref() {
        toml::Value::Integer(1) => Ok(Some(true)),
        toml::Value::Integer(0) => Ok(Some(false)),
        other => Err(check.fail(
            value.span(),
            "instruments.settlement",
            format!("expected 1 (the outcome happened: the selection won) or 0 (it did not), got {other}"),
        )),
    }
}
