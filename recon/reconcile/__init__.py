"""Reconciliation: two MedicationLists → ReconciliationReport."""

from recon.reconcile.engine import reconcile

__all__ = ["reconcile"]
