//! Order lists: brackets, one-triggers-other and one-cancels-other. The
//! engine stores the orders with their ties (`Cache::contingencies`) and
//! sends them together; the venue holds released orders until their
//! parent fills and cancels the siblings of a filled OCO order itself.

use std::sync::Arc;

use crate::core::events::OrderEventKind;
use crate::core::identifiers::{OrderIndex, StrategyIndex};
use crate::engine::commands::{ListKind, OrderList, OrderSize};

use super::submit::Submission;
use super::{BacktestEngine, BacktestError};

impl BacktestEngine {
    /// Stores and sends the orders of `list`. A list goes whole or not at
    /// all: when one of its orders is denied, so are the others.
    pub(super) fn submit_list(
        &mut self,
        strategy: StrategyIndex,
        list: &mut OrderList,
    ) -> Result<(), BacktestError> {
        if list.orders.is_empty() {
            return Ok(());
        }
        let releases = matches!(list.kind, ListKind::Bracket | ListKind::Oto);
        let mut made: Vec<Submission> = Vec::with_capacity(list.orders.len());
        for (k, request) in list.orders.iter_mut().enumerate() {
            let released = releases && k > 0;
            if released && list.kind == ListKind::Bracket {
                // A bracket's exits close what the entry opens: its
                // quantity until the entry fills (then what it filled).
                let entry = made.first().and_then(|s| self.cache.order(s.event.order));
                if let Some(entry) = entry {
                    request.size = OrderSize::Quantity(entry.quantity);
                    request.side = entry.side.opposite();
                    request.instrument = entry.instrument;
                }
                request.reduce_only = true;
            }
            made.push(self.new_order(strategy, request, released)?);
        }
        let denied = made.iter().find_map(|s| match &s.event.kind {
            OrderEventKind::Denied { reason } => Some((s.event.order, Arc::clone(reason))),
            _ => None,
        });
        if let Some((order, reason)) = denied {
            let id = self
                .cache
                .order(order)
                .map(|o| o.client_order_id.to_string())
                .unwrap_or_default();
            let reason: Arc<str> = Arc::from(format!(
                "another order of its list was denied ({id}: {reason})"
            ));
            for submission in &mut made {
                if matches!(submission.event.kind, OrderEventKind::Submitted) {
                    submission.event.kind = OrderEventKind::Denied {
                        reason: Arc::clone(&reason),
                    };
                }
            }
        }
        let indices: Vec<OrderIndex> = made.iter().map(|s| s.event.order).collect();
        let links = &mut self.cache.contingencies;
        match list.kind {
            ListKind::Bracket => {
                links.link_children(indices[0], &indices[1..]);
                links.link_one_cancels_others(&indices[1..]);
                links.follow_parent_fill(&indices[1..]);
            }
            ListKind::Oto => links.link_children(indices[0], &indices[1..]),
            ListKind::Oco => links.link_one_cancels_others(&indices),
        }
        for submission in made {
            self.send(submission)?;
        }
        Ok(())
    }
}
