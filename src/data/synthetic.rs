//! Synthetic bars: a seeded geometric Brownian motion with the shape of the
//! reference workloads' generator (open = previous close, rounded prices,
//! high/low noise, integer volume). It uses `bt`'s own stable random stream,
//! so it does not reproduce numpy's draws.

use crate::core::UnixNanos;
use crate::core::fixed::{self, FIXED_SCALAR};
use crate::core::identifiers::InstrumentIndex;
use crate::core::rng::SeededRng;
use crate::model::data::Bar;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GbmSpec {
    pub bars: usize,
    pub seed: u64,
    pub start_price: f64,
    /// Per-bar standard deviation of log returns.
    pub sigma: f64,
    pub start: UnixNanos,
    pub interval_ns: i64,
    pub price_precision: u8,
    pub instrument: InstrumentIndex,
}

impl Default for GbmSpec {
    fn default() -> Self {
        Self {
            bars: 1000,
            seed: 42,
            start_price: 100.0,
            sigma: 0.001,
            start: UnixNanos(1_577_836_800_000_000_000),
            interval_ns: 60_000_000_000,
            price_precision: 2,
            instrument: InstrumentIndex(0),
        }
    }
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut SeededRng) -> f64 {
    let u1 = rng.next_f64().max(f64::MIN_POSITIVE);
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn to_raw(value: f64, precision: u8) -> i64 {
    fixed::raw_from_f64(value, precision)
        .ok()
        .and_then(|r| i64::try_from(r).ok())
        .unwrap_or(0)
}

/// Generates `spec.bars` consistent OHLCV bars.
#[must_use]
pub fn generate_gbm(spec: &GbmSpec) -> Vec<Bar> {
    let mut rng = SeededRng::new(spec.seed);
    let mut bars = Vec::with_capacity(spec.bars);
    let tick = fixed::pow10(fixed::FIXED_PRECISION - spec.price_precision);
    let mut open = to_raw(spec.start_price, spec.price_precision);
    let mut ts = spec.start.0;
    for _ in 0..spec.bars {
        let growth = (spec.sigma * normal(&mut rng)).exp();
        let open_f = fixed::raw_to_f64(i128::from(open));
        // Never let the price reach zero.
        let close =
            to_raw(open_f * growth, spec.price_precision).max(i64::try_from(tick).unwrap_or(1));
        let (hi, lo) = (open.max(close), open.min(close));
        let high_noise = (spec.sigma * 0.5 * normal(&mut rng)).abs();
        let low_noise = (spec.sigma * 0.5 * normal(&mut rng)).abs();
        let high = to_raw(
            fixed::raw_to_f64(i128::from(hi)) * (1.0 + high_noise),
            spec.price_precision,
        )
        .max(hi);
        let low = to_raw(
            fixed::raw_to_f64(i128::from(lo)) * (1.0 - low_noise),
            spec.price_precision,
        )
        .min(lo)
        .max(i64::try_from(tick).unwrap_or(1));
        let volume_units = 100 + rng.below(9901);
        let volume = u64::try_from(i128::from(volume_units) * FIXED_SCALAR).unwrap_or(0);
        bars.push(Bar {
            ts_event: UnixNanos(ts),
            ts_init: UnixNanos(ts),
            open,
            high,
            low,
            close,
            volume,
            instrument: spec.instrument,
            price_precision: spec.price_precision,
            size_precision: 0,
        });
        open = close;
        ts += spec.interval_ns;
    }
    bars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_consistent_chained_and_deterministic() {
        let spec = GbmSpec {
            bars: 2000,
            ..GbmSpec::default()
        };
        let bars = generate_gbm(&spec);
        assert_eq!(bars.len(), 2000);
        assert!(bars.iter().all(Bar::is_consistent));
        assert!(
            bars.windows(2)
                .all(|w| w[1].open == w[0].close
                    && w[1].ts_init.0 - w[0].ts_init.0 == 60_000_000_000)
        );
        assert_eq!(bars, generate_gbm(&spec));
        assert_ne!(bars, generate_gbm(&GbmSpec { seed: 7, ..spec }));
    }
}
