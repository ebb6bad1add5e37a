"""Structured exports of a reconciliation: the discharge letter as a FHIR R4 document Bundle."""

from recon.export.fhir import build_bundle, bundle_json, validate_bundle, write_fhir

__all__ = ["build_bundle", "bundle_json", "validate_bundle", "write_fhir"]
