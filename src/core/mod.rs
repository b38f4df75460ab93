//! Core: enums, identifiers, fixed-point values, time, clocks, events and
//! the seeded random stream. Imports nothing above it.

/// Serde as text: written with `Display`, read back through `FromStr`,
/// which validates.
macro_rules! serde_as_text {
    ($name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use serde_as_text;

pub mod atomic;
pub mod clock;
pub mod contain;
pub mod currency;
pub mod enums;
pub mod events;
pub mod fixed;
pub mod identifiers;
pub mod money;
pub mod pool;
pub mod price;
pub mod quantity;
pub mod rng;
pub mod text;
pub mod time;

pub use currency::Currency;
pub use fixed::FixedError;
pub use money::{AccountBalance, Money};
pub use price::Price;
pub use quantity::Quantity;
pub use time::UnixNanos;
