//! Validated identifiers. Each is a cheap-to-clone newtype over a shared
//! string that rejects empty or blank text; dense indices
//! ([`InstrumentIndex`] and friends) stand in for them on hot paths.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

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
    // Ids are written raw into CSVs, reports and file names.
    if value.chars().any(char::is_control) {
        return Err(IdentifierError {
            kind,
            value: value.escape_default().to_string(),
            reason: "must not contain control characters",
        });
    }
    Ok(())
}

/// Parsing (through the validating `new`) and serde as text.
macro_rules! text_conversions {
    ($name:ident) => {
        impl FromStr for $name {
            type Err = IdentifierError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::new(value)
            }
        }

        crate::core::serde_as_text!($name);
    };
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

        text_conversions!($name);
    };
}

/// The one copy of `text` kept for the life of the process. Numbered ids
/// refer to their head by a plain reference, so making, copying and
/// dropping one (several per order) counts no references. Heads are few:
/// one per strategy, venue and kind of id, and one per distinct text an id
/// was parsed from without a trailing number.
fn intern(text: &str) -> &'static String {
    let mut heads = heads();
    if let Some(head) = heads.get(text) {
        return head;
    }
    let head: &'static String = Box::leak(Box::new(text.to_string()));
    heads.insert(head.as_str(), head);
    head
}

/// How many interned heads contain `part` (tests: a run interns the same
/// heads again, so a long-lived process does not grow).
#[cfg(test)]
pub(crate) fn interned_containing(part: &str) -> usize {
    heads().keys().filter(|head| head.contains(part)).count()
}

fn heads() -> std::sync::MutexGuard<'static, HashMap<&'static str, &'static String>> {
    static HEADS: OnceLock<Mutex<HashMap<&'static str, &'static String>>> = OnceLock::new();
    HEADS
        .get_or_init(Mutex::default)
        .lock()
        // The map is only ever inserted into: a panic elsewhere cannot
        // leave it half-changed.
        .unwrap_or_else(PoisonError::into_inner)
}

/// The shared head of the ids `bt` numbers itself (`O-EMA-1-`, `SIM-`,
/// `P-`): validated once, and ending in a non-digit, so that head and
/// number read back from the text unambiguously.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdPrefix(&'static String);

impl IdPrefix {
    /// # Errors
    /// When `text` is empty, contains whitespace or ends in a digit.
    pub fn new(text: &str) -> Result<Self, IdentifierError> {
        check_text("IdPrefix", text)?;
        if text.ends_with(|c: char| c.is_ascii_digit()) {
            return Err(IdentifierError {
                kind: "IdPrefix",
                value: text.to_string(),
                reason: "must not end in a digit",
            });
        }
        Ok(Self(intern(text)))
    }

    /// An identifier's text followed by `separator`, for the engine's own
    /// numbering: valid whenever `id` is a valid identifier and `separator`
    /// neither a digit nor whitespace.
    pub(crate) fn after(id: &str, separator: char) -> Self {
        debug_assert!(!separator.is_ascii_digit() && !separator.is_whitespace());
        Self(intern(&format!("{id}{separator}")))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0
    }
}

/// `text` as a head and the canonical number it ends in, when it ends in
/// one after a non-digit (`O-EMA-1-5` is `O-EMA-1-` and 5), so an id parsed
/// from text shares the head of the ids `bt` numbered.
fn head_and_number(text: &str) -> (&str, Option<NonZeroU64>) {
    let head_len = text.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    match (head_len, text.get(head_len..).and_then(canonical_number)) {
        (1.., Some(number)) => (&text[..head_len], Some(number)),
        _ => (text, None),
    }
}

