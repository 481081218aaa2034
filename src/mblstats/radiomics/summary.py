"""Summaries of extracted features for the radiomics chapter: counts, correlation structure, groups.

Functions here compute; the figures are drawn by :mod:`mblstats.plots.radiomics`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from mblstats.exceptions import InputValidationError
from mblstats.radiomics.extraction import FAILURE_COLUMNS, read_failures, read_features
from mblstats.radiomics.params import count_features, describe_images, load_params

logger = logging.getLogger(__name__)

#: Features shown by MBL group: tumour size, intensity level and spread, and texture.
KEY_FEATURES = (
    "original_shape_MeshVolume",
    "original_shape_Maximum3DDiameter",
    "original_firstorder_Mean",
    "original_firstorder_Entropy",
    "original_glcm_JointEntropy",
    "original_glszm_ZoneEntropy",
)


def load_extraction(features_path: str | Path, failures_path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a feature table and its failure table; empty paths give empty tables.

    The book passes an empty path for a modality without images, so a chapter can report the
    missing modality instead of failing.
    """
    features = read_features(features_path) if str(features_path) else pd.DataFrame(index=pd.Index([], name="patient_id"))
    failures = read_failures(failures_path) if str(failures_path) else pd.DataFrame(columns=list(FAILURE_COLUMNS))
    return features, failures


def extraction_counts(tables: Mapping[str, tuple[pd.DataFrame, pd.DataFrame]]) -> pd.DataFrame:
    """Count cases, features and failures per modality.

    Parameters
    ----------
    tables : mapping of str to (features, failures)
        Modality name to its feature table (index ``patient_id``) and failure table.

    Returns
    -------
    pandas.DataFrame
        Index ``modality``; columns ``cases`` (extracted + failed), ``extracted``,
        ``features`` (columns of the feature table) and ``failures``.
    """
    rows = [
        {
            "modality": modality,
            "cases": len(features) + len(failures),
            "extracted": len(features),
            "features": features.shape[1],
            "failures": len(failures),
        }
        for modality, (features, failures) in tables.items()
    ]
    return pd.DataFrame(rows, columns=["modality", "cases", "extracted", "features", "failures"]).set_index("modality")


def failure_table(tables: Mapping[str, tuple[pd.DataFrame, pd.DataFrame]]) -> pd.DataFrame:
    """Stack the failure tables of all modalities for display.

    Returns
    -------
    pandas.DataFrame
        Columns ``patient_id``, ``modality``, ``stage``, ``error``, ``fix``; the file paths are
        left out because the error names the file when it matters.
    """
    columns = ["patient_id", "modality", "stage", "error", "fix"]
    frames = [failures.reindex(columns=columns) for _, failures in tables.values() if len(failures)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)


def chapter_numbers(
    tables: Mapping[str, tuple[pd.DataFrame, pd.DataFrame]], params_ct: str | Path, params_cte: str | Path
) -> dict[str, int | str]:
    """Collect the numbers the radiomics chapter quotes in its prose.

    Returns
    -------
    dict
        ``cases_<modality>``, ``extracted_<modality>``, ``features_<modality>`` and
        ``failures_<modality>`` (int, modality in lower case) for each table,
        ``expected_features`` (features per case under ``params_ct``), ``shape_features``,
        ``features_per_image``, ``n_images`` and ``image_list`` (words naming the images), and
        ``cte_settings``
        (``"the same as"`` or ``"different from"``, comparing the parsed settings, so comments
        do not count).
    """
    numbers: dict[str, int | str] = {}
    for modality, row in extraction_counts(tables).iterrows():
        for column, value in row.items():
            numbers[f"{column}_{modality.lower()}"] = int(value)
    content = load_params(params_ct)
    shape = {"imageType": {}, "featureClass": {key: value for key, value in content["featureClass"].items() if key.startswith("shape")}}
    n_images, image_list = describe_images(content)
    numbers["expected_features"] = count_features(content)
    numbers["shape_features"] = count_features(shape)
    numbers["features_per_image"] = (numbers["expected_features"] - numbers["shape_features"]) // max(n_images, 1)
    numbers["n_images"] = n_images
    numbers["image_list"] = image_list
    same = load_params(params_ct) == load_params(params_cte)
    numbers["cte_settings"] = "the same as" if same else "different from"
    return numbers


