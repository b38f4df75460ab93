//! Currencies: a small built-in table, copied by value everywhere.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::enums::CurrencyType;

/// A currency: its ISO-style code, display precision and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    pub code: &'static str,
    pub precision: u8,
    pub currency_type: CurrencyType,
}

macro_rules! currencies {
    ($($name:ident = ($code:literal, $precision:literal, $kind:ident)),* $(,)?) => {
        impl Currency {
            $(
                #[doc = concat!("The ", $code, " currency.")]
                pub const $name: Self = Self { code: $code, precision: $precision, currency_type: CurrencyType::$kind };
            )*
            /// Every built-in currency.
            pub const ALL: &'static [Self] = &[$(Self::$name),*];
        }
    };
}

currencies! {
    USD = ("USD", 2, Fiat),
    EUR = ("EUR", 2, Fiat),
    GBP = ("GBP", 2, Fiat),
    JPY = ("JPY", 0, Fiat),
    BTC = ("BTC", 8, Crypto),
    ETH = ("ETH", 8, Crypto),
    USDT = ("USDT", 8, Crypto),
    SOL = ("SOL", 9, Crypto),
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
            .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
            .copied()
            .ok_or_else(|| UnknownCurrency(code.to_string()))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
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
    fn parses_known_codes_case_insensitively() {
        assert_eq!("usd".parse::<Currency>().unwrap(), Currency::USD);
        assert_eq!("USDT".parse::<Currency>().unwrap().precision, 8);
        assert_eq!(Currency::JPY.precision, 0);
        assert!("XYZ".parse::<Currency>().is_err());
    }
}
