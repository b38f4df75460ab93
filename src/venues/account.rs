//! Accounts: balances per currency. A cash account pays the notional of
//! every trade; a margin account pays only realized PnL and fees and locks
//! margin (notional / leverage) for open positions; a betting account
//! pays the same way and locks each bet's liability. Both book the funding
//! their perpetual positions pay or receive.

use crate::core::enums::{AccountType, OrderSide};
use crate::core::events::AccountState;
use crate::core::fixed::{self, FIXED_SCALAR, FixedError};
use crate::core::identifiers::AccountId;
use crate::core::{AccountBalance, Currency, Money, UnixNanos};

/// One venue's account.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: AccountId,
    pub account_type: AccountType,
    pub base_currency: Currency,
    /// Leverage raw at the global scale (1.0 for cash accounts).
    pub leverage_raw: i128,
    // Indexed by `Currency::index`: a balance lookup on the hot path is an
    // array access.
    present: [bool; Currency::COUNT],
    totals: [i128; Currency::COUNT],
    locked: [i128; Currency::COUNT],
    commissions: [i128; Currency::COUNT],
    funding: [i128; Currency::COUNT],
}

impl Account {
    /// # Errors
    /// When a leverage below 1 is asked for.
    pub fn new(
        id: AccountId,
        account_type: AccountType,
        base_currency: Currency,
        starting: &[Money],
        leverage_raw: i128,
    ) -> Result<Self, FixedError> {
        if leverage_raw < FIXED_SCALAR {
            return Err(FixedError::Negative {
                what: "leverage - 1",
                value: fixed::format_raw(leverage_raw, 2),
            });
        }
        let mut account = Self {
            id,
            account_type,
            base_currency,
            leverage_raw,
            present: [false; Currency::COUNT],
            totals: [0; Currency::COUNT],
            locked: [0; Currency::COUNT],
            commissions: [0; Currency::COUNT],
            funding: [0; Currency::COUNT],
        };
        account.present[usize::from(base_currency.index())] = true;
        for money in starting {
            let i = usize::from(money.currency.index());
            account.present[i] = true;
            account.totals[i] += money.raw;
        }
        Ok(account)
    }

    #[must_use]
    pub fn is_cash(&self) -> bool {
        self.account_type == AccountType::Cash
    }

    /// A betting account: accounts as a margin account does (profit and
    /// loss paid, funds locked), but what it locks is each position's
    /// liability, fully funded, so it gets no margin call.
    #[must_use]
    pub fn is_betting(&self) -> bool {
        self.account_type == AccountType::Betting
    }

    /// Total balance raw in `currency`.
    #[must_use]
    pub fn total_raw(&self, currency: Currency) -> i128 {
        self.totals[usize::from(currency.index())]
    }

    #[must_use]
    pub fn locked_raw(&self, currency: Currency) -> i128 {
        self.locked[usize::from(currency.index())]
    }

    #[must_use]
    pub fn free(&self, currency: Currency) -> Money {
        Money::new(
            self.total_raw(currency) - self.locked_raw(currency),
            currency,
        )
    }

    /// Commissions paid so far in `currency`.
    #[must_use]
    pub fn commissions_raw(&self, currency: Currency) -> i128 {
        self.commissions[usize::from(currency.index())]
    }

