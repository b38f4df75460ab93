//! Currencies: a small built-in table, copied by value everywhere.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::enums::CurrencyType;

/// A currency: its ISO-style code, display precision and kind. A currency
/// is its position in the built-in table, one byte: comparing one on the
/// hot path is one byte, not a string, and a [`super::Money`] is its raw
/// amount and that byte.
#[derive(Debug, Clone, Copy)]
pub struct Currency {
    /// Position in [`Currency::ALL`] and [`TABLE`].
    index: u8,
}

/// What the table knows of a currency.
#[derive(Debug)]
struct Terms {
    code: &'static str,
    precision: u8,
    currency_type: CurrencyType,
}

impl Currency {
    /// Position in [`Currency::ALL`].
    #[must_use]
    pub const fn index(self) -> u8 {
        self.index
    }

    const fn terms(self) -> &'static Terms {
        &TABLE[self.index as usize]
    }

    /// The ISO-style code, as `USD`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        self.terms().code
    }

    /// Decimal places amounts are shown and rounded to.
    #[must_use]
    pub const fn precision(self) -> u8 {
        self.terms().precision
    }

    #[must_use]
    pub const fn currency_type(self) -> CurrencyType {
        self.terms().currency_type
    }
}

impl PartialEq for Currency {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}

impl Eq for Currency {}

impl std::hash::Hash for Currency {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.index.hash(state);
    }
}

impl PartialOrd for Currency {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Currency {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index.cmp(&other.index)
    }
}

macro_rules! currencies {
    ($($name:ident = ($index:literal, $code:literal, $precision:literal, $kind:ident)),* $(,)?) => {
        impl Currency {
            $(
                #[doc = concat!("The ", $code, " currency.")]
                pub const $name: Self = Self { index: $index };
            )*
            /// Every built-in currency, in index order.
            pub const ALL: &'static [Self] = &[$(Self::$name),*];
            /// How many built-in currencies there are.
            pub const COUNT: usize = Self::ALL.len();
        }

        /// The built-in currencies' terms, by index.
        const TABLE: &[Terms] = &[$(Terms {
            code: $code,
            precision: $precision,
            currency_type: CurrencyType::$kind,
        }),*];
    };
}

currencies! {
    USD = (0, "USD", 2, Fiat),
    EUR = (1, "EUR", 2, Fiat),
    GBP = (2, "GBP", 2, Fiat),
    JPY = (3, "JPY", 0, Fiat),
    BTC = (4, "BTC", 8, Crypto),
    ETH = (5, "ETH", 8, Crypto),
    USDT = (6, "USDT", 8, Crypto),
    SOL = (7, "SOL", 9, Crypto),
}

/// The code is not a known currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown currency '{0}' (known: USD, EUR, GBP, JPY, BTC, ETH, USDT, SOL)")]
pub struct UnknownCurrency(pub String);

impl FromStr for Currency {
    type Err = UnknownCurrency;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
            .copied()
            .ok_or_else(|| UnknownCurrency(code.to_string()))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_match_the_table() {
        for (i, currency) in Currency::ALL.iter().enumerate() {
            assert_eq!(usize::from(currency.index()), i);
        }
        assert_eq!(Currency::COUNT, 8);
        assert!(Currency::USD < Currency::EUR);
    }

    #[test]
    fn parses_known_codes_case_insensitively() {
        assert_eq!("usd".parse::<Currency>().unwrap(), Currency::USD);
        assert_eq!("USDT".parse::<Currency>().unwrap().precision(), 8);
        assert_eq!(Currency::JPY.precision(), 0);
        assert!("XYZ".parse::<Currency>().is_err());
    }
}
