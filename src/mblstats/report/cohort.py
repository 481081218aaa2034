"""Tables of the chapter "Cohort and univariate analysis"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from mblstats.cohort import published
from mblstats.cohort.variables import CONTINUOUS_COLUMNS, RISK_FACTOR_COLUMNS, VARIABLE_LABELS

CONTINUOUS = CONTINUOUS_COLUMNS
CATEGORICAL = tuple(name for name in RISK_FACTOR_COLUMNS if name not in CONTINUOUS_COLUMNS)


def mbl_group(clinical: pd.DataFrame, threshold_ml: float) -> pd.Series:
    """Return 1 for patients whose blood loss exceeds ``threshold_ml``, else 0."""
    return (clinical["blood_loss_ml"] > threshold_ml).astype(int).rename("mbl")


def cohort_subsets(clinical: pd.DataFrame, modality: str) -> dict[str, pd.DataFrame]:
    """Split the clinical table into the CT cohort (everyone) and the CTE subset."""
    subsets = {"CT": clinical, "CTE": clinical[clinical["has_cte"] == "yes"]}
    if modality == "both":
        return subsets
    if modality not in subsets:
        raise ValueError(f"modality={modality!r} is invalid; use 'both', 'CT' or 'CTE'")
    return {modality: subsets[modality]}


def cohort_summary(clinical: pd.DataFrame, threshold_ml: float) -> dict[str, float]:
    """Counts and blood-loss figures quoted in the chapter's prose."""
    mbl = mbl_group(clinical, threshold_ml)
    has_cte = clinical["has_cte"] == "yes"
    blood_loss = clinical["blood_loss_ml"].astype(float)
    return {
        "n_patients": int(len(clinical)),
        "n_cte": int(has_cte.sum()),
        "n_mbl_ct": int(mbl.sum()),
        "n_mbl_cte": int(mbl[has_cte].sum()),
        "pct_mbl_ct": float(100 * mbl.mean()) if len(mbl) else float("nan"),
        "blood_loss_min": float(blood_loss.min()),
        "blood_loss_max": float(blood_loss.max()),
        "blood_loss_median": float(blood_loss.median()),
    }


def parameters_table(parameters_path: str | Path) -> pd.DataFrame:
    """Read the run parameters into a two-column table; empty when no file is given."""
    if not parameters_path:
        return pd.DataFrame(columns=["parameter", "value"])
    values = yaml.safe_load(Path(parameters_path).read_text()) or {}
    return pd.DataFrame(
        {"parameter": list(values), "value": [str(v) for v in values.values()]}
    ).set_index("parameter")


def table_one_frame(clinical: pd.DataFrame, threshold_ml: float, modality: str) -> pd.DataFrame:
    """Table 1 by MBL group for the requested cohorts, side by side."""
    from mblstats.cohort.table_one import table_one

    return table_one(clinical, threshold_ml=threshold_ml, modality=modality)


def univariate_comparison(
    clinical: pd.DataFrame, threshold_ml: float, modality: str, *, seed: int = 0
) -> pd.DataFrame:
    """Univariate tests of every candidate risk factor, next to the published statistics.

    Returns
    -------
    DataFrame
        One row per cohort and variable with our statistic and p-value, the published ones, the
        smallest expected count, an exact p-value where that count is below 5, and the method.
    """
    from mblstats.stats import univariate_tests

    frames = []
    for name, subset in cohort_subsets(clinical, modality).items():
        data = subset.assign(mbl=mbl_group(subset, threshold_ml))
        ours = univariate_tests(
            data, "mbl", categorical=list(CATEGORICAL), continuous=list(CONTINUOUS), seed=seed
        )
        ours = ours.reset_index() if "variable" not in ours.columns else ours
        ours.insert(0, "cohort", name)
        frames.append(ours)
    ours = pd.concat(frames, ignore_index=True)

    reference = published.univariate_tests().rename(
        columns={
            "modality": "cohort",
            "statistic": "published_statistic",
            "p_value": "published_p",
        }
    )
    merged = ours.merge(
        reference[["cohort", "variable", "published_statistic", "published_p",
                   "p_is_upper_bound"]],
        on=["cohort", "variable"],
        how="left",
    )
    merged["difference"] = merged["statistic"] - merged["published_statistic"]
    return merged


def max_published_difference(comparison: pd.DataFrame, statistic_name: str) -> float:
    """Largest absolute difference from the published statistic among one kind of test."""
    rows = comparison[comparison["statistic_name"] == statistic_name]
    if rows.empty:
        return float("nan")
    return float(np.abs(rows["difference"]).max())


def style_univariate(comparison: pd.DataFrame) -> pd.DataFrame:
    """Format the comparison for display: labels, rounded statistics, p-values as text."""
    shown = pd.DataFrame(
        {
            "cohort": comparison["cohort"],
            "variable": [VARIABLE_LABELS.get(v, v) for v in comparison["variable"]],
            "test": comparison["statistic_name"].map({"chi2": "χ²", "Z": "Z"}),
            "ours": comparison["statistic"].map(lambda v: f"{v:.3f}"),
            "published": comparison["published_statistic"].map(
                lambda v: "" if pd.isna(v) else f"{v:.3f}"
            ),
            "p (ours)": comparison["p"].map(_format_p),
            "p (published)": [
                "< 0.001" if bound else _format_p(p)
                for p, bound in zip(comparison["published_p"], comparison["p_is_upper_bound"])
            ],
            "min expected": comparison["min_expected"].map(
                lambda v: "" if pd.isna(v) else f"{v:.2f}"
            ),
            "exact p": comparison["exact_p"].map(lambda v: "" if pd.isna(v) else _format_p(v)),
        }
    )
    shown["flag"] = np.where(comparison["exact_p"].notna(), "expected count < 5", "")
    return shown.set_index(["cohort", "variable"])


def temporal_split_comparison(
    clinical: pd.DataFrame, threshold_ml: float, cutoff: str
) -> pd.DataFrame:
    """Patients per period and MBL group, for CT and CTE, next to the published counts."""
    dates = pd.to_datetime(clinical["operation_date"])
    period = np.where(dates < pd.Timestamp(cutoff), "train", "validation")
    frame = clinical.assign(split=period, mbl=mbl_group(clinical, threshold_ml))
    rows = []
    for name, subset in cohort_subsets(frame, "both").items():
        for split in ("train", "validation"):
            part = subset[subset["split"] == split]
            rows.append(
                {"cohort": name, "split": split, "n_mbl": int(part["mbl"].sum()),
                 "n_non_mbl": int((part["mbl"] == 0).sum())}
            )
    ours = pd.DataFrame(rows)
    reference = published.temporal_split_counts().rename(
        columns={"modality": "cohort", "n_mbl": "published_n_mbl",
                 "n_non_mbl": "published_n_non_mbl"}
    )
    return ours.merge(reference, on=["cohort", "split"], how="left").set_index(["cohort", "split"])


def _format_p(value: float) -> str:
    if pd.isna(value):
        return ""
    return "< 0.001" if value < 0.001 else f"{value:.3f}"
