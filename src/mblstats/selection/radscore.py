"""The radscore: the LASSO's linear combination of the selected radiomics features.

``LassoRadscore`` is the last reduction step of the radiomics pipeline. It chooses lambda by
cross-validation on the rows it is fitted on, refits at that lambda, and transforms a
feature table into one column, ``radscore`` = intercept + sum(coefficient x z-scored
feature). ``RadscoreFormula`` exports that formula as text and as a table.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from mblstats.exceptions import InputValidationError
from mblstats.selection.lasso import LassoCVResult, cross_validate_lambda, fit_l1_logistic

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class RadscoreFormula:
    """Intercept and coefficients of a radscore on z-scored features.

    Attributes
    ----------
    intercept : float
    coefficients : Series
        Non-zero LASSO coefficient per selected feature, in input order.
    means, stds : Series or None
        Training mean and standard deviation used to z-score each selected feature, when
        known, so the formula can be applied to raw feature values.
    lam : float
        Lambda of the fit.
    """

    intercept: float
    coefficients: pd.Series
    lam: float
    means: pd.Series | None = None
    stds: pd.Series | None = None

    @property
    def text(self) -> str:
        """The formula as one line, for example ``radscore = -1.2 + 0.73 × z(feature)``."""
        terms = [f"{self.intercept:.4f}"]
        for name, value in self.coefficients.items():
            sign = "-" if value < 0 else "+"
            terms.append(f"{sign} {abs(value):.4f} × z({name})")
        return "radscore = " + " ".join(terms)

    def to_frame(self) -> pd.DataFrame:
        """Return one row per term: ``term``, ``coefficient`` and, when known, ``mean``, ``std``."""
        frame = pd.DataFrame(
            {
                "term": ["(Intercept)", *self.coefficients.index],
                "coefficient": [self.intercept, *self.coefficients.to_numpy()],
            }
        )
        if self.means is not None and self.stds is not None:
            names = list(self.coefficients.index)
            frame["mean"] = [np.nan, *self.means.reindex(names).to_numpy()]
            frame["std"] = [np.nan, *self.stds.reindex(names).to_numpy()]
        return frame

    def score(self, features: pd.DataFrame) -> pd.Series:
        """Compute the radscore of raw feature values (z-scored with the stored means/SDs)."""
        names = list(self.coefficients.index)
        missing = [name for name in names if name not in features.columns]
        if missing:
            raise InputValidationError(
                f"the feature table lacks the radscore features {missing}; extract them with "
                "the same settings as the training features"
            )
        values = features.loc[:, names].astype(float)
        if self.means is not None and self.stds is not None:
            values = (values - self.means[names]) / self.stds[names]
        return (self.intercept + values @ self.coefficients).rename("radscore")


class LassoRadscore(TransformerMixin, BaseEstimator):
    """Fit the LASSO with lambda by k-fold CV and transform features into the radscore.

    Parameters
    ----------
    n_folds : int, default=10
        Folds of the lambda cross-validation.
    rule : {"1se", "min"}, default="1se"
        One-standard-error rule or minimum cross-validated deviance.
    n_lambdas : int, default=100
        Length of the lambda grid.
    seed : int, default=2019
        Seed of the fold assignment.
    output : {"radscore", "selected"}, default="radscore"
        What ``transform`` returns: the one-column radscore, or the selected features
        themselves (the input of the network models).

    Attributes
    ----------
    cv_result_ : LassoCVResult
    lambda_ : float
        Lambda of the final fit. When the rule's lambda keeps no feature, the largest lambda
        of the grid that keeps at least one is used instead (logged as a warning), because a
        radscore without features carries no radiomics information.
    intercept_ : float
    coef_ : Series
        Coefficient of every input feature (zeros included).
    selected_features_ : list of str
    """

    def __init__(
        self,
        n_folds: int = 10,
        rule: str = "1se",
        n_lambdas: int = 100,
        seed: int = 2019,
        output: str = "radscore",
    ):
        self.n_folds = n_folds
        self.rule = rule
        self.n_lambdas = n_lambdas
        self.seed = seed
        self.output = output

    def fit(self, X: pd.DataFrame, y) -> "LassoRadscore":
        """Choose lambda and fit on the z-scored features ``X`` (n_samples, n_features)."""
        if not isinstance(X, pd.DataFrame):
            raise InputValidationError(
                f"LassoRadscore needs a DataFrame with feature names, got {type(X).__name__}"
            )
        if self.output not in ("radscore", "selected"):
            raise InputValidationError(
                f"output must be 'radscore' or 'selected', got {self.output!r}"
            )

        outcome = np.asarray(y).astype(int)
        self.cv_result_: LassoCVResult = cross_validate_lambda(
            X, outcome, n_folds=self.n_folds, rule=self.rule, n_lambdas=self.n_lambdas, seed=self.seed
        )
        lam = self.cv_result_.lambda_chosen
        chosen = int(np.flatnonzero(self.cv_result_.lambdas == lam)[0])
        if self.cv_result_.n_nonzero[chosen] == 0:
            usable = np.flatnonzero(self.cv_result_.n_nonzero > 0)
            if len(usable) == 0:
                raise InputValidationError(
                    "the LASSO kept no feature at any lambda of the grid; the features carry "
                    "no signal the LASSO can use"
                )
            lam = float(self.cv_result_.lambdas[usable.min()])
            logger.warning(
                "the %s lambda keeps no feature; using lambda=%.4g, the largest that keeps one",
                self.rule,
                lam,
            )

        intercept, coef = fit_l1_logistic(X.to_numpy(dtype=float), outcome, lam)
        self.lambda_ = lam
        self.intercept_ = intercept
        self.coef_ = pd.Series(coef, index=X.columns, name="coefficient")
        self.selected_features_ = X.columns[coef != 0].tolist()
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return the radscore (column ``radscore``) or the selected features of each row."""
        check_is_fitted(self, "coef_")
        if self.output == "selected":
            return X.loc[:, self.selected_features_]
        values = X.loc[:, list(self.coef_.index)].to_numpy(dtype=float)
        return pd.DataFrame({"radscore": self.intercept_ + values @ self.coef_.to_numpy()}, index=X.index)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "coef_")
        if self.output == "selected":
            return np.asarray(self.selected_features_, dtype=object)
        return np.asarray(["radscore"], dtype=object)

    def formula(self, means: pd.Series | None = None, stds: pd.Series | None = None) -> RadscoreFormula:
        """Return the fitted radscore formula; pass the scaler's means/SDs to apply it to raw values."""
        check_is_fitted(self, "coef_")
        return RadscoreFormula(
            intercept=self.intercept_,
            coefficients=self.coef_[self.coef_ != 0],
            lam=self.lambda_,
            means=means,
            stds=stds,
        )
