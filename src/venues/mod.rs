//! Venues: behaviour models, accounts and the simulated exchange.

pub mod account;
pub mod exchange;
pub mod funding;
pub mod models;
