"""The modelling stage of a run: assemble the data, fix the splits, fit and cache every model.

The three modelling chapters (reduction, models, validation) share one set of splits and one
set of fitted models. Splits are CSV files in ``splits_dir`` and fitted models are joblib
files in ``work_dir``. The first chapter that needs a file writes it and the others read it,
so no model is fitted twice with the same settings. A cached fit is reused only
when its settings (family options, split file contents) are identical; otherwise it is
refitted and overwritten.

The nine models of the study's Table 2 are planned per modality:

=============  ===========  =================================
label          family       split
=============  ===========  =================================
RN1            RN           random 7:3
Clinical 1     Clinical     random 7:3
Clinical-RN1   Clinical-RN  random 7:3
RN2            RN           temporal, 1:1 training
Clinical 2     Clinical     temporal, 1:1 training
Clinical-RN2   Clinical-RN  temporal, 1:1 training
DNN            DNN          ``dnn_split`` (the study does not say)
Clinical 3     Clinical     ``dnn_split``
Clinical-DNN   Clinical-DNN ``dnn_split``
=============  ===========  =================================

SMOTE is used on the random split only: the temporal training set is already 1:1.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from mblstats.exceptions import InputValidationError
from mblstats.models.families import CLINICAL_FAMILIES, make_family
from mblstats.models.splits import (
    load_splits,
    mbl_outcome,
    random_split_outcome,
    save_splits,
    split_ids,
    temporal_split,
)
from mblstats.models.validation import ValidationEvaluation, evaluate_on_validation

logger = logging.getLogger(__name__)

MODALITIES = ("CT", "CTE")
SPLIT_KINDS = ("random", "temporal")


@dataclasses.dataclass(frozen=True)
class ModelingData:
    """Outcome, clinical variables and radiomics features of one modality's patients.

    Attributes
    ----------
    modality : str
    X : DataFrame of shape (n_patients, n_columns)
        Clinical columns (when a clinical table was given) and feature columns, indexed by
        ``patient_id`` as strings.
    y : Series of shape (n_patients,)
        0/1 outcome.
    clinical : DataFrame or None
        Clinical rows of these patients (for the temporal split), or ``None``.
    threshold_ml : float
        MBL threshold that defined ``y`` from the clinical table.
    """

    modality: str
    X: pd.DataFrame
    y: pd.Series
    clinical: pd.DataFrame | None
    threshold_ml: float = 3000.0

    def fingerprint(self) -> str:
        """Return a hash of the data, so cached fits are reused only on identical data."""
        rows = pd.util.hash_pandas_object(self.X, index=True).to_numpy()
        digest = hashlib.sha256(rows.tobytes())
        digest.update(self.y.to_numpy().tobytes())
        digest.update("|".join(map(str, self.X.columns)).encode())
        return digest.hexdigest()

    @property
    def has_clinical(self) -> bool:
        return self.clinical is not None


@dataclasses.dataclass(frozen=True)
class PlannedModel:
    """One row of the model plan: label, family, split, and why it is skipped (if it is)."""

    label: str
    family: str
    split: str
    skip_reason: str = ""


def read_feature_table(path: str | Path) -> pd.DataFrame:
    """Read a feature table (parquet or CSV), indexed by ``patient_id`` as strings."""
    path = Path(path)
    if not path.is_file():
        raise InputValidationError(f"feature table {path} not found; extract features first")
    table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    if "patient_id" in table.columns:
        table = table.set_index("patient_id")
    if table.index.name != "patient_id":
        raise InputValidationError(
            f"feature table {path} has no patient_id column or index; name the id column patient_id"
        )
    table.index = table.index.astype(str)
    non_numeric = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    if non_numeric:
        raise InputValidationError(
            f"feature table {path} has non-numeric columns {non_numeric[:5]}; keep only features"
        )
    return table.astype(float)


def load_modeling_data(
    modality: str,
    features_path: str | Path,
    clinical_path: str | Path | None = None,
    outcome_path: str | Path | None = None,
    threshold_ml: float = 3000.0,
) -> ModelingData:
    """Join a modality's feature table to the clinical table (or to an outcome table).

    Parameters
    ----------
    modality : {"CT", "CTE"} or any label
        For ``"CTE"``, only clinical rows with ``has_cte == "yes"`` are kept.
    features_path : path
        Feature table (see :func:`read_feature_table`).
    clinical_path : path or None
        Clinical table (CSV); the outcome is blood loss above ``threshold_ml``.
    outcome_path : path or None
        Used when there is no clinical table: CSV with ``patient_id`` and a 0/1 column
        ``outcome``.
    threshold_ml : float, default=3000

    Returns
    -------
    ModelingData
        Patients present in both tables; the count of dropped patients is logged.
    """
    if not clinical_path and not outcome_path:
        raise InputValidationError("pass clinical_path or outcome_path: the outcome is unknown")
    features = read_feature_table(features_path)
    clinical = None
    if clinical_path:
        from mblstats.cohort.schema import load_clinical

        clinical = load_clinical(clinical_path)
        clinical["patient_id"] = clinical["patient_id"].astype(str)
        if modality == "CTE":
            clinical = clinical[clinical["has_cte"] == "yes"]
        outcome = mbl_outcome(clinical, threshold_ml)
    elif outcome_path:
        table = pd.read_csv(outcome_path, dtype={"patient_id": str})
        if not {"patient_id", "outcome"} <= set(table.columns):
            raise InputValidationError(
                f"outcome table {outcome_path} needs the columns patient_id and outcome (0/1)"
            )
        outcome = table.set_index("patient_id")["outcome"].astype(int).rename("mbl")

    shared = outcome.index.intersection(features.index)
    if len(shared) < len(outcome):
        logger.warning(
            "%s: %d of %d patients have no features and are left out",
            modality,
            len(outcome) - len(shared),
            len(outcome),
        )
    if len(shared) == 0:
        raise InputValidationError(
            f"no patient id of the feature table {features_path} matches the outcome table"
        )
    X = _drop_non_finite_features(features.loc[shared], modality)
    if clinical is not None:
        clinical = clinical.set_index("patient_id").loc[shared]
        X = clinical.join(X)
        clinical = clinical.reset_index()
    return ModelingData(
        modality=modality, X=X, y=outcome.loc[shared], clinical=clinical, threshold_ml=threshold_ml
    )


def _drop_non_finite_features(features: pd.DataFrame, modality: str) -> pd.DataFrame:
    """Drop feature columns with a missing or infinite value, logging how many and which.

    pyradiomics returns NaN for some features of degenerate masks; dropping the feature
    keeps every patient, and the step uses no outcome, so it cannot leak.
    """
    finite = np.isfinite(features.to_numpy(dtype=float)).all(axis=0)
    if not finite.all():
        dropped = features.columns[~finite].tolist()
        logger.warning(
            "%s: %d features with missing or infinite values are left out (first: %s)",
            modality,
            len(dropped),
            dropped[:5],
        )
    return features.loc[:, finite]


def prepare_split(
    data: ModelingData,
    kind: str,
    splits_dir: str | Path,
    seed: int = 2019,
    temporal_cutoff: str = "2017-01-01",
) -> pd.DataFrame | None:
    """Load the modality's split of ``kind`` from ``splits_dir``, creating it on first use.

    Returns ``None`` for the temporal split without a clinical table (no operation dates).
    """
    if kind not in SPLIT_KINDS:
        raise InputValidationError(f"split must be one of {SPLIT_KINDS}, got {kind!r}")
    if kind == "temporal" and not data.has_clinical:
        return None
    path = Path(splits_dir) / split_file_name(data.modality, kind, seed, temporal_cutoff)
    if path.is_file():
        split = load_splits(path)
        unknown = set(split["patient_id"]) ^ set(data.y.index)
        if not unknown:
            return split
        logger.warning("%s does not match this cohort's patients; recreating it", path)
    if kind == "random":
        split = random_split_outcome(data.y, seed=seed)
    else:
        split = temporal_split(
            data.clinical, threshold_ml=data.threshold_ml, cutoff=temporal_cutoff, seed=seed
        )
    save_splits(split, path)
    return split


def split_file_name(modality: str, kind: str, seed: int, temporal_cutoff: str = "2017-01-01") -> str:
    """Return the split file's name; it records every setting that changes the split."""
    if kind == "temporal":
        return f"{modality.lower()}_temporal_{temporal_cutoff}_seed{seed}.csv"
    return f"{modality.lower()}_random_seed{seed}.csv"


