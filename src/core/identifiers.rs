//! Validated identifiers. Each is a cheap-to-clone newtype over a shared
//! string that rejects empty or blank text; dense indices
//! ([`InstrumentIndex`] and friends) stand in for them on hot paths.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// An identifier was empty, blank or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} '{value}': {reason}")]
pub struct IdentifierError {
    pub kind: &'static str,
    pub value: String,
    pub reason: &'static str,
}

fn check_text(kind: &'static str, value: &str) -> Result<(), IdentifierError> {
    if value.trim().is_empty() {
        return Err(IdentifierError {
            kind,
            value: value.to_string(),
            reason: "must not be empty",
        });
    }
    if value.chars().any(char::is_whitespace) {
        return Err(IdentifierError {
            kind,
            value: value.to_string(),
            reason: "must not contain whitespace",
        });
    }
    Ok(())
}

/// `prefix`, `separator` and `number` in decimal as one shared string,
/// without the formatting machinery and with one allocation (this runs for
/// every order and fill): the text is put together on the stack.
fn numbered_text(prefix: &str, separator: char, number: u64) -> Arc<str> {
    let digit_count = number.checked_ilog10().map_or(1, |d| d as usize + 1);
    let mut separator_bytes = [0u8; 4];
    let separator = separator.encode_utf8(&mut separator_bytes).as_bytes();
    let len = prefix.len() + separator.len() + digit_count;
    let mut buffer = [0u8; 64];
    let Some(text) = buffer.get_mut(..len) else {
        // A prefix too long for the stack buffer: the slow way.
        return Arc::from(format!(
            "{prefix}{}{number}",
            std::str::from_utf8(separator).unwrap_or("-")
        ));
    };
    let (head, tail) = text.split_at_mut(prefix.len());
    head.copy_from_slice(prefix.as_bytes());
    let (middle, digits) = tail.split_at_mut(separator.len());
    for (to, from) in middle.iter_mut().zip(separator) {
        *to = *from;
    }
    // The digits go straight into place, last first.
    let mut rest = number;
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + u8::try_from(rest % 10).unwrap_or(0);
        rest /= 10;
    }
    // Valid UTF-8 pieces joined are valid UTF-8.
    Arc::from(std::str::from_utf8(text).unwrap_or(prefix))
}

macro_rules! string_identifier {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Arc<str>);

        impl $name {
            /// # Errors
            /// When `value` is empty or contains whitespace.
            pub fn new(value: &str) -> Result<Self, IdentifierError> {
                check_text(stringify!($name), value)?;
                Ok(Self(Arc::from(value)))
            }

            /// An id `bt` builds itself from validated parts and numbers,
            /// such as `O-<strategy>-<n>`: it cannot be empty or hold
            /// whitespace, so the scan is skipped on the order path.
            #[must_use]
            pub fn from_parts(prefix: &str, separator: char, number: u64) -> Self {
                let text = numbered_text(prefix, separator, number);
                debug_assert!(check_text(stringify!($name), &text).is_ok());
                Self(text)
            }

            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdentifierError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::new(value)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::new(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_identifier!(
    /// The trader (one backtest node).
    TraderId
);
string_identifier!(
    /// A strategy instance.
    StrategyId
);
string_identifier!(
    /// A ticker without its venue, e.g. `BTCUSDT`.
    Symbol
);
string_identifier!(
    /// A trading venue, e.g. `SIM` or `BINANCE`.
    Venue
);
string_identifier!(
    /// An account at a venue.
    AccountId
);
string_identifier!(
    /// The strategy-side order id, unique within a run.
    ClientOrderId
);
string_identifier!(
    /// The venue-side order id.
    VenueOrderId
);
string_identifier!(
    /// One execution (fill) at a venue.
    TradeId
);
string_identifier!(
    /// A position.
    PositionId
);

/// `SYMBOL.VENUE`; the venue is what follows the last dot, so symbols may
/// contain dots (`BRK.B.NYSE`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstrumentId {
    pub symbol: Symbol,
    pub venue: Venue,
}

impl InstrumentId {
    #[must_use]
    pub const fn new(symbol: Symbol, venue: Venue) -> Self {
        Self { symbol, venue }
    }
}

impl FromStr for InstrumentId {
    type Err = IdentifierError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let Some((symbol, venue)) = value.rsplit_once('.') else {
            return Err(IdentifierError {
                kind: "InstrumentId",
                value: value.to_string(),
                reason: "expected SYMBOL.VENUE",
            });
        };
        Ok(Self {
            symbol: Symbol::new(symbol)?,
            venue: Venue::new(venue)?,
        })
    }
}

