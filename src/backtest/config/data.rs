//! `[[data]]`: which file feeds which instrument, and how it is read.

use super::*;

pub(super) fn data_spec(
    check: &Checker<'_>,
    raw: &RawData,
    instrument: InstrumentIndex,
    inst: &Instrument,
    base_dir: &Path,
    position: usize,
) -> Result<DataSpec, ConfigError> {
    let bar_type: BarType = match &raw.bar_type {
        Some(text) => text
            .get_ref()
            .parse()
            .map_err(|e: crate::model::data::BarTypeError| {
                check.fail(text.span(), "data.bar_type", e.to_string())
            })?,
        None => format!("{}-1-MINUTE-LAST", inst.id).parse().map_err(
            |e: crate::model::data::BarTypeError| {
                check.fail(raw.instrument.span(), "data.instrument", e.to_string())
            },
        )?,
    };
    if bar_type.instrument_id != inst.id {
        let span = raw
            .bar_type
            .as_ref()
            .map_or(raw.instrument.span(), Spanned::span);
        return Err(check.fail(
            span,
            "data.bar_type",
            format!(
                "bar type is for '{}', not '{}'",
                bar_type.instrument_id, inst.id
            ),
        ));
    }
    let path = base_dir.join(raw.path.get_ref());
    let format = match raw.format {
        Some(RawFormat::Csv) => Some(DataFormat::Csv),
        Some(RawFormat::Parquet) => Some(DataFormat::Parquet),
        None => Some(
            DataFormat::from_path(&path)
                .map_err(|e| check.fail(raw.path.span(), "data.path", e.message))?,
        ),
    };
    let defaults = BarColumns::default();
    let c = &raw.columns;
    let columns = BarColumns {
        timestamp: c.timestamp.clone().unwrap_or(defaults.timestamp),
        open: c.open.clone().unwrap_or(defaults.open),
        high: c.high.clone().unwrap_or(defaults.high),
        low: c.low.clone().unwrap_or(defaults.low),
        close: c.close.clone().unwrap_or(defaults.close),
        volume: c.volume.clone().unwrap_or(defaults.volume),
    };
    let timestamp_format = timestamp_format(raw.timestamp_format);
    let file = BarFileSpec {
        path,
        format,
        columns,
        timestamp_format,
        instrument,
        price_precision: inst.price_precision,
        size_precision: inst.size_precision,
        sort: raw.sort,
        prices: match inst.kind {
            InstrumentKind::Future { .. } => PriceDomain::Any,
            InstrumentKind::Option { .. } => PriceDomain::NonNegative,
            _ => PriceDomain::Positive,
        },
    };
    let priority = raw
        .priority
        .unwrap_or_else(|| u32::try_from(position).unwrap_or(u32::MAX));
    Ok(DataSpec {
        file,
        bar_type,
        priority,
    })
}

/// The data layer's name for a configured timestamp format.
pub(super) const fn timestamp_format(raw: RawTimestampFormat) -> TimestampFormat {
    match raw {
        RawTimestampFormat::Rfc3339 => TimestampFormat::Rfc3339,
        RawTimestampFormat::UnixS => TimestampFormat::UnixSeconds,
        RawTimestampFormat::UnixMs => TimestampFormat::UnixMillis,
        RawTimestampFormat::UnixUs => TimestampFormat::UnixMicros,
        RawTimestampFormat::UnixNs => TimestampFormat::UnixNanos,
    }
}
