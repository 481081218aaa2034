"""Numbers published by the single-centre study that mblstats re-executes.

The study (810 patients operated July 2005 – December 2019 for pelvic or sacral tumours)
printed Table 1 by massive blood loss (MBL, > 3000 mL) for the plain-CT cohort (all 810)
and for the 643 patients with contrast-enhanced CT (CTE). A few printed Table 1 counts
were typesetting errors, and the counts below are the corrected ones. They reproduce
every published χ² statistic to three decimals with
``scipy.stats.chi2_contingency(table, correction=False)``.

The demo cohort is built from these numbers, and the book prints them beside the values
recomputed from the data ("published vs ours").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

#: Patients with plain CT (everyone) and with contrast-enhanced CT.
N_PATIENTS: Final[int] = 810
N_CTE: Final[int] = 643

#: Table 1 group sizes as (non-MBL, MBL).
GROUP_SIZES: Final[dict[str, tuple[int, int]]] = {"CT": (667, 143), "CTE": (529, 114)}

#: First and last day of the study's operation period.
STUDY_START: Final[str] = "2005-07-01"
STUDY_END: Final[str] = "2019-12-31"

#: Temporal split (RN2): operations before this date train, the rest validate.
TEMPORAL_CUTOFF: Final[str] = "2017-01-01"

# Table 1 counts: (column, level, CT non-MBL, CT MBL, CTE non-MBL, CTE MBL).
# Levels use the clinical table's spellings.
_TABLE_ONE_COUNTS: Final[tuple[tuple, ...]] = (
    ("sex", "female", 311, 54, 245, 45),
    ("sex", "male", 356, 89, 284, 69),
    ("tumour_type", "metastatic tumour", 118, 20, 89, 16),
    ("tumour_type", "chordoma", 68, 16, 57, 14),
    ("tumour_type", "giant cell tumour", 94, 21, 74, 17),
    ("tumour_type", "osteosarcoma", 68, 30, 57, 26),
    ("tumour_type", "chondrosarcoma", 86, 37, 70, 30),
    ("tumour_type", "schwannoma", 47, 2, 34, 2),
    ("tumour_type", "neurofibroma", 43, 2, 35, 2),
    ("tumour_type", "Ewing sarcoma", 52, 8, 39, 5),
    ("tumour_type", "multiple myeloma", 17, 1, 10, 0),
    ("tumour_type", "other", 74, 6, 64, 2),
    ("location", "I", 107, 16, 85, 13),
    ("location", "II", 44, 9, 36, 5),
    ("location", "III", 44, 5, 34, 3),
    ("location", "IV", 351, 63, 271, 48),
    ("location", "multiple", 121, 50, 103, 45),
    ("neoadjuvant", "no", 476, 105, 376, 82),
    ("neoadjuvant", "yes", 191, 38, 153, 32),
    ("embolisation", "no", 369, 77, 295, 67),
    ("embolisation", "yes", 298, 66, 234, 47),
    ("surgeon", 1, 45, 5, 38, 4),
    ("surgeon", 2, 299, 53, 241, 44),
    ("surgeon", 3, 66, 4, 55, 4),
    ("surgeon", 4, 85, 24, 70, 17),
    ("surgeon", 5, 44, 19, 30, 12),
    ("surgeon", 6, 9, 6, 7, 5),
    ("surgeon", 7, 13, 2, 10, 2),
    ("surgeon", 8, 15, 1, 12, 1),
    ("surgeon", 9, 33, 21, 27, 19),
    ("surgeon", 10, 43, 5, 27, 4),
    ("surgeon", 11, 15, 3, 12, 2),
    ("operation_method", 1, 365, 68, 285, 52),
    ("operation_method", 2, 285, 57, 229, 47),
    ("operation_method", 3, 17, 18, 15, 15),
    ("approach", 1, 634, 130, 499, 102),
    ("approach", 2, 33, 13, 30, 12),
    ("balloon_occlusion", "no", 178, 27, 134, 20),
    ("balloon_occlusion", "yes", 489, 116, 395, 94),
)

# Table 1 medians and quartiles: (column, modality, group, median, Q1, Q3).
_TABLE_ONE_QUARTILES: Final[tuple[tuple, ...]] = (
    ("age_years", "CT", "non-MBL", 44.0, 28.0, 56.0),
    ("age_years", "CT", "MBL", 44.0, 27.0, 56.8),
    ("age_years", "CTE", "non-MBL", 44.0, 29.0, 56.0),
    ("age_years", "CTE", "MBL", 44.0, 27.0, 53.1),
    ("tumour_size_cm", "CT", "non-MBL", 8.5, 6.5, 11.9),
    ("tumour_size_cm", "CT", "MBL", 11.5, 8.8, 14.4),
    ("tumour_size_cm", "CTE", "non-MBL", 8.6, 6.6, 11.2),
    ("tumour_size_cm", "CTE", "MBL", 11.5, 9.0, 14.6),
)

# Univariate tests by MBL: (column, statistic, CT value, CT p, CTE value, CTE p).
# Categorical columns: Pearson χ² without continuity correction. Continuous columns:
# Mann–Whitney U reported as Z. A p printed as "< 0.001" is stored as 0.001 and flagged
# by ``p_is_upper_bound``.
_UNIVARIATE_TESTS: Final[tuple[tuple, ...]] = (
    ("sex", "chi2", 3.738, 0.053, 1.772, 0.183),
    ("age_years", "Z", 0.022, 0.983, 0.648, 0.517),
    ("tumour_type", "chi2", 45.343, None, 42.202, None),
    ("tumour_size_cm", "Z", -6.934, None, -6.633, None),
    ("location", "chi2", 21.193, None, 22.425, None),
    ("neoadjuvant", "chi2", 0.247, 0.619, 0.033, 0.855),
    ("embolisation", "chi2", 0.104, 0.747, 0.345, 0.557),
    ("surgeon", "chi2", 43.984, None, 35.152, None),
    ("operation_method", "chi2", 28.825, None, 22.733, None),
    ("approach", "chi2", 3.774, 0.052, 3.621, 0.057),
    ("balloon_occlusion", "chi2", 3.795, 0.051, 3.122, 0.077),
)

# Temporal split (RN2) counts: (modality, split, MBL, non-MBL).
_TEMPORAL_SPLIT: Final[tuple[tuple, ...]] = (
    ("CT", "train", 80, 320),
    ("CT", "validation", 63, 347),
    ("CTE", "train", 59, 245),
    ("CTE", "validation", 55, 284),
)

# Blood-loss summaries over the CT cohort (mL): (subgroup, median, Q1, Q3).
_BLOOD_LOSS_QUARTILES: Final[tuple[tuple, ...]] = (
    ("all", 1500.0, 800.0, 2387.5),
    ("MBL", 3900.0, 3220.0, 4920.0),
    ("non-MBL", 1200.0, 800.0, 1780.0),
    ("embolisation yes", 1500.0, 900.0, 2312.5),
    ("embolisation no", 1500.0, 800.0, 2400.0),
    ("balloon occlusion yes", 1500.0, 900.0, 2500.0),
    ("balloon occlusion no", 1200.0, 700.0, 2000.0),
)


@dataclass(frozen=True)
class CohortSummary:
    """Published whole-cohort facts that are not part of Table 1.

    Attributes
    ----------
    n_male, n_female : int
        Patients by sex.
    age_mean, age_sd : float
        Mean and standard deviation of age in years.
    age_min, age_max : float
        Youngest and oldest patient, in years.
    blood_loss_min_ml, blood_loss_max_ml : float
        Smallest and largest estimated blood loss, in mL.
    n_mbl_ct, n_mbl_cte : int
        Patients with MBL among all 810 and among the 643 with CTE.
    blood_loss_mbl_z : float
        Mann–Whitney Z comparing blood loss between MBL groups.
    embolisation_z, balloon_occlusion_z : float
        Mann–Whitney Z comparing blood loss with and without embolisation and with and
        without aortic balloon occlusion.
    """

    n_male: int = 445
    n_female: int = 365
    age_mean: float = 42.5
    age_sd: float = 17.3
    age_min: float = 4.0
    age_max: float = 85.0
    blood_loss_min_ml: float = 50.0
    blood_loss_max_ml: float = 11000.0
    n_mbl_ct: int = 143
    n_mbl_cte: int = 114
    blood_loss_mbl_z: float = -18.78
    embolisation_z: float = 0.937
    balloon_occlusion_z: float = 3.369


COHORT_SUMMARY: Final[CohortSummary] = CohortSummary()


def table_one_counts() -> pd.DataFrame:
    """Return the published Table 1 counts in long form.

    Returns
    -------
    pandas.DataFrame of shape (156, 5)
        Columns ``variable``, ``level``, ``modality`` (``CT`` or ``CTE``), ``group``
        (``non-MBL`` or ``MBL``) and ``count``: one row per level, modality and group.
    """
    records = []
    for variable, level, ct_non_mbl, ct_mbl, cte_non_mbl, cte_mbl in _TABLE_ONE_COUNTS:
        records.append((variable, level, "CT", "non-MBL", ct_non_mbl))
        records.append((variable, level, "CT", "MBL", ct_mbl))
        records.append((variable, level, "CTE", "non-MBL", cte_non_mbl))
        records.append((variable, level, "CTE", "MBL", cte_mbl))
    return pd.DataFrame.from_records(
        records, columns=["variable", "level", "modality", "group", "count"]
    )


def table_one_quartiles() -> pd.DataFrame:
    """Return the published medians and quartiles of age and tumour size.

    Returns
    -------
    pandas.DataFrame of shape (8, 6)
        Columns ``variable``, ``modality``, ``group``, ``median``, ``q1`` and ``q3``.
    """
    return pd.DataFrame.from_records(
        _TABLE_ONE_QUARTILES,
        columns=["variable", "modality", "group", "median", "q1", "q3"],
    )


def univariate_tests() -> pd.DataFrame:
    """Return the published univariate tests of each risk factor against MBL.

    Returns
    -------
    pandas.DataFrame of shape (22, 6)
        Columns ``variable``, ``modality``, ``statistic_name`` (``chi2`` or ``Z``),
        ``statistic``, ``p_value`` and ``p_is_upper_bound`` (True where the study
        printed "< 0.001").
    """
    records = []
    for variable, name, ct_value, ct_p, cte_value, cte_p in _UNIVARIATE_TESTS:
        for modality, value, p_value in (("CT", ct_value, ct_p), ("CTE", cte_value, cte_p)):
            is_upper_bound = p_value is None
            records.append(
                (variable, modality, name, value, 0.001 if is_upper_bound else p_value,
                 is_upper_bound)
            )
    return pd.DataFrame.from_records(
        records,
        columns=["variable", "modality", "statistic_name", "statistic", "p_value",
                 "p_is_upper_bound"],
    )


def temporal_split_counts() -> pd.DataFrame:
    """Return the published patient counts of the temporal (RN2) split.

    Returns
    -------
    pandas.DataFrame of shape (4, 4)
        Columns ``modality``, ``split`` (``train`` or ``validation``), ``n_mbl`` and
        ``n_non_mbl``.
    """
    return pd.DataFrame.from_records(
        _TEMPORAL_SPLIT, columns=["modality", "split", "n_mbl", "n_non_mbl"]
    )


def blood_loss_quartiles() -> pd.DataFrame:
    """Return the published blood-loss medians and quartiles (mL) over the CT cohort.

    Returns
    -------
    pandas.DataFrame of shape (7, 4)
        Columns ``subgroup``, ``median``, ``q1`` and ``q3``.
    """
    return pd.DataFrame.from_records(
        _BLOOD_LOSS_QUARTILES, columns=["subgroup", "median", "q1", "q3"]
    )
