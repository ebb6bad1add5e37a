"""Ingestion: files (text, PDF) → Document."""

from recon.ingest.document import Document, Line
from recon.ingest.reader import MEDIA_TYPES, read_bytes, read_document

__all__ = ["MEDIA_TYPES", "Document", "Line", "read_bytes", "read_document"]
