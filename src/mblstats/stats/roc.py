"""Area under the ROC curve with DeLong confidence intervals and the paired DeLong test.

The AUC is the Mann–Whitney estimate P(score of an event > score of a non-event), with ties
counted one half. Its variance comes from DeLong's structural components (placements),
computed with midranks as in Sun and Xu's fast algorithm. Results match pROC 1.18.0
(``ci.auc(method = "delong")`` and ``roc.test(method = "delong", paired = TRUE)``) with
``direction = "<"``: a higher score means a higher risk of the event. Unlike pROC's default,
the direction is not chosen from the data unless ``direction="auto"`` is requested, so an AUC
below 0.5 is reported as it is.

References
----------
.. [1] DeLong ER, DeLong DM, Clarke-Pearson DL. Comparing the areas under two or more correlated
   receiver operating characteristic curves: a nonparametric approach. Biometrics 1988;44:837-45.
.. [2] Sun X, Xu W. Fast implementation of DeLong's algorithm for comparing the areas under
   correlated receiver operating characteristic curves. IEEE Signal Process Lett 2014;21:1389-93.
"""

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._errors import StatsInputError
from ._validation import as_binary_outcome, as_matching_1d, check_fraction


@dataclass(frozen=True)
class RocAucResult:
    """AUC of one score with its DeLong variance and confidence interval.

    Attributes
    ----------
    auc : float
        Area under the ROC curve, ties counted one half.
    ci_low, ci_high : float
        Bounds of the ``1 - alpha`` normal-approximation interval ``auc ± z·sqrt(variance)``,
        clipped to [0, 1] as pROC does.
    variance : float
        DeLong variance of the AUC.
    alpha : float
        Two-sided error rate of the interval.
    n_events, n_non_events : int
        Number of samples with ``y_true == 1`` and ``y_true == 0``.
    method : str
        Description of the estimator, for printing.
    """

    auc: float
    ci_low: float
    ci_high: float
    variance: float
    alpha: float
    n_events: int
    n_non_events: int
    method: str = "AUC with DeLong 95% CI (normal approximation, clipped to [0, 1])"

    def to_frame(self):
        """Return the result as a one-row DataFrame."""
        return pd.DataFrame([asdict(self)])


@dataclass(frozen=True)
class DelongTestResult:
    """Paired DeLong test of two AUCs computed on the same samples.

    Attributes
    ----------
    auc_a, auc_b : float
        AUCs of the two scores.
    difference : float
        ``auc_a - auc_b``.
    se_difference : float
        DeLong standard error of the difference, accounting for the correlation of the scores.
    z : float
        ``difference / se_difference`` (0 when both are 0).
    pvalue : float
        Two-sided p-value from the standard normal distribution.
    method : str
        Description of the test, for printing.
    """

    auc_a: float
    auc_b: float
    difference: float
    se_difference: float
    z: float
    pvalue: float
    method: str = "DeLong test for two correlated ROC curves (paired, two-sided)"

    def to_frame(self):
        """Return the result as a one-row DataFrame."""
        return pd.DataFrame([asdict(self)])


def roc_auc_ci(y_true, y_score, alpha=0.05, direction="<"):
    """Compute the AUC of a score with DeLong's variance and confidence interval.

    Implements DeLong et al. (1988) with the midrank algorithm of Sun and Xu (2014) and matches
    pROC 1.18.0 ``ci.auc(roc(y_true, y_score, direction = "<"), method = "delong")``, including
    its clipping of the interval to [0, 1].

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcome, 1 for an event and 0 for a non-event. At least two of each are needed.
    y_score : array-like of shape (n_samples,)
        Score or predicted risk; higher means more likely an event.
    alpha : float, default=0.05
        Two-sided error rate; the interval covers ``1 - alpha``.
    direction : {"<", ">", "auto"}, default="<"
        ``"<"``: non-events have lower scores than events (higher score, higher risk).
        ``">"``: the reverse, i.e. the AUC of ``-y_score``. ``"auto"``: pROC's default rule,
        ``">"`` when the median score of the non-events exceeds that of the events, else
        ``"<"``. Choosing the direction from the data biases the AUC upwards.

    Returns
    -------
    RocAucResult

    Raises
    ------
    StatsInputError
        If an argument has the wrong shape, contains NaN, ``y_true`` is not 0/1, or either class
        has fewer than two samples (DeLong's variance is undefined).

    Notes
    -----
    A constant score gives AUC 0.5 with variance 0, so the interval collapses to [0.5, 0.5].

    Examples
    --------
    >>> result = roc_auc_ci([0, 0, 1, 0, 1, 1], [0.1, 0.4, 0.35, 0.2, 0.8, 0.9])
    >>> round(result.auc, 4)
    0.8889
    """
    alpha = check_fraction(alpha, "alpha")
    y_true, y_score = _check_inputs(y_true, {"y_score": y_score})
    (score,) = y_score

    score = _oriented(score, y_true, direction)
    placements = _delong_placements(score[y_true == 1], score[y_true == 0])
    auc = placements.auc
    variance = _placement_covariance([placements])[0, 0]

    z_crit = stats.norm.ppf(1 - alpha / 2)
    half_width = z_crit * np.sqrt(variance)
    ci_low = float(np.clip(auc - half_width, 0.0, 1.0))
    ci_high = float(np.clip(auc + half_width, 0.0, 1.0))
    level = f"{100 * (1 - alpha):g}%"
    return RocAucResult(
        auc=float(auc),
        ci_low=ci_low,
        ci_high=ci_high,
        variance=float(variance),
        alpha=alpha,
        n_events=int(y_true.sum()),
        n_non_events=int((1 - y_true).sum()),
        method=f"AUC with DeLong {level} CI (normal approximation, clipped to [0, 1])",
    )


