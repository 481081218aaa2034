"""Clinical cohort: table schema and loading, demo cohort, published numbers, Table 1.

- :mod:`~mblstats.cohort.variables`: column names, levels and labels.
- :mod:`~mblstats.cohort.schema`: :func:`load_clinical` and :func:`mbl_flag`.
- :mod:`~mblstats.cohort.demo`: the synthetic 810-patient cohort.
- :mod:`~mblstats.cohort.published`: the study's published numbers.
- :mod:`~mblstats.cohort.table_one`: Table 1 by MBL group (import the function from
  that module, whose name it shares).
"""

import importlib

from mblstats.cohort.variables import (
    CATEGORICAL_LEVELS,
    CLINICAL_COLUMNS,
    MBL_THRESHOLD_ML,
    VARIABLE_LABELS,
)

__all__ = [
    "CATEGORICAL_LEVELS",
    "CLINICAL_COLUMNS",
    "MBL_THRESHOLD_ML",
    "VARIABLE_LABELS",
    "load_clinical",
    "make_demo_clinical",
    "mbl_flag",
    "write_demo_clinical",
]

# Functions are imported on first use, so importing a light submodule such as
# ``variables`` does not load pandas, pandera or tableone.
_LAZY_FUNCTIONS = {
    "load_clinical": "mblstats.cohort.schema",
    "make_demo_clinical": "mblstats.cohort.demo",
    "mbl_flag": "mblstats.cohort.schema",
    "write_demo_clinical": "mblstats.cohort.demo",
}


def __getattr__(name):
    if name in _LAZY_FUNCTIONS:
        function = getattr(importlib.import_module(_LAZY_FUNCTIONS[name]), name)
        globals()[name] = function
        return function
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
