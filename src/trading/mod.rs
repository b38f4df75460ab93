//! Trading: the strategy API, parameters and built-in strategies.

pub mod builtin;
pub mod params;
pub mod script;
pub mod strategy;
