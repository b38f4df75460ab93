//! `[[venues]]`: accounts, fill, fee, slippage and latency models, and the
//! per-instrument fee overrides.

use super::MarginRates;
use super::*;

pub(super) fn rate(
    check: &Checker<'_>,
    value: Option<&Spanned<toml::Value>>,
    field: &str,
) -> Result<i128, ConfigError> {
    let Some(value) = value else { return Ok(0) };
    let raw = check.decimal(value, field)?;
    if !(0..=FIXED_SCALAR).contains(&raw) {
        return Err(check.fail(
            value.span(),
            field,
            "a fee rate must be between 0 and 1 (0.001 = 0.1 %)",
        ));
    }
    Ok(raw)
}

pub(super) fn venue(check: &Checker<'_>, raw: &RawVenue) -> Result<VenueSpec, ConfigError> {
    if raw.starting_balances.is_empty() {
        return Err(check.fail(
            raw.name.span(),
            "venues.starting_balances",
            "at least one starting balance is needed",
        ));
    }
    if let Some(m) = raw.starting_balances.iter().find(|m| m.raw < 0) {
        return Err(check.fail(
            raw.name.span(),
            "venues.starting_balances",
            format!("starting balance {m} is negative"),
        ));
    }
    let leverage_raw = match &raw.leverage {
        None => FIXED_SCALAR,
        Some(value) => {
            let lev = check.decimal(value, "venues.leverage")?;
            if lev < FIXED_SCALAR {
                return Err(check.fail(value.span(), "venues.leverage", "must be at least 1"));
            }
            if raw.account != AccountType::Margin && lev != FIXED_SCALAR {
                return Err(check.fail(
                    value.span(),
                    "venues.leverage",
                    format!(
                        "a {} account has no leverage: use account = \"margin\"",
                        if raw.account == AccountType::Cash {
                            "cash"
                        } else {
                            "betting"
                        }
                    ),
                ));
            }
            lev
        }
    };
    let fees = match &raw.fee_model {
        None => FeeModel::default(),
        Some(model) => fee_model(check, model)?,
    };
    let ms = |v: u64| {
        i64::try_from(v)
            .unwrap_or(i64::MAX / 1_000_000)
            .saturating_mul(1_000_000)
    };
    Ok(VenueSpec {
        config: VenueConfig {
            venue: raw.name.get_ref().clone(),
            oms: raw.oms,
            fill: FillModel {
                market_price: match raw.fill_model {
                    RawMarketFill::NextOpen => MarketPrice::Open,
                    RawMarketFill::Mid => MarketPrice::Mid,
                    RawMarketFill::Worst => MarketPrice::Worst,
                },
                pessimistic: raw.intrabar == RawIntrabar::Pessimistic,
            },
            fees,
            slippage: SlippageModel {
                ticks: raw.slippage.ticks,
                volume_impact_raw: rate(
                    check,
                    raw.slippage.volume_impact.as_ref(),
                    "venues.slippage.volume_impact",
                )?,
            },
            latency: LatencyModel {
                base_ns: ms(raw.latency.base_ms),
                jitter_ns: ms(raw.latency.jitter_ms),
            },
            max_order_notional: raw.max_notional_per_order,
            liquidation: raw.liquidation.unwrap_or(true),
            max_volume_share: raw
                .max_volume_share
                .as_ref()
                .map(|share| {
                    let raw_share = rate(check, Some(share), "venues.max_volume_share")?;
                    if raw_share == 0 {
                        return Err(check.fail(
                            share.span(),
                            "venues.max_volume_share",
                            "must be above 0 (0.1 fills at most 10 % of a bar's volume)",
                        ));
                    }
                    Ok(raw_share)
                })
                .transpose()?,
            // Resolved over the instruments, once they are known.
            funding: Vec::new(),
        },
        account_type: raw.account,
        base_currency: raw.base_currency,
        starting_balances: raw.starting_balances.clone(),
        leverage_raw,
    })
}

pub(super) fn fee_model(check: &Checker<'_>, raw: &RawFeeModel) -> Result<FeeModel, ConfigError> {
    let kind = raw.kind.get_ref().as_str();
    let misplaced = match kind {
        "percentage" => raw.amount.is_some().then_some("amount"),
        "flat" | "per_unit" => raw
            .maker
            .as_ref()
            .map(|_| "maker")
            .or(raw.taker.as_ref().map(|_| "taker")),
        _ => None,
    };
    if let Some(field) = misplaced {
        return Err(check.fail(
            raw.kind.span(),
            &format!("venues.fee_model.{field}"),
            format!("'{field}' does not apply to fee model '{kind}'"),
        ));
    }
    let amount = || {
        raw.amount.ok_or_else(|| {
            check.fail(
                raw.kind.span(),
                "venues.fee_model.amount",
                format!("fee model '{kind}' needs 'amount', e.g. \"1.00 USD\""),
            )
        })
    };
    Ok(match kind {
        "percentage" => FeeModel::Percentage {
            maker_raw: rate(check, raw.maker.as_ref(), "venues.fee_model.maker")?,
            taker_raw: rate(check, raw.taker.as_ref(), "venues.fee_model.taker")?,
        },
        "flat" => FeeModel::FlatPerOrder { amount: amount()? },
        "per_unit" => FeeModel::PerUnit { amount: amount()? },
        other => {
            return Err(check.fail(
                raw.kind.span(),
                "venues.fee_model.kind",
                format!("unknown fee model '{other}' (expected percentage, flat or per_unit)"),
            ));
        }
    })
}

