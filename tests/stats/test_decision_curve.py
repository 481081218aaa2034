"""Net benefit against R reference values and the dcurves package."""

import dcurves
import numpy as np
import pandas as pd
import pytest

from mblstats.stats import StatsInputError, net_benefit

RTOL = 1e-6


def test_net_benefit_matches_r(simulated):
    data, reference = simulated["data"], simulated["reference"]["decision_curve"]
    curve = net_benefit(data["y"], data["score_a"], reference["thresholds"])

    assert curve["threshold"].tolist() == reference["thresholds"]
    assert curve["net_benefit"].to_numpy() == pytest.approx(reference["net_benefit"], rel=RTOL)
    assert curve["net_benefit_treat_all"].to_numpy() == pytest.approx(
        reference["net_benefit_treat_all"], rel=RTOL
    )


def test_net_benefit_agrees_with_dcurves(simulated):
    data = simulated["data"]
    thresholds = np.round(np.arange(0, 100) / 100, 2)
    curve = net_benefit(data["y"], data["score_b"], thresholds)
    expected = dcurves.dca(data=data, outcome="y", modelnames=["score_b"], thresholds=thresholds)

    model = expected[expected["model"] == "score_b"]["net_benefit"].to_numpy(dtype=float)
    treat_all = expected[expected["model"] == "all"]["net_benefit"].to_numpy(dtype=float)
    assert curve["net_benefit"].to_numpy() == pytest.approx(model, rel=1e-9, abs=1e-12)
    treat_all_ours = curve["net_benefit_treat_all"].to_numpy()
    assert treat_all_ours == pytest.approx(treat_all, rel=1e-9, abs=1e-12)


def test_net_benefit_treats_at_equal_risk():
    # The event with risk exactly 0.3 is treated at threshold 0.3.
    curve = net_benefit([1, 0, 0, 0], [0.3, 0.1, 0.2, 0.2], [0.3])
    assert curve.loc[0, "true_positives"] == 1
    assert curve.loc[0, "net_benefit"] == pytest.approx(0.25)


def test_net_benefit_at_zero_threshold_is_prevalence():
    curve = net_benefit([1, 0, 1, 0, 0], [0.9, 0.1, 0.6, 0.4, 0.0], [0.0])
    assert curve.loc[0, "net_benefit"] == pytest.approx(0.4)
    assert curve.loc[0, "net_benefit_treat_all"] == pytest.approx(0.4)


def test_net_benefit_default_thresholds():
    curve = net_benefit([1, 0], [0.7, 0.2])
    assert len(curve) == 99
    assert curve["threshold"].iloc[0] == 0.01
    assert curve["threshold"].iloc[-1] == 0.99


def test_net_benefit_accepts_single_class():
    curve = net_benefit(pd.Series([0, 0, 0]), [0.1, 0.5, 0.9], [0.5])
    assert curve.loc[0, "net_benefit"] == pytest.approx(-2 / 3)


@pytest.mark.parametrize("threshold", [1.0, -0.1, np.nan])
def test_net_benefit_rejects_bad_threshold(threshold):
    with pytest.raises(StatsInputError, match="thresholds"):
        net_benefit([1, 0], [0.7, 0.2], [0.2, threshold])
