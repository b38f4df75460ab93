//! Model: market data types, instruments, orders and positions.

pub mod data;
pub mod instruments;
pub mod orders;
pub mod position;
