"""Nomogram points for a fitted logistic regression, on the scale of R's ``rms::nomogram``.

Each predictor's contribution to the linear predictor is ``coef · value`` for a numeric
predictor and the coefficient of its dummy (0 for the reference level) for a nominal one. On
the axis values given, each predictor's lowest contribution scores 0 points. One point is
``1 / scale`` units of linear predictor, with ``scale = 100 / (widest range)``, so the predictor
whose contribution spans the widest range over its axis values runs from 0 to 100 points. The
total points of a patient therefore map back to the linear predictor as

    lp = intercept + sum(lowest contribution of each predictor) + total_points / scale

and to the risk as ``1 / (1 + exp(-lp))``. This reproduces the points that rms 6.5
``nomogram(fit, x1 = values, ...)`` prints for ``lrm`` fits without interactions or splines;
models with those terms are not supported.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from mblstats.exceptions import InputValidationError
from mblstats.stats import LogisticModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Nomogram:
    """Points of a logistic regression nomogram and the maps from total points to risk.

    Attributes
    ----------
    points : pandas.DataFrame
        Long table with one row per axis value: ``predictor``, ``value``, ``contribution``
        (to the linear predictor) and ``points``.
    scale : float
        Points per unit of linear predictor.
    lp_at_zero_points : float
        Linear predictor of a patient with 0 total points.
    max_total_points : float
        Sum over predictors of the maximal points on their axes.
    predictors : tuple of str
        Predictors in model order, the order of the nomogram rows.
    """

    points: pd.DataFrame = field(repr=False)
    scale: float
    lp_at_zero_points: float
    max_total_points: float
    predictors: tuple
    _model: LogisticModel = field(repr=False)

    def to_frame(self):
        """Return the long points table (a copy)."""
        return self.points.copy()

    def is_nominal(self, predictor) -> bool:
        """Tell whether ``predictor`` entered the model as a nominal (treatment-coded) variable."""
        return predictor in self._model.categorical

    def predictor_points(self, predictor):
        """Return the ``value`` and ``points`` of one predictor's axis."""
        if predictor not in self.predictors:
            raise InputValidationError(
                f"predictor {predictor!r} is not in the nomogram; choose one of "
                f"{list(self.predictors)}."
            )
        rows = self.points[self.points["predictor"] == predictor]
        return rows[["value", "points"]].reset_index(drop=True)

    def linear_predictor(self, total_points):
        """Map total points to the linear predictor (log-odds), element-wise."""
        return self.lp_at_zero_points + np.asarray(total_points, dtype=float) / self.scale

    def risk(self, total_points):
        """Map total points to the predicted risk, element-wise."""
        return special.expit(self.linear_predictor(total_points))

    def total_points_for_lp(self, linear_predictor):
        """Map a linear predictor to total points, element-wise (inverse of the above)."""
        return (np.asarray(linear_predictor, dtype=float) - self.lp_at_zero_points) * self.scale

    def total_points_for_risk(self, risk):
        """Map a risk in (0, 1) to total points, element-wise."""
        risk = np.asarray(risk, dtype=float)
        if ((risk <= 0) | (risk >= 1)).any():
            raise InputValidationError(f"risk must lie strictly between 0 and 1, got {risk}.")
        return self.total_points_for_lp(special.logit(risk))

    def patient_points(self, data):
        """Score patients: points per predictor, total points, linear predictor and risk.

        Parameters
        ----------
        data : pandas.DataFrame
            One row per patient with every predictor column; nominal values must be levels the
            model was fitted with. Numeric values outside the axis range are scored by the
            same linear rule (points may then be negative or exceed the axis).

        Returns
        -------
        pandas.DataFrame
            One ``points_<predictor>`` column per predictor, then ``total_points``,
            ``linear_predictor`` and ``risk``, indexed like ``data``.
        """
        design = self._model.design_matrix(data)
        coef = self._model.coef
        lowest = self.points.groupby("predictor", sort=False)["contribution"].min()
        result = pd.DataFrame(index=data.index)
        for predictor in self.predictors:
            terms = _terms_of(self._model, predictor)
            contribution = design[terms].to_numpy() @ coef[terms].to_numpy()
            result[f"points_{predictor}"] = (contribution - lowest[predictor]) * self.scale
        result["total_points"] = result.sum(axis=1)
        result["linear_predictor"] = self.linear_predictor(result["total_points"])
        result["risk"] = special.expit(result["linear_predictor"])
        return result


