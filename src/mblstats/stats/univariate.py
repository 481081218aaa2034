"""Univariate comparisons of the two outcome groups: Mann–Whitney, Pearson χ² and exact tests.

Conventions, chosen to match R 4.2 and the published study:

* Mann–Whitney: the normal approximation with tie correction and continuity correction of
  ``wilcox.test(x ~ group, exact = FALSE, correct = TRUE)``. ``W`` is the rank sum of the first
  group (the first sorted label, 0 for a 0/1 outcome) minus ``n1(n1 + 1)/2``, i.e. its
  Mann–Whitney U. ``Z = (W - n1·n2/2 - sign·0.5) / sigma``, so Z is negative when the second
  group (the events) has the larger values, as the study reports tumour size (Z = -6.934).
* χ²: Pearson's statistic on the contingency table, without continuity correction unless
  requested, as ``chisq.test(correct = FALSE)`` and ``scipy.stats.chi2_contingency``.
* Exact alternative for tables with an expected count below 5: Fisher's exact test for 2×2
  tables and, for larger tables, the Monte Carlo Fisher–Freeman–Halton test (the table
  probability as statistic, as R's ``fisher.test(simulate.p.value = TRUE)``), seeded.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._errors import SmallExpectedCountWarning, StatsInputError
from ._validation import as_1d_float

MIN_EXPECTED = 5
DEFAULT_RESAMPLES = 9999


@dataclass(frozen=True)
class MannWhitneyResult:
    """Mann–Whitney (Wilcoxon rank-sum) test of two independent groups.

    Attributes
    ----------
    statistic : float
        R's ``W``: the Mann–Whitney U of the first group.
    z : float
        Continuity-corrected normal deviate; negative when the second group tends to be larger.
    pvalue : float
        Two-sided p-value from the normal approximation.
    groups : tuple
        The two group labels, first group first.
    n_first, n_second : int
        Group sizes.
    method : str
        Description of the test variant, for printing.
    """

    statistic: float
    z: float
    pvalue: float
    groups: tuple
    n_first: int
    n_second: int
    method: str = (
        "Wilcoxon rank-sum (Mann-Whitney) test, normal approximation with tie and continuity "
        "correction"
    )

    @property
    def w(self):
        """R's ``W``, the same value as ``statistic``."""
        return self.statistic

    def to_frame(self):
        """Return the result as a one-row DataFrame."""
        return pd.DataFrame([self.__dict__])


@dataclass(frozen=True)
class ChiSquareResult:
    """Pearson χ² test of independence for a contingency table.

    Attributes
    ----------
    statistic : float
        Pearson χ² statistic.
    df : int
        Degrees of freedom, ``(rows - 1)(columns - 1)``.
    pvalue : float
        Upper tail of the χ² distribution.
    expected : pandas.DataFrame
        Expected counts under independence, labelled like the table.
    min_expected : float
        Smallest expected count.
    small_expected : bool
        True when any expected count is below 5, so the χ² approximation is doubtful and
        :func:`exact_test` is the sounder choice.
    method : str
        Description of the test variant, for printing.
    """

    statistic: float
    df: int
    pvalue: float
    expected: pd.DataFrame = field(repr=False, compare=False)
    min_expected: float
    small_expected: bool
    method: str

    def to_frame(self):
        """Return the result without the expected table as a one-row DataFrame."""
        values = {k: v for k, v in self.__dict__.items() if k != "expected"}
        return pd.DataFrame([values])


@dataclass(frozen=True)
class ExactTestResult:
    """Exact (or Monte Carlo exact) test of independence for a contingency table.

    Attributes
    ----------
    pvalue : float
        Two-sided p-value.
    method : str
        Description of the test, for printing.
    n_resamples : int
        Number of simulated tables, 0 for a fully exact test.
    seed : int or None
        Seed of the simulation, None for a fully exact test.
    """

    pvalue: float
    method: str
    n_resamples: int
    seed: object

    def to_frame(self):
        """Return the result as a one-row DataFrame."""
        return pd.DataFrame([self.__dict__])


