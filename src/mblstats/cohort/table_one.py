"""Table 1: the candidate risk factors by massive blood loss (MBL) group.

The ``tableone`` package builds the table: n (%) for categorical variables and median
(Q1, Q3) for age and tumour size, by MBL group. It covers the plain-CT cohort (every
patient), the contrast-enhanced CT cohort (patients with ``has_cte == "yes"``) or both
side by side. Quartiles use linear interpolation (``numpy.percentile``), as in the
study. P-values are not part of this table; :mod:`mblstats.stats` computes the
univariate tests.

NOTE: three steps are written here rather than done by ``tableone`` 0.9.6. Its
continuous rows read ``median [Q1,Q3]`` and are rewritten as ``median (Q1, Q3)``, the
style of the study's Table 1. It leaves out levels that no patient has, so those rows
are added back as ``0 (0.0)`` to keep every table the same shape. It builds one cohort
per call, so the CT and CTE tables are joined here.
"""

from __future__ import annotations

import logging
import re
import warnings

import pandas as pd
from tableone import TableOne

from mblstats.cohort.schema import load_clinical, mbl_flag
from mblstats.cohort.variables import (
    CATEGORICAL_LEVELS,
    CONTINUOUS_COLUMNS,
    MBL_THRESHOLD_ML,
    RISK_FACTOR_COLUMNS,
    VARIABLE_LABELS,
)
from mblstats.exceptions import InputValidationError

logger = logging.getLogger(__name__)

MODALITIES = ("CT", "CTE", "both")
GROUPS = ("non-MBL", "MBL")

_GROUP_COLUMN = "_mbl_group"
_QUARTILE_CELL = re.compile(r"^\s*(\S+) \[(\S+),(\S+)\]\s*$")
_DECIMALS = {"age_years": 1, "tumour_size_cm": 1}


def table_one(
    clinical: pd.DataFrame,
    threshold_ml: float = MBL_THRESHOLD_ML,
    modality: str = "both",
) -> pd.DataFrame:
    """Summarise the candidate risk factors by MBL group.

    Parameters
    ----------
    clinical : pandas.DataFrame
        Clinical table, one row per patient; it is validated with
        :func:`~mblstats.cohort.schema.load_clinical` (without the study-window check).
    threshold_ml : float, default 3000
        Blood loss above this many mL is MBL.
    modality : {"CT", "CTE", "both"}, default "both"
        ``CT`` summarises every patient, ``CTE`` the patients with contrast-enhanced CT,
        ``both`` puts the two side by side.

    Returns
    -------
    pandas.DataFrame of shape (n_rows, 2) or (n_rows, 4)
        Rows are indexed by (``variable``, ``level``): first ``("n", "")``, then each
        categorical level in the order of ``CATEGORICAL_LEVELS`` and one row per
        continuous variable with an empty level. Variables are labelled with
        ``VARIABLE_LABELS`` plus ``, n (%)`` or ``, median (Q1, Q3)``. Columns are a
        MultiIndex (``modality``, ``group``) with groups ``non-MBL`` and ``MBL``. Cells
        are strings such as ``311 (46.6)`` or ``8.5 (6.5, 11.9)``.

    Raises
    ------
    InputValidationError
        If ``modality`` is unknown, the table is invalid, or an MBL group is empty.

    Examples
    --------
    >>> from mblstats.cohort.demo import make_demo_clinical
    >>> table = table_one(make_demo_clinical(), modality="CT")
    >>> table.loc[("Sex, n (%)", "female"), ("CT", "MBL")]
    '54 (37.8)'
    """
    if modality not in MODALITIES:
        raise InputValidationError(
            f"modality must be one of {', '.join(MODALITIES)}, got {modality!r}. "
            "Fix: pass modality='CT', 'CTE' or 'both'."
        )
    validated = load_clinical(clinical, study_start=None, study_end=None)
    validated[_GROUP_COLUMN] = pd.Series(
        mbl_flag(validated["blood_loss_ml"], threshold_ml=threshold_ml)
    ).map({True: "MBL", False: "non-MBL"})

    cohorts = ("CT", "CTE") if modality == "both" else (modality,)
    tables = [_one_cohort(_cohort_rows(validated, name), name, threshold_ml) for name in cohorts]
    return pd.concat(tables, axis=1)


