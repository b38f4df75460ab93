//! `bt`: a configuration-driven, event-driven backtester.
//!
//! Layers, each importing only those above it in this list: `core` → `model`
//! → `indicators`, `data`, `state` → `engine` → `venues` → `analysis` →
//! `trading` → `backtest` → `report` → `optimization` → `cli`.

pub mod analysis;
pub mod backtest;
pub mod cli;
pub mod core;
pub mod data;
pub mod engine;
pub mod error;
pub mod indicators;
pub mod model;
pub mod optimization;
pub mod report;
pub mod state;
pub mod trading;
pub mod venues;

pub use error::{Error, ExitCode, Result};
