"""The model families of the study, each one estimator with ``fit(X, y)`` and ``predict_proba``.

``X`` is one frame with a row per patient. It contains the clinical candidate columns (raw
values, as in the clinical table) and the radiomics feature columns. Every column that is
not a clinical column counts as a radiomics feature. Each family uses what it needs:

- ``RN`` (:class:`RadiomicsModel`): the reduction pipeline turns the features into the
  radscore, and an unpenalised logistic regression on the radscore alone gives the risk.
  The logistic step recalibrates the LASSO's linear predictor (which was fitted on
  SMOTE-balanced rows) on the same rows.
- ``Clinical`` (:class:`ClinicalModel`): risk factors with univariate p < 0.1 on the training
  rows enter an unpenalised multivariable logistic regression.
- ``Clinical-RN`` (:class:`ClinicalRadiomicsModel`): the radscore plus the screened clinical
  variables in one logistic regression, fitted on the original (not resampled) training rows:
  the model drawn as the nomogram.
- ``DNN`` and ``Clinical-DNN`` (:class:`NetworkModel`, :class:`ClinicalNetworkModel`): the
  study's dense network (4-3-2 hidden units) on the LASSO-selected features, without or with
  the screened clinical variables.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from mblstats.cohort.variables import CLINICAL_COLUMNS, RISK_FACTOR_COLUMNS
from mblstats.exceptions import InputValidationError
from mblstats.models.clinical import ClinicalEncoder, select_clinical_variables
from mblstats.models.pipelines import build_reduction_pipeline, radscore_formula
from mblstats.selection.filters import ColumnSubset

logger = logging.getLogger(__name__)

FAMILY_NAMES = ("RN", "Clinical", "Clinical-RN", "DNN", "Clinical-DNN")
CLINICAL_FAMILIES = ("Clinical", "Clinical-RN", "Clinical-DNN")
RADIOMICS_FAMILIES = ("RN", "Clinical-RN", "DNN", "Clinical-DNN")


def radiomics_columns(X: pd.DataFrame) -> list[str]:
    """Return the radiomics feature columns of ``X``: every column that is not clinical."""
    clinical = set(CLINICAL_COLUMNS) | set(RISK_FACTOR_COLUMNS) | {"mbl"}
    return [column for column in X.columns if column not in clinical]


def _unpenalised_logistic() -> LogisticRegression:
    return LogisticRegression(C=np.inf, solver="newton-cholesky", max_iter=1000, tol=1e-10)


class _Family(ClassifierMixin, BaseEstimator):
    """Shared checks and ``predict_proba`` plumbing of the model families."""

    def _check_fit_input(self, X, y) -> np.ndarray:
        if not isinstance(X, pd.DataFrame):
            raise InputValidationError(
                f"{type(self).__name__}.fit needs a DataFrame of clinical and radiomics "
                f"columns, got {type(X).__name__}"
            )
        outcome = np.asarray(y).astype(int)
        if len(outcome) != len(X) or set(np.unique(outcome)) != {0, 1}:
            raise InputValidationError(
                f"{type(self).__name__}.fit needs a 0/1 outcome with both classes and one "
                f"value per row of X ({len(X)}), got {len(outcome)} values "
                f"{sorted(np.unique(outcome))[:5]}"
            )
        self.classes_ = np.array([0, 1])
        return outcome

    def _radiomics(self, X: pd.DataFrame, fitting: bool) -> pd.DataFrame:
        if fitting:
            self.radiomics_columns_ = radiomics_columns(X)
            if not self.radiomics_columns_:
                raise InputValidationError(
                    f"{type(self).__name__} needs radiomics feature columns, but X has only "
                    "clinical columns; pass the feature table joined to the clinical table"
                )
        return X.loc[:, self.radiomics_columns_]

    def predict(self, X) -> np.ndarray:
        """Return 1 where the predicted risk is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


