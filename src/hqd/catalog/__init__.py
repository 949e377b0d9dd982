"""Indicator catalog (指标库): official indicator systems as data, and phrase → indicator matching.

Imports nothing of hqd. The data files live in ``data/`` (one YAML file per indicator set plus the
data-element dictionary and the documented options).
"""

from .expr import FormulaError
from .load import Catalog, builtin_paths, default_catalog, load_catalog, validate
from .match import Match, match, match_code
from .models import CatalogError, DataElement, Formula, Indicator, IndicatorSet, Option, Part, Problem

__all__ = [
    "Catalog", "CatalogError", "DataElement", "Formula", "FormulaError", "Indicator", "IndicatorSet", "Match",
    "Option", "Part", "Problem", "builtin_paths", "default_catalog", "load_catalog", "match", "match_code",
    "validate",
]
