//! The domain enums. Each has one canonical upper-case name used by
//! `Display`, serde and `FromStr` (which also accepts any case and `-` for
//! `_`, so configs may write `market`, `stop-market` or `STOP_MARKET`).

use std::fmt;
use std::str::FromStr;

/// A name that is not one of an enum's variants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} '{value}' (expected one of: {expected})")]
pub struct EnumParseError {
    pub kind: &'static str,
    pub value: String,
    pub expected: &'static str,
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The canonical name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = EnumParseError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                let normalized = value.trim().replace('-', "_");
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(&normalized))
                    .ok_or_else(|| EnumParseError {
                        kind: stringify!($name),
                        value: value.to_string(),
                        expected: concat!($($text, " "),+),
                    })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
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

named_enum!(
    /// The side of an order.
    OrderSide { Buy = "BUY", Sell = "SELL" }
);

impl OrderSide {
    /// The other side.
    #[must_use]
    pub const fn opposite(self) -> Self {
        match self {
            Self::Buy => Self::Sell,
            Self::Sell => Self::Buy,
        }
    }
}

named_enum!(
    /// The kind of an order.
    OrderType {
        Market = "MARKET",
        Limit = "LIMIT",
        StopMarket = "STOP_MARKET",
        StopLimit = "STOP_LIMIT",
        MarketToLimit = "MARKET_TO_LIMIT",
        MarketIfTouched = "MARKET_IF_TOUCHED",
        LimitIfTouched = "LIMIT_IF_TOUCHED",
        TrailingStopMarket = "TRAILING_STOP_MARKET",
        TrailingStopLimit = "TRAILING_STOP_LIMIT",
    }
);

named_enum!(
    /// How long an order stays working.
    TimeInForce {
        Gtc = "GTC",
        Ioc = "IOC",
        Fok = "FOK",
        Gtd = "GTD",
        Day = "DAY",
        AtTheOpen = "AT_THE_OPEN",
        AtTheClose = "AT_THE_CLOSE",
    }
);

named_enum!(
    /// The state of an order; transitions are in `model::orders::fsm`.
    // Four bytes wide: the cache tests an order's status right after the
    // order wrote it, with a four-byte load, which a one-byte store does
    // not forward to (measured: 12 % of the cache's time in W3 stalled
    // there).
    #[repr(u32)]
    OrderStatus {
        Initialized = "INITIALIZED",
        Denied = "DENIED",
        Submitted = "SUBMITTED",
        Accepted = "ACCEPTED",
        Rejected = "REJECTED",
        Canceled = "CANCELED",
        Expired = "EXPIRED",
        Triggered = "TRIGGERED",
        PendingUpdate = "PENDING_UPDATE",
        PendingCancel = "PENDING_CANCEL",
        PartiallyFilled = "PARTIALLY_FILLED",
        Filled = "FILLED",
    }
);

impl OrderStatus {
    /// Terminal states never change again.
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Denied | Self::Rejected | Self::Canceled | Self::Expired | Self::Filled
        )
    }

    /// Working at the venue (can still fill or be canceled).
    #[must_use]
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            Self::Accepted
                | Self::Triggered
                | Self::PendingUpdate
                | Self::PendingCancel
                | Self::PartiallyFilled
        )
    }
}

named_enum!(
    /// Order management: one position per instrument, or one per entry.
    OmsType { Unspecified = "UNSPECIFIED", Netting = "NETTING", Hedging = "HEDGING" }
);

named_enum!(
    /// How an account settles trades.
    AccountType { Cash = "CASH", Margin = "MARGIN", Betting = "BETTING" }
);

named_enum!(
    /// The asset class of an instrument.
    AssetClass {
        Fx = "FX",
        Equity = "EQUITY",
        Commodity = "COMMODITY",
        Debt = "DEBT",
        Index = "INDEX",
        Cryptocurrency = "CRYPTOCURRENCY",
        Alternative = "ALTERNATIVE",
    }
);

named_enum!(
    /// The kind of a currency.
    CurrencyType { Crypto = "CRYPTO", Fiat = "FIAT", CommodityBacked = "COMMODITY_BACKED" }
);

named_enum!(
    /// Whether a fill added or removed liquidity.
    LiquiditySide { NoLiquiditySide = "NO_LIQUIDITY_SIDE", Maker = "MAKER", Taker = "TAKER" }
);

named_enum!(
    /// The direction of a position.
    PositionSide { Flat = "FLAT", Long = "LONG", Short = "SHORT" }
);

named_enum!(
    /// What a bar aggregates over.
    BarAggregation {
        Tick = "TICK",
        Second = "SECOND",
        Minute = "MINUTE",
        Hour = "HOUR",
        Day = "DAY",
        Week = "WEEK",
        Month = "MONTH",
        Volume = "VOLUME",
        Value = "VALUE",
    }
);

impl BarAggregation {
    /// The length of one step in nanoseconds, for time aggregations with a
    /// fixed length.
    #[must_use]
    pub const fn step_nanos(self) -> Option<i64> {
        match self {
            Self::Second => Some(1_000_000_000),
            Self::Minute => Some(60_000_000_000),
            Self::Hour => Some(3_600_000_000_000),
            Self::Day => Some(86_400_000_000_000),
            Self::Week => Some(604_800_000_000_000),
            Self::Tick | Self::Month | Self::Volume | Self::Value => None,
        }
    }
}

named_enum!(
    /// Which price a bar or quote is built from.
    PriceType { Bid = "BID", Ask = "ASK", Mid = "MID", Last = "LAST" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip_for_every_variant() {
        fn check<T: Copy + fmt::Display + FromStr + PartialEq + fmt::Debug>(all: &[T]) {
            for v in all {
                let parsed: T = v.to_string().parse().ok().unwrap();
                assert_eq!(parsed, *v);
            }
        }
        check(OrderSide::ALL);
        check(OrderType::ALL);
        check(TimeInForce::ALL);
        check(OrderStatus::ALL);
        check(OmsType::ALL);
        check(AccountType::ALL);
        check(AssetClass::ALL);
        check(CurrencyType::ALL);
        check(LiquiditySide::ALL);
        check(PositionSide::ALL);
        check(BarAggregation::ALL);
        check(PriceType::ALL);
    }

    #[test]
    fn parsing_is_forgiving_about_case_and_dashes() {
        assert_eq!(
            "stop-market".parse::<OrderType>().unwrap(),
            OrderType::StopMarket
        );
        assert_eq!(
            "Trailing_Stop_Market".parse::<OrderType>().unwrap(),
            OrderType::TrailingStopMarket
        );
        assert_eq!(
            "market-if-touched".parse::<OrderType>().unwrap(),
            OrderType::MarketIfTouched
        );
        let err = "sideways".parse::<OrderSide>().unwrap_err();
        assert!(err.to_string().contains("BUY SELL"), "{err}");
    }

    #[test]
    fn serde_uses_canonical_names() {
        assert_eq!(
            serde_json::to_string(&OrderStatus::PartiallyFilled).unwrap(),
            "\"PARTIALLY_FILLED\""
        );
        let side: OrderSide = serde_json::from_str("\"sell\"").unwrap();
        assert_eq!(side, OrderSide::Sell);
    }

    #[test]
    fn terminal_and_open_states() {
        assert!(OrderStatus::Filled.is_terminal());
        assert!(!OrderStatus::PartiallyFilled.is_terminal());
        assert!(OrderStatus::PartiallyFilled.is_open());
        assert!(!OrderStatus::Submitted.is_open());
    }
}