class RadiomicsModel(_Family):
    """RN: logistic regression on the radscore of the reduction pipeline.

    Parameters
    ----------
    mrmr_k, max_abs_correlation, reproducible_features, smote, lasso_folds, lambda_rule,
    n_lambdas, seed
        Passed to :func:`~mblstats.models.pipelines.build_reduction_pipeline`.
    """

    def __init__(
        self,
        mrmr_k: int = 30,
        max_abs_correlation: float = 0.95,
        reproducible_features=None,
        smote: bool = True,
        lasso_folds: int = 10,
        lambda_rule: str = "1se",
        n_lambdas: int = 100,
        seed: int = 2019,
    ):
        self.mrmr_k = mrmr_k
        self.max_abs_correlation = max_abs_correlation
        self.reproducible_features = reproducible_features
        self.smote = smote
        self.lasso_folds = lasso_folds
        self.lambda_rule = lambda_rule
        self.n_lambdas = n_lambdas
        self.seed = seed

    def _reduction(self, output: str) -> Pipeline:
        return build_reduction_pipeline(
            output=output,
            mrmr_k=self.mrmr_k,
            max_abs_correlation=self.max_abs_correlation,
            reproducible_features=self.reproducible_features,
            smote=self.smote,
            lasso_folds=self.lasso_folds,
            lambda_rule=self.lambda_rule,
            n_lambdas=self.n_lambdas,
            seed=self.seed,
        )

    def fit(self, X: pd.DataFrame, y) -> "RadiomicsModel":
        outcome = self._check_fit_input(X, y)
        reduction = self._reduction("radscore")
        self.pipeline_ = Pipeline([*reduction.steps, ("logistic", _unpenalised_logistic())])
        self.pipeline_.fit(self._radiomics(X, fitting=True), outcome)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(self._radiomics(X, fitting=False))

    def radscore(self, X: pd.DataFrame) -> pd.Series:
        """Return the radscore of each row of ``X``."""
        check_is_fitted(self, "pipeline_")
        return self.formula().score(self._radiomics(X, fitting=False))

    def formula(self):
        """Return the fitted :class:`~mblstats.selection.radscore.RadscoreFormula`."""
        check_is_fitted(self, "pipeline_")
        return radscore_formula(self.pipeline_)


