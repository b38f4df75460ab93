//! What Backtesting.py lacks and users ask for: the closed trades split by
//! side, instrument, venue and strategy, each group with its count, win rate, PnL
//! and longest winning and losing streaks.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::core::Money;
use crate::core::enums::OrderSide;

use super::stats::mean;
use super::trades::Trade;

/// Figures of one group of closed trades.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TradeGroup {
    pub trades: usize,
    pub wins: usize,
    pub losses: usize,
    /// Wins / trades × 100; `None` with no trades.
    pub win_rate_pct: Option<f64>,
    /// Summed PnL after commissions; `None` when the trades settle in
    /// different currencies (they are not converted).
    pub pnl: Option<Money>,
    /// Longest run of consecutive winning (PnL > 0) trades, in exit order.
    pub max_consecutive_wins: usize,
    /// Longest run of consecutive losing (PnL < 0) trades.
    pub max_consecutive_losses: usize,
    /// Mean maximum adverse / favourable excursion, in percent of entry.
    pub avg_mae_pct: Option<f64>,
    pub avg_mfe_pct: Option<f64>,
}

impl TradeGroup {
    #[must_use]
    pub fn of<'a>(trades: impl IntoIterator<Item = &'a Trade>) -> Self {
        let trades: Vec<&Trade> = trades.into_iter().collect();
        let wins = trades.iter().filter(|t| t.pnl.raw > 0).count();
        let losses = trades.iter().filter(|t| t.pnl.raw < 0).count();
        let pnl = trades.iter().try_fold(None::<Money>, |sum, t| match sum {
            None => Some(Some(t.pnl)),
            Some(s) => s.checked_add(t.pnl).ok().map(Some),
        });
        let (mut best_wins, mut best_losses, mut wins_run, mut losses_run) = (0, 0, 0, 0);
        for t in &trades {
            (wins_run, losses_run) = match t.pnl.raw.signum() {
                1 => (wins_run + 1, 0),
                -1 => (0, losses_run + 1),
                _ => (0, 0),
            };
            best_wins = best_wins.max(wins_run);
            best_losses = best_losses.max(losses_run);
        }
        #[allow(
            clippy::cast_precision_loss,
            reason = "trade counts are far below 2^52"
        )]
        let win_rate_pct = (!trades.is_empty()).then(|| wins as f64 / trades.len() as f64 * 100.0);
        Self {
            trades: trades.len(),
            wins,
            losses,
            win_rate_pct,
            pnl: pnl.flatten(),
            max_consecutive_wins: best_wins,
            max_consecutive_losses: best_losses,
            avg_mae_pct: mean(&trades.iter().filter_map(|t| t.mae_pct).collect::<Vec<_>>()),
            avg_mfe_pct: mean(&trades.iter().filter_map(|t| t.mfe_pct).collect::<Vec<_>>()),
        }
    }
}

/// The closed trades split every way results.json reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    pub all: TradeGroup,
    pub long: TradeGroup,
    pub short: TradeGroup,
    pub by_instrument: BTreeMap<String, TradeGroup>,
    pub by_venue: BTreeMap<String, TradeGroup>,
    pub by_strategy: BTreeMap<String, TradeGroup>,
}

impl Breakdown {
    /// Streaks follow the trades' exit times.
    #[must_use]
    pub fn compute(trades: &[Trade]) -> Self {
        let mut sorted: Vec<Trade> = trades.to_vec();
        sorted.sort_by_key(|t| t.exit_time);
        let trades = sorted.as_slice();
        let group_by = |key: fn(&Trade) -> String| {
            let mut keys: Vec<String> = trades.iter().map(key).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .map(|k| {
                    let group = TradeGroup::of(trades.iter().filter(|t| key(t) == k));
                    (k, group)
                })
                .collect()
        };
        Self {
            all: TradeGroup::of(trades),
            long: TradeGroup::of(trades.iter().filter(|t| t.entry_side == OrderSide::Buy)),
            short: TradeGroup::of(trades.iter().filter(|t| t.entry_side == OrderSide::Sell)),
            by_instrument: group_by(|t| t.instrument_id.to_string()),
            by_venue: group_by(|t| t.instrument_id.venue.to_string()),
            by_strategy: group_by(|t| t.strategy_id.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stats::test_trades::trade;

    #[test]
    fn streaks_sides_and_groups_by_hand() {
        let mut trades: Vec<Trade> = [1.0, 2.0, -1.0, -1.0, -1.0, 3.0, 0.0, 4.0]
            .iter()
            .enumerate()
            .map(|(i, pnl)| {
                let i = i64::try_from(i).unwrap();
                trade(i, i + 1, *pnl)
            })
            .collect();
        trades[7].entry_side = OrderSide::Sell;
        trades[7].instrument_id = "Y.SIM".parse().unwrap();
        let b = Breakdown::compute(&trades);
        assert_eq!((b.all.trades, b.all.wins, b.all.losses), (8, 4, 3));
        assert_eq!(b.all.max_consecutive_wins, 2);
        assert_eq!(b.all.max_consecutive_losses, 3);
        assert_eq!(b.all.win_rate_pct, Some(50.0));
        assert_eq!(b.all.pnl.unwrap().to_full_precision_string(), "7.000000000");
        assert_eq!((b.long.trades, b.short.trades), (7, 1));
        assert_eq!(b.by_instrument["Y.SIM"].trades, 1);
        assert_eq!(b.by_instrument["X.SIM"].trades, 7);
        assert_eq!(b.by_strategy["S-1"].trades, 8);
        assert_eq!(b.by_venue["SIM"].trades, 8);
        trades[0].mae_pct = Some(-2.0);
        trades[1].mae_pct = Some(-1.0);
        assert_eq!(Breakdown::compute(&trades).all.avg_mae_pct, Some(-1.5));
        assert_eq!(Breakdown::compute(&trades).all.avg_mfe_pct, None);
        let empty = Breakdown::compute(&[]);
        assert_eq!((empty.all.win_rate_pct, empty.all.pnl), (None, None));
    }
}
