//! The `[walk_forward]` table: how long the in-sample and out-of-sample
//! windows are, how far each window moves on, whether in-sample windows
//! are anchored at the first bar, and the warm-up replayed before each
//! out-of-sample window.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::backtest::ConfigError;
use crate::backtest::config::Checker;
use crate::core::time::parse_duration_ns;

/// A window's length: a span of time, or a number of bars of the first
/// strategy's instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// Nanoseconds.
    Span(i64),
    Bars(usize),
}

/// Bars replayed before an out-of-sample window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarmupSetting {
    /// The chosen strategies' own warm-up (their longest indicator).
    Auto,
    Fixed(Length),
}

/// A length with where it was written, for errors found later against
/// the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub field: &'static str,
    pub span: Range<usize>,
}

/// A checked `[walk_forward]` table.
#[derive(Debug, Clone)]
pub struct WalkForwardSpec {
    pub in_sample: Located<Length>,
    pub out_of_sample: Located<Length>,
    /// How far each window starts after the one before (the out-of-sample
    /// length unless set).
    pub step: Located<Length>,
    pub anchored: bool,
    pub warmup: Located<WarmupSetting>,
}

#[derive(Debug, Deserialize)]
struct WalkForwardFile {
    walk_forward: Option<Spanned<RawWalkForward>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWalkForward {
    in_sample: Option<Spanned<String>>,
    in_sample_bars: Option<Spanned<i64>>,
    out_of_sample: Option<Spanned<String>>,
    out_of_sample_bars: Option<Spanned<i64>>,
    step: Option<Spanned<String>>,
    step_bars: Option<Spanned<i64>>,
    #[serde(default)]
    anchored: bool,
    warmup: Option<Spanned<toml::Value>>,
}

impl WalkForwardSpec {
    /// Reads the `[walk_forward]` table of the config text `source`.
    ///
    /// # Errors
    /// A located [`ConfigError`]: no table, a length missing, given twice,
    /// zero or malformed, an unknown field.
    pub fn parse(path: &Path, source: &str) -> Result<Self, ConfigError> {
        let file: WalkForwardFile =
            toml::from_str(source).map_err(|e| ConfigError::from_toml(path, source, &e))?;
        let Some(table) = file.walk_forward else {
            return Err(ConfigError::file(
                path,
                "no [walk_forward] table: add one that says how long the windows are, e.g.\n  \
                 [walk_forward]\n  in_sample = \"365d\"\n  out_of_sample = \"90d\"",
            ));
        };
        let span = table.span();
        let raw = table.into_inner();
        let at = Checker { path, source };
        let in_sample = length(
            &at,
            ("in_sample", raw.in_sample.as_ref()),
            ("in_sample_bars", raw.in_sample_bars.as_ref()),
        )?
        .ok_or_else(|| {
            at.fail(
                span.clone(),
                "walk_forward.in_sample",
                "is missing: a duration like \"365d\", or in_sample_bars = N",
            )
        })?;
        let out_of_sample = length(
            &at,
            ("out_of_sample", raw.out_of_sample.as_ref()),
            ("out_of_sample_bars", raw.out_of_sample_bars.as_ref()),
        )?
        .ok_or_else(|| {
            at.fail(
                span.clone(),
                "walk_forward.out_of_sample",
                "is missing: a duration like \"90d\", or out_of_sample_bars = N",
            )
        })?;
        let step = length(
            &at,
            ("step", raw.step.as_ref()),
            ("step_bars", raw.step_bars.as_ref()),
        )?
        .unwrap_or_else(|| out_of_sample.clone());
        let warmup = match &raw.warmup {
            None => Located {
                value: WarmupSetting::Auto,
                field: "walk_forward.warmup",
                span: span.clone(),
            },
            Some(value) => Located {
                value: warmup(&at, value)?,
                field: "walk_forward.warmup",
                span: value.span(),
            },
        };
        Ok(Self {
            in_sample,
            out_of_sample,
            step,
            anchored: raw.anchored,
            warmup,
        })
    }
}

/// One length written as a duration (`name`) or a bar count
/// (`name_bars`), not both.
fn length(
    at: &Checker<'_>,
    (span_name, span): (&'static str, Option<&Spanned<String>>),
    (bars_name, bars): (&'static str, Option<&Spanned<i64>>),
) -> Result<Option<Located<Length>>, ConfigError> {
    let field = |name: &'static str| match name {
        "in_sample" => "walk_forward.in_sample",
        "in_sample_bars" => "walk_forward.in_sample_bars",
        "out_of_sample" => "walk_forward.out_of_sample",
        "out_of_sample_bars" => "walk_forward.out_of_sample_bars",
        "step" => "walk_forward.step",
        _ => "walk_forward.step_bars",
    };
    match (span, bars) {
        (Some(_), Some(b)) => Err(at.fail(
            b.span(),
            field(bars_name),
            format!("give {span_name} (a duration) or {bars_name} (a bar count), not both"),
        )),
        (Some(text), None) => {
            let ns = parse_duration_ns(text.get_ref())
                .map_err(|m| at.fail(text.span(), field(span_name), m))?;
            Ok(Some(Located {
                value: Length::Span(ns),
                field: field(span_name),
                span: text.span(),
            }))
        }
        (None, Some(n)) => {
            let count = usize::try_from(*n.get_ref())
                .ok()
                .filter(|c| (1..=1_000_000_000).contains(c))
                .ok_or_else(|| {
                    at.fail(
                        n.span(),
                        field(bars_name),
                        format!(
                            "must be a whole number of bars from 1 to 1,000,000,000, got {}",
                            n.get_ref()
                        ),
                    )
                })?;
            Ok(Some(Located {
                value: Length::Bars(count),
                field: field(bars_name),
                span: n.span(),
            }))
        }
        (None, None) => Ok(None),
    }
}

fn warmup(at: &Checker<'_>, raw: &Spanned<toml::Value>) -> Result<WarmupSetting, ConfigError> {
    let fail = |message: String| at.fail(raw.span(), "walk_forward.warmup", message);
    match raw.get_ref() {
        toml::Value::String(text) if text == "auto" => Ok(WarmupSetting::Auto),
        toml::Value::String(text) => parse_duration_ns(text)
            .map(|ns| WarmupSetting::Fixed(Length::Span(ns)))
            .map_err(|m| fail(format!("{m}, or \"auto\""))),
        toml::Value::Integer(0) => Ok(WarmupSetting::Fixed(Length::Bars(0))),
        toml::Value::Integer(n) if (1..=10_000_000).contains(n) => Ok(WarmupSetting::Fixed(
            Length::Bars(usize::try_from(*n).unwrap_or(0)),
        )),
        other => Err(fail(format!(
            "expected \"auto\", a number of bars from 0 to 10,000,000 or a duration like \"30d\", got {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(table: &str) -> Result<WalkForwardSpec, ConfigError> {
        WalkForwardSpec::parse(Path::new("wf.toml"), &format!("[walk_forward]\n{table}"))
    }

    #[test]
    fn durations_and_bar_counts_mix_and_step_defaults_to_the_out_of_sample_length() {
        let spec = parse("in_sample = \"180d\"\nout_of_sample_bars = 30").unwrap();
        assert_eq!(
            spec.in_sample.value,
            Length::Span(180 * crate::core::time::NANOS_PER_DAY)
        );
        assert_eq!(spec.out_of_sample.value, Length::Bars(30));
        assert_eq!(spec.step.value, Length::Bars(30));
        assert!(!spec.anchored);
        assert_eq!(spec.warmup.value, WarmupSetting::Auto);
    }

    #[test]
    fn bad_tables_are_located_errors() {
        let cases = [
            ("out_of_sample = \"30d\"", "walk_forward.in_sample"),
            ("in_sample = \"30d\"", "walk_forward.out_of_sample"),
            (
                "in_sample = \"30d\"\nin_sample_bars = 5\nout_of_sample = \"1d\"",
                "walk_forward.in_sample_bars",
            ),
            (
                "in_sample = \"30d\"\nout_of_sample = \"1d\"\nstep_bars = 0",
                "walk_forward.step_bars",
            ),
            (
                "in_sample = \"30d\"\nout_of_sample = \"0d\"",
                "walk_forward.out_of_sample",
            ),
            (
                "in_sample = \"30d\"\nout_of_sample = \"1d\"\nwarmup = \"soon\"",
                "walk_forward.warmup",
            ),
        ];
        for (table, field) in cases {
            let error = parse(table).unwrap_err().to_string();
            assert!(error.contains(field), "{table}: {error}");
            assert!(error.contains("wf.toml:"), "{table}: {error}");
        }
        let error = WalkForwardSpec::parse(Path::new("wf.toml"), "")
            .unwrap_err()
            .to_string();
        assert!(error.contains("no [walk_forward] table"), "{error}");
    }
}
