//! `[fx_rates]` with the fx-pair feeds, and `[[analyzers]]`.

use super::*;

/// `[fx_rates]` plus the fx_pair instruments with data, checked to cover
/// every currency an account holds or settles in, and every venue's base
/// currency against the report currency (the first venue's).
pub(super) fn fx_table(
    check: &Checker<'_>,
    raw: &RawConfig,
    venues: &[VenueSpec],
    instruments: &[Instrument],
    instrument_venues: &[VenueIndex],
    data: &[DataSpec],
) -> Result<FxTable, ConfigError> {
    let mut fixed = Vec::new();
    for (pair, value) in &raw.fx_rates {
        let field = format!("fx_rates.{pair}");
        let currencies = pair.split_once('/').and_then(|(a, b)| {
            Some((
                a.trim().parse::<Currency>().ok()?,
                b.trim().parse::<Currency>().ok()?,
            ))
        });
        let Some((from, to)) = currencies else {
            return Err(check.fail(
                value.span(),
                &field,
                format!("'{pair}' is not a pair of known currencies like \"EUR/USD\""),
            ));
        };
        if from == to {
            return Err(check.fail(
                value.span(),
                &field,
                format!("'{pair}' converts {from} into itself: its rate is always 1, remove it"),
            ));
        }
        let rate = check.decimal(value, &field)?;
        if rate <= 0 {
            return Err(check.fail(value.span(), &field, "a rate must be positive"));
        }
        fixed.push((from, to, rate));
    }
    let fed: Vec<bool> = (0..instruments.len())
        .map(|i| data.iter().any(|d| d.file.instrument.get() == i))
        .collect();
    let table = FxTable::new(&fixed, instruments, &fed);
    let report = venues.first().map_or(Currency::USD, |v| v.base_currency);
    for (v, venue) in venues.iter().enumerate() {
        let held = venue.starting_balances.iter().map(|m| m.currency);
        let settled = instruments
            .iter()
            .zip(instrument_venues)
            .filter(|(_, iv)| iv.get() == v)
            .map(|(i, _)| i.settlement_currency());
        let mut needed: Vec<(Currency, Currency)> = held
            .chain(settled)
            .map(|c| (c, venue.base_currency))
            .collect();
        needed.push((venue.base_currency, report));
        if let Some((from, to)) = needed
            .into_iter()
            .find(|(from, to)| !table.can_convert(*from, *to))
        {
            return Err(ConfigError::file(
                check.path,
                format!(
                    "venue '{}' needs {from} in {to} to value its account: add an fx_pair instrument with [[data]] quoting {from} in {to}, or [fx_rates] \"{from}/{to}\" = <rate>",
                    venue.config.venue
                ),
            ));
        }
    }
    Ok(table)
}

pub(super) fn analyzer(check: &Checker<'_>, raw: &RawAnalyzer) -> Result<Analyzer, ConfigError> {
    let kind = raw.kind.get_ref().as_str();
    let misplaced = match kind {
        "period_returns" => raw.top.as_ref().map(|t| ("top", t.span())),
        "drawdown" => raw.period.as_ref().map(|p| ("period", p.span())),
        _ => raw
            .top
            .as_ref()
            .map(|t| ("top", t.span()))
            .or(raw.period.as_ref().map(|p| ("period", p.span()))),
    };
    if let Some((field, span)) = misplaced {
        return Err(check.fail(
            span,
            &format!("analyzers.{field}"),
            format!("'{field}' does not apply to the {kind} analyzer"),
        ));
    }
    match kind {
        "returns" => Ok(Analyzer::Returns),
        "drawdown" => Ok(Analyzer::Drawdown {
            top: raw.top.as_ref().map_or(5, |t| *t.get_ref()),
        }),
        "trades" => Ok(Analyzer::Trades),
        "exposure" => Ok(Analyzer::Exposure),
        "period_returns" => match raw.period.as_ref().map(|p| p.get_ref().as_str()) {
            None | Some("monthly") => Ok(Analyzer::PeriodReturns(Period::Monthly)),
            Some("yearly") => Ok(Analyzer::PeriodReturns(Period::Yearly)),
            Some(other) => Err(check.fail(
                raw.period.as_ref().map_or(raw.kind.span(), Spanned::span),
                "analyzers.period",
                format!("unknown period '{other}' (expected monthly or yearly)"),
            )),
        },
        other => Err(check.fail(
            raw.kind.span(),
            "analyzers.kind",
            format!(
                "unknown analyzer '{other}' (expected returns, drawdown, trades, exposure or period_returns)"
            ),
        )),
    }
}
