"""Training/validation splits of the cohort: random 7:3 (RN1) and temporal 1:1 (RN2).

A split is a frame with one row per patient and the columns ``patient_id`` and ``split``
(``"train"``, ``"validation"`` or ``"unused"``). It is written once as CSV, so every
chapter of a run uses the same patients.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from mblstats.exceptions import InputValidationError

logger = logging.getLogger(__name__)

SPLIT_LABELS = ("train", "validation", "unused")


def mbl_outcome(clinical: pd.DataFrame, threshold_ml: float = 3000.0) -> pd.Series:
    """Return the MBL outcome (1 when blood loss exceeds ``threshold_ml``) per patient.

    Parameters
    ----------
    clinical : DataFrame of shape (n_patients, ...)
        Clinical table with ``patient_id`` and ``blood_loss_ml``.
    threshold_ml : float, default=3000
        Blood loss strictly above this value counts as massive blood loss.

    Returns
    -------
    Series of shape (n_patients,)
        Integer 0/1 outcome indexed by ``patient_id`` and named ``mbl``.
    """
    _require_columns(clinical, ["patient_id", "blood_loss_ml"], "clinical")
    if not np.isfinite(threshold_ml) or threshold_ml <= 0:
        raise InputValidationError(
            f"threshold_ml must be a positive number of millilitres, got {threshold_ml!r}"
        )
    loss = pd.to_numeric(clinical["blood_loss_ml"], errors="coerce")
    missing = clinical.loc[loss.isna(), "patient_id"].tolist()
    if missing:
        raise InputValidationError(
            f"blood_loss_ml is missing or not numeric for patients {missing[:10]}; "
            "fill it in or drop these patients before splitting"
        )
    outcome = (loss > threshold_ml).astype(int)
    outcome.index = pd.Index(clinical["patient_id"], name="patient_id")
    return outcome.rename("mbl")


def random_split(
    clinical: pd.DataFrame,
    threshold_ml: float = 3000.0,
    seed: int = 2019,
    validation_fraction: float = 0.3,
) -> pd.DataFrame:
    """Split patients at random into training and validation, stratified by MBL (RN1).

    Parameters
    ----------
    clinical : DataFrame of shape (n_patients, ...)
        Clinical table with ``patient_id`` and ``blood_loss_ml``.
    threshold_ml : float, default=3000
        MBL threshold in mL.
    seed : int, default=2019
        Seed of the random draw.
    validation_fraction : float, default=0.3
        Share of patients in the validation set (the study used 7:3).

    Returns
    -------
    DataFrame of shape (n_patients, 2)
        Columns ``patient_id`` and ``split`` in the input's row order.
    """
    return random_split_outcome(mbl_outcome(clinical, threshold_ml), seed, validation_fraction)


def random_split_outcome(
    outcome: pd.Series, seed: int = 2019, validation_fraction: float = 0.3
) -> pd.DataFrame:
    """Split patients at random, stratified by a 0/1 outcome indexed by ``patient_id``.

    This is :func:`random_split` for an outcome table without blood loss, for example
    features extracted elsewhere with their own binary outcome.
    """
    if not 0 < validation_fraction < 1:
        raise InputValidationError(
            f"validation_fraction must lie strictly between 0 and 1, got {validation_fraction!r}"
        )
    _require_both_classes(outcome, "the cohort")
    train_ids, _ = train_test_split(
        outcome.index.to_numpy(),
        test_size=validation_fraction,
        stratify=outcome.to_numpy(),
        random_state=seed,
    )
    split = np.where(outcome.index.isin(train_ids), "train", "validation")
    logger.info(
        "random split: %d training and %d validation patients",
        (split == "train").sum(),
        (split == "validation").sum(),
    )
    return pd.DataFrame({"patient_id": outcome.index.to_numpy(), "split": split})


def temporal_split(
    clinical: pd.DataFrame,
    threshold_ml: float = 3000.0,
    cutoff: str = "2017-01-01",
    seed: int = 2019,
) -> pd.DataFrame:
    """Split patients by operation date, with a 1:1 balanced training set (RN2).

    Operations before ``cutoff`` form the training period and operations on or after it the
    validation set. The training set keeps every MBL case of its period plus an equal random
    draw of non-MBL cases. The other non-MBL cases of the training period are ``"unused"``.
    The validation set keeps every patient.

    Parameters
    ----------
    clinical : DataFrame of shape (n_patients, ...)
        Clinical table with ``patient_id``, ``blood_loss_ml`` and ``operation_date`` (ISO).
    threshold_ml : float, default=3000
        MBL threshold in mL.
    cutoff : str, default="2017-01-01"
        First day of the validation period, ISO format.
    seed : int, default=2019
        Seed of the draw of non-MBL training patients.

    Returns
    -------
    DataFrame of shape (n_patients, 2)
        Columns ``patient_id`` and ``split`` in the input's row order.
    """
    _require_columns(clinical, ["operation_date"], "clinical")
    try:
        cutoff_date = pd.Timestamp(cutoff)
    except ValueError as error:
        raise InputValidationError(
            f"temporal cutoff {cutoff!r} is not an ISO date such as '2017-01-01'"
        ) from error
    dates = pd.to_datetime(clinical["operation_date"], errors="coerce")
    bad = clinical.loc[dates.isna(), "patient_id"].tolist()
    if bad:
        raise InputValidationError(
            f"operation_date is missing or not an ISO date for patients {bad[:10]}; "
            "write dates as YYYY-MM-DD"
        )
    outcome = mbl_outcome(clinical, threshold_ml)
    early = dates.to_numpy() < cutoff_date.to_datetime64()
    _require_both_classes(outcome[early], f"operations before {cutoff}")
    _require_both_classes(outcome[~early], f"operations on or after {cutoff}")

    early_cases = outcome.index[early & (outcome.to_numpy() == 1)]
    early_controls = outcome.index[early & (outcome.to_numpy() == 0)]
    if len(early_controls) < len(early_cases):
        raise InputValidationError(
            f"the training period before {cutoff} has {len(early_cases)} MBL cases but only "
            f"{len(early_controls)} non-MBL patients, so a 1:1 training set cannot be drawn; "
            "move the cutoff later"
        )
    rng = np.random.default_rng(seed)
    drawn_controls = rng.choice(early_controls.to_numpy(), size=len(early_cases), replace=False)

    split = np.full(len(outcome), "unused", dtype=object)
    split[~early] = "validation"
    split[outcome.index.isin(early_cases) | outcome.index.isin(drawn_controls)] = "train"
    logger.info(
        "temporal split at %s: %d training (1:1), %d validation, %d unused patients",
        cutoff,
        (split == "train").sum(),
        (split == "validation").sum(),
        (split == "unused").sum(),
    )
    return pd.DataFrame({"patient_id": outcome.index.to_numpy(), "split": split.astype(str)})


def split_counts(split: pd.DataFrame, outcome: pd.Series) -> pd.DataFrame:
    """Count MBL and non-MBL patients per split label.

    Returns
    -------
    DataFrame
        Rows ``train``, ``validation``, ``unused``; columns ``non_mbl``, ``mbl``, ``total``.
    """
    labels = split.set_index("patient_id")["split"]
    joined = pd.DataFrame({"split": labels, "mbl": outcome.reindex(labels.index)})
    counts = pd.crosstab(joined["split"], joined["mbl"]).reindex(
        index=list(SPLIT_LABELS), columns=[0, 1], fill_value=0
    )
    counts.columns = ["non_mbl", "mbl"]
    counts["total"] = counts.sum(axis=1)
    return counts


def save_splits(split: pd.DataFrame, path: str | Path) -> Path:
    """Write a split frame as CSV (columns ``patient_id``, ``split``) and return the path."""
    _check_split_frame(split, str(path))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    split.loc[:, ["patient_id", "split"]].to_csv(path, index=False)
    return path


def load_splits(path: str | Path) -> pd.DataFrame:
    """Read a split frame written by :func:`save_splits`, checking its labels."""
    path = Path(path)
    if not path.is_file():
        raise InputValidationError(
            f"split file {path} not found; create it with save_splits() or run the "
            "reduction chapter first"
        )
    split = pd.read_csv(path, dtype={"patient_id": str, "split": str})
    _check_split_frame(split, str(path))
    return split


def split_ids(split: pd.DataFrame, label: str) -> pd.Index:
    """Return the patient ids with split ``label`` in file order."""
    if label not in SPLIT_LABELS:
        raise InputValidationError(f"split label must be one of {SPLIT_LABELS}, got {label!r}")
    return pd.Index(split.loc[split["split"] == label, "patient_id"], name="patient_id")


def _check_split_frame(split: pd.DataFrame, source: str) -> None:
    _require_columns(split, ["patient_id", "split"], source)
    unknown = sorted(set(split["split"]) - set(SPLIT_LABELS))
    if unknown:
        raise InputValidationError(
            f"{source}: split labels {unknown} are invalid; allowed are {SPLIT_LABELS}"
        )
    duplicated = split.loc[split["patient_id"].duplicated(), "patient_id"].tolist()
    if duplicated:
        raise InputValidationError(
            f"{source}: patients {duplicated[:10]} appear more than once; keep one row each"
        )


def _require_columns(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputValidationError(
            f"{name} lacks the columns {missing}; it has {list(frame.columns)[:20]}"
        )


def _require_both_classes(outcome: pd.Series, where: str) -> None:
    counts = outcome.value_counts()
    if counts.get(0, 0) < 2 or counts.get(1, 0) < 2:
        raise InputValidationError(
            f"{where} has {counts.get(1, 0)} MBL and {counts.get(0, 0)} non-MBL patients; "
            "at least two of each are needed to split"
        )