def _cohort_rows(clinical: pd.DataFrame, modality: str) -> pd.DataFrame:
    if modality == "CT":
        return clinical
    return clinical[clinical["has_cte"] == "yes"]


def _one_cohort(rows: pd.DataFrame, modality: str, threshold_ml: float) -> pd.DataFrame:
    """Build the tableone summary of one cohort and bring it to the documented shape."""
    group_sizes = rows[_GROUP_COLUMN].value_counts()
    for group in GROUPS:
        if group_sizes.get(group, 0) == 0:
            raise InputValidationError(
                f"The {modality} cohort has no {group} patients at threshold_ml="
                f"{threshold_ml}, so Table 1 cannot compare the groups. Fix: check "
                "blood_loss_ml and has_cte, or choose another threshold_ml."
            )

    summary = _run_tableone(rows)
    summary = _rewrite_quartiles(summary)
    summary = _with_all_levels(summary)
    summary.columns = pd.MultiIndex.from_product([[modality], GROUPS], names=["modality", "group"])
    logger.debug("Built Table 1 for %s with %d patients", modality, len(rows))
    return summary


def _run_tableone(rows: pd.DataFrame) -> pd.DataFrame:
    categorical = [column for column in RISK_FACTOR_COLUMNS if column in CATEGORICAL_LEVELS]
    continuous = [column for column in RISK_FACTOR_COLUMNS if column in CONTINUOUS_COLUMNS]
    # tableone compares levels as text, so the integer codes are ordered as strings.
    order = {column: [str(level) for level in CATEGORICAL_LEVELS[column]] for column in categorical}
    order[_GROUP_COLUMN] = list(GROUPS)

    with warnings.catch_warnings():
        # tableone warns about order values that no patient has; those rows are added
        # back by _with_all_levels.
        warnings.filterwarnings("ignore", message="Order value not found")
        summary = TableOne(
            rows,
            columns=list(RISK_FACTOR_COLUMNS),
            categorical=categorical,
            continuous=continuous,
            nonnormal=continuous,
            groupby=_GROUP_COLUMN,
            order=order,
            pval=False,
            missing=False,
            overall=False,
            decimals=_DECIMALS,
        ).tableone
    summary = summary.droplevel(0, axis=1).loc[:, list(GROUPS)]
    summary.index = summary.index.set_names(["variable", "level"])
    return summary


def _rewrite_quartiles(summary: pd.DataFrame) -> pd.DataFrame:
    """Write ``median [Q1,Q3]`` cells as ``median (Q1, Q3)`` and relabel the rows."""
    rewritten = summary.map(
        lambda cell: _QUARTILE_CELL.sub(r"\1 (\2, \3)", cell) if isinstance(cell, str) else cell
    )
    rewritten.index = rewritten.index.set_levels(
        [label.replace("median [Q1,Q3]", "median (Q1, Q3)") for label in rewritten.index.levels[0]],
        level=0,
    )
    return rewritten


def _with_all_levels(summary: pd.DataFrame) -> pd.DataFrame:
    """Reindex to every level of every variable, filling absent levels with ``0 (0.0)``."""
    rows = [("n", "")]
    for column in RISK_FACTOR_COLUMNS:
        if column in CATEGORICAL_LEVELS:
            label = f"{column}, n (%)"
            rows += [(label, str(level)) for level in CATEGORICAL_LEVELS[column]]
        else:
            rows.append((f"{column}, median (Q1, Q3)", ""))
    index = pd.MultiIndex.from_tuples(rows, names=["variable", "level"])

    complete = summary.reindex(index)
    for variable, level in index:
        if level and complete.loc[(variable, level)].isna().all():
            complete.loc[(variable, level)] = "0 (0.0)"
    return complete.rename(index=_label_variable, level="variable")


def _label_variable(variable: str) -> str:
    column, _, suffix = variable.partition(", ")
    if column not in VARIABLE_LABELS:
        return variable
    return f"{VARIABLE_LABELS[column]}, {suffix}"