    /// Currencies with a balance.
    pub fn currencies(&self) -> impl Iterator<Item = Currency> + '_ {
        Currency::ALL
            .iter()
            .copied()
            .filter(|c| self.present[usize::from(c.index())])
    }

    /// Books a fill: a cash account pays or receives the notional; both
    /// kinds pay the commission, once.
    pub fn apply_fill(
        &mut self,
        currency: Currency,
        side: OrderSide,
        notional_raw: i128,
        commission_raw: i128,
    ) {
        let i = usize::from(currency.index());
        self.present[i] = true;
        let total = &mut self.totals[i];
        if self.account_type == AccountType::Cash {
            *total += match side {
                OrderSide::Buy => -notional_raw,
                OrderSide::Sell => notional_raw,
            };
        }
        *total -= commission_raw;
        self.commissions[i] += commission_raw;
    }

    /// Books realized PnL (before commissions) on a margin account; cash
    /// accounts realize through the notional in [`Self::apply_fill`].
    pub fn apply_realized(&mut self, currency: Currency, realized_raw: i128) {
        if self.account_type != AccountType::Cash {
            let i = usize::from(currency.index());
            self.present[i] = true;
            self.totals[i] += realized_raw;
        }
    }

    /// Books a funding payment (received +, paid −), on either kind of
    /// account: a perpetual's funding moves the balance itself.
    pub fn apply_funding(&mut self, currency: Currency, amount_raw: i128) {
        let i = usize::from(currency.index());
        self.present[i] = true;
        self.totals[i] += amount_raw;
        self.funding[i] += amount_raw;
    }

    /// Funding received (+) or paid (−) so far in `currency`.
    #[must_use]
    pub fn funding_raw(&self, currency: Currency) -> i128 {
        self.funding[usize::from(currency.index())]
    }

    /// Sets the margin locked in `currency` (margin accounts only: a cash
    /// account locks nothing).
    pub fn set_locked_raw(&mut self, currency: Currency, margin_raw: i128) {
        if self.account_type != AccountType::Cash {
            self.locked[usize::from(currency.index())] = margin_raw;
        }
    }

    /// The balances as an event.
    #[must_use]
    pub fn state(&self, ts: UnixNanos) -> AccountState {
        let balances = self
            .currencies()
            .map(|currency| {
                let (total, locked) = (self.total_raw(currency), self.locked_raw(currency));
                AccountBalance {
                    total: Money::new(total, currency),
                    locked: Money::new(locked, currency),
                    free: Money::new(total - locked, currency),
                }
            })
            .collect();
        AccountState {
            account_id: self.id.clone(),
            balances,
            ts_event: ts,
            ts_init: ts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(units: i128) -> Money {
        Money::new(units * FIXED_SCALAR, Currency::USD)
    }

    #[test]
    fn cash_account_pays_notional_and_fees_once() {
        let mut account = Account::new(
            AccountId::new("SIM-001").unwrap(),
            AccountType::Cash,
            Currency::USD,
            &[usd(1000)],
            FIXED_SCALAR,
        )
        .unwrap();
        account.apply_fill(
            Currency::USD,
            OrderSide::Buy,
            500 * FIXED_SCALAR,
            FIXED_SCALAR,
        );
        assert_eq!(account.total_raw(Currency::USD), 499 * FIXED_SCALAR);
        account.apply_fill(
            Currency::USD,
            OrderSide::Sell,
            600 * FIXED_SCALAR,
            FIXED_SCALAR,
        );
        account.apply_realized(Currency::USD, 100 * FIXED_SCALAR);
        assert_eq!(account.total_raw(Currency::USD), 1098 * FIXED_SCALAR);
        assert_eq!(account.commissions_raw(Currency::USD), 2 * FIXED_SCALAR);
        let state = account.state(UnixNanos(0));
        assert_eq!(state.balances[0].free, usd(1098));
    }

    #[test]
    fn margin_account_books_pnl_and_locks_margin() {
        let mut account = Account::new(
            AccountId::new("M-001").unwrap(),
            AccountType::Margin,
            Currency::USD,
            &[usd(1000)],
            10 * FIXED_SCALAR,
        )
        .unwrap();
        account.apply_fill(Currency::USD, OrderSide::Buy, 5000 * FIXED_SCALAR, 0);
        // 5,000 of notional at leverage 10.
        account.set_locked_raw(Currency::USD, 500 * FIXED_SCALAR);
        assert_eq!(account.total_raw(Currency::USD), 1000 * FIXED_SCALAR);
        assert_eq!(account.free(Currency::USD), usd(500));
        account.apply_realized(Currency::USD, -50 * FIXED_SCALAR);
        account.set_locked_raw(Currency::USD, 0);
        assert_eq!(account.free(Currency::USD), usd(950));
        assert!(
            Account::new(
                AccountId::new("X").unwrap(),
                AccountType::Margin,
                Currency::USD,
                &[],
                FIXED_SCALAR / 2
            )
            .is_err()
        );
    }
}
