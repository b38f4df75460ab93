//! Flat result tables as Parquet bytes (polars lives in `data`; reports
//! hand their tables here). Money and prices arrive as exact decimal text
//! and are stored as `Float64` for pandas and polars users, with the exact
//! text kept in the CSV twin of each table.

use polars::prelude::*;

use super::DataError;

/// The values of one column; `None` is a null.
#[derive(Debug, Clone, PartialEq)]
pub enum TableColumn {
    Text(Vec<Option<String>>),
    Float(Vec<Option<f64>>),
    Int(Vec<Option<i64>>),
    /// Nanoseconds since 1970, stored as a UTC-less datetime.
    Time(Vec<Option<i64>>),
}

/// Encodes named columns (all the same length) as a Snappy Parquet file.
///
/// # Errors
/// When the columns differ in length or polars cannot write them.
pub fn table_to_parquet(
    what: &str,
    columns: Vec<(String, TableColumn)>,
) -> Result<Vec<u8>, DataError> {
    let fail =
        |e: PolarsError| DataError::file(std::path::Path::new(what), format!("cannot encode: {e}"));
    let columns: Vec<Column> = columns
        .into_iter()
        .map(|(name, values)| {
            let name: PlSmallStr = name.as_str().into();
            Ok(match values {
                TableColumn::Text(v) => Column::new(name, v),
                TableColumn::Float(v) => Column::new(name, v),
                TableColumn::Int(v) => Column::new(name, v),
                TableColumn::Time(v) => Column::new(name, v)
                    .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))
                    .map_err(fail)?,
            })
        })
        .collect::<Result<_, DataError>>()?;
    let mut df = DataFrame::new_infer_height(columns).map_err(fail)?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Snappy)
        .finish(&mut df)
        .map_err(fail)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_polars() {
        let bytes = table_to_parquet(
            "t.parquet",
            vec![
                ("id".into(), TableColumn::Text(vec![Some("a".into()), None])),
                (
                    "pnl".into(),
                    TableColumn::Float(vec![Some(1.5), Some(-2.0)]),
                ),
                ("n".into(), TableColumn::Int(vec![Some(3), None])),
                (
                    "ts".into(),
                    TableColumn::Time(vec![Some(1_000), Some(2_000)]),
                ),
            ],
        )
        .unwrap();
        let df = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .unwrap();
        assert_eq!(df.shape(), (2, 4));
        assert_eq!(
            df.column("ts").unwrap().dtype(),
            &DataType::Datetime(TimeUnit::Nanoseconds, None)
        );
        assert_eq!(df.column("pnl").unwrap().f64().unwrap().get(1), Some(-2.0));
        assert_eq!(df.column("id").unwrap().null_count(), 1);
        assert!(
            table_to_parquet(
                "x",
                vec![
                    ("a".into(), TableColumn::Int(vec![Some(1)])),
                    ("b".into(), TableColumn::Int(vec![Some(1), Some(2)])),
                ]
            )
            .is_err()
        );
    }
}
