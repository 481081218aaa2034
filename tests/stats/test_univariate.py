"""Mann-Whitney, chi-square and exact tests against R, scipy and the published Table 1."""

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mblstats.stats import (
    SmallExpectedCountWarning,
    StatsInputError,
    chi_square,
    exact_test,
    mann_whitney,
    univariate_tests,
)

RTOL = 1e-6
STUDY = Path(__file__).parents[2] / ".." / "shared" / "STUDY.md"
COHORTS = {"CT": (0, 1), "CTE": (2, 3)}


def _study_text():
    if not STUDY.exists():
        pytest.skip(f"{STUDY} is absent; it lives beside the repository checkout")
    return STUDY.read_text(encoding="utf-8")


def _table1_counts(text):
    """Parse the Table 1 counts into {variable: DataFrame(levels x 4 count columns)}."""
    section = text.split("### Table 1 counts")[1].split("**Published univariate")[0]
    tables, variable = {}, None
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not cells[2].isdigit():
            continue
        variable = cells[0] or variable
        tables.setdefault(variable, []).append([cells[1], *map(int, cells[2:])])
    return {
        name: pd.DataFrame(rows, columns=["level", 0, 1, 2, 3]).set_index("level")
        for name, rows in tables.items()
    }


def _published_chi_square(text):
    """Parse '| variable | χ² CT (CTE) |' rows into {variable: (CT, CTE)}."""
    published = {}
    for match in re.finditer(r"^\| ([a-z ]+) \| χ² ([\d.]+) \(([\d.]+)\) \|", text, re.M):
        published[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    return published


def test_chi_square_matches_r(simulated):
    data, reference = simulated["data"], simulated["reference"]["chi_square"]
    result = chi_square(pd.crosstab(data["site"], data["y"]))

    assert result.statistic == pytest.approx(reference["statistic"], rel=RTOL)
    assert result.df == reference["df"]
    assert result.pvalue == pytest.approx(reference["p"], rel=RTOL)
    assert result.method == "Pearson chi-square test without continuity correction"


def test_chi_square_reproduces_published_table1():
    text = _study_text()
    counts = _table1_counts(text)
    published = _published_chi_square(text)
    assert len(published) == 9, "expected the nine categorical variables of Table 1"

    for variable, values in published.items():
        for cohort, expected in zip(COHORTS, values):
            table = counts[variable][list(COHORTS[cohort])]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SmallExpectedCountWarning)
                statistic = chi_square(table).statistic
            assert round(statistic, 3) == pytest.approx(expected, abs=1e-9), (variable, cohort)


def test_chi_square_flags_small_expected_counts():
    with pytest.warns(SmallExpectedCountWarning, match="smallest expected count is 1.50"):
        result = chi_square([[1, 5], [2, 4]])
    assert result.small_expected
    assert result.min_expected == pytest.approx(1.5)


def test_chi_square_yates_only_when_requested():
    table = [[20, 30], [35, 15]]
    plain = chi_square(table)
    corrected = chi_square(table, correction=True)

    assert corrected.statistic < plain.statistic
    assert corrected.method == "Pearson chi-square test with Yates' continuity correction"
    assert plain.statistic == pytest.approx(stats.chi2_contingency(table, correction=False)[0])


def test_chi_square_rejects_empty_level():
    table = pd.DataFrame({0: [10, 0, 5], 1: [4, 0, 6]}, index=["a", "b", "c"])
    with pytest.raises(StatsInputError, match="row 'b' of the table has no samples"):
        chi_square(table)


def test_chi_square_rejects_single_level():
    with pytest.raises(StatsInputError, match="at least 2 rows and 2 columns"):
        chi_square([[10, 4]])


def test_exact_test_2x2_is_fisher():
    table = [[8, 2], [1, 5]]
    result = exact_test(table)
    assert result.pvalue == pytest.approx(stats.fisher_exact(table).pvalue)
    assert result.method == "Fisher's exact test (two-sided)"


def test_exact_test_monte_carlo_is_seeded():
    table = [[17, 1], [74, 6], [43, 2], [52, 8]]
    first = exact_test(table, n_resamples=2000, seed=1)
    second = exact_test(table, n_resamples=2000, seed=1)

    assert first.pvalue == second.pvalue
    assert first.n_resamples == 2000
    assert "Monte Carlo" in first.method


