"""Bringing history in from other services and taking it out again."""

from filmbot.services.history.budget import ImportBudget
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
    "ImportProgress",
    "ImportReport",
    "ImportService",
    "ProgressCallback",
]