def delong_test(y_true, score_a, score_b, direction="<"):
    """Compare the AUCs of two scores measured on the same samples with DeLong's paired test.

    Implements the paired test of DeLong et al. (1988): ``z = (AUC_a - AUC_b) / SE`` with the
    standard error from the covariance of the placements, and a two-sided normal p-value. Matches
    pROC 1.18.0 ``roc.test(roc_a, roc_b, method = "delong", paired = TRUE)``; when the two
    AUCs are equal and the standard error is 0 (identical scores), ``z`` is 0 and ``p`` is 1.
    When the standard error is 0 but the AUCs differ (e.g. a perfect score against a constant
    one), ``z`` is infinite and ``p`` is 0, as pROC's ``d / sig`` gives.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcome, 1 for an event and 0 for a non-event. At least two of each are needed.
    score_a, score_b : array-like of shape (n_samples,)
        The two scores, in the same sample order as ``y_true``.
    direction : {"<", ">", "auto"}, default="<"
        Applied to each score separately, as in :func:`roc_auc_ci`.

    Returns
    -------
    DelongTestResult

    Raises
    ------
    StatsInputError
        On wrong shapes, NaN, a non-binary outcome or fewer than two samples in a class.
    """
    y_true, (a, b) = _check_inputs(y_true, {"score_a": score_a, "score_b": score_b})
    a = _oriented(a, y_true, direction)
    b = _oriented(b, y_true, direction)
    events = y_true == 1
    place_a = _delong_placements(a[events], a[~events])
    place_b = _delong_placements(b[events], b[~events])
    covariance = _placement_covariance([place_a, place_b])

    difference = place_a.auc - place_b.auc
    variance = covariance[0, 0] + covariance[1, 1] - 2 * covariance[0, 1]
    se = float(np.sqrt(max(variance, 0.0)))
    if se == 0.0:
        # Identical rankings give a 0/0 statistic; pROC reports z = 0 when the AUCs are equal.
        z = 0.0 if difference == 0 else float(np.sign(difference) * np.inf)
    else:
        z = float(difference / se)
    pvalue = float(2 * stats.norm.sf(abs(z)))
    return DelongTestResult(
        auc_a=float(place_a.auc),
        auc_b=float(place_b.auc),
        difference=float(difference),
        se_difference=se,
        z=z,
        pvalue=pvalue,
    )


@dataclass(frozen=True)
class _Placements:
    """DeLong placement values of one score: ``events`` (V10) and ``non_events`` (V01)."""

    events: np.ndarray
    non_events: np.ndarray

    @property
    def auc(self):
        return float(self.events.mean())


def _check_inputs(y_true, scores):
    """Validate the outcome and each named score; return the arrays."""
    y = as_binary_outcome(y_true, "y_true")
    n_events = int(y.sum())
    n_non_events = y.size - n_events
    if min(n_events, n_non_events) < 2:
        raise StatsInputError(
            f"y_true has {n_events} event(s) and {n_non_events} non-event(s); DeLong's variance "
            "needs at least two samples of each class."
        )
    arrays = [as_matching_1d(values, name, y.size) for name, values in scores.items()]
    return y, arrays


def _oriented(score, y_true, direction):
    """Return the score so that higher values mean events, following ``direction``."""
    if direction not in ("<", ">", "auto"):
        raise StatsInputError(f"direction must be '<', '>' or 'auto', got {direction!r}.")
    if direction == "auto":
        reversed_order = np.median(score[y_true == 0]) > np.median(score[y_true == 1])
        direction = ">" if reversed_order else "<"
    return -score if direction == ">" else score


def _delong_placements(event_scores, non_event_scores):
    """Return the placements of each event among non-events and vice versa, ties counted 1/2.

    With midranks over the pooled scores (T) and within each class (T_x, T_y), the fraction of
    non-events below an event is ``(T - T_x) / n`` and the fraction of events above a
    non-event is ``1 - (T - T_y) / m`` (Sun and Xu 2014).
    """
    m = event_scores.size
    n = non_event_scores.size
    pooled_ranks = stats.rankdata(np.concatenate([event_scores, non_event_scores]))
    event_ranks = stats.rankdata(event_scores)
    non_event_ranks = stats.rankdata(non_event_scores)
    events = (pooled_ranks[:m] - event_ranks) / n
    non_events = 1.0 - (pooled_ranks[m:] - non_event_ranks) / m
    return _Placements(events=events, non_events=non_events)


def _placement_covariance(placements):
    """Return the DeLong covariance matrix of the AUCs of several scores on the same samples."""
    events = np.vstack([p.events for p in placements])
    non_events = np.vstack([p.non_events for p in placements])
    m = events.shape[1]
    n = non_events.shape[1]
    s10 = np.atleast_2d(np.cov(events, ddof=1))
    s01 = np.atleast_2d(np.cov(non_events, ddof=1))
    return s10 / m + s01 / n
