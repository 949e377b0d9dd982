"""Quarterly data collection (填报): org tree, data sets, Excel/CSV/JSON import, validation, submissions."""

from .datasets import define_data_set, get_data_set, load_elements_file
from .importer import ImportReport, import_file
from .orgs import import_orgs
from .progress import report_progress
from .submissions import approve, completeness, reopen, return_, submit
from .template import write_templates

__all__ = [
    "ImportReport", "approve", "completeness", "define_data_set", "get_data_set", "import_file", "import_orgs",
    "load_elements_file", "reopen", "report_progress", "return_", "submit", "write_templates",
]
