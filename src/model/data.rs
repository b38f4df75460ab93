//! Market data: bars, quotes and trades, and the bar type that names a bar
//! stream. (Loading data from files is the top-level `data` module.)

use std::fmt;
use std::str::FromStr;

use crate::core::enums::{BarAggregation, EnumParseError, OrderSide, PriceType};
use crate::core::identifiers::{IdentifierError, InstrumentId, InstrumentIndex, TradeId};
use crate::core::{Price, Quantity, UnixNanos};

/// The shape of a bar: `1-MINUTE-LAST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BarSpecification {
    pub step: u64,
    pub aggregation: BarAggregation,
    pub price_type: PriceType,
}

impl BarSpecification {
    /// The bar length in nanoseconds, for fixed-length time bars.
    #[must_use]
    pub fn interval_nanos(self) -> Option<i64> {
        let step = i64::try_from(self.step).ok()?;
        self.aggregation
            .step_nanos()
            .and_then(|n| n.checked_mul(step))
    }
}

impl fmt::Display for BarSpecification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.step, self.aggregation, self.price_type)
    }
}

/// A bar type could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarTypeError {
    #[error(
        "invalid bar type '{0}': expected INSTRUMENT-STEP-AGGREGATION-PRICE_TYPE such as BTCUSDT.SIM-1-MINUTE-LAST"
    )]
    Shape(String),
    #[error("invalid bar type '{text}': {reason}")]
    Part { text: String, reason: String },
}

/// Whether bars came from the data or were aggregated by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum AggregationSource {
    #[default]
    External,
    Internal,
}

/// Names one bar stream: `BTCUSDT.SIM-1-MINUTE-LAST[-EXTERNAL]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BarType {
    pub instrument_id: InstrumentId,
    pub spec: BarSpecification,
    pub source: AggregationSource,
}

impl FromStr for BarType {
    type Err = BarTypeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let part = |reason: String| BarTypeError::Part {
            text: text.to_string(),
            reason,
        };
        let (body, source) = match text.rsplit_once('-') {
            Some((body, s)) if s.eq_ignore_ascii_case("EXTERNAL") => {
                (body, AggregationSource::External)
            }
            Some((body, s)) if s.eq_ignore_ascii_case("INTERNAL") => {
                (body, AggregationSource::Internal)
            }
            _ => (text, AggregationSource::External),
        };
        // From the right, so the instrument id may itself contain '-'.
        let pieces: Vec<&str> = body.rsplitn(4, '-').collect();
        let [price_type, aggregation, step, instrument] = pieces[..] else {
            return Err(BarTypeError::Shape(text.to_string()));
        };
        let instrument_id: InstrumentId = instrument
            .parse()
            .map_err(|e: IdentifierError| part(e.to_string()))?;
        let step: u64 = step
            .parse()
            .map_err(|_| part(format!("step '{step}' is not a whole number")))?;
        if step == 0 {
            return Err(part("step must be at least 1".to_string()));
        }
        let aggregation: BarAggregation = aggregation
            .parse()
            .map_err(|e: EnumParseError| part(e.to_string()))?;
        let price_type: PriceType = price_type
            .parse()
            .map_err(|e: EnumParseError| part(e.to_string()))?;
        Ok(Self {
            instrument_id,
            spec: BarSpecification {
                step,
                aggregation,
                price_type,
            },
            source,
        })
    }
}

impl fmt::Display for BarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.instrument_id, self.spec)?;
        if self.source == AggregationSource::Internal {
            f.write_str("-INTERNAL")?;
        }
        Ok(())
    }
}

/// One OHLCV bar. Prices are raws at the global scale sharing one precision,
/// which keeps a bar at 64 bytes (the memory budget is 100 bytes per bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
    pub open: i64,
    pub high: i64,
    pub low: i64,
    pub close: i64,
    pub volume: u64,
    pub instrument: InstrumentIndex,
    pub price_precision: u8,
    pub size_precision: u8,
}

/// The bars of `bars` (sorted by `ts_init`) inside `[start, end]`, either
/// bound open when `None`.
#[must_use]
pub fn bars_within(bars: &[Bar], start: Option<UnixNanos>, end: Option<UnixNanos>) -> &[Bar] {
    let from = start.map_or(0, |s| bars.partition_point(|b| b.ts_init < s));
    let to = end.map_or(bars.len(), |e| bars.partition_point(|b| b.ts_init <= e));
    bars.get(from..to).unwrap_or_default()
}

impl Bar {
    #[must_use]
    pub const fn open(&self) -> Price {
        Price {
            raw: self.open,
            precision: self.price_precision,
        }
    }