def model_plan(data: ModelingData, dnn_split: str = "random", families=None) -> list[PlannedModel]:
    """List the study's nine models for this modality, each with its skip reason if any."""
    plan = [
        PlannedModel("RN1", "RN", "random"),
        PlannedModel("Clinical 1", "Clinical", "random"),
        PlannedModel("Clinical-RN1", "Clinical-RN", "random"),
        PlannedModel("RN2", "RN", "temporal"),
        PlannedModel("Clinical 2", "Clinical", "temporal"),
        PlannedModel("Clinical-RN2", "Clinical-RN", "temporal"),
        PlannedModel("DNN", "DNN", dnn_split),
        PlannedModel("Clinical 3", "Clinical", dnn_split),
        PlannedModel("Clinical-DNN", "Clinical-DNN", dnn_split),
    ]
    result = []
    for planned in plan:
        reason = ""
        if not data.has_clinical and planned.family in CLINICAL_FAMILIES:
            reason = "no clinical table: this model needs clinical variables"
        elif not data.has_clinical and planned.split == "temporal":
            reason = "no clinical table: the temporal split needs operation dates"
        elif families is not None and planned.family not in families:
            reason = "not requested in this run"
        result.append(dataclasses.replace(planned, skip_reason=reason))
    return result


def fit_cached(
    planned: PlannedModel,
    data: ModelingData,
    split: pd.DataFrame,
    work_dir: str | Path,
    options: dict,
):
    """Fit the planned model on its training patients, or load an identical earlier fit."""
    family_options = dict(options)
    family_options["smote"] = planned.split == "random" and options.get("smote", True)
    key = _cache_key(planned, split, family_options, data.fingerprint())
    path = Path(work_dir) / "fits" / f"{data.modality.lower()}_{_slug(planned.label)}.joblib"
    if path.is_file():
        cached = joblib.load(path)
        if cached.get("key") == key:
            logger.info("%s %s: reusing the fit in %s", data.modality, planned.label, path)
            return cached["model"]
    train = split_ids(split, "train")
    model = make_family(planned.family, **family_options)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        model.fit(data.X.loc[train], data.y.loc[train])
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"key": key, "model": model}, path)
    return model