macro_rules! numbered_identifier {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Kept as an interned head plus the number the text ends in: one
        /// is made per order or fill without formatting, allocating or
        /// counting references, and the text is written only when shown.
        /// Two ids are equal when their texts are.
        #[derive(Clone)]
        pub struct $name {
            // A thin pointer (the text behind one more indirection): the id
            // is 16 bytes, and so are the orders and events that hold ids.
            head: &'static String,
            number: Option<NonZeroU64>,
        }

        impl $name {
            /// # Errors
            /// When `value` is empty or contains whitespace.
            pub fn new(value: &str) -> Result<Self, IdentifierError> {
                check_text(stringify!($name), value)?;
                let (head, number) = head_and_number(value);
                Ok(Self {
                    head: intern(head),
                    number,
                })
            }

            /// The id `value` reads as, when its head is one some id already
            /// has (else no id of this run can equal it). Unlike
            /// [`Self::new`] it keeps no new head, so text from an untrusted
            /// script cannot grow the heads kept for the process.
            ///
            /// # Errors
            /// When `value` is empty or contains whitespace.
            pub fn existing(value: &str) -> Result<Option<Self>, IdentifierError> {
                check_text(stringify!($name), value)?;
                let (head, number) = head_and_number(value);
                Ok(heads().get(head).map(|head| Self { head, number }))
            }

            /// The id that follows `count` ids numbered from 1: `prefix`
            /// followed by `count + 1` in decimal.
            #[must_use]
            pub fn after(prefix: &IdPrefix, count: u64) -> Self {
                Self {
                    head: prefix.0,
                    number: Some(NonZeroU64::MIN.saturating_add(count)),
                }
            }

            /// The number of an id that reads `prefix` followed by a number
            /// in decimal (however it was made).
            #[must_use]
            pub fn number_after(&self, prefix: &IdPrefix) -> Option<NonZeroU64> {
                // Heads are interned, and a text ending in a number after
                // the prefix (which ends in a non-digit) was split at it: the
                // id has the prefix's very head and a number, or is not one.
                self.number.filter(|_| std::ptr::eq(self.head, prefix.0))
            }

            /// The id's text.
            #[must_use]
            pub fn text(&self) -> std::borrow::Cow<'_, str> {
                match self.number {
                    None => std::borrow::Cow::Borrowed(self.head),
                    Some(number) => std::borrow::Cow::Owned(format!("{}{number}", self.head)),
                }
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                // Every text splits one way into an interned head and a
                // number: equal texts have the same parts.
                self.number == other.number && std::ptr::eq(self.head, other.head)
            }
        }

        impl Eq for $name {}

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.text().hash(state);
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.text().cmp(&other.text())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.text()).finish()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.head)?;
                match self.number {
                    Some(number) => write!(f, "{number}"),
                    None => Ok(()),
                }
            }
        }

        text_conversions!($name);
    };
}