class ClinicalModel(_Family):
    """Clinical: univariate screening (p < ``p_enter``) then multivariable logistic regression.

    Parameters
    ----------
    coding : {"treatment", "as_published"}, default="treatment"
        Coding of the nominal variables (see :mod:`mblstats.models.clinical`).
    p_enter : float, default=0.1
    candidates : sequence of str
        Candidate risk factors; default every one of the study.
    min_level_count : int, default=10
    seed : int, default=2019
    """

    def __init__(
        self,
        coding: str = "treatment",
        p_enter: float = 0.1,
        candidates=RISK_FACTOR_COLUMNS,
        min_level_count: int = 10,
        seed: int = 2019,
    ):
        self.coding = coding
        self.p_enter = p_enter
        self.candidates = candidates
        self.min_level_count = min_level_count
        self.seed = seed

    def _fit_clinical(self, X: pd.DataFrame, outcome: np.ndarray) -> pd.DataFrame:
        self.selected_variables_, self.univariate_ = select_clinical_variables(
            X, outcome, self.candidates, self.p_enter, self.seed
        )
        self.encoder_ = ClinicalEncoder(
            self.selected_variables_, self.coding, self.min_level_count
        ).fit(X, outcome)
        return self.encoder_.transform(X)

    def fit(self, X: pd.DataFrame, y) -> "ClinicalModel":
        outcome = self._check_fit_input(X, y)
        design = self._fit_clinical(X, outcome)
        self.logistic_ = _unpenalised_logistic().fit(design, outcome)
        return self

    def design(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return the model's design matrix (encoded clinical columns) for ``X``."""
        check_is_fitted(self, "logistic_")
        return self.encoder_.transform(X)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.logistic_.predict_proba(self.design(X))

    def coefficient_table(self, X: pd.DataFrame, y) -> pd.DataFrame:
        """Refit the model's design on ``X``/``y`` with standard errors, Wald CIs and ORs."""
        return _coefficient_table(self.design(X), y)


class ClinicalRadiomicsModel(ClinicalModel):
    """Clinical-RN: logistic regression on the radscore plus the screened clinical variables.

    Parameters
    ----------
    coding, p_enter, candidates, min_level_count
        As :class:`ClinicalModel`.
    mrmr_k, max_abs_correlation, reproducible_features, smote, lasso_folds, lambda_rule,
    n_lambdas
        As :class:`RadiomicsModel`.
    seed : int, default=2019
    """

    def __init__(
        self,
        coding: str = "treatment",
        p_enter: float = 0.1,
        candidates=RISK_FACTOR_COLUMNS,
        min_level_count: int = 10,
        mrmr_k: int = 30,
        max_abs_correlation: float = 0.95,
        reproducible_features=None,
        smote: bool = True,
        lasso_folds: int = 10,
        lambda_rule: str = "1se",
        n_lambdas: int = 100,
        seed: int = 2019,
    ):
        super().__init__(coding, p_enter, candidates, min_level_count, seed)
        self.mrmr_k = mrmr_k
        self.max_abs_correlation = max_abs_correlation
        self.reproducible_features = reproducible_features
        self.smote = smote
        self.lasso_folds = lasso_folds
        self.lambda_rule = lambda_rule
        self.n_lambdas = n_lambdas

    _reduction = RadiomicsModel._reduction

    def fit(self, X: pd.DataFrame, y) -> "ClinicalRadiomicsModel":
        outcome = self._check_fit_input(X, y)
        design = self._fit_reduction_and_clinical(X, outcome, "radscore")
        self.logistic_ = _unpenalised_logistic().fit(design, outcome)
        return self

    def _fit_reduction_and_clinical(self, X: pd.DataFrame, outcome: np.ndarray, output: str) -> pd.DataFrame:
        """Fit the reduction pipeline and the clinical screening, and return the joint design."""
        self.reduction_ = self._reduction(output).fit(self._radiomics(X, fitting=True), outcome)
        clinical = self._fit_clinical(X, outcome)
        return pd.concat([self._reduced(X), clinical], axis=1)

    def _reduced(self, X: pd.DataFrame) -> pd.DataFrame:
        return self.reduction_.transform(self._radiomics(X, fitting=False))

    def design(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return the design matrix (radscore, then encoded clinical columns) for ``X``."""
        check_is_fitted(self, "logistic_")
        return pd.concat([self._reduced(X), self.encoder_.transform(X)], axis=1)

    def formula(self):
        """Return the fitted radscore formula."""
        check_is_fitted(self, "reduction_")
        return radscore_formula(self.reduction_)


class NetworkModel(RadiomicsModel):
    """DNN: the study's dense network on the LASSO-selected, z-scored features.

    Parameters
    ----------
    network : NetworkConfig or None
        Network settings; ``None`` uses ``NetworkConfig(seed=seed)`` (4-3-2 hidden units).
    Other parameters
        As :class:`RadiomicsModel`. With ``smote=True`` the network, like the LASSO, is
        trained on the SMOTE-balanced rows.
    """

    def __init__(
        self,
        mrmr_k: int = 30,
        max_abs_correlation: float = 0.95,
        reproducible_features=None,
        smote: bool = True,
        lasso_folds: int = 10,
        lambda_rule: str = "1se",
        n_lambdas: int = 100,
        seed: int = 2019,
        network=None,
    ):
        super().__init__(
            mrmr_k, max_abs_correlation, reproducible_features, smote, lasso_folds,
            lambda_rule, n_lambdas, seed,
        )
        self.network = network

    def fit(self, X: pd.DataFrame, y) -> "NetworkModel":
        outcome = self._check_fit_input(X, y)
        reduction = self._reduction("selected")
        self.pipeline_ = Pipeline([*reduction.steps, ("network", self.network_estimator())])
        self.pipeline_.fit(self._radiomics(X, fitting=True), outcome)
        return self

    def network_estimator(self):
        """Return the unfitted network estimator of this model."""
        return _network(self.network, self.seed)

    def network_preprocessing(self, X: pd.DataFrame) -> list:
        """Return the unfitted steps that turn rows of ``X`` into the network's input."""
        columns = ColumnSubset(radiomics_columns(X))
        return [("radiomics", columns), *self._reduction("selected").steps]


class ClinicalNetworkModel(ClinicalRadiomicsModel):
    """Clinical-DNN: the dense network on the selected features plus screened clinical variables.

    The network is trained on the original training rows; every design column (selected
    features and encoded clinical variables) is z-scored on those rows first.

    Parameters
    ----------
    network : NetworkConfig or None
    Other parameters
        As :class:`ClinicalRadiomicsModel`.
    """

    def __init__(
        self,
        coding: str = "treatment",
        p_enter: float = 0.1,
        candidates=RISK_FACTOR_COLUMNS,
        min_level_count: int = 10,
        mrmr_k: int = 30,
        max_abs_correlation: float = 0.95,
        reproducible_features=None,
        smote: bool = True,
        lasso_folds: int = 10,
        lambda_rule: str = "1se",
        n_lambdas: int = 100,
        seed: int = 2019,
        network=None,
    ):
        super().__init__(
            coding, p_enter, candidates, min_level_count, mrmr_k, max_abs_correlation,
            reproducible_features, smote, lasso_folds, lambda_rule, n_lambdas, seed,
        )
        self.network = network

    def fit(self, X: pd.DataFrame, y) -> "ClinicalNetworkModel":
        outcome = self._check_fit_input(X, y)
        design = self._fit_design(X, outcome)
        self.network_ = self.network_estimator().fit(design, outcome)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "network_")
        return self.network_.predict_proba(self._transform_design(X))

    def design(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return the unscaled design (selected features, then encoded clinical columns)."""
        check_is_fitted(self, "scaler_")
        return pd.concat([self._reduced(X), self.encoder_.transform(X)], axis=1)

    def network_estimator(self):
        """Return the unfitted network estimator of this model."""
        return _network(self.network, self.seed)

    def network_preprocessing(self, X: pd.DataFrame) -> list:
        """Return the unfitted steps that turn rows of ``X`` into the network's input."""
        return [("design", NetworkDesignStep(self))]

    def _fit_design(self, X: pd.DataFrame, outcome: np.ndarray) -> np.ndarray:
        design = self._fit_reduction_and_clinical(X, outcome, "selected")
        self.scaler_ = StandardScaler().fit(design)
        return self.scaler_.transform(design)

    def _transform_design(self, X: pd.DataFrame) -> np.ndarray:
        return self.scaler_.transform(self.design(X))


class NetworkDesignStep(TransformerMixin, BaseEstimator):
    """Fit a Clinical-DNN model's reduction, screening and scaling as one pipeline step.

    It lets the batched fold training of :mod:`mblstats.models.network` fit the whole
    preprocessing inside each training fold.
    """

    def __init__(self, family=None):
        self.family = family

    def fit(self, X: pd.DataFrame, y) -> "NetworkDesignStep":
        self.fitted_ = clone(self.family)
        outcome = self.fitted_._check_fit_input(X, y)
        self.fitted_._fit_design(X, outcome)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "fitted_")
        return self.fitted_._transform_design(X)

    def coefficient_table(self, X, y):
        raise InputValidationError("Clinical-DNN is a network and has no coefficient table")


def make_family(name: str, **options) -> _Family:
    """Create an unfitted model of family ``name`` with the options it accepts.

    Options that the family does not take (for example ``coding`` for ``RN``) are ignored,
    so one options dict can configure every family.
    """
    classes = {
        "RN": RadiomicsModel,
        "Clinical": ClinicalModel,
        "Clinical-RN": ClinicalRadiomicsModel,
        "DNN": NetworkModel,
        "Clinical-DNN": ClinicalNetworkModel,
    }
    if name not in classes:
        raise InputValidationError(f"model family must be one of {FAMILY_NAMES}, got {name!r}")
    family = classes[name]
    accepted = family._get_param_names()
    return family(**{key: value for key, value in options.items() if key in accepted})


def _network(config, seed: int):
    from mblstats.models.network import DenseNetworkClassifier, NetworkConfig

    return DenseNetworkClassifier(config if config is not None else NetworkConfig(seed=seed))


def _coefficient_table(design: pd.DataFrame, y) -> pd.DataFrame:
    from mblstats.stats import logistic_regression

    data = design.copy()
    data.columns = [_safe_name(column) for column in design.columns]
    data["_outcome"] = np.asarray(y).astype(int)
    table = logistic_regression(data, "_outcome", [c for c in data.columns if c != "_outcome"]).table
    renamed = dict(zip(data.columns, design.columns))
    return table.rename(index=lambda term: renamed.get(term, term))


def _safe_name(column: str) -> str:
    return "".join(character if character.isalnum() else "_" for character in column)
