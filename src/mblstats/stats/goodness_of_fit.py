"""Hosmer–Lemeshow goodness-of-fit test for predicted risks of a binary outcome.

The grouping follows R's ``ResourceSelection::hoslem.test`` (version 0.3-5): patients are cut
into groups at the type-7 quantiles of the predicted risk at 0, 1/g, ..., 1, with duplicate
cut points dropped, right-closed intervals and the lowest value included. The statistic sums
``(observed - expected)² / expected`` over the event and non-event columns of every group and
is referred to a χ² distribution with ``g - 2`` degrees of freedom, ``g`` being the number of
groups requested, also when ties leave fewer groups.

References
----------
.. [1] Hosmer DW, Lemeshow S. Goodness of fit tests for the multiple logistic regression model.
   Commun Stat Theory Methods 1980;9:1043-69.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._errors import StatsInputError
from ._quantiles import equal_steps, quantile_type7
from ._validation import as_binary_outcome, as_probabilities


@dataclass(frozen=True)
class HosmerLemeshowResult:
    """Hosmer–Lemeshow statistic, its χ² p-value and the table of groups behind it.

    Attributes
    ----------
    statistic : float
        Sum of ``(observed - expected)² / expected`` over both outcome columns of every group.
    df : int
        Degrees of freedom, ``n_groups - 2`` for the number of groups requested.
    pvalue : float
        Upper tail of the χ² distribution with ``df`` degrees of freedom.
    n_groups : int
        Number of groups requested.
    n_groups_used : int
        Number of non-empty groups left after tied cut points were merged.
    table : pandas.DataFrame
        One row per group: ``risk_interval``, ``n``, ``observed_events``,
        ``expected_events``, ``observed_non_events``, ``expected_non_events``.
    method : str
        Description of the test, for printing.
    """

    statistic: float
    df: int
    pvalue: float
    n_groups: int
    n_groups_used: int
    table: pd.DataFrame = field(repr=False, compare=False)
    method: str = "Hosmer-Lemeshow test (quantile groups of predicted risk, df = g - 2)"

    def to_frame(self):
        """Return the statistic, df, p-value and group counts as a one-row DataFrame."""
        return pd.DataFrame(
            [
                {
                    "statistic": self.statistic,
                    "df": self.df,
                    "pvalue": self.pvalue,
                    "n_groups": self.n_groups,
                    "n_groups_used": self.n_groups_used,
                    "method": self.method,
                }
            ]
        )


def hosmer_lemeshow(y_true, y_prob, n_groups=10):
    """Test the calibration of predicted risks with the Hosmer–Lemeshow statistic.

    Implements the test of Hosmer and Lemeshow (1980) with the quantile grouping of R's
    ``ResourceSelection::hoslem.test(y_true, y_prob, g = n_groups)``, whose statistic, df and
    p-value it reproduces. See the module docstring for the grouping rule.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcome, 1 for an event and 0 for a non-event.
    y_prob : array-like of shape (n_samples,)
        Predicted risk of the event, in [0, 1].
    n_groups : int, default=10
        Number of risk groups ``g`` requested; at least 3 so that ``df = g - 2`` is positive.

    Returns
    -------
    HosmerLemeshowResult

    Raises
    ------
    StatsInputError
        On invalid shapes, NaN, a non-binary outcome, ``n_groups < 3``, predictions that are all
        equal (one group only), or a group whose expected events or non-events are 0 (all its
        risks exactly 0 or exactly 1), where the statistic is undefined.

    Notes
    -----
    ``hoslem.test`` keeps an empty interval (possible when quantiles fall between tied values)
    and then returns NaN. This function drops empty groups instead and reports the number of
    groups left in ``n_groups_used``; ``df`` still uses the requested ``n_groups``, as R does.

    Examples
    --------
    >>> y_prob = [0.1, 0.2, 0.3, 0.35, 0.5, 0.6, 0.4, 0.8, 0.9, 0.15]
    >>> result = hosmer_lemeshow([0, 0, 1, 0, 1, 1, 0, 1, 1, 0], y_prob, n_groups=3)
    >>> round(result.statistic, 4), result.df, result.n_groups_used
    (1.1013, 1, 3)
    """
    y_true = as_binary_outcome(y_true, "y_true", require_both=False)
    y_prob = as_probabilities(y_prob, "y_prob", y_true.size)
    n_groups = _check_n_groups(n_groups)

    group = _quantile_groups(y_prob, n_groups)
    table = _group_table(y_true, y_prob, group)
    statistic = _chi_square_sum(table)

    df = n_groups - 2
    return HosmerLemeshowResult(
        statistic=statistic,
        df=df,
        # NOTE: 1 - cdf, as hoslem.test computes it, so that tiny p-values round like R's;
        # stats.chi2.sf would be more accurate below about 1e-10.
        pvalue=float(1.0 - stats.chi2.cdf(statistic, df)),
        n_groups=n_groups,
        n_groups_used=len(table),
        table=table,
    )


def _check_n_groups(n_groups):
    if isinstance(n_groups, bool) or not isinstance(n_groups, (int, np.integer)) or n_groups < 3:
        raise StatsInputError(
            f"n_groups must be an integer of at least 3 (df = n_groups - 2), got {n_groups!r}."
        )
    return int(n_groups)


def _quantile_groups(y_prob, n_groups):
    """Return the interval index of each risk between the unique type-7 quantile cut points."""
    breaks = np.unique(quantile_type7(y_prob, equal_steps(n_groups)))
    if breaks.size < 2:
        raise StatsInputError(
            f"y_prob has the single value {float(y_prob[0])!r} for every sample, so it cannot be "
            "cut into risk groups; the Hosmer-Lemeshow test needs varying predictions."
        )

    # Intervals are (b[k-1], b[k]], and the lowest value joins the first interval.
    index = np.searchsorted(breaks, y_prob, side="left")
    index[index == 0] = 1
    labels = [_interval_label(breaks, k) for k in range(1, breaks.size)]
    return pd.Categorical.from_codes(index - 1, categories=labels, ordered=True)


def _interval_label(breaks, k):
    opening = "[" if k == 1 else "("
    return f"{opening}{breaks[k - 1]:.4g}, {breaks[k]:.4g}]"


def _group_table(y_true, y_prob, group):
    """Count observed and expected events and non-events per non-empty risk group."""
    frame = pd.DataFrame(
        {
            "risk_interval": group,
            "observed_events": y_true,
            "expected_events": y_prob,
            "observed_non_events": 1 - y_true,
            "expected_non_events": 1 - y_prob,
        }
    )
    grouped = frame.groupby("risk_interval", observed=True)
    table = grouped.sum()
    table.insert(0, "n", grouped.size())
    return table.reset_index()


def _chi_square_sum(table):
    expected = table[["expected_events", "expected_non_events"]].to_numpy()
    observed = table[["observed_events", "observed_non_events"]].to_numpy()
    empty = (expected <= 0).any(axis=1)
    if empty.any():
        interval = table.loc[empty, "risk_interval"].iloc[0]
        raise StatsInputError(
            f"the risk group {interval} has 0 expected events or non-events because all its "
            "predicted risks are exactly 0 or 1; the Hosmer-Lemeshow statistic is undefined. "
            "Clip the risks away from 0 and 1 or use fewer groups."
        )
    return float(np.sum((observed - expected) ** 2 / expected))
