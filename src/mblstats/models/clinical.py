"""Clinical predictors: univariate screening and the design matrix of the clinical models.

The clinical models enter every candidate risk factor whose univariate test on the training
rows gives p < 0.1 (Pearson χ² without continuity correction for categorical variables,
Mann–Whitney for age and tumour size, as in the study). Nominal variables (tumour type,
location, surgeon, operation method) are coded in one of two ways:

- ``"treatment"`` (default): one 0/1 column per non-reference level. The reference is the
  first level in ``CATEGORICAL_LEVELS`` order. Levels with fewer than ``min_level_count``
  training patients, or whose training patients all have the same outcome, are pooled with
  the reference, because their coefficients would rest on a handful of patients or diverge
  (separation).
- ``"as_published"``: the level's integer code (1, 2, ...) as one numeric column, which is
  what the study did. It forces equal steps in log-odds between arbitrary categories; it is
  offered only to reproduce the study. Tumour types are numbered in ``CATEGORICAL_LEVELS``
  order because the study did not publish its numbering.

Two-level variables become one 0/1 column for the second level (male, yes, combined
approach); age and tumour size stay continuous.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from mblstats.cohort.variables import CATEGORICAL_LEVELS, CONTINUOUS_COLUMNS, RISK_FACTOR_COLUMNS
from mblstats.exceptions import InputValidationError

logger = logging.getLogger(__name__)

CODINGS = ("treatment", "as_published")
NOMINAL_COLUMNS = ("tumour_type", "location", "surgeon", "operation_method")


def select_clinical_variables(
    clinical: pd.DataFrame,
    y,
    candidates=RISK_FACTOR_COLUMNS,
    p_enter: float = 0.1,
    seed: int = 0,
) -> tuple[list[str], pd.DataFrame]:
    """Screen candidate risk factors by univariate tests on the training rows.

    Parameters
    ----------
    clinical : DataFrame of shape (n_samples, ...)
        Training rows with the candidate columns.
    y : array-like of shape (n_samples,)
        0/1 outcome.
    candidates : sequence of str
        Risk factors to test.
    p_enter : float, default=0.1
        Variables with asymptotic p below this value enter the model.
    seed : int, default=0
        Kept for a stable signature; the screening computes no exact tests because entry uses
        the asymptotic p only.

    Returns
    -------
    selected : list of str
        Entered variables, in candidate order. When no variable reaches ``p_enter``, the one
        with the smallest p enters alone (logged), so the model always has a predictor.
    tests : DataFrame
        The univariate test table.
    """
    from mblstats.stats import univariate_tests

    candidates = list(candidates)
    missing = [name for name in candidates if name not in clinical.columns]
    if missing:
        raise InputValidationError(
            f"the clinical table lacks the candidate risk factors {missing}; pass "
            "candidates= without them or add the columns"
        )
    data = clinical.loc[:, candidates].copy()
    data["_outcome"] = np.asarray(y).astype(int)
    # A variable with one observed level (common in small bootstrap or CTE training sets)
    # carries no information and cannot be tested, so it is left out of the screening.
    constant = [name for name in candidates if data[name].nunique(dropna=True) < 2]
    if constant:
        logger.info("left out of the clinical screening, one level only: %s", ", ".join(constant))
        candidates = [name for name in candidates if name not in constant]
    tests = univariate_tests(
        data,
        "_outcome",
        categorical=[name for name in candidates if name not in CONTINUOUS_COLUMNS],
        continuous=[name for name in candidates if name in CONTINUOUS_COLUMNS],
        seed=seed,
        exact=False,
    )
    by_variable = tests.set_index("variable")["p"]
    selected = [name for name in candidates if by_variable[name] < p_enter]
    if not selected:
        best = str(by_variable.idxmin())
        logger.warning(
            "no clinical variable has univariate p < %.2g; entering %s alone (p = %.3g)",
            p_enter,
            best,
            by_variable[best],
        )
        selected = [best]
    return selected, tests


class ClinicalEncoder(TransformerMixin, BaseEstimator):
    """Turn clinical variables into numeric design columns (treatment or published coding).

    Parameters
    ----------
    variables : sequence of str
        Clinical columns to encode.
    coding : {"treatment", "as_published"}, default="treatment"
    min_level_count : int, default=10
        In treatment coding, levels with fewer training patients are pooled with the
        reference level.

    Attributes
    ----------
    levels_ : dict of str to list
        Non-reference levels that get their own column, per nominal or binary variable.
    reference_ : dict of str to object
        Reference level per nominal or binary variable.
    columns_ : list of str
        Output column names, for example ``tumour_type[osteosarcoma]``.
    """

    def __init__(self, variables=(), coding: str = "treatment", min_level_count: int = 10):
        self.variables = variables
        self.coding = coding
        self.min_level_count = min_level_count

    def fit(self, X: pd.DataFrame, y=None) -> "ClinicalEncoder":
        """Fix reference levels and the levels kept, from the training rows ``X``."""
        if self.coding not in CODINGS:
            raise InputValidationError(
                f"coding must be one of {CODINGS}, got {self.coding!r}"
            )
        variables = list(self.variables)
        _check_clinical_values(X, variables)
        outcome = None if y is None else pd.Series(np.asarray(y).astype(int), index=X.index)
        self.levels_, self.reference_, self.columns_ = {}, {}, []
        for name in variables:
            if name in CONTINUOUS_COLUMNS:
                self.columns_.append(name)
            elif self.coding == "as_published" and name in NOMINAL_COLUMNS:
                self.columns_.append(name)
            else:
                reference, kept = self._fit_levels(X[name], outcome, name)
                self.reference_[name], self.levels_[name] = reference, kept
                self.columns_.extend(f"{name}[{level}]" for level in kept)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return the design columns (n_samples, n_columns) as floats."""
        check_is_fitted(self, "columns_")
        variables = list(self.variables)
        _check_clinical_values(X, variables)
        design = {}
        for name in variables:
            if name in CONTINUOUS_COLUMNS:
                design[name] = X[name].astype(float).to_numpy()
            elif name in self.levels_:
                for level in self.levels_[name]:
                    design[f"{name}[{level}]"] = (X[name] == level).astype(float).to_numpy()
            else:
                codes = {level: code for code, level in enumerate(CATEGORICAL_LEVELS[name], start=1)}
                design[name] = X[name].map(codes).astype(float).to_numpy()
        return pd.DataFrame(design, index=X.index, columns=self.columns_)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "columns_")
        return np.asarray(self.columns_, dtype=object)

    def _fit_levels(self, values: pd.Series, outcome: pd.Series | None, name: str):
        levels = list(CATEGORICAL_LEVELS[name])
        counts = values.value_counts()
        if len(levels) == 2:
            return levels[0], [levels[1]] if counts.get(levels[1], 0) > 0 else []

        def usable(level) -> bool:
            if counts.get(level, 0) < self.min_level_count:
                return False
            if outcome is None:
                return True
            return outcome[values == level].nunique() == 2

        present = [level for level in levels if usable(level)]
        if not present:
            raise InputValidationError(
                f"no level of {name} has {self.min_level_count} training patients with both "
                "outcomes; lower min_level_count or drop the variable"
            )
        reference, kept = present[0], present[1:]
        pooled = [level for level in levels if level not in present and counts.get(level, 0) > 0]
        if pooled:
            logger.info("%s: levels %s pooled with the reference %r", name, pooled, reference)
        return reference, kept


def _check_clinical_values(X: pd.DataFrame, variables: list[str]) -> None:
    missing = [name for name in variables if name not in X.columns]
    if missing:
        raise InputValidationError(f"the clinical table lacks the columns {missing}")
    for name in variables:
        column = X[name]
        if column.isna().any():
            rows = X.index[column.isna()].tolist()[:10]
            raise InputValidationError(
                f"{name} is missing for patients {rows}; impute it or drop these patients"
            )
        if name in CONTINUOUS_COLUMNS:
            continue
        unknown = sorted(set(column.unique()) - set(CATEGORICAL_LEVELS[name]), key=str)
        if unknown:
            raise InputValidationError(
                f"{name} has the unknown levels {unknown}; allowed are "
                f"{list(CATEGORICAL_LEVELS[name])}"
            )
