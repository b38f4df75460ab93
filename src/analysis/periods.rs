//! Per-period returns (the monthly table and yearly totals of a report):
//! the change of the last equity of each period over the last equity of
//! the period before (the first period over the starting equity).

use serde::Serialize;

use crate::core::UnixNanos;

/// The return of one calendar month, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthReturn {
    pub year: i64,
    /// 1–12.
    pub month: u32,
    pub return_pct: f64,
}

/// Monthly returns of an equity curve, in time order.
#[must_use]
pub fn monthly_returns(ts: &[UnixNanos], equity: &[f64]) -> Vec<MonthReturn> {
    let Some(&start) = equity.first() else {
        return Vec::new();
    };
    // (year, month, last equity of the month)
    let mut months: Vec<(i64, u32, f64)> = Vec::new();
    for (t, e) in ts.iter().zip(equity) {
        let (year, month, ..) = t.to_civil();
        match months.last_mut() {
            Some(last) if last.0 == year && last.1 == month => last.2 = *e,
            _ => months.push((year, month, *e)),
        }
    }
    let mut before = start;
    months
        .into_iter()
        .map(|(year, month, end)| {
            let return_pct = if before == 0.0 {
                0.0
            } else {
                (end / before - 1.0) * 100.0
            };
            before = end;
            MonthReturn {
                year,
                month,
                return_pct,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_chain_from_the_start() {
        let day = crate::core::time::NANOS_PER_DAY;
        // 2020-01-01, 2020-01-31, 2020-02-01, 2020-03-15.
        let ts = [
            UnixNanos(18_262 * day),
            UnixNanos(18_292 * day),
            UnixNanos(18_293 * day),
            UnixNanos(18_336 * day),
        ];
        let months = monthly_returns(&ts, &[100.0, 110.0, 99.0, 108.9]);
        assert_eq!(months.len(), 3);
        assert_eq!((months[0].year, months[0].month), (2020, 1));
        assert!((months[0].return_pct - 10.0).abs() < 1e-9);
        assert!((months[1].return_pct + 10.0).abs() < 1e-9);
        assert!((months[2].return_pct - 10.0).abs() < 1e-9);
        assert!(monthly_returns(&[], &[]).is_empty());
    }
}
