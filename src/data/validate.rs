//! Checks every loader applies: prices the instrument can trade at, OHLC
//! consistency, non-negative volume (the loaders reject negatives), and
//! strictly increasing timestamps.

use crate::model::data::Bar;

use super::{BarFileSpec, DataError, LoadedBars, PriceDomain};

/// `rows[i]` is the file row of `bars[i]` for messages.
pub(super) fn check_and_order(
    spec: &BarFileSpec,
    parsed: ParsedBars,
) -> Result<LoadedBars, DataError> {
    let ParsedBars {
        mut bars,
        first_row,
        rounded,
    } = parsed;
    let path = &spec.path;
    let mut warnings = Vec::new();
    if rounded > 0 {
        warnings.push(format!(
            "{}: {rounded} values had more decimals than the instrument's precision and were rounded half up",
            path.display()
        ));
    }
    for (i, bar) in bars.iter().enumerate() {
        let row = first_row + i;
        let below = match spec.prices {
            PriceDomain::Positive => (bar.low <= 0).then_some("above zero"),
            PriceDomain::NonNegative => (bar.low < 0).then_some("zero or above"),
            PriceDomain::Any => None,
        };
        if let Some(domain) = below {
            return Err(DataError::at(
                path,
                row,
                &spec.columns.low,
                format!(
                    "price {} is impossible for this instrument: its prices are {domain} (a file of zeros, or a lost sign?)",
                    bar.low()
                ),
            ));
        }
        if bar.high < bar.open.max(bar.close) {
            return Err(DataError::at(
                path,
                row,
                &spec.columns.high,
                format!(
                    "high {} is below max(open, close) {}",
                    bar.high(),
                    bar.open().max(bar.close())
                ),
            ));
        }
        if bar.low > bar.open.min(bar.close) {
            return Err(DataError::at(
                path,
                row,
                &spec.columns.low,
                format!(
                    "low {} is above min(open, close) {}",
                    bar.low(),
                    bar.open().min(bar.close())
                ),
            ));
        }
    }
    let unsorted = bars.windows(2).position(|w| w[1].ts_init < w[0].ts_init);
    if let Some(at) = unsorted {
        if !spec.sort {
            let row = first_row + at + 1;
            return Err(DataError::at(
                path,
                row,
                &spec.columns.timestamp,
                format!(
                    "timestamp {} is before the previous row's {} (set sort = true to sort the file)",
                    bars[at + 1].ts_init,
                    bars[at].ts_init
                ),
            ));
        }
        bars.sort_by_key(|b| b.ts_init);
        warnings.push(format!(
            "{}: rows were not in time order and were sorted",
            path.display()
        ));
    }
    if let Some(at) = bars.windows(2).position(|w| w[1].ts_init == w[0].ts_init) {
        let message = format!("duplicate timestamp {}", bars[at].ts_init);
        // After a sort the file row is unknown.
        return Err(if spec.sort && unsorted.is_some() {
            DataError::column(path, &spec.columns.timestamp, message)
        } else {
            DataError::at(path, first_row + at + 1, &spec.columns.timestamp, message)
        });
    }
    Ok(LoadedBars { bars, warnings })
}

/// Bars as parsed, before the checks.
#[derive(Debug)]
pub(super) struct ParsedBars {
    pub bars: Vec<Bar>,
    /// The file row of `bars[0]`.
    pub first_row: usize,
    /// How many values were rounded to the precision.
    pub rounded: usize,
}
