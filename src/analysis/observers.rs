//! Observers: curves recorded while the run goes — equity, free cash and
//! each instrument's net position — at every bar or, for long runs, once
//! per sampling interval (the last bar of each interval), so memory stays
//! bounded. The drawdown curve is derived from the recorded equity.

use crate::core::UnixNanos;

/// One recorded point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub ts: UnixNanos,
    /// Equity and free cash in the report currency, raw.
    pub equity_raw: i128,
    pub cash_raw: i128,
    /// Net signed quantity raw of each instrument, by instrument index.
    pub positions_raw: Vec<i128>,
}

/// Records observations at every bar or every `every_ns`.
#[derive(Debug, Clone, Default)]
pub struct Observer {
    every_ns: Option<i64>,
    pending: Option<Observation>,
    recorded: Vec<Observation>,
}

impl Observer {
    /// An observer sampling the last bar of every `every_ns` (every bar when `None`).
    #[must_use]
    pub fn new(every_ns: Option<i64>) -> Self {
        Self {
            every_ns: every_ns.filter(|n| *n > 0),
            pending: None,
            recorded: Vec::new(),
        }
    }

    /// Records the state after a bar (called once per timestamp).
    pub fn observe(&mut self, point: Observation) {
        let Some(every) = self.every_ns else {
            self.recorded.push(point);
            return;
        };
        let interval = |ts: UnixNanos| ts.0.div_euclid(every);
        if let Some(previous) = self.pending.take()
            && interval(previous.ts) != interval(point.ts)
        {
            self.recorded.push(previous);
        }
        self.pending = Some(point);
    }

    /// The recorded points, the last interval's included.
    #[must_use]
    pub fn finish(mut self) -> Vec<Observation> {
        self.recorded.extend(self.pending.take());
        self.recorded
    }
}

/// Drawdown in percent of each observation's equity from its running peak.
#[must_use]
pub fn drawdown_pct(observations: &[Observation]) -> Vec<f64> {
    let equity: Vec<f64> = observations
        .iter()
        .map(|o| crate::core::fixed::raw_to_f64(o.equity_raw))
        .collect();
    super::stats::drawdown_pct_series(&equity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(ts: i64, equity: i128) -> Observation {
        Observation {
            ts: UnixNanos(ts),
            equity_raw: equity,
            cash_raw: 0,
            positions_raw: vec![1],
        }
    }

    #[test]
    fn every_bar_or_the_last_bar_of_each_interval() {
        let mut every_bar = Observer::new(None);
        let mut hourly = Observer::new(Some(60));
        for (ts, equity) in [(0, 100), (30, 90), (59, 95), (60, 120), (150, 60)] {
            every_bar.observe(point(ts, equity));
            hourly.observe(point(ts, equity));
        }
        assert_eq!(every_bar.finish().len(), 5);
        let sampled = hourly.finish();
        let ts: Vec<i64> = sampled.iter().map(|o| o.ts.0).collect();
        assert_eq!(
            ts,
            [59, 60, 150],
            "the last point of [0, 60), [60, 120), [120, 180)"
        );
        let dd = drawdown_pct(&sampled);
        assert!((dd[0]).abs() < 1e-12 && (dd[2] + 50.0).abs() < 1e-12);
        assert!(Observer::new(Some(60)).finish().is_empty());
    }
}