def test_exact_test_monte_carlo_approximates_exact():
    # A 3x2 table small enough to enumerate: the exact Freeman-Halton p-value by brute force.
    table = np.array([[3, 1], [1, 4], [2, 0]])
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    observed = stats.random_table(rows, cols).pmf(table)
    total = 0.0
    for a in range(rows[0] + 1):
        for b in range(rows[1] + 1):
            c = cols[0] - a - b
            if 0 <= c <= rows[2]:
                candidate = np.array([[a, rows[0] - a], [b, rows[1] - b], [c, rows[2] - c]])
                probability = stats.random_table(rows, cols).pmf(candidate)
                if probability <= observed * (1 + 1e-7):
                    total += probability
    result = exact_test(table, n_resamples=20000, seed=3)
    assert result.pvalue == pytest.approx(total, abs=0.02)


def test_mann_whitney_matches_r(simulated):
    data, reference = simulated["data"], simulated["reference"]["mann_whitney"]
    result = mann_whitney(data["x3"], data["y"])

    assert result.statistic == pytest.approx(reference["W"], rel=RTOL)
    assert result.pvalue == pytest.approx(reference["p"], rel=RTOL)
    assert result.groups == (0, 1)


def test_mann_whitney_matches_scipy_with_ties():
    rng = np.random.default_rng(11)
    x = rng.integers(0, 6, 80).astype(float)
    group = rng.integers(0, 2, 80)
    result = mann_whitney(x, group)
    expected = stats.mannwhitneyu(x[group == 0], x[group == 1], method="asymptotic")

    assert result.statistic == pytest.approx(expected.statistic)
    assert result.pvalue == pytest.approx(expected.pvalue, rel=1e-10)


def test_mann_whitney_z_negative_when_events_larger():
    # Like tumour size in the study: larger in the MBL group (1) gives a negative Z.
    size = [5.0, 6.0, 7.5, 8.0, 9.0, 11.0, 12.5, 14.0, 15.0, 16.0]
    mbl = [0, 0, 0, 0, 0, 1, 1, 1, 1, 0]
    assert mann_whitney(size, mbl).z < 0
    assert mann_whitney(size, 1 - np.array(mbl)).z > 0


def test_mann_whitney_continuity_correction():
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8])
    group = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    result = mann_whitney(x, group)
    sigma = np.sqrt(4 * 4 * 9 / 12)
    assert result.statistic == 1.0
    assert result.z == pytest.approx((1 - 8 + 0.5) / sigma)


def test_mann_whitney_rejects_three_groups():
    with pytest.raises(StatsInputError, match="exactly two distinct labels, got 3"):
        mann_whitney([1, 2, 3], ["a", "b", "c"])


def test_mann_whitney_rejects_nan():
    with pytest.raises(StatsInputError, match="x contains 1 missing"):
        mann_whitney([1, np.nan, 3, 4], [0, 0, 1, 1])


def test_mann_whitney_rejects_all_tied():
    with pytest.raises(StatsInputError, match="no variance"):
        mann_whitney([2.0, 2.0, 2.0, 2.0], [0, 1, 0, 1])


def test_univariate_tests_table(simulated):
    data = simulated["data"].copy()
    data.loc[3, "x1"] = np.nan
    table = univariate_tests(data, "y", categorical=["site", "sex"], continuous=["x3", "x1"])

    assert table["variable"].tolist() == ["site", "sex", "x3", "x1"]
    site = table.set_index("variable").loc["site"]
    assert site["statistic"] == pytest.approx(1.3531576663051, rel=RTOL)
    assert np.isnan(site["exact_p"])
    x3 = table.set_index("variable").loc["x3"]
    assert x3["statistic_name"] == "Z"
    assert x3["statistic"] == pytest.approx(mann_whitney(data["x3"], data["y"]).z)
    assert table.set_index("variable").loc["x1", "n"] == 299


def test_univariate_tests_adds_exact_p_for_sparse_table():
    rng = np.random.default_rng(2)
    data = pd.DataFrame({"y": rng.integers(0, 2, 60), "rare": ["common"] * 57 + ["rare"] * 3})
    first = univariate_tests(data, "y", categorical=["rare"], seed=4)
    second = univariate_tests(data, "y", categorical=["rare"], seed=4)

    assert first.loc[0, "min_expected"] < 5
    assert first.loc[0, "exact_method"] == "Fisher's exact test (two-sided)"
    assert 0 <= first.loc[0, "exact_p"] <= 1
    pd.testing.assert_frame_equal(first, second)


def test_univariate_tests_rejects_absent_column(simulated):
    with pytest.raises(StatsInputError, match=r"column\(s\) \['age'\] not found"):
        univariate_tests(simulated["data"], "y", continuous=["age"])