/// Decimal digits as `bt` writes numbers (no sign, no leading zero), as a
/// non-zero number.
fn canonical_number(digits: &str) -> Option<NonZeroU64> {
    if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
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
numbered_identifier!(
    /// The strategy-side order id, unique within a run.
    ClientOrderId
);
numbered_identifier!(
    /// The venue-side order id.
    VenueOrderId
);
numbered_identifier!(
    /// One execution (fill) at a venue.
    TradeId
);
numbered_identifier!(
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

crate::core::serde_as_text!(InstrumentId);

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

            /// The index the next item of a table now holding `len` items
            /// gets. It saturates rather than fail: no run's table holds
            /// 2^32 items (that many orders alone would take 800 GB).
            #[must_use]
            pub fn next_in(len: usize) -> Self {
                Self(u32::try_from(len).unwrap_or(u32::MAX))
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
dense_index!(
    /// Position of an order tag's text in the cache's tag table.
    TagIndex
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
    fn numbered_ids_read_and_compare_like_their_text() {
        let prefix = IdPrefix::new("O-S-1-").unwrap();
        for n in [1u64, 7, 10, 12_345, u64::MAX] {
            let number = NonZeroU64::new(n).unwrap();
            let made = ClientOrderId::after(&prefix, n - 1);
            let text = format!("O-S-1-{n}");
            assert_eq!(made.to_string(), text);
            assert_eq!(made.text(), text);
            let parsed = ClientOrderId::new(&text).unwrap();
            assert_eq!(made, parsed);
            assert_eq!(parsed, made);
            assert_eq!(made.cmp(&parsed), std::cmp::Ordering::Equal);
            assert_eq!(made.number_after(&prefix), Some(number));
            assert_eq!(parsed.number_after(&prefix), Some(number));
        }
        let other = IdPrefix::new("O-S-").unwrap();
        assert_ne!(
            ClientOrderId::after(&prefix, 0),
            ClientOrderId::after(&other, 0)
        );
        assert_eq!(ClientOrderId::after(&prefix, 0).number_after(&other), None);
        for text in ["O-S-1-01", "O-S-1-", "O-S-1-+3", "O-S-1-x"] {
            assert_eq!(
                ClientOrderId::new(text).unwrap().number_after(&prefix),
                None
            );
        }
        assert_eq!(
            ClientOrderId::existing("O-S-1-7"),
            Ok(Some(ClientOrderId::after(&prefix, 6)))
        );
        assert_eq!(ClientOrderId::existing("O-NEVER-SEEN-7"), Ok(None));
        assert!(ClientOrderId::existing("O 1").is_err());
        assert!(IdPrefix::new("O-1").is_err());
        assert!(IdPrefix::new("").is_err());
        let made = TradeId::after(&IdPrefix::new("SIM-T").unwrap(), 0);
        assert_eq!(serde_json::to_string(&made).unwrap(), "\"SIM-T1\"");
        assert_eq!(format!("{made:?}"), "TradeId(\"SIM-T1\")");
    }

    proptest::proptest! {
        /// However an id's text splits into an interned head and a number,
        /// it reads back as written, and two ids are equal exactly when
        /// their texts are (ids made by numbering included).
        #[test]
        fn numbered_ids_are_their_text(a in "[A-Z0-9-]{1,6}", b in "[A-Z0-9-]{1,6}", n in 0u64..200) {
            let (x, y) = (ClientOrderId::new(&a).unwrap(), ClientOrderId::new(&b).unwrap());
            proptest::prop_assert_eq!(x.to_string(), a.clone());
            proptest::prop_assert_eq!(x == y, a == b);
            proptest::prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            if let Ok(prefix) = IdPrefix::new(&a) {
                let made = ClientOrderId::after(&prefix, n);
                let text = format!("{a}{}", n + 1);
                proptest::prop_assert_eq!(made.to_string(), text.clone());
                proptest::prop_assert_eq!(&made, &ClientOrderId::new(&text).unwrap());
                proptest::prop_assert_eq!(made == y, text == b);
                // number_after reads the number after the prefix, however
                // the id was made.
                let expected = b.strip_prefix(a.as_str()).and_then(canonical_number);
                proptest::prop_assert_eq!(y.number_after(&prefix), expected);
            }
        }
    }

    #[test]
    fn identifiers_compare_by_value() {
        assert_eq!(TradeId::new("T-1").unwrap(), TradeId::new("T-1").unwrap());
        assert!(PositionId::new("P-1").unwrap() < PositionId::new("P-2").unwrap());
        assert_eq!(VenueOrderId::new("V-1").unwrap().to_string(), "V-1");
        assert_eq!(Symbol::new("AAPL").unwrap().as_str(), "AAPL");
    }

    #[test]
    fn dense_indices_convert() {
        assert_eq!(InstrumentIndex::from_usize(3).unwrap().get(), 3);
        assert!(OrderIndex::from_usize(usize::MAX).is_err());
        assert_eq!(TagIndex::next_in(2), TagIndex(2));
        assert_eq!(OrderIndex::next_in(usize::MAX), OrderIndex(u32::MAX));
    }
}
