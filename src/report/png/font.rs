//! The PNG's labels in DejaVu Sans, drawn through plotters' `ab_glyph`
//! text support: anti-aliased vector glyphs, the same on every machine
//! (the font is embedded by the `dejavu` crate, so no system font is
//! needed).

use std::sync::Once;

use plotters::style::{FontStyle, IntoFont, RGBColor, TextStyle, register_font};

/// The family name the font is registered under with plotters.
const FAMILY: &str = "bt-dejavu-sans";
/// The labels' size in pixels.
const SIZE: f64 = 14.0;

/// Registers the font with plotters, once per process (plotters keeps its
/// fonts in a table of its own).
fn register() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The bytes are a valid TrueType font: a failure shows as every
        // label's drawing error ("font unavailable").
        let _ = register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular());
    });
}

/// How a label in `color` is drawn.
pub fn style(color: RGBColor) -> TextStyle<'static> {
    register();
    (FAMILY, SIZE).into_font().color(&color)
}

/// Width in pixels of `text` as [`style`] draws it.
pub fn width(text: &str) -> i32 {
    register();
    (FAMILY, SIZE)
        .into_font()
        .box_size(text)
        .map_or(0, |(w, _)| i32::try_from(w).unwrap_or(i32::MAX))
}

/// `raw` with a comma between each group of three digits of its whole
/// part: `1234567.5` → `1,234,567.5`.
pub fn thousands(raw: &str) -> String {
    let (sign, digits) = raw.strip_prefix('-').map_or(("", raw), |rest| ("-", rest));
    let (whole, fraction) = digits.split_once('.').map_or((digits, ""), |(w, f)| (w, f));
    let mut grouped = String::with_capacity(raw.len() + whole.len() / 3);
    for (k, c) in whole.chars().enumerate() {
        if k > 0 && (whole.len() - k).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_have_a_width_and_money_groups_its_thousands() {
        assert!(width("1,000") > width("10"));
        assert_eq!(width(""), 0);
        assert_eq!(thousands("1234567.50"), "1,234,567.50");
        assert_eq!(thousands("-1000"), "-1,000");
        assert_eq!(thousands("999.99"), "999.99");
        assert_eq!(thousands("100000"), "100,000");
    }
}
