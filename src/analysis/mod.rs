//! Analysis: the round-trip trades of a run and the statistics computed
//! from the equity curve and those trades.

pub mod analyzers;
pub mod breakdown;
pub mod downsample;
pub mod observers;
pub mod periods;
pub mod sizers;
pub mod stats;
pub mod trades;
pub mod turnover;
