"""Multivariable logistic regression with a coefficient table in the form clinical papers print.

Nominal predictors are expanded in treatment (dummy) coding against a stated reference level,
named as R names them (``site`` with levels A, B, C and reference A gives the terms ``siteB``
and ``siteC``). A nominal variable stored as a number (tumour type 1-10, say) is treated as
nominal only when listed in ``categorical``. Leaving it out fits one slope per code step, the
"numeric code" model that some publications used, which assumes equally spaced effects.

The fit is maximum likelihood by IRLS (statsmodels GLM, binomial family, logit link) run to
full convergence, and matches R's ``glm(..., family = binomial)`` with Wald intervals
``coef ± z·se`` (``confint.default``).
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special, stats

from ._errors import StatsInputError
from ._glm import design_frame, fit_binomial_glm
from ._validation import as_binary_outcome, check_fraction

INTERCEPT = "(Intercept)"
TABLE_COLUMNS = [
    "coef",
    "se",
    "z",
    "p",
    "ci_low",
    "ci_high",
    "odds_ratio",
    "or_ci_low",
    "or_ci_high",
]


@dataclass(frozen=True, eq=False)
class LogisticModel:
    """A fitted logistic regression: coefficient table, fit statistics and prediction.

    Attributes
    ----------
    outcome : str
        Name of the 0/1 outcome column.
    predictors : tuple of str
        Predictor columns in model order.
    categorical : tuple of str
        Predictors coded as nominal (treatment coding).
    reference_levels : dict of str to object
        Reference level of each nominal predictor.
    levels : dict of str to tuple
        All levels of each nominal predictor, reference first.
    table : pandas.DataFrame
        Indexed by term (``(Intercept)``, numeric predictors, ``<predictor><level>`` dummies)
        with columns ``coef``, ``se``, ``z``, ``p``, ``ci_low``, ``ci_high`` (Wald),
        ``odds_ratio``, ``or_ci_low``, ``or_ci_high``.
    loglik : float
        Maximised log-likelihood.
    aic : float
        ``-2·loglik + 2·(number of coefficients)``.
    n, n_events : int
        Number of samples and of events used in the fit.
    alpha : float
        Two-sided error rate of the intervals.
    covariance : pandas.DataFrame
        Covariance matrix of the coefficients, indexed by term.
    """

    outcome: str
    predictors: tuple
    categorical: tuple
    reference_levels: dict = field(repr=False)
    levels: dict = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    loglik: float
    aic: float
    n: int
    n_events: int
    alpha: float
    covariance: pd.DataFrame = field(repr=False)

    @property
    def coef(self):
        """Coefficients as a Series indexed by term."""
        return self.table["coef"]

    def to_frame(self):
        """Return the coefficient table (a copy)."""
        return self.table.copy()

    def design_matrix(self, new_data):
        """Build the design matrix of ``new_data`` in the model's coding.

        Parameters
        ----------
        new_data : pandas.DataFrame
            Must contain every predictor column; nominal predictors may only take levels seen in
            the fit.

        Returns
        -------
        pandas.DataFrame of shape (n_samples, n_terms)
            Columns in the order of ``table.index``.
        """
        design = _encode(new_data, self.predictors, self.levels, "new_data")
        design.columns = [INTERCEPT, *design.columns[1:]]
        return design[self.table.index]

    def linear_predictor(self, new_data):
        """Return the log-odds ``X @ coef`` for ``new_data``, shape (n_samples,)."""
        return self.design_matrix(new_data).to_numpy() @ self.coef.to_numpy()

    def predict_proba(self, new_data):
        """Return the predicted risk of the event for ``new_data``, shape (n_samples,)."""
        return special.expit(self.linear_predictor(new_data))


def logistic_regression(data, outcome, predictors, categorical=(), reference=None, alpha=0.05):
    """Fit a logistic regression of a 0/1 outcome and tabulate coefficients and odds ratios.

    Implements maximum-likelihood logistic regression (statsmodels GLM, IRLS to a coefficient
    change below 1e-10) and matches R 4.2 ``glm(outcome ~ ..., family = binomial)`` with
    treatment contrasts: coefficients, standard errors, Wald z and p, Wald intervals, log-
    likelihood and AIC.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per patient; rows with a missing value in a used column raise.
    outcome : str
        Name of the outcome column, coded 0/1 (or boolean).
    predictors : sequence of str
        Predictor columns in model order.
    categorical : sequence of str, default=()
        Predictors to treat as nominal (treatment coding); each must be in ``predictors``.
    reference : dict of str to object, optional
        Reference level per nominal predictor. Default: the first category of a pandas
        ``Categorical`` column (as R's factor levels), otherwise the first sorted level.
    alpha : float, default=0.05
        Two-sided error rate of the Wald intervals.

    Returns
    -------
    LogisticModel

    Raises
    ------
    StatsInputError
        On missing columns, missing values, a non-binary outcome, a non-numeric predictor not
        listed in ``categorical``, an unknown reference level, or a rank-deficient design.
    SeparationError
        On perfect or quasi-complete separation; the message names the predictors involved.
    ConvergenceError
        If IRLS does not converge in 100 iterations.
    """
    predictors, categorical = _check_columns(data, outcome, predictors, categorical)
    alpha = check_fraction(alpha, "alpha")
    frame = data[[outcome, *predictors]]
    _check_no_missing(frame)
    y = as_binary_outcome(frame[outcome], f"outcome column {outcome!r}")

    levels = _nominal_levels(frame, categorical, reference or {})
    design = _encode(frame, predictors, levels, "data")
    labels = {
        f"{name}{level}": f"{name} (level {level})"
        for name, name_levels in levels.items()
        for level in name_levels[1:]
    }
    result = fit_binomial_glm(y, design, labels=labels)

    terms = [INTERCEPT, *design.columns[1:]]
    table = _coefficient_table(result, terms, alpha)
    covariance = pd.DataFrame(np.asarray(result.cov_params()), index=terms, columns=terms)
    return LogisticModel(
        outcome=outcome,
        predictors=tuple(predictors),
        categorical=tuple(categorical),
        reference_levels={name: name_levels[0] for name, name_levels in levels.items()},
        levels=levels,
        table=table,
        loglik=float(result.llf),
        aic=float(-2 * result.llf + 2 * len(terms)),
        n=int(y.size),
        n_events=int(y.sum()),
        alpha=alpha,
        covariance=covariance,
    )


def _check_columns(data, outcome, predictors, categorical):
    if not isinstance(data, pd.DataFrame):
        raise StatsInputError(f"data must be a pandas DataFrame, got {type(data).__name__}.")
    if isinstance(predictors, str):
        predictors = [predictors]
    if isinstance(categorical, str):
        categorical = [categorical]
    predictors = list(predictors)
    categorical = list(categorical)
    if not predictors:
        raise StatsInputError("predictors is empty; name at least one predictor column.")
    if len(set(predictors)) != len(predictors):
        raise StatsInputError(f"predictors contains duplicates: {predictors}.")

    missing = [name for name in [outcome, *predictors] if name not in data.columns]
    if missing:
        raise StatsInputError(
            f"column(s) {missing} not found in data; available columns: {list(data.columns)}."
        )
    if outcome in predictors:
        raise StatsInputError(f"the outcome {outcome!r} is also listed as a predictor; remove it.")
    stray = [name for name in categorical if name not in predictors]
    if stray:
        raise StatsInputError(
            f"categorical lists {stray}, which are not in predictors {predictors}; add them to "
            "predictors or remove them from categorical."
        )

    for name in predictors:
        if name not in categorical and not _is_numeric(data[name]):
            raise StatsInputError(
                f"predictor {name!r} is not numeric (dtype {data[name].dtype}); list it in "
                "categorical to fit it in treatment coding."
            )
    return predictors, categorical


def _is_numeric(column):
    return pd.api.types.is_numeric_dtype(column) and not isinstance(
        column.dtype, pd.CategoricalDtype
    )


def _check_no_missing(frame, argument="data"):
    missing = frame.isna()
    if missing.to_numpy().any():
        column = missing.any().idxmax()
        rows = frame.index[missing[column]].tolist()
        shown = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
        raise StatsInputError(
            f"{argument} column {column!r} has {len(rows)} missing value(s) (rows {shown}); drop "
            "or impute them before fitting, because complete-case rules belong to the analysis "
            "plan, not to the fit."
        )


def _nominal_levels(frame, categorical, reference):
    unknown = [name for name in reference if name not in categorical]
    if unknown:
        raise StatsInputError(
            f"reference names {unknown}, which are not in categorical {categorical}."
        )

    levels = {}
    for name in categorical:
        column = frame[name]
        observed = set(column.unique())
        if isinstance(column.dtype, pd.CategoricalDtype):
            ordered = [level for level in column.cat.categories if level in observed]
        else:
            try:
                ordered = sorted(observed)
            except TypeError:  # mixed types, e.g. 1 and "1a": sort by their text
                ordered = sorted(observed, key=str)
        if len(ordered) < 2:
            raise StatsInputError(
                f"categorical predictor {name!r} has the single level {ordered[0]!r}; it carries "
                "no information, so drop it."
            )
        chosen = reference.get(name, ordered[0])
        if chosen not in ordered:
            raise StatsInputError(
                f"reference level {chosen!r} of {name!r} is not among its levels {ordered}."
            )
        levels[name] = (chosen, *[level for level in ordered if level != chosen])
    return levels


def _encode(frame, predictors, levels, argument):
    """Return the design matrix with ``const`` first, numeric predictors and dummy columns."""
    missing = [name for name in predictors if name not in frame.columns]
    if missing:
        raise StatsInputError(f"{argument} lacks the predictor column(s) {missing}.")
    _check_no_missing(frame[list(predictors)], argument)

    columns = {}
    for name in predictors:
        values = frame[name]
        if name not in levels:
            columns[name] = values.to_numpy(dtype=float)
            continue
        unseen = ~values.isin(levels[name])
        if unseen.any():
            row = values.index[unseen][0]
            raise StatsInputError(
                f"{argument} column {name!r} has the level {values[row]!r} (row {row}), which "
                f"the model was not fitted with; known levels: {list(levels[name])}."
            )
        for level in levels[name][1:]:
            columns[f"{name}{level}"] = (values == level).to_numpy(dtype=float)
    return design_frame(columns, frame.index)


def _coefficient_table(result, terms, alpha):
    coef = np.asarray(result.params)
    se = np.asarray(result.bse)
    z = coef / se
    z_crit = stats.norm.ppf(1 - alpha / 2)
    table = pd.DataFrame(
        {
            "coef": coef,
            "se": se,
            "z": z,
            "p": 2 * stats.norm.sf(np.abs(z)),
            "ci_low": coef - z_crit * se,
            "ci_high": coef + z_crit * se,
        },
        index=pd.Index(terms, name="term"),
    )
    table["odds_ratio"] = np.exp(table["coef"])
    table["or_ci_low"] = np.exp(table["ci_low"])
    table["or_ci_high"] = np.exp(table["ci_high"])
    return table[TABLE_COLUMNS]
