//! `bt`: a configuration-driven, event-driven backtester.
//!
//! Layers, each importing only those above it in this list: `core` → `model`
//! → `indicators`, `data`, `state` → `engine` → `venues` → `analysis` →
//! `trading` → `backtest` → `report` → `cli`.

pub mod core;
pub mod model;
pub mod engine;
pub mod state;
pub mod venues;
pub mod indicators;
pub mod trading;
pub mod data;
pub mod analysis;
pub mod backtest;
pub mod report;
pub mod cli;
pub mod error;

pub use error::{Error, ExitCode, Result};
