//! State: the cache of instruments, orders and positions, and the portfolio
//! that values them.

pub mod cache;
pub mod portfolio;