def mann_whitney(x, group):
    """Compare a continuous variable between two groups with the Mann–Whitney test.

    Implements the Wilcoxon rank-sum test with the normal approximation, tie correction of the
    variance and a continuity correction of 0.5 towards the null, matching R 4.2
    ``wilcox.test(x ~ group, exact = FALSE, correct = TRUE)`` (W and p). See the module
    docstring for the sign of Z.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Values; NaN is not allowed (drop missing rows first).
    group : array-like of shape (n_samples,)
        Exactly two distinct labels. The first sorted label is the first group.

    Returns
    -------
    MannWhitneyResult

    Raises
    ------
    StatsInputError
        On NaN, unequal lengths, a number of groups other than two, or all values tied.

    Examples
    --------
    >>> result = mann_whitney([1, 2, 3, 4, 5, 6, 7, 8], [0, 0, 0, 1, 0, 1, 1, 1])
    >>> result.statistic, round(result.z, 4), round(result.pvalue, 4)
    (1.0, -1.8764, 0.0606)
    """
    values = as_1d_float(x, "x")
    labels = _as_group(group, values.size)
    groups = tuple(_python_scalar(label) for label in sorted(pd.unique(labels)))
    if len(groups) != 2:
        raise StatsInputError(
            f"group must have exactly two distinct labels, got {len(groups)}: {list(groups)[:5]}."
        )

    first = labels == groups[0]
    n1, n2 = int(first.sum()), int((~first).sum())
    ranks = stats.rankdata(values)
    w = ranks[first].sum() - n1 * (n1 + 1) / 2

    n = n1 + n2
    _, tie_counts = np.unique(values, return_counts=True)
    tie_term = np.sum(tie_counts**3 - tie_counts) / (n * (n - 1))
    sigma = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term))
    if sigma == 0:
        raise StatsInputError(
            f"x has the single value {float(values[0])!r} in both groups, so the Mann-Whitney "
            "statistic has no variance; there is nothing to compare."
        )
    shift = w - n1 * n2 / 2
    z = (shift - np.sign(shift) * 0.5) / sigma
    return MannWhitneyResult(
        statistic=float(w),
        z=float(z),
        pvalue=float(2 * stats.norm.sf(abs(z))),
        groups=groups,
        n_first=n1,
        n_second=n2,
    )


def chi_square(table, correction=False):
    """Test independence in a contingency table with Pearson's χ² test.

    Implements Pearson's χ² test (``scipy.stats.chi2_contingency``), matching R 4.2
    ``chisq.test(table, correct = correction)``. Yates' continuity correction applies to 2×2
    tables only, and only when ``correction`` is True. Expected counts below 5 set
    ``small_expected`` and emit :class:`SmallExpectedCountWarning`.

    Parameters
    ----------
    table : array-like or pandas.DataFrame of shape (n_rows, n_columns)
        Counts; at least 2 rows and 2 columns, every row and column with a positive total.
    correction : bool, default=False
        Apply Yates' continuity correction to a 2×2 table.

    Returns
    -------
    ChiSquareResult

    Examples
    --------
    >>> result = chi_square([[20, 30], [35, 15]])
    >>> round(result.statistic, 4), result.df, result.small_expected
    (9.0909, 1, False)
    """
    counts = _as_table(table)
    result = stats.chi2_contingency(counts.to_numpy(), correction=correction)
    expected = pd.DataFrame(result.expected_freq, index=counts.index, columns=counts.columns)
    min_expected = float(expected.to_numpy().min())
    yates = correction and counts.shape == (2, 2)
    method = "Pearson chi-square test " + (
        "with Yates' continuity correction" if yates else "without continuity correction"
    )
    if min_expected < MIN_EXPECTED:
        warnings.warn(
            f"the smallest expected count is {min_expected:.2f} (< {MIN_EXPECTED}), so the "
            "chi-square p-value is approximate; report exact_test() alongside it.",
            SmallExpectedCountWarning,
            stacklevel=2,
        )
    return ChiSquareResult(
        statistic=float(result.statistic),
        df=int(result.dof),
        pvalue=float(result.pvalue),
        expected=expected,
        min_expected=min_expected,
        small_expected=min_expected < MIN_EXPECTED,
        method=method,
    )


def exact_test(table, n_resamples=DEFAULT_RESAMPLES, seed=0):
    """Test independence with Fisher's exact test (2×2) or its Monte Carlo r×c extension.

    For a 2×2 table this is Fisher's exact test, two-sided (``scipy.stats.fisher_exact``, as R
    ``fisher.test``). Larger tables use ``scipy.stats.fisher_exact`` with a seeded
    ``MonteCarloMethod``: tables are drawn with the observed margins and the p-value is
    ``(1 + #{simulated table probability <= observed}) / (1 + n_resamples)``, the definition of
    R's ``fisher.test(simulate.p.value = TRUE, B = n_resamples)``.

    Parameters
    ----------
    table : array-like or pandas.DataFrame of shape (n_rows, n_columns)
        Counts.
    n_resamples : int, default=9999
        Number of simulated tables for tables larger than 2×2.
    seed : int, default=0
        Seed of the simulation; the same seed gives the same p-value.

    Returns
    -------
    ExactTestResult
    """
    counts = _as_table(table).to_numpy()
    if counts.shape == (2, 2):
        result = stats.fisher_exact(counts, alternative="two-sided")
        return ExactTestResult(
            pvalue=float(result.pvalue),
            method="Fisher's exact test (two-sided)",
            n_resamples=0,
            seed=None,
        )

    if (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, (int, np.integer))
        or n_resamples < 1
    ):
        raise StatsInputError(f"n_resamples must be a positive integer, got {n_resamples!r}.")
    method = stats.MonteCarloMethod(n_resamples=int(n_resamples), rng=np.random.default_rng(seed))
    result = stats.fisher_exact(counts, method=method)
    return ExactTestResult(
        pvalue=float(result.pvalue),
        method=(
            f"Fisher-Freeman-Halton exact test, Monte Carlo p-value from {n_resamples} "
            f"simulated tables (seed {seed})"
        ),
        n_resamples=int(n_resamples),
        seed=seed,
    )


