//! State: the cache of instruments, orders and positions, and the portfolio
//! that values them.

pub mod cache;
mod chunked;
mod event_log;
pub mod order_history;
pub mod portfolio;
