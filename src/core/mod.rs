//! Core: enums, identifiers, fixed-point values, time, clocks, events, the
//! message bus and the seeded random stream. Imports nothing above it.

pub mod atomic;
pub mod clock;
pub mod currency;
pub mod enums;
pub mod events;
pub mod fixed;
pub mod identifiers;
pub mod money;
pub mod msgbus;
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
