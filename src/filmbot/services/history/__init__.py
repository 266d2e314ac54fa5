"""Bringing history in from other services and taking it out again."""

from filmbot.services.history.budget import ImportBudget, ImportGate, import_share
from filmbot.services.history.exports import ExportFile, ExportService
from filmbot.services.history.imports import (
    ImportProgress,
    ImportReport,
    ImportService,
    ProgressCallback,
)

__all__ = [
    "ExportFile",
    "ExportService",
    "ImportBudget",
    "ImportGate",
    "ImportProgress",
    "ImportReport",
    "ImportService",
    "ProgressCallback",
    "import_share",
]