impl fmt::Display for InstrumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.symbol, self.venue)
    }
}

impl serde::Serialize for InstrumentId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for InstrumentId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

macro_rules! dense_index {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize` for slice access.
            #[must_use]
            pub const fn get(self) -> usize {
                self.0 as usize
            }

            /// # Errors
            /// When `index` does not fit in `u32`.
            pub fn from_usize(index: usize) -> Result<Self, IdentifierError> {
                u32::try_from(index).map(Self).map_err(|_| IdentifierError {
                    kind: stringify!($name),
                    value: index.to_string(),
                    reason: "too many items",
                })
            }
        }
    };
}

dense_index!(
    /// Position of an instrument in the run's instrument table.
    InstrumentIndex
);
dense_index!(
    /// Position of a venue in the run's venue table.
    VenueIndex
);
dense_index!(
    /// Position of a strategy in the run's strategy table.
    StrategyIndex
);
dense_index!(
    /// Position of an order in the cache's order table.
    OrderIndex
);
dense_index!(
    /// Position of a position in the cache's position table.
    PositionIndex
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instrument_id_splits_on_the_last_dot() {
        let id: InstrumentId = "BTCUSDT.SIM".parse().unwrap();
        assert_eq!(id.symbol.as_str(), "BTCUSDT");
        assert_eq!(id.venue.as_str(), "SIM");
        let dotted: InstrumentId = "BRK.B.NYSE".parse().unwrap();
        assert_eq!(dotted.symbol.as_str(), "BRK.B");
        assert_eq!(dotted.to_string(), "BRK.B.NYSE");
        assert!("NOVENUE".parse::<InstrumentId>().is_err());
        assert!(".SIM".parse::<InstrumentId>().is_err());
        assert!("AAPL.".parse::<InstrumentId>().is_err());
    }

    #[test]
    fn identifiers_reject_empty_and_blank_text() {
        assert!(StrategyId::new("").is_err());
        assert!(TraderId::new("  ").is_err());
        assert!(ClientOrderId::new("O 1").is_err());
        assert_eq!(Venue::new("SIM").unwrap().to_string(), "SIM");
        let err = AccountId::new("").unwrap_err();
        assert_eq!(err.to_string(), "invalid AccountId '': must not be empty");
    }

    #[test]
    fn generated_ids_read_like_formatted_ones() {
        for n in [0u64, 7, 10, 12_345, u64::MAX] {
            assert_eq!(
                ClientOrderId::from_parts("O-S-1", '-', n).as_str(),
                format!("O-S-1-{n}")
            );
        }
        assert_eq!(TradeId::from_parts("SIM", '-', 3).to_string(), "SIM-3");
        // Past the stack buffer, and a separator of several bytes.
        let long = "P".repeat(70);
        assert_eq!(
            VenueOrderId::from_parts(&long, '-', 42).as_str(),
            format!("{long}-42")
        );
        assert_eq!(TradeId::from_parts("Δ", 'µ', 9).as_str(), "Δµ9");
    }

    #[test]
    fn identifiers_compare_by_value() {
        assert_eq!(TradeId::new("T-1").unwrap(), TradeId::new("T-1").unwrap());
        assert!(PositionId::new("P-1").unwrap() < PositionId::new("P-2").unwrap());
        assert_eq!(VenueOrderId::new("V-1").unwrap().as_str(), "V-1");
        assert_eq!(Symbol::new("AAPL").unwrap().as_str(), "AAPL");
    }

    #[test]
    fn dense_indices_convert() {
        assert_eq!(InstrumentIndex::from_usize(3).unwrap().get(), 3);
        assert!(OrderIndex::from_usize(usize::MAX).is_err());
    }
}
