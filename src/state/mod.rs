//! State: the cache of instruments, orders and positions, and a finished
//! run's order history. Valuing accounts needs the venues, so the
//! portfolio lives beside the engine (`backtest::portfolio`).

pub mod cache;
mod chunked;
mod event_log;
pub mod order_history;
