"""AUC, DeLong CIs and the paired DeLong test against pROC 1.18.0 and invariants."""

import numpy as np
import pytest

from mblstats.stats import StatsInputError, delong_test, roc_auc_ci

RTOL = 1e-6


def test_auc_ci_matches_proc_simulated(simulated):
    data, reference = simulated["data"], simulated["reference"]["delong"]
    result_a = roc_auc_ci(data["y"], data["score_a"])
    result_b = roc_auc_ci(data["y"], data["score_b"])

    assert result_a.auc == pytest.approx(reference["auc_a"], rel=RTOL)
    assert result_a.variance == pytest.approx(reference["var_a"], rel=RTOL)
    assert [result_a.ci_low, result_a.ci_high] == pytest.approx(reference["ci_a"], rel=RTOL)
    assert result_b.auc == pytest.approx(reference["auc_b"], rel=RTOL)
    assert [result_b.ci_low, result_b.ci_high] == pytest.approx(reference["ci_b"], rel=RTOL)


def test_delong_test_matches_proc_simulated(simulated):
    data, reference = simulated["data"], simulated["reference"]["delong"]
    result = delong_test(data["y"], data["score_a"], data["score_b"])

    assert result.z == pytest.approx(reference["z"], rel=RTOL)
    assert result.pvalue == pytest.approx(reference["p"], rel=RTOL)
    assert result.difference == pytest.approx(reference["auc_a"] - reference["auc_b"], rel=RTOL)


def test_auc_and_delong_match_proc_asah(asah):
    data, reference = asah["data"], asah["reference"]
    s100b = roc_auc_ci(data["outcome_poor"], data["s100b"])
    ndka = roc_auc_ci(data["outcome_poor"], data["ndka"])
    test = delong_test(data["outcome_poor"], data["s100b"], data["ndka"])

    assert s100b.auc == pytest.approx(reference["auc_s100b"], rel=RTOL)
    assert [s100b.ci_low, s100b.ci_high] == pytest.approx(reference["ci_s100b"], rel=RTOL)
    assert ndka.auc == pytest.approx(reference["auc_ndka"], rel=RTOL)
    assert [ndka.ci_low, ndka.ci_high] == pytest.approx(reference["ci_ndka"], rel=RTOL)
    assert test.z == pytest.approx(reference["z"], rel=RTOL)
    assert test.pvalue == pytest.approx(reference["p"], rel=RTOL)


def test_auc_counts_ties_one_half():
    # One event and one non-event share the score 0.5: 3 of 4 pairs ordered, 1 tied.
    result = roc_auc_ci([0, 0, 1, 1], [0.2, 0.5, 0.5, 0.9])
    assert result.auc == pytest.approx((3 + 0.5) / 4)


def test_auc_swapped_labels_gives_complement(simulated):
    data = simulated["data"]
    original = roc_auc_ci(data["y"], data["score_a"])
    swapped = roc_auc_ci(1 - data["y"], data["score_a"])
    assert swapped.auc == pytest.approx(1 - original.auc, rel=1e-12)
    assert swapped.variance == pytest.approx(original.variance, rel=1e-12)


def test_auc_permuted_labels_average_one_half(simulated):
    data = simulated["data"]
    rng = np.random.default_rng(0)
    aucs = [roc_auc_ci(rng.permutation(data["y"]), data["score_a"]).auc for _ in range(400)]
    # The permutation mean of the AUC is exactly 0.5; its Monte Carlo error here is about 0.002.
    assert np.mean(aucs) == pytest.approx(0.5, abs=0.01)
    assert np.mean(np.abs(np.array(aucs) - 0.5) > 0.1) < 0.05


def test_auc_constant_score_gives_one_half():
    result = roc_auc_ci([0, 1, 0, 1, 1, 0], np.full(6, 0.3))
    assert result.auc == 0.5
    assert result.variance == 0.0


def test_auc_ci_is_clipped_to_unit_interval():
    result = roc_auc_ci([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert result.auc == 1.0
    assert result.ci_high == 1.0


def test_delong_identical_scores_give_zero_z(simulated):
    data = simulated["data"]
    result = delong_test(data["y"], data["score_a"], data["score_a"])
    assert result.z == 0.0
    assert result.pvalue == 1.0


def test_delong_is_antisymmetric(simulated):
    data = simulated["data"]
    forward = delong_test(data["y"], data["score_a"], data["score_b"])
    backward = delong_test(data["y"], data["score_b"], data["score_a"])
    assert backward.z == pytest.approx(-forward.z)
    assert backward.pvalue == pytest.approx(forward.pvalue)


@pytest.mark.parametrize(
    ("y_true", "y_score", "message"),
    [
        ([0, 0, 0, 0], [0.1, 0.2, 0.3, 0.4], "only the class 0"),
        ([0, 0, 0, 1], [0.1, 0.2, 0.3, 0.4], "1 event"),
        ([0, 1, 1, 1], [0.1, 0.2, 0.3, 0.4], "1 non-event"),
        ([0, 0, 1, 1], [0.1, np.nan, 0.3, 0.4], "y_score contains 1 missing"),
        ([0, np.nan, 1, 1], [0.1, 0.2, 0.3, 0.4], "y_true contains 1 missing"),
        ([0, 2, 1, 1], [0.1, 0.2, 0.3, 0.4], "only 0 .* and 1"),
        ([0, 0, 1, 1], [0.1, 0.2, 0.3], "y_score has 3 values but y_true has 4"),
        ([0, 0, 1, 1], [[0.1, 0.2], [0.3, 0.4]], "y_score must be 1-D"),
    ],
)
def test_auc_rejects_bad_input(y_true, y_score, message):
    with pytest.raises(StatsInputError, match=message):
        roc_auc_ci(y_true, y_score)


def test_auc_rejects_bad_alpha():
    with pytest.raises(StatsInputError, match="alpha must be in"):
        roc_auc_ci([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], alpha=1.5)


def test_delong_test_names_bad_score():
    with pytest.raises(StatsInputError, match="score_b has 3 values"):
        delong_test([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3])


def test_delong_perfect_against_constant_is_infinite():
    y_true = [0, 0, 0, 1, 1, 1]
    result = delong_test(y_true, [0.1, 0.2, 0.3, 0.7, 0.8, 0.9], np.full(6, 0.5))
    assert result.difference == pytest.approx(0.5)
    assert result.z == np.inf
    assert result.pvalue == 0.0


def test_auc_direction_options(simulated):
    data = simulated["data"]
    forward = roc_auc_ci(data["y"], data["score_a"])
    reversed_score = 1 - data["score_a"]

    assert roc_auc_ci(data["y"], reversed_score).auc == pytest.approx(1 - forward.auc)
    assert roc_auc_ci(data["y"], reversed_score, direction=">").auc == pytest.approx(forward.auc)
    assert roc_auc_ci(data["y"], reversed_score, direction="auto").auc == pytest.approx(forward.auc)
    assert roc_auc_ci(data["y"], data["score_a"], direction="auto").auc == forward.auc


def test_auc_rejects_bad_direction():
    with pytest.raises(StatsInputError, match="direction must be '<', '>' or 'auto'"):
        roc_auc_ci([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], direction="up")
