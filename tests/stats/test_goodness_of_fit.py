"""Hosmer–Lemeshow test against R's ResourceSelection::hoslem.test."""

import numpy as np
import pytest

from mblstats.stats import StatsInputError, hosmer_lemeshow

RTOL = 1e-6


@pytest.mark.parametrize("key", ["fitted_g10", "fitted_g5", "score_a_g10"])
def test_hosmer_lemeshow_matches_r(simulated, key):
    data, reference = simulated["data"], simulated["reference"]["hosmer_lemeshow"][key]
    y_prob = simulated["fitted"] if key.startswith("fitted") else data["score_a"]
    result = hosmer_lemeshow(data["y"], y_prob, n_groups=reference["g"])

    assert result.statistic == pytest.approx(reference["statistic"], rel=RTOL)
    assert result.df == reference["df"]
    assert result.pvalue == pytest.approx(reference["p"], rel=RTOL)
    assert result.n_groups_used == reference["n_groups_used"]


def test_hosmer_lemeshow_table_adds_up(simulated):
    data = simulated["data"]
    result = hosmer_lemeshow(data["y"], data["score_a"])
    table = result.table

    assert table["n"].sum() == len(data)
    assert table["observed_events"].sum() == data["y"].sum()
    assert table["expected_events"].sum() == pytest.approx(data["score_a"].sum())
    assert (table["observed_events"] + table["observed_non_events"] == table["n"]).all()
    assert (table["expected_events"] + table["expected_non_events"]).to_numpy() == pytest.approx(
        table["n"].to_numpy()
    )


def test_hosmer_lemeshow_ties_merge_groups():
    # Three distinct risks: the quantile cut points collapse to 0.2, 0.5 and 0.8, so two groups.
    y_prob = np.repeat([0.2, 0.5, 0.8], 20)
    y_true = np.tile([1, 0, 0, 0, 0], 12)
    result = hosmer_lemeshow(y_true, y_prob, n_groups=10)

    assert result.n_groups_used == 2
    assert result.df == 8
    assert result.table["n"].tolist() == [40, 20]


def test_hosmer_lemeshow_drops_empty_intervals():
    # With 5 samples and 10 groups several quantile intervals contain no sample at all.
    result = hosmer_lemeshow([0, 1, 0, 1, 1], [0.1, 0.3, 0.5, 0.7, 0.9], n_groups=10)
    assert result.n_groups_used == 5
    assert result.table["n"].tolist() == [1, 1, 1, 1, 1]


def test_hosmer_lemeshow_perfect_calibration_gives_zero():
    # Each group's event rate equals its (constant) predicted risk.
    y_prob = np.repeat([0.25, 0.5, 0.75], 4)
    y_true = np.array([1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0])
    result = hosmer_lemeshow(y_true, y_prob, n_groups=3)
    assert result.statistic == pytest.approx(0.0, abs=1e-12)
    assert result.pvalue == pytest.approx(1.0)


def test_hosmer_lemeshow_rejects_constant_risk():
    with pytest.raises(StatsInputError, match="single value 0.3 for every sample"):
        hosmer_lemeshow([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3])


def test_hosmer_lemeshow_rejects_risks_of_zero_and_one():
    with pytest.raises(StatsInputError, match="all its predicted risks are exactly 0 or 1"):
        # The lowest of the three groups, [0, 0.333], contains only risks of exactly 0.
        hosmer_lemeshow([0, 0, 1, 0, 0, 1, 0, 1], [0, 0, 0, 0, 0, 0.5, 0.6, 0.9], n_groups=3)


@pytest.mark.parametrize("n_groups", [2, 0, 2.5, True, "10"])
def test_hosmer_lemeshow_rejects_bad_n_groups(n_groups):
    with pytest.raises(StatsInputError, match="n_groups must be an integer of at least 3"):
        hosmer_lemeshow([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4], n_groups=n_groups)


def test_hosmer_lemeshow_rejects_risk_above_one():
    with pytest.raises(StatsInputError, match=r"y_prob must be probabilities in \[0, 1\]"):
        hosmer_lemeshow([0, 1, 0, 1], [0.1, 1.2, 0.3, 0.4])


def test_hosmer_lemeshow_rejects_nan():
    with pytest.raises(StatsInputError, match="y_prob contains 1 missing"):
        hosmer_lemeshow([0, 1, 0, 1], [0.1, np.nan, 0.3, 0.4])
