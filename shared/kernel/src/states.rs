//! The states things go through and the kinds of change the services record, as enums. Each
//! is written in snake case (`partially_returned`), the same text stored in rows and carried
//! by events, so rows and events written before these types existed read unchanged.

/// Declares a snake-case enum with its text form, for rows and events.
macro_rules! named_states {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value named `text`, as stored or sent.
            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }

            /// Every name, for a message listing what is allowed.
            pub fn names() -> String {
                Self::ALL.iter().map(|value| value.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use named_states;

named_states!(
    /// Where a sale stands.
    SaleStatus {
        Completed => "completed",
        /// Some units were returned, some not.
        PartiallyReturned => "partially_returned",
        /// Every unit was returned.
        Returned => "returned",
        Voided => "voided",
    }
);

named_states!(
    /// What changed a sale after it was recorded (`SaleUpdated.change`).
    SaleChange {
        /// Every unit not yet returned came back.
        Voided => "voided",
        /// Some units came back.
        Returned => "returned",
    }
);

named_states!(
    /// How a sale was paid.
    PaymentMethod {
        Cash => "cash",
        Card => "card",
        Transfer => "transfer",
        Other => "other",
    }
);

named_states!(
    /// Where stock held for a sale stands.
    ReservationStatus {
        /// Held while the sales service records the sale.
        Pending => "pending",
        /// The sale is recorded; its SaleCreated event is on the way.
        Confirmed => "confirmed",
        /// SaleCreated turned it into sale movements.
        Committed => "committed",
        /// Given back: the sale was not recorded, or the reservation expired.
        Released => "released",
    }
);

named_states!(
    /// Where an order to a supplier stands.
    PurchaseOrderStatus {
        /// Being written: lines may still change; nothing is expected yet.
        Draft => "draft",
        /// Sent to the supplier: its lines are incoming stock.
        Ordered => "ordered",
        /// Some of it arrived.
        PartiallyReceived => "partially_received",
        /// Every line arrived in full.
        Received => "received",
        /// Called off before anything arrived.
        Cancelled => "cancelled",
    }
);

named_states!(
    /// What a ledger entry records.
    MovementKind {
        Restock => "restock",
        Adjustment => "adjustment",
        /// A stock take that differed from the books.
        Count => "count",
        TransferOut => "transfer_out",
        TransferIn => "transfer_in",
        Sale => "sale",
        SaleVoid => "sale_void",
        /// A returned unit back on the shelf.
        Return => "return",
        /// A returned unit written off (damaged): recorded, stock unchanged.
        ReturnWrittenOff => "return_written_off",
        /// A unit of an RMA case onto the shelf (repaired, found sound, a replacement) or off
        /// it (a replacement given from stock).
        Rma => "rma",
    }
);

named_states!(
    /// Why stock was adjusted by hand (`count_correction` for a stock take), the usual
    /// reasons first.
    AdjustmentReason {
        Damaged => "damaged",
        Lost => "lost",
        Found => "found",
        Returned => "returned",
        Other => "other",
        CountCorrection => "count_correction",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_keep_the_text_rows_and_events_already_hold() {
        for status in SaleStatus::ALL {
            let json = serde_json::to_string(status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(SaleStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(SaleStatus::PartiallyReturned.as_str(), "partially_returned");
        assert_eq!(MovementKind::ReturnWrittenOff.as_str(), "return_written_off");
        assert_eq!(
            serde_json::from_str::<SaleChange>("\"voided\"").unwrap(),
            SaleChange::Voided
        );
        assert_eq!(ReservationStatus::parse("sold"), None);
        assert_eq!(PaymentMethod::names(), "cash, card, transfer, other");
    }
}
