//! Engines: the pure per-instrument matching core, the replay order of the
//! data engine, pre-trade risk, and the execution engine with the
//! [`execution::ExecutionClient`] trait that venues implement.

pub mod commands;
pub mod execution;
pub mod matching;
pub mod replay;
pub mod risk;