@dataclass(frozen=True)
class FeatureCorrelation:
    """Spearman correlation of features, ordered by hierarchical clustering.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Shape (n_shown, n_shown); rows and columns in dendrogram leaf order.
    n_features : int
        Features in the table before dropping constant ones and subsampling.
    n_cases : int
        Cases the correlations are computed on.
    linkage : numpy.ndarray
        SciPy linkage matrix (average linkage on 1 - |rho|) of the shown features.
    """

    matrix: pd.DataFrame
    n_features: int
    n_cases: int
    linkage: np.ndarray

    @property
    def n_shown(self) -> int:
        return self.matrix.shape[0]

    def to_frame(self) -> pd.DataFrame:
        """Return the ordered correlation matrix."""
        return self.matrix


def cluster_feature_correlation(features: pd.DataFrame, *, max_features: int = 200) -> FeatureCorrelation:
    """Correlate features across cases and order them by average-linkage clustering.

    Parameters
    ----------
    features : pandas.DataFrame
        Shape (n_cases, n_features), as returned by ``extract_features``.
    max_features : int, default 200
        Above this, features are subsampled at evenly spaced positions of the column order,
        which keeps every image type and class represented and is deterministic.

    Returns
    -------
    FeatureCorrelation

    Raises
    ------
    InputValidationError
        Fewer than 3 cases or fewer than 2 non-constant features.
    """
    n_features = features.shape[1]
    varying = features.loc[:, features.nunique(dropna=True) > 1].dropna(axis=1)
    if len(varying) < 3 or varying.shape[1] < 2:
        raise InputValidationError(
            f"a correlation map needs at least 3 cases and 2 non-constant features; got {len(varying)} case(s) "
            f"and {varying.shape[1]} non-constant feature(s): extract more cases"
        )
    if varying.shape[1] > max_features:
        positions = np.unique(np.linspace(0, varying.shape[1] - 1, max_features).round().astype(int))
        varying = varying.iloc[:, positions]
        logger.info("correlation map shows %d of %d features", varying.shape[1], n_features)

    rho = varying.corr(method="spearman").fillna(0.0)
    distance = 1.0 - rho.abs().to_numpy()
    np.fill_diagonal(distance, 0.0)
    linkage = hierarchy.linkage(squareform(np.clip(distance, 0.0, None), checks=False), method="average")
    order = hierarchy.leaves_list(linkage)
    matrix = rho.iloc[order, order]
    return FeatureCorrelation(matrix=matrix, n_features=n_features, n_cases=len(varying), linkage=linkage)


def features_by_group(
    features: pd.DataFrame,
    clinical: pd.DataFrame,
    threshold_ml: float,
    feature_names: Sequence[str] = KEY_FEATURES,
) -> pd.DataFrame:
    """Pair feature values with the MBL group of each patient, in long format.

    Parameters
    ----------
    features : pandas.DataFrame
        Index ``patient_id``.
    clinical : pandas.DataFrame
        Columns ``patient_id`` and ``blood_loss_ml``.
    threshold_ml : float
        MBL is blood loss strictly above this (mL).
    feature_names : sequence of str
        Features to keep; names absent from ``features`` are skipped.

    Returns
    -------
    pandas.DataFrame
        Columns ``patient_id``, ``feature``, ``value``, ``group`` (``"MBL"``/``"non-MBL"``);
        patients without a clinical row are dropped.
    """
    missing = [column for column in ("patient_id", "blood_loss_ml") if column not in clinical.columns]
    if missing:
        raise InputValidationError(f"clinical table lacks {', '.join(missing)}: pass the run's clinical table")

    names = [name for name in feature_names if name in features.columns]
    groups = pd.Series(
        np.where(clinical["blood_loss_ml"].astype(float) > threshold_ml, "MBL", "non-MBL"),
        index=clinical["patient_id"].astype(str),
        name="group",
    )
    wide = features[names].copy()
    wide.index = wide.index.astype(str)
    wide = wide.join(groups, how="inner")
    long = wide.reset_index(names="patient_id").melt(id_vars=["patient_id", "group"], var_name="feature", value_name="value")
    return long[["patient_id", "feature", "value", "group"]]