def build_nomogram(model, axis_values=None):
    """Compute nomogram points for a fitted :func:`mblstats.stats.logistic_regression` model.

    Implements the points scale of rms ``nomogram()`` (see the module docstring).

    Parameters
    ----------
    model : mblstats.stats.LogisticModel
        Fitted model without interactions.
    axis_values : dict of str to sequence, optional
        Values to mark on each predictor's axis. Required for numeric predictors; nominal
        predictors default to all their levels. The range of these values sets the scale.

    Returns
    -------
    Nomogram

    Raises
    ------
    InputValidationError
        If ``model`` is not a ``LogisticModel``, a numeric predictor has no axis values, a value
        is not numeric or not a known level, or every predictor has a zero coefficient.

    Examples
    --------
    >>> # nomogram = build_nomogram(model, {"radscore": [-2, -1, 0, 1, 2], "size": [0, 10, 20]})
    """
    if not isinstance(model, LogisticModel):
        raise InputValidationError(
            f"model must be a LogisticModel from mblstats.stats.logistic_regression, got "
            f"{type(model).__name__}."
        )
    axis_values = dict(axis_values or {})
    unknown = [name for name in axis_values if name not in model.predictors]
    if unknown:
        raise InputValidationError(
            f"axis_values names {unknown}, which are not predictors of the model "
            f"{list(model.predictors)}."
        )

    rows = []
    for predictor in model.predictors:
        values = _axis_values(model, predictor, axis_values.get(predictor))
        for value, contribution in zip(values, _contributions(model, predictor, values)):
            rows.append({"predictor": predictor, "value": value, "contribution": contribution})
    points = pd.DataFrame(rows)

    grouped = points.groupby("predictor", sort=False)["contribution"]
    lowest, spans = grouped.min(), grouped.max() - grouped.min()
    if spans.max() <= 0:
        raise InputValidationError(
            "every predictor contributes the same value at all of its axis values (zero "
            "coefficients or single values), so no points scale can be set."
        )
    scale = 100.0 / spans.max()
    points["points"] = (points["contribution"] - points["predictor"].map(lowest)) * scale
    logger.debug("nomogram scale %.6g points per unit of linear predictor", scale)

    return Nomogram(
        points=points,
        scale=float(scale),
        lp_at_zero_points=float(model.coef["(Intercept)"] + lowest.sum()),
        max_total_points=float((spans * scale).sum()),
        predictors=tuple(model.predictors),
        _model=model,
    )


def _terms_of(model, predictor):
    if predictor in model.levels:
        return [f"{predictor}{level}" for level in model.levels[predictor][1:]]
    return [predictor]


def _axis_values(model, predictor, values):
    if predictor in model.levels:
        known = list(model.levels[predictor])
        if values is None:
            return known
        stray = [value for value in values if value not in known]
        if stray:
            raise InputValidationError(
                f"axis values {stray} of {predictor!r} are not levels of the model; known "
                f"levels: {known}."
            )
        return list(values)

    if values is None:
        raise InputValidationError(
            f"axis_values has no entry for the numeric predictor {predictor!r}; pass the values "
            f"to mark on its axis, e.g. {{{predictor!r}: [0, 5, 10]}}."
        )
    try:
        numbers = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as error:
        raise InputValidationError(
            f"axis values of {predictor!r} must be numbers, got {values!r}."
        ) from error
    if numbers.size == 0 or not np.isfinite(numbers).all():
        raise InputValidationError(
            f"axis values of {predictor!r} must be finite numbers, got {values!r}."
        )
    return numbers.tolist()


def _contributions(model, predictor, values):
    coef = model.coef
    if predictor in model.levels:
        reference = model.levels[predictor][0]
        return [
            0.0 if value == reference else float(coef[f"{predictor}{value}"]) for value in values
        ]
    return [float(coef[predictor]) * value for value in values]