    #[must_use]
    pub const fn high(&self) -> Price {
        Price {
            raw: self.high,
            precision: self.price_precision,
        }
    }

    #[must_use]
    pub const fn low(&self) -> Price {
        Price {
            raw: self.low,
            precision: self.price_precision,
        }
    }

    #[must_use]
    pub const fn close(&self) -> Price {
        Price {
            raw: self.close,
            precision: self.price_precision,
        }
    }

    #[must_use]
    pub const fn volume(&self) -> Quantity {
        Quantity {
            raw: self.volume as u128,
            precision: self.size_precision,
        }
    }

    /// The OHLC invariant every loader checks.
    #[must_use]
    pub fn is_consistent(&self) -> bool {
        self.high >= self.open.max(self.close)
            && self.low <= self.open.min(self.close)
            && self.low <= self.high
    }
}

/// Best bid and ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteTick {
    pub instrument: InstrumentIndex,
    pub bid_price: Price,
    pub ask_price: Price,
    pub bid_size: Quantity,
    pub ask_size: Quantity,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

impl QuoteTick {
    /// The price of `price_type` (`LAST` is not defined for quotes and gives the mid).
    #[must_use]
    pub fn price(&self, price_type: PriceType) -> Price {
        match price_type {
            PriceType::Bid => self.bid_price,
            PriceType::Ask => self.ask_price,
            PriceType::Mid | PriceType::Last => Price {
                raw: self.bid_price.raw / 2
                    + self.ask_price.raw / 2
                    + (self.bid_price.raw % 2 + self.ask_price.raw % 2) / 2,
                precision: self.bid_price.precision.max(self.ask_price.precision) + 1,
            },
        }
    }
}

/// One trade printed by the venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeTick {
    pub instrument: InstrumentIndex,
    pub price: Price,
    pub size: Quantity,
    pub aggressor_side: Option<OrderSide>,
    pub trade_id: TradeId,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_bar_types() {
        let bar_type: BarType = "BTCUSDT.SIM-1-MINUTE-LAST".parse().unwrap();
        assert_eq!(bar_type.instrument_id.to_string(), "BTCUSDT.SIM");
        assert_eq!(bar_type.spec.step, 1);
        assert_eq!(bar_type.spec.aggregation, BarAggregation::Minute);
        assert_eq!(bar_type.spec.price_type, PriceType::Last);
        assert_eq!(bar_type.to_string(), "BTCUSDT.SIM-1-MINUTE-LAST");
        assert_eq!(bar_type.spec.interval_nanos(), Some(60_000_000_000));
        let internal: BarType = "ES-Z5.CME-5-MINUTE-MID-INTERNAL".parse().unwrap();
        assert_eq!(internal.instrument_id.symbol.as_str(), "ES-Z5");
        assert_eq!(internal.source, AggregationSource::Internal);
        assert_eq!(internal.to_string(), "ES-Z5.CME-5-MINUTE-MID-INTERNAL");
    }

    #[test]
    fn rejects_bad_bar_types() {
        for text in [
            "BTCUSDT.SIM-1-MINUTE",
            "BTCUSDT.SIM-x-MINUTE-LAST",
            "BTCUSDT.SIM-1-FORTNIGHT-LAST",
            "BTCUSDT-1-MINUTE-LAST",
            "BTCUSDT.SIM-0-MINUTE-LAST",
        ] {
            assert!(text.parse::<BarType>().is_err(), "{text}");
        }
    }

    #[test]
    fn bar_is_compact_and_checks_ohlc() {
        assert!(std::mem::size_of::<Bar>() <= 64);
        let bar = Bar {
            ts_event: UnixNanos(0),
            ts_init: UnixNanos(0),
            open: 10,
            high: 12,
            low: 9,
            close: 11,
            volume: 1,
            instrument: InstrumentIndex(0),
            price_precision: 2,
            size_precision: 0,
        };
        assert!(bar.is_consistent());
        assert!(!Bar { high: 10, ..bar }.is_consistent());
        assert_eq!(bar.close().precision, 2);
    }

    #[test]
    fn quote_mid_keeps_the_half_tick() {
        let quote = QuoteTick {
            instrument: InstrumentIndex(0),
            bid_price: Price::parse("1.00", 2).unwrap(),
            ask_price: Price::parse("1.01", 2).unwrap(),
            bid_size: Quantity::parse("1", 0).unwrap(),
            ask_size: Quantity::parse("1", 0).unwrap(),
            ts_event: UnixNanos(0),
            ts_init: UnixNanos(0),
        };
        assert_eq!(quote.price(PriceType::Mid).to_string(), "1.005");
    }
}
