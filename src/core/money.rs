//! `Money` and `AccountBalance`.
//!
//! Money keeps the full global scale (nine decimals): a percentage fee on a
//! two-decimal notional is carried exactly, not rounded to cents, as
//! Backtesting.py, Backtrader and vectorbt account. Display rounds to the
//! currency's precision.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::currency::Currency;
use super::fixed::{self, FixedError};

/// An amount of one currency; `raw` is at the global scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    pub raw: i128,
    pub currency: Currency,
}

/// Why money text such as `"100000 USD"` was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyParseError {
    #[error("expected '<amount> <currency>' such as '100000 USD', got '{0}'")]
    Shape(String),
    #[error(transparent)]
    Amount(#[from] FixedError),
    #[error(transparent)]
    Currency(#[from] super::currency::UnknownCurrency),
    /// More decimals than money holds: it would be rounded.
    #[error("'{0}' has {1} decimals; amounts hold at most {max} (it would be rounded)", max = fixed::FIXED_PRECISION)]
    TooPrecise(String, usize),
}

impl Money {
    #[must_use]
    pub const fn new(raw: i128, currency: Currency) -> Self {
        Self { raw, currency }
    }

    #[must_use]
    pub const fn zero(currency: Currency) -> Self {
        Self { raw: 0, currency }
    }

    fn same_currency(self, other: Self) -> Result<(), FixedError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(FixedError::CurrencyMismatch(
                self.currency.code(),
                other.currency.code(),
            ))
        }
    }

    /// # Errors
    /// On a currency mismatch or overflow.
    pub fn checked_add(self, other: Self) -> Result<Self, FixedError> {
        self.same_currency(other)?;
        let raw = self
            .raw
            .checked_add(other.raw)
            .ok_or(FixedError::Overflow("money addition"))?;
        Ok(Self {
            raw,
            currency: self.currency,
        })
    }

    /// # Errors
    /// On a currency mismatch or overflow.
    pub fn checked_sub(self, other: Self) -> Result<Self, FixedError> {
        self.same_currency(other)?;
        let raw = self
            .raw
            .checked_sub(other.raw)
            .ok_or(FixedError::Overflow("money subtraction"))?;
        Ok(Self {
            raw,
            currency: self.currency,
        })
    }

    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.raw < 0
    }

    #[must_use]
    pub fn as_f64(self) -> f64 {
        fixed::raw_to_f64(self.raw)
    }

    /// The amount with every internal decimal, e.g. `2460.712650000`.
    #[must_use]
    pub fn to_full_precision_string(self) -> String {
        fixed::format_raw(self.raw, fixed::FIXED_PRECISION)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fixed::write_raw(f, self.raw, self.currency.precision())?;
        write!(f, " {}", self.currency)
    }
}

impl FromStr for Money {
    type Err = MoneyParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.split_whitespace();
        let (Some(amount), Some(code), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(MoneyParseError::Shape(text.to_string()));
        };
        let currency: Currency = code.parse()?;
        let decimals = amount.split_once('.').map_or(0, |(_, f)| f.len());
        if decimals > usize::from(fixed::FIXED_PRECISION) {
            return Err(MoneyParseError::TooPrecise(amount.to_string(), decimals));
        }
        let (raw, _) = fixed::parse_raw(amount)?;
        Ok(Self { raw, currency })
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!(
            "{} {}",
            self.to_full_precision_string(),
            self.currency
        ))
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// One currency's balance in an account: `total = locked + free`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AccountBalance {
    pub total: Money,
    pub locked: Money,
    pub free: Money,
}

impl AccountBalance {
    /// # Errors
    /// When the currencies differ or `total != locked + free`.
    pub fn new(total: Money, locked: Money, free: Money) -> Result<Self, FixedError> {
        if locked.checked_add(free)? != total {
            return Err(FixedError::Overflow(
                "balance: total must equal locked + free",
            ));
        }
        Ok(Self {
            total,
            locked,
            free,
        })
    }

    /// A balance with nothing locked.
    #[must_use]
    pub fn unlocked(total: Money) -> Self {
        Self {
            total,
            locked: Money::zero(total.currency),
            free: total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_amount_and_currency() {
        let m: Money = "100000 USD".parse().unwrap();
        assert_eq!(m.raw, 100_000 * fixed::FIXED_SCALAR);
        assert_eq!(m.to_string(), "100000.00 USD");
        assert!("100000".parse::<Money>().is_err());
        assert!("1 XXX".parse::<Money>().is_err());
        assert!("abc USD".parse::<Money>().is_err());
    }

    #[test]
    fn more_decimals_than_money_holds_are_refused_not_rounded() {
        assert_eq!(
            "0.000000001 USD".parse::<Money>().unwrap().raw,
            1,
            "nine decimals are exact"
        );
        let error = "100000.12345678901234567891 USD"
            .parse::<Money>()
            .unwrap_err();
        assert!(error.to_string().contains("has 20 decimals"), "{error}");
    }

    #[test]
    fn currency_mismatch_is_an_error() {
        let usd = Money::new(1, Currency::USD);
        let eur = Money::new(1, Currency::EUR);
        assert!(matches!(
            usd.checked_add(eur),
            Err(FixedError::CurrencyMismatch("USD", "EUR"))
        ));
    }

    #[test]
    fn balance_checks_its_identity() {
        let total = Money::new(10, Currency::USD);
        assert!(
            AccountBalance::new(
                total,
                Money::new(4, Currency::USD),
                Money::new(6, Currency::USD)
            )
            .is_ok()
        );
        assert!(
            AccountBalance::new(
                total,
                Money::new(4, Currency::USD),
                Money::new(5, Currency::USD)
            )
            .is_err()
        );
        assert_eq!(AccountBalance::unlocked(total).free, total);
    }
}
