"""Column names, category levels and labels of the clinical table.

The clinical table has one row per patient. Every module that reads or writes it codes
against the names and level spellings defined here.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final, Mapping

#: Blood loss above this many millilitres is massive blood loss (MBL).
MBL_THRESHOLD_ML: Final[int] = 3000

#: Columns of the clinical table, in the order the demo cohort writes them.
CLINICAL_COLUMNS: Final[tuple[str, ...]] = (
    "patient_id",
    "sex",
    "age_years",
    "tumour_size_cm",
    "tumour_type",
    "location",
    "neoadjuvant",
    "operation_method",
    "approach",
    "surgeon",
    "embolisation",
    "balloon_occlusion",
    "operation_date",
    "blood_loss_ml",
    "has_cte",
)

#: Columns that take the levels ``no`` and ``yes``.
YES_NO_COLUMNS: Final[tuple[str, ...]] = (
    "neoadjuvant",
    "embolisation",
    "balloon_occlusion",
    "has_cte",
)

#: Ordered levels of every categorical column. Operation method, approach and surgeon
#: are integer codes: method 1 = resection of a sacral tumour with internal fixation,
#: 2 = resection of a left or right pelvic tumour with hemipelvic prosthesis,
#: 3 = resection and internal fixation of a sacral and pelvic tumour; approach
#: 1 = posterior, 2 = combined anterior and posterior. Locations are Enneking pelvic
#: zones, ``multiple`` meaning more than one zone.
CATEGORICAL_LEVELS: Final[Mapping[str, tuple]] = MappingProxyType(
    {
        "sex": ("female", "male"),
        "tumour_type": (
            "chondrosarcoma",
            "osteosarcoma",
            "chordoma",
            "giant cell tumour",
            "multiple myeloma",
            "schwannoma",
            "neurofibroma",
            "Ewing sarcoma",
            "metastatic tumour",
            "other",
        ),
        "location": ("I", "II", "III", "IV", "multiple"),
        "neoadjuvant": ("no", "yes"),
        "operation_method": (1, 2, 3),
        "approach": (1, 2),
        "surgeon": tuple(range(1, 12)),
        "embolisation": ("no", "yes"),
        "balloon_occlusion": ("no", "yes"),
        "has_cte": ("no", "yes"),
    }
)

#: Continuous candidate risk factors.
CONTINUOUS_COLUMNS: Final[tuple[str, ...]] = ("age_years", "tumour_size_cm")

#: Candidate risk factors in the order of the study's Table 1.
RISK_FACTOR_COLUMNS: Final[tuple[str, ...]] = (
    "sex",
    "age_years",
    "tumour_type",
    "tumour_size_cm",
    "location",
    "neoadjuvant",
    "embolisation",
    "surgeon",
    "operation_method",
    "approach",
    "balloon_occlusion",
)

#: Human-readable label of each column, for tables and figures.
VARIABLE_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "patient_id": "Patient",
        "sex": "Sex",
        "age_years": "Age (years)",
        "tumour_size_cm": "Tumour size (cm)",
        "tumour_type": "Tumour type",
        "location": "Tumour location (Enneking zone)",
        "neoadjuvant": "Neoadjuvant chemo-radiotherapy",
        "operation_method": "Operation method",
        "approach": "Surgical approach",
        "surgeon": "Surgeon",
        "embolisation": "Preoperative embolisation",
        "balloon_occlusion": "Aortic balloon occlusion",
        "operation_date": "Operation date",
        "blood_loss_ml": "Blood loss (mL)",
        "has_cte": "Contrast-enhanced CT available",
        "mbl": "Massive blood loss (> 3000 mL)",
    }
)
