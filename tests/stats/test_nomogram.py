"""Nomogram points against rms::nomogram and the total-points-to-risk map."""

import numpy as np
import pandas as pd
import pytest

from mblstats.exceptions import InputValidationError
from mblstats.nomogram import build_nomogram
from mblstats.stats import logistic_regression

RTOL = 1e-6


@pytest.fixture(scope="module")
def oracle_nomogram(simulated):
    reference = simulated["reference"]["nomogram"]
    model = logistic_regression(simulated["data"], "y", ["x1", "x2", "sex"])
    axis_values = {name: axis["values"] for name, axis in reference["points"].items()}
    return model, build_nomogram(model, axis_values), reference


def test_nomogram_model_matches_lrm(oracle_nomogram):
    model, _, reference = oracle_nomogram
    assert model.coef.to_numpy() == pytest.approx(reference["coef"], rel=RTOL)


@pytest.mark.parametrize("predictor", ["x1", "x2", "sex"])
def test_nomogram_points_match_rms(oracle_nomogram, predictor):
    _, nomogram, reference = oracle_nomogram
    axis = nomogram.predictor_points(predictor)
    expected = reference["points"][predictor]

    assert axis["value"].tolist() == pytest.approx(expected["values"])
    assert axis["points"].to_numpy() == pytest.approx(expected["points"], rel=RTOL, abs=1e-9)


def test_nomogram_widest_predictor_spans_100(oracle_nomogram):
    _, nomogram, _ = oracle_nomogram
    spans = nomogram.points.groupby("predictor")["points"].agg(lambda p: p.max() - p.min())
    assert spans.max() == pytest.approx(100.0)
    assert nomogram.points.groupby("predictor")["points"].min().to_numpy() == pytest.approx(0.0)


def test_nomogram_total_points_give_model_risk(oracle_nomogram, simulated):
    model, nomogram, _ = oracle_nomogram
    scored = nomogram.patient_points(simulated["data"])
    assert scored["risk"].to_numpy() == pytest.approx(model.predict_proba(simulated["data"]))
    assert nomogram.risk(scored["total_points"]) == pytest.approx(scored["risk"].to_numpy())


def test_nomogram_risk_and_points_are_inverse(oracle_nomogram):
    _, nomogram, _ = oracle_nomogram
    risks = np.array([0.05, 0.2, 0.5, 0.9])
    assert nomogram.risk(nomogram.total_points_for_risk(risks)) == pytest.approx(risks)


def test_nomogram_nominal_predictor_levels(simulated):
    model = logistic_regression(simulated["data"], "y", ["x1", "site"], categorical=["site"])
    nomogram = build_nomogram(model, {"x1": [-2, 0, 2]})
    site = nomogram.predictor_points("site")
    coef = model.coef

    assert site["value"].tolist() == ["A", "B", "C"]
    lowest = min(0.0, coef["siteB"], coef["siteC"])
    expected = (np.array([0.0, coef["siteB"], coef["siteC"]]) - lowest) * nomogram.scale
    assert site["points"].to_numpy() == pytest.approx(expected)
    scored = nomogram.patient_points(simulated["data"])
    assert scored["risk"].to_numpy() == pytest.approx(model.predict_proba(simulated["data"]))


def test_nomogram_requires_numeric_axis(simulated):
    model = logistic_regression(simulated["data"], "y", ["x1", "x2"])
    with pytest.raises(InputValidationError, match="no entry for the numeric predictor 'x2'"):
        build_nomogram(model, {"x1": [0, 1]})


def test_nomogram_rejects_unknown_level(simulated):
    model = logistic_regression(simulated["data"], "y", ["x1", "site"], categorical=["site"])
    with pytest.raises(InputValidationError, match=r"axis values \['D'\] of 'site'"):
        build_nomogram(model, {"x1": [0, 1], "site": ["A", "D"]})


def test_nomogram_rejects_unknown_predictor(simulated):
    model = logistic_regression(simulated["data"], "y", ["x1"])
    with pytest.raises(InputValidationError, match=r"names \['age'\], which are not predictors"):
        build_nomogram(model, {"x1": [0, 1], "age": [20, 40]})


def test_nomogram_rejects_non_model():
    with pytest.raises(InputValidationError, match="model must be a LogisticModel"):
        build_nomogram(pd.DataFrame(), {})
