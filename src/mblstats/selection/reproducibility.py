"""Inter-reader reproducibility of radiomics features: intraclass correlation (ICC).

When a second reader segmented some tumours again, each feature is extracted from both
segmentations and its ICC measures how much of its variance is between patients rather than
between readers. Features with ICC below a bound (0.75, "good" reliability in Koo & Li's
guideline) are dropped. The ICC never uses the outcome, so the filter can be fitted once on
the reader tables without leaking anything from the validation outcome.

Forms (Shrout & Fleiss 1979; McGraw & Wong 1996), for n patients and k readers, from the
two-way ANOVA mean squares MSR (patients), MSC (readers) and MSE (residual):

- ICC(2,1), two-way random effects, absolute agreement, single rater:
  (MSR − MSE) / (MSR + (k − 1)·MSE + k·(MSC − MSE)/n)
- ICC(3,1), two-way mixed effects, consistency, single rater:
  (MSR − MSE) / (MSR + (k − 1)·MSE)

ICC(2,1) is the default: future patients are segmented by readers other than these two, so
the readers are a random sample, and a systematic offset between readers shifts the radscore
at fixed LASSO coefficients, so absolute agreement (not only consistency) matters.

References
----------
Shrout PE, Fleiss JL. Intraclass correlations: uses in assessing rater reliability.
Psychol Bull. 1979;86(2):420-428.
Koo TK, Li MY. A guideline of selecting and reporting intraclass correlation coefficients
for reliability research. J Chiropr Med. 2016;15(2):155-163.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd

from mblstats.exceptions import InputValidationError

logger = logging.getLogger(__name__)

ICC_FORMS = ("ICC(2,1)", "ICC(3,1)")


@dataclasses.dataclass(frozen=True)
class ReproducibilityResult:
    """ICC of every feature between two readers and the features that pass.

    Attributes
    ----------
    icc : Series of shape (n_features,)
        ICC per feature, named by the form.
    form : str
        ``"ICC(2,1)"`` or ``"ICC(3,1)"``.
    min_icc : float
        Bound a feature must reach to pass.
    n_patients : int
        Patients segmented by both readers.
    """

    icc: pd.Series
    form: str
    min_icc: float
    n_patients: int

    @property
    def reproducible_features(self) -> list[str]:
        """Features with ICC ≥ ``min_icc``, in input order."""
        return self.icc.index[self.icc >= self.min_icc].tolist()

    def to_frame(self) -> pd.DataFrame:
        """Return one row per feature: ``icc`` and ``reproducible``."""
        return pd.DataFrame(
            {"icc": self.icc, "reproducible": self.icc >= self.min_icc}
        ).rename_axis("feature")


def intraclass_correlation(ratings: np.ndarray, form: str = "ICC(2,1)") -> np.ndarray:
    """Compute the single-rater ICC of each feature from a (patients, readers, features) array.

    Parameters
    ----------
    ratings : ndarray of shape (n_patients, n_readers, n_features)
        Feature values per patient and reader; at least two patients and two readers.
    form : {"ICC(2,1)", "ICC(3,1)"}, default="ICC(2,1)"
        Absolute agreement (two-way random) or consistency (two-way mixed).

    Returns
    -------
    ndarray of shape (n_features,)
        ICC per feature; ``nan`` for a feature constant over every patient and reader.
    """
    if form not in ICC_FORMS:
        raise InputValidationError(f"ICC form must be one of {ICC_FORMS}, got {form!r}")
    ratings = np.asarray(ratings, dtype=float)
    if ratings.ndim != 3 or ratings.shape[0] < 2 or ratings.shape[1] < 2:
        raise InputValidationError(
            "ratings must have shape (n_patients >= 2, n_readers >= 2, n_features), "
            f"got {ratings.shape}"
        )
    n, k, _ = ratings.shape
    grand = ratings.mean(axis=(0, 1))
    patient_means = ratings.mean(axis=1)
    reader_means = ratings.mean(axis=0)
    ss_rows = k * ((patient_means - grand) ** 2).sum(axis=0)
    ss_columns = n * ((reader_means - grand) ** 2).sum(axis=0)
    ss_total = ((ratings - grand) ** 2).sum(axis=(0, 1))
    ss_error = ss_total - ss_rows - ss_columns

    ms_rows = ss_rows / (n - 1)
    ms_columns = ss_columns / (k - 1)
    ms_error = ss_error / ((n - 1) * (k - 1))
    denominator = ms_rows + (k - 1) * ms_error
    if form == "ICC(2,1)":
        denominator = denominator + k * (ms_columns - ms_error) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        icc = (ms_rows - ms_error) / denominator
    return np.where(ss_total > 0, icc, np.nan)


def feature_reproducibility(
    reader1: pd.DataFrame,
    reader2: pd.DataFrame,
    form: str = "ICC(2,1)",
    min_icc: float = 0.75,
) -> ReproducibilityResult:
    """Compute the ICC of every feature between two readers' feature tables.

    Parameters
    ----------
    reader1, reader2 : DataFrame of shape (n_patients, n_features)
        Feature tables indexed by ``patient_id``. Only patients and features present in both
        are used; at least two shared patients are needed.
    form : {"ICC(2,1)", "ICC(3,1)"}, default="ICC(2,1)"
    min_icc : float, default=0.75
        Bound for a reproducible feature.

    Returns
    -------
    ReproducibilityResult
    """
    if not 0 <= min_icc <= 1:
        raise InputValidationError(f"min_icc must lie in [0, 1], got {min_icc!r}")
    patients = reader1.index.intersection(reader2.index)
    features = reader1.columns.intersection(reader2.columns)
    if len(patients) < 2:
        raise InputValidationError(
            f"the two reader tables share {len(patients)} patient ids; ICC needs at least "
            "two patients segmented by both readers (check that both are indexed by patient_id)"
        )
    if len(features) == 0:
        raise InputValidationError("the two reader tables share no feature columns")
    ratings = np.stack(
        [
            reader1.loc[patients, features].to_numpy(dtype=float),
            reader2.loc[patients, features].to_numpy(dtype=float),
        ],
        axis=1,
    )
    if not np.isfinite(ratings).all():
        raise InputValidationError(
            "the reader tables contain missing or infinite values; drop those features first"
        )
    icc = pd.Series(intraclass_correlation(ratings, form), index=features, name=form)
    logger.info(
        "%s: %d of %d features reach %.2f on %d patients",
        form,
        int((icc >= min_icc).sum()),
        len(features),
        min_icc,
        len(patients),
    )
    return ReproducibilityResult(icc=icc, form=form, min_icc=min_icc, n_patients=len(patients))
