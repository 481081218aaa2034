"""Net benefit for decision curve analysis of a risk model.

A patient is treated when the predicted risk is at least the threshold probability ``t``.
Net benefit weighs true positives against false positives by the odds of the threshold:
``NB = TP/n - FP/n · t / (1 - t)`` (Vickers and Elkin 2006). Treating everyone gives
``prevalence - (1 - prevalence) · t / (1 - t)`` and treating no one gives 0.

References
----------
.. [1] Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating prediction
   models. Med Decis Making 2006;26:565-74.
"""

import numpy as np
import pandas as pd

from ._errors import StatsInputError
from ._validation import as_1d_float, as_binary_outcome, as_probabilities

DEFAULT_THRESHOLDS = np.round(np.arange(1, 100) / 100, 2)


def net_benefit(y_true, y_prob, thresholds=None):
    """Compute the net benefit of a model and of treating everyone at each threshold.

    Implements Vickers and Elkin's net benefit with treatment when ``y_prob >= threshold``.
    The values agree with the ``dcurves`` package (the Python port of the R/Stata ``dca``) and
    with R reference values in the tests.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcome, 1 for an event and 0 for a non-event.
    y_prob : array-like of shape (n_samples,)
        Predicted risk in [0, 1].
    thresholds : array-like of shape (n_thresholds,), optional
        Threshold probabilities in [0, 1); default 0.01, 0.02, ..., 0.99.

    Returns
    -------
    pandas.DataFrame
        One row per threshold: ``threshold``, ``net_benefit``, ``net_benefit_treat_all``,
        ``net_benefit_treat_none`` (always 0), ``true_positives``, ``false_positives``,
        ``n_treated``.

    Raises
    ------
    StatsInputError
        On invalid input or a threshold outside [0, 1), where ``t / (1 - t)`` is undefined.

    Examples
    --------
    >>> curve = net_benefit([1, 0, 1, 0, 0], [0.8, 0.3, 0.6, 0.1, 0.4], [0.2, 0.5])
    >>> curve[["threshold", "net_benefit", "net_benefit_treat_all"]].round(4).to_numpy().tolist()
    [[0.2, 0.3, 0.25], [0.5, 0.4, -0.2]]
    """
    y_true = as_binary_outcome(y_true, "y_true", require_both=False)
    y_prob = as_probabilities(y_prob, "y_prob", y_true.size)
    thresholds = _check_thresholds(thresholds)

    n = y_true.size
    treated = y_prob[None, :] >= thresholds[:, None]
    true_positives = (treated & (y_true == 1)).sum(axis=1)
    false_positives = (treated & (y_true == 0)).sum(axis=1)
    threshold_odds = thresholds / (1 - thresholds)
    prevalence = y_true.mean()

    return pd.DataFrame(
        {
            "threshold": thresholds,
            "net_benefit": true_positives / n - false_positives / n * threshold_odds,
            "net_benefit_treat_all": prevalence - (1 - prevalence) * threshold_odds,
            "net_benefit_treat_none": 0.0,
            "true_positives": true_positives,
            "false_positives": false_positives,
            "n_treated": treated.sum(axis=1),
        }
    )


def _check_thresholds(thresholds):
    if thresholds is None:
        return DEFAULT_THRESHOLDS.copy()
    values = as_1d_float(thresholds, "thresholds")
    outside = (values < 0) | (values >= 1)
    if outside.any():
        raise StatsInputError(
            f"thresholds must lie in [0, 1) because the threshold odds t / (1 - t) are undefined "
            f"at 1, got {float(values[outside][0])!r}."
        )
    return values
