"""Structured exports of a reconciliation: the discharge letter as a FHIR R4 document Bundle, the
reconciliation sheet (fiche de conciliation) as HTML and as a FHIR R4 document."""

from recon.export.fhir import build_bundle, bundle_json, validate_bundle, write_fhir
from recon.export.fhir_reconciliation import (
    reconciliation_bundle,
    reconciliation_bundle_json,
    write_reconciliation_bundle,
)
from recon.export.fiche import render_fiche, write_fiche

__all__ = ["build_bundle", "bundle_json", "reconciliation_bundle", "reconciliation_bundle_json", "render_fiche",
           "validate_bundle", "write_fhir", "write_fiche", "write_reconciliation_bundle"]