def evaluate_plan(
    data: ModelingData,
    splits_dir: str | Path,
    work_dir: str | Path,
    options: dict,
    dnn_split: str = "random",
    temporal_cutoff: str = "2017-01-01",
    families=None,
) -> tuple[dict[str, ValidationEvaluation], dict[str, str]]:
    """Fit (or load) every planned model and evaluate it on training and validation.

    Returns
    -------
    evaluations : dict of label to ValidationEvaluation
    skipped : dict of label to reason
    """
    seed = options.get("seed", 2019)
    evaluations, skipped = {}, {}
    for planned in model_plan(data, dnn_split, families):
        if planned.skip_reason:
            skipped[planned.label] = planned.skip_reason
            continue
        split = prepare_split(data, planned.split, splits_dir, seed, temporal_cutoff)
        model = fit_cached(planned, data, split, work_dir, options)
        train, validation = split_ids(split, "train"), split_ids(split, "validation")
        evaluations[planned.label] = evaluate_on_validation(
            model,
            data.X.loc[train],
            data.y.loc[train],
            data.X.loc[validation],
            data.y.loc[validation],
            name=planned.label,
            split=planned.split,
        )
    return evaluations, skipped


def _cache_key(planned: PlannedModel, split: pd.DataFrame, options: dict, data_hash: str) -> str:
    payload = json.dumps(
        {
            "data": data_hash,
            "label": planned.label,
            "family": planned.family,
            "options": {k: repr(v) for k, v in sorted(options.items())},
            "split": hashlib.sha256(split.to_csv(index=False).encode()).hexdigest(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _slug(label: str) -> str:
    return label.lower().replace(" ", "_").replace("-", "_")