/// An instrument's `margin_init` and `margin_maint` (shares of notional,
/// above 0 and at most 1; maintenance at most the initial).
pub(super) fn instrument_margin(
    check: &Checker<'_>,
    raw: &RawInstrument,
) -> Result<MarginRates, ConfigError> {
    let share = |value: Option<&Spanned<toml::Value>>, field: &str| {
        value
            .map(|v| {
                let raw_rate = rate(check, Some(v), field)?;
                if raw_rate == 0 {
                    return Err(check.fail(
                        v.span(),
                        field,
                        "must be above 0 (0.2 = 20 % of the notional)",
                    ));
                }
                Ok(raw_rate)
            })
            .transpose()
    };
    let init_raw = share(raw.margin_init.as_ref(), "instruments.margin_init")?;
    let maint_raw = share(raw.margin_maint.as_ref(), "instruments.margin_maint")?;
    if let (Some(init), Some(maint), Some(span)) = (init_raw, maint_raw, raw.margin_maint.as_ref())
        && maint > init
    {
        return Err(check.fail(
            span.span(),
            "instruments.margin_maint",
            "must not be above margin_init",
        ));
    }
    Ok(MarginRates {
        init_raw,
        maint_raw,
    })
}

pub(super) fn instrument_fee(
    check: &Checker<'_>,
    raw: &RawInstrument,
) -> Result<Option<FeeModel>, ConfigError> {
    if raw.maker_fee.is_none() && raw.taker_fee.is_none() {
        return Ok(None);
    }
    Ok(Some(FeeModel::Percentage {
        maker_raw: rate(check, raw.maker_fee.as_ref(), "instruments.maker_fee")?,
        taker_raw: rate(check, raw.taker_fee.as_ref(), "instruments.taker_fee")?,
    }))
}

/// A venue's `[venues.funding]` resolved over the run's instruments: the
/// source of each of its perpetuals (the others pay none).
pub(super) fn funding(
    check: &Checker<'_>,
    raw: &Spanned<RawFunding>,
    base_dir: &Path,
    perpetuals: &[(InstrumentIndex, &InstrumentId)],
    instruments: usize,
) -> Result<Vec<Option<FundingSource>>, ConfigError> {
    let span = raw.span();
    let raw = raw.get_ref();
    if perpetuals.is_empty() {
        return Err(check.fail(
            span,
            "venues.funding",
            "funding applies to crypto_perpetual instruments, and this venue trades none",
        ));
    }
    let mut sources: Vec<Option<FundingSource>> = vec![None; instruments];
    match (&raw.rate, &raw.file) {
        (Some(rate), None) => {
            if raw.timestamp_format.is_some() {
                return Err(check.fail(
                    span,
                    "venues.funding.timestamp_format",
                    "timestamp_format is for a funding file's timestamps; a fixed rate has none",
                ));
            }
            let rate_raw = check.decimal(rate, "venues.funding.rate")?;
            if !(-FIXED_SCALAR..=FIXED_SCALAR).contains(&rate_raw) {
                return Err(check.fail(
                    rate.span(),
                    "venues.funding.rate",
                    "a funding rate must be within [-1, 1] (0.0001 = 0.01 % of the notional)",
                ));
            }
            let interval_ns = match &raw.interval {
                None => 8 * 3_600_000_000_000,
                Some(text) => parse_duration_ns(text.get_ref())
                    .ok()
                    .filter(|ns| *ns > 0)
                    .ok_or_else(|| {
                        check.fail(
                            text.span(),
                            "venues.funding.interval",
                            format!("'{}' is not a duration like \"8h\"", text.get_ref()),
                        )
                    })?,
            };
            for (index, _) in perpetuals {
                sources[index.get()] = Some(FundingSource::Fixed {
                    rate_raw,
                    interval_ns,
                });
            }
        }
        (None, Some(file)) => {
            if let Some(interval) = &raw.interval {
                return Err(check.fail(
                    interval.span(),
                    "venues.funding.interval",
                    "the file's timestamps are the funding times: leave interval out",
                ));
            }
            let path = base_dir.join(file.get_ref());
            let rows = crate::data::load_funding_rates(
                &path,
                super::data::timestamp_format(raw.timestamp_format.unwrap_or_default()),
            )
            .map_err(|e| check.fail(file.span(), "venues.funding.file", e.to_string()))?;
            let mut tables: Vec<Vec<(UnixNanos, i128)>> = vec![Vec::new(); instruments];
            for row in rows {
                let Some((index, _)) = perpetuals
                    .iter()
                    .find(|(_, id)| id.to_string() == row.instrument)
                else {
                    return Err(check.fail(
                        file.span(),
                        "venues.funding.file",
                        format!(
                            "{}:{}: '{}' is not a crypto_perpetual of this venue",
                            path.display(),
                            row.row,
                            row.instrument
                        ),
                    ));
                };
                tables[index.get()].push((row.ts, row.rate_raw));
            }
            for (index, id) in perpetuals {
                let table = std::mem::take(&mut tables[index.get()]);
                if table.is_empty() {
                    return Err(check.fail(
                        file.span(),
                        "venues.funding.file",
                        format!("{} has no funding rate for '{id}'", path.display()),
                    ));
                }
                sources[index.get()] = Some(FundingSource::Table(table.into()));
            }
        }
        _ => {
            return Err(check.fail(
                span,
                "venues.funding",
                "give either rate (with an optional interval, default \"8h\") or file",
            ));
        }
    }
    Ok(sources)
}