def univariate_tests(data, group, categorical=(), continuous=(), seed=0, exact=True):
    """Compare each variable between the outcome groups, as Table 1 of a clinical study.

    Categorical variables get Pearson's χ² without continuity correction, plus an exact p-value
    from :func:`exact_test` when an expected count is below 5. Continuous variables get the
    Mann–Whitney test reported as Z, which is negative when the second group (e.g. MBL) has the
    larger values. Rows with a missing value are dropped for that variable only.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per patient.
    group : str
        Column with the groups (the outcome); no missing values; exactly two labels when any
        continuous variable is tested.
    categorical, continuous : sequence of str
        Columns to test.
    seed : int, default=0
        Seed of every Monte Carlo exact test, so the table is reproducible.
    exact : bool, default=True
        Compute the exact p-values. Model screening, which uses only the asymptotic ``p``,
        turns them off because the Monte Carlo tests dominate its run time.

    Returns
    -------
    pandas.DataFrame
        One row per variable, in the order given (categorical first): ``variable``, ``test``,
        ``statistic_name`` (``"chi2"`` or ``"Z"``), ``statistic``, ``df``, ``p``,
        ``min_expected``, ``exact_p`` (NaN unless an expected count is below 5),
        ``exact_method``, ``method``, ``n`` (rows used).
    """
    if not isinstance(data, pd.DataFrame):
        raise StatsInputError(f"data must be a pandas DataFrame, got {type(data).__name__}.")
    categorical, continuous = list(categorical), list(continuous)
    missing = [name for name in [group, *categorical, *continuous] if name not in data.columns]
    if missing:
        raise StatsInputError(f"column(s) {missing} not found in data.")
    _as_group(data[group], len(data))

    rows = [_categorical_row(data, name, group, seed, exact) for name in categorical]
    rows += [_continuous_row(data, name, group) for name in continuous]
    columns = [
        "variable",
        "test",
        "statistic_name",
        "statistic",
        "df",
        "p",
        "min_expected",
        "exact_p",
        "exact_method",
        "method",
        "n",
    ]
    return pd.DataFrame(rows, columns=columns)


def _categorical_row(data, name, group, seed, exact_wanted=True):
    used = data[[name, group]].dropna()
    table = pd.crosstab(used[name], used[group])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallExpectedCountWarning)
        result = chi_square(table)
    exact = exact_test(table, seed=seed) if result.small_expected and exact_wanted else None
    return {
        "variable": name,
        "test": "chi-square",
        "statistic_name": "chi2",
        "statistic": result.statistic,
        "df": result.df,
        "p": result.pvalue,
        "min_expected": result.min_expected,
        "exact_p": exact.pvalue if exact else np.nan,
        "exact_method": exact.method if exact else "",
        "method": result.method,
        "n": len(used),
    }


def _continuous_row(data, name, group):
    used = data[[name, group]].dropna()
    result = mann_whitney(used[name], used[group])
    return {
        "variable": name,
        "test": "Mann-Whitney",
        "statistic_name": "Z",
        "statistic": result.z,
        "df": np.nan,
        "p": result.pvalue,
        "min_expected": np.nan,
        "exact_p": np.nan,
        "exact_method": "",
        "method": f"{result.method}; Z < 0 when group {result.groups[1]!r} is larger",
        "n": len(used),
    }


def _python_scalar(value):
    return value.item() if isinstance(value, np.generic) else value


def _as_group(group, n_samples):
    labels = pd.Series(np.asarray(group).ravel() if not isinstance(group, pd.Series) else group)
    labels = labels.reset_index(drop=True)
    if labels.size != n_samples:
        raise StatsInputError(
            f"group has {labels.size} values but x has {n_samples}; pass one label per sample."
        )
    if labels.isna().any():
        rows = np.flatnonzero(labels.isna().to_numpy())
        raise StatsInputError(
            f"group contains {rows.size} missing label(s) at position(s) {rows[:5].tolist()}; "
            "drop those rows first."
        )
    return labels.to_numpy()


def _as_table(table):
    frame = pd.DataFrame(table)
    try:
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError) as error:
        raise StatsInputError(
            f"table must contain counts, got non-numeric entries: {error}"
        ) from error
    if values.ndim != 2 or min(values.shape) < 2:
        raise StatsInputError(
            f"table must have at least 2 rows and 2 columns, got shape {values.shape}; a "
            "variable with a single level cannot be tested."
        )
    if not np.isfinite(values).all() or (values < 0).any() or (values != np.round(values)).any():
        raise StatsInputError("table must contain non-negative whole counts without NaN.")
    for axis, kind, labels in ((1, "row", frame.index), (0, "column", frame.columns)):
        totals = values.sum(axis=axis)
        if (totals == 0).any():
            empty = labels[np.flatnonzero(totals == 0)[0]]
            raise StatsInputError(
                f"{kind} {empty!r} of the table has no samples, so its expected counts are 0; "
                "drop empty levels before testing."
            )
    return pd.DataFrame(values.astype(int), index=frame.index, columns=frame.columns)
