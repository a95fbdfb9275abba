//! The shifts' use cases: open a till's shift, move cash, close it with the count, read it
//! and its X or Z report. No HTTP and no SQL.

use sales_api::shifts::{
    CashMovement, CashMovementInput, CloseInput, Shift, ShiftInput, ShiftReport, ShiftStatus,
};

use crate::counter::Counter;
use crate::domain::parse_id;
use crate::domain::shift::{Closing, NewCashMovement, NewShift};
use crate::error::SaleError;
use crate::store::Origin;
use crate::store::shifts::ShiftFilter;

impl Counter {
    /// Opens a till's shift; with `key`, a retry gets this answer.
    pub async fn open_shift(
        &self,
        input: &ShiftInput,
        key: Option<&str>,
        origin: &Origin,
    ) -> Result<Shift, SaleError> {
        let new = NewShift::parse(input).map_err(SaleError::Validation)?;
        self.upstreams
            .known_location(&new.location)
            .await
            .map_err(SaleError::from)?
            .then_some(())
            .ok_or_else(|| SaleError::field("location", "is not an active location of the shop"))?;
        self.store.open_shift(&new, key, origin).await
    }

    pub async fn shift(&self, id: &str) -> Result<Shift, SaleError> {
        let id = known_id(id)?;
        self.store.shift(&id).await?.ok_or(SaleError::ShiftNotFound(id))
    }

    pub async fn shifts(
        &self,
        filter: &ShiftFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Shift>, SaleError> {
        Ok(self.store.shifts(filter, before, limit).await?)
    }

    pub async fn move_cash(
        &self,
        id: &str,
        input: &CashMovementInput,
        key: Option<&str>,
        origin: &Origin,
    ) -> Result<CashMovement, SaleError> {
        let id = known_id(id)?;
        let movement = NewCashMovement::parse(input).map_err(SaleError::Validation)?;
        self.store.move_cash(&id, &movement, key, origin).await
    }

    /// Closes the shift with the cash counted; the Z report is the answer.
    pub async fn close_shift(
        &self,
        id: &str,
        input: &CloseInput,
        key: Option<&str>,
        origin: &Origin,
    ) -> Result<ShiftReport, SaleError> {
        let id = known_id(id)?;
        let closing = Closing::parse(input).map_err(SaleError::Validation)?;
        self.store.close_shift(&id, &closing, key, origin).await
    }

    /// The Z report of a closed shift; the X report of an open one only for managers and
    /// admins (`may_see_open`), so that the cashier counts blind.
    pub async fn shift_report(&self, id: &str, may_see_open: bool) -> Result<ShiftReport, SaleError> {
        let id = known_id(id)?;
        let report = self.store.shift_report(&id).await?;
        if report.shift.status == ShiftStatus::Open && !may_see_open {
            return Err(SaleError::XReportForManagers);
        }
        Ok(report)
    }
}

/// An id in a path: one the API could have given, else no such shift.
fn known_id(id: &str) -> Result<String, SaleError> {
    parse_id(id).map_err(|_| SaleError::ShiftNotFound(id.chars().take(64).collect()))
}
