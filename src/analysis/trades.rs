//! Closed round trips (a position from open to flat), the unit that trade
//! statistics count.

use serde::Serialize;

use crate::core::enums::OrderSide;
use crate::core::fixed;
use crate::core::identifiers::{InstrumentId, PositionId, StrategyId};
use crate::core::{Money, Price, Quantity, UnixNanos};

/// One round trip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trade {
    pub position_id: PositionId,
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    /// BUY for a long trade, SELL for a short one.
    pub entry_side: OrderSide,
    /// Total quantity opened over the round trip.
    pub size: Quantity,
    pub entry_time: UnixNanos,
    pub exit_time: Option<UnixNanos>,
    pub entry_price: Price,
    pub exit_price: Option<Price>,
    /// Realized PnL after commissions.
    pub pnl: Money,
    pub commission: Money,
    /// Funding received (+) or paid (−) while open (perpetuals), in the
    /// settlement currency; not part of `pnl`.
    pub funding: Money,
    /// Maximum adverse and favourable excursion in percent of the entry
    /// price (see [`excursions`]); `None` without price data.
    pub mae_pct: Option<f64>,
    pub mfe_pct: Option<f64>,
    /// The tag of the order that opened it, if that order had one.
    pub tag: Option<String>,
}

/// Maximum adverse and favourable excursion of a trade, in percent of its
/// entry price: the worst and best prices it saw while held — the highs and
/// lows of the bars from its entry bar up to, not including, its exit bar,
/// and the entry and exit fills — as a return for its side. Long:
/// MFE = (highest / entry − 1) × 100, MAE = (lowest / entry − 1) × 100;
/// short the other way round. `bars` are the instrument's bars in time
/// order; an open trade runs to the last bar.
#[must_use]
pub fn excursions(
    bars: &[crate::model::data::Bar],
    side: OrderSide,
    entry_time: UnixNanos,
    exit_time: Option<UnixNanos>,
    entry: Price,
    exit: Option<Price>,
) -> Option<(f64, f64)> {
    let entry_px = entry.as_f64();
    if entry_px <= 0.0 {
        return None;
    }
    let from = bars.partition_point(|b| b.ts_init < entry_time);
    let to = exit_time.map_or(bars.len(), |t| bars.partition_point(|b| b.ts_init < t));
    let fills = [Some(entry_px), exit.map(Price::as_f64)];
    let (mut high, mut low) = (entry_px, entry_px);
    for price in bars
        .get(from..to)
        .unwrap_or_default()
        .iter()
        .flat_map(|b| [b.high().as_f64(), b.low().as_f64()])
        .chain(fills.into_iter().flatten())
    {
        high = high.max(price);
        low = low.min(price);
    }
    let (up, down) = (
        (high / entry_px - 1.0) * 100.0,
        (low / entry_px - 1.0) * 100.0,
    );
    Some(match side {
        OrderSide::Buy => (down, up),
        OrderSide::Sell => (-up, -down),
    })
}

impl Trade {
    /// PnL / (|size| × entry), after commissions, as a fraction:
    /// `sign × (exit / entry − 1) − commissions / (|size| × entry)`.
    #[must_use]
    pub fn return_fraction(&self) -> Option<f64> {
        let entry = self.entry_price.as_f64();
        let exit = self.exit_price?.as_f64();
        let size = self.size.as_f64();
        if entry == 0.0 || size == 0.0 {
            return None;
        }
        let sign = if self.entry_side == OrderSide::Buy {
            1.0
        } else {
            -1.0
        };
        Some(sign * (exit / entry - 1.0) - self.commission.as_f64() / (size * entry))
    }

    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.exit_time.is_some()
    }

    /// The PnL as text with every internal decimal (for CSV).
    #[must_use]
    pub fn pnl_text(&self) -> String {
        fixed::format_raw(self.pnl.raw, fixed::FIXED_PRECISION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::identifiers::InstrumentIndex;
    use crate::model::data::Bar;

    fn bar(ts: i64, high: f64, low: f64) -> Bar {
        let raw = |x: f64| i64::try_from(crate::core::fixed::raw_from_f64(x, 2).unwrap()).unwrap();
        Bar {
            ts_event: UnixNanos(ts),
            ts_init: UnixNanos(ts),
            open: raw(low),
            high: raw(high),
            low: raw(low),
            close: raw(high),
            volume: 0,
            instrument: InstrumentIndex(0),
            price_precision: 2,
            size_precision: 0,
        }
    }

    #[test]
    fn excursions_by_hand() {
        let bars = [
            bar(0, 200.0, 1.0),
            bar(1, 110.0, 95.0),
            bar(2, 104.0, 90.0),
            bar(3, 300.0, 1.0),
        ];
        let px = |x: &str| Price::parse(x, 2).unwrap();
        // Held over bars 1 and 2 (entry at bar 1, exit at bar 3's open).
        let long = excursions(
            &bars,
            OrderSide::Buy,
            UnixNanos(1),
            Some(UnixNanos(3)),
            px("100"),
            Some(px("102")),
        );
        let (mae, mfe) = long.unwrap();
        assert!(
            (mae + 10.0).abs() < 1e-9 && (mfe - 10.0).abs() < 1e-9,
            "{mae} {mfe}"
        );
        let short = excursions(
            &bars,
            OrderSide::Sell,
            UnixNanos(1),
            Some(UnixNanos(3)),
            px("100"),
            Some(px("102")),
        );
        let (mae, mfe) = short.unwrap();
        assert!(
            (mae + 10.0).abs() < 1e-9 && (mfe - 10.0).abs() < 1e-9,
            "{mae} {mfe}"
        );
        // An open trade runs to the last bar.
        let open = excursions(&bars, OrderSide::Buy, UnixNanos(2), None, px("100"), None).unwrap();
        assert!((open.1 - 200.0).abs() < 1e-9);
        assert_eq!(
            excursions(&bars, OrderSide::Buy, UnixNanos(1), None, px("0"), None),
            None
        );
    }
}
