//! How a sale's total is paid: one payment or several, cash given and change due.
//!
//! # The rules
//! - Every payment is a positive amount.
//! - Payments other than cash never exceed the total: a card is charged no more than is owed.
//! - Together the payments cover the total; short of it the sale is refused, saying by how
//!   much.
//! - Cash may exceed what is left to pay: the difference is the change, given back in cash, so
//!   the change is never more than the cash handed over.
//! - The payments then equal the total plus the change.

use kernel::{Cents, FieldError, PaymentMethod, Total};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payment {
    pub method: PaymentMethod,
    pub amount: Cents,
}

/// The payments of a sale as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub payments: Vec<Payment>,
    /// The cash handed over.
    pub tendered_cents: i64,
    /// The cash given back.
    pub change_due_cents: i64,
}

impl Settlement {
    /// The method that paid the most (the first of equals): the sale's `payment_method`.
    pub fn main_method(&self) -> PaymentMethod {
        let mut main = self.payments[0];
        for payment in &self.payments[1..] {
            if payment.amount > main.amount {
                main = *payment;
            }
        }
        main.method
    }

    /// What each method brought in, net of the change (which comes out of the cash).
    pub fn taken_by_method(&self) -> Vec<(PaymentMethod, i64)> {
        let mut taken: Vec<(PaymentMethod, i64)> = Vec::new();
        for payment in &self.payments {
            match taken.iter_mut().find(|(method, _)| *method == payment.method) {
                Some((_, sum)) => *sum += payment.amount.get(),
                None => taken.push((payment.method, payment.amount.get())),
            }
        }
        if let Some((_, cash)) = taken.iter_mut().find(|(m, _)| *m == PaymentMethod::Cash) {
            *cash -= self.change_due_cents;
        }
        taken
    }
}

/// Checks `payments` against `total` (see the rules above).
pub fn settle(total: Cents, payments: Vec<Payment>) -> Result<Settlement, FieldError> {
    let sum = |filter: &dyn Fn(&Payment) -> bool| {
        payments
            .iter()
            .filter(|p| filter(p))
            .map(|p| p.amount)
            .collect::<Total>()
            .cents()
            .map_err(|_| FieldError::new("payments", "add up to more than can be represented"))
    };
    let cash = sum(&|p| p.method == PaymentMethod::Cash)?;
    let other = sum(&|p| p.method != PaymentMethod::Cash)?;
    if other > total {
        return Err(FieldError::new(
            "payments",
            format!(
                "payments other than cash come to {other}, more than the total of {total}: only cash \
                 can be given back as change"
            ),
        ));
    }
    let paid = cash
        .checked_add(other)
        .map_err(|_| FieldError::new("payments", "add up to more than can be represented"))?;
    if paid < total {
        let missing = total.checked_sub(paid).expect("paid < total");
        return Err(FieldError::new(
            "payments",
            format!("come to {paid}, {missing} short of the total of {total}"),
        ));
    }
    Ok(Settlement {
        change_due_cents: paid.checked_sub(total).expect("paid ≥ total").get(),
        tendered_cents: cash.get(),
        payments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pay(method: PaymentMethod, cents: i64) -> Payment {
        Payment {
            method,
            amount: Cents::new(cents),
        }
    }

    use PaymentMethod::{Card, Cash};

    #[test]
    fn cash_over_the_total_gives_change() {
        let settled = settle(Cents::new(1850), vec![pay(Cash, 2000)]).unwrap();
        assert_eq!((settled.tendered_cents, settled.change_due_cents), (2000, 150));
        assert_eq!(settled.taken_by_method(), [(Cash, 1850)]);
    }

    #[test]
    fn a_split_tender_pays_the_rest_by_card() {
        let settled = settle(Cents::new(12_999), vec![pay(Cash, 5000), pay(Card, 7999)]).unwrap();
        assert_eq!(settled.change_due_cents, 0);
        assert_eq!(settled.main_method(), Card);
        assert_eq!(settled.taken_by_method(), [(Cash, 5000), (Card, 7999)]);
        // Cash beyond what the card leaves: change from the cash.
        let settled = settle(Cents::new(12_999), vec![pay(Card, 10_000), pay(Cash, 5000)]).unwrap();
        assert_eq!(settled.change_due_cents, 2001);
        assert_eq!(settled.taken_by_method(), [(Card, 10_000), (Cash, 2999)]);
    }

    #[test]
    fn short_payments_and_overcharged_cards_are_refused() {
        let short = settle(Cents::new(5000), vec![pay(Cash, 2000), pay(Card, 2500)]).unwrap_err();
        assert!(short.reason.contains("500 short"), "{}", short.reason);
        let over = settle(Cents::new(5000), vec![pay(Card, 6000)]).unwrap_err();
        assert!(over.reason.contains("only cash"), "{}", over.reason);
    }

    #[test]
    fn payments_equal_the_total_plus_the_change() {
        for total in [0_i64, 1, 999, 12_345] {
            for cash in [0_i64, 1, 500, 20_000] {
                let card = (total - cash).max(0);
                let payments: Vec<Payment> = [(Cash, cash), (Card, card)]
                    .into_iter()
                    .filter(|(_, c)| *c > 0)
                    .map(|(m, c)| pay(m, c))
                    .collect();
                if payments.is_empty() {
                    continue;
                }
                let settled = settle(Cents::new(total), payments.clone()).unwrap();
                let paid: i64 = payments.iter().map(|p| p.amount.get()).sum();
                assert_eq!(paid, total + settled.change_due_cents);
                assert!(settled.change_due_cents <= settled.tendered_cents);
                let taken: i64 = settled.taken_by_method().iter().map(|(_, c)| c).sum();
                assert_eq!(taken, total);
            }
        }
    }
}
