"""One exception tree for Recon, every error with a code and a message that says what to do.

    ReconError                      base of everything Recon raises on purpose
    ├── InputError                  the caller's input cannot be used (E1xx)
    │   ├── FileNotFound            E101
    │   ├── UnsupportedFileType     E102
    │   ├── EmptyDocument           E103
    │   ├── UnreadableDocument      E104  (bad encoding, corrupted PDF, …)
    │   ├── DocumentTooLarge        E105
    │   ├── BadPairsFile            E106
    │   ├── ProcessingTimeout       E107  (a document took longer than its time limit)
    │   ├── UnknownMedication       E108  (a review names a medication the report does not have)
    │   └── UnknownDrug             E109  (a corrected link names a drug the reference does not have)
    ├── ReferenceDataError          the drug reference cannot be built or loaded (E2xx)
    └── RenderError                 a report or a letter cannot be rendered (E3xx)

Messages never contain patient text: they name a file, a page or a line number, never
the content of the line. Lower-level errors (pdfminer, json, OSError) are translated
into this tree with ``raise … from e``.
"""

from __future__ import annotations


class ReconError(Exception):
    """Base class: ``code`` is stable and documented, ``message`` says how to fix it."""

    code = "E000"
    title = "Recon error"

    def __init__(self, message: str, *, page: int | None = None, line: int | None = None) -> None:
        self.message = message
        self.page = page
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.page is not None:
            where.append(f"page {self.page}")
        if self.line is not None:
            where.append(f"line {self.line}")
        suffix = f" ({', '.join(where)})" if where else ""
        return f"[{self.code}] {self.message}{suffix}"


class InputError(ReconError):
    code = "E100"
    title = "Unusable input"


class FileNotFound(InputError):
    code = "E101"
    title = "File not found"


class UnsupportedFileType(InputError):
    code = "E102"
    title = "Unsupported file type"


class EmptyDocument(InputError):
    code = "E103"
    title = "Empty document"


class UnreadableDocument(InputError):
    code = "E104"
    title = "Unreadable document"


class DocumentTooLarge(InputError):
    code = "E105"
    title = "Document too large"


class BadPairsFile(InputError):
    code = "E106"
    title = "Bad pairs file"


class ProcessingTimeout(InputError):
    code = "E107"
    title = "Processing time limit reached"


class UnknownMedication(InputError):
    code = "E108"
    title = "Unknown medication"


class UnknownDrug(InputError):
    code = "E109"
    title = "Drug not in the reference"


class ReferenceDataError(ReconError):
    code = "E200"
    title = "Drug reference unavailable"


class RenderError(ReconError):
    code = "E300"
    title = "Rendering failed"


__all__ = [
    "BadPairsFile",
    "DocumentTooLarge",
    "EmptyDocument",
    "FileNotFound",
    "InputError",
    "ProcessingTimeout",
    "ReconError",
    "ReferenceDataError",
    "RenderError",
    "UnreadableDocument",
    "UnsupportedFileType",
]
