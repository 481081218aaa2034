"""Clinical-RN nomogram regressions, their calibration and decision curves, and the chapter skips."""

import numpy as np
import pandas as pd
import pytest
from scipy import special
from sklearn.linear_model import LogisticRegression

from mblstats.models import chapters
from mblstats.models import nomogram_evaluation as evaluation
from mblstats.models import nomogram_models as nomograms
from mblstats.models.families import ClinicalModel, ClinicalRadiomicsModel, RadiomicsModel
from mblstats.models.published import table_three as published_table_three
from mblstats.stats import logistic_regression

from .conftest import FAST


def _radscore(cohort, ids):
    # A standardised informative synthetic feature replaces the LASSO radscore.
    feature = cohort["features"]["synthetic_block0_feature0"]
    return ((feature - feature.mean()) / feature.std()).loc[ids].to_numpy()


def _fit(cohort, **clinical_options):
    train, validation = cohort["train"], cohort["validation"]
    X, y = cohort["X"], cohort["y"]
    clinical = ClinicalModel(seed=7, **clinical_options).fit(X.loc[train], y.loc[train])
    result = nomograms.fit_nomogram_model(
        X.loc[train], y.loc[train], _radscore(cohort, train), clinical,
        X.loc[validation], _radscore(cohort, validation),
    )
    return clinical, result


def test_table_three_odds_ratios(small_cohort):
    clinical, (model, _, _, _) = _fit(small_cohort)
    table = model.table

    assert list(table.index[:2]) == ["(Intercept)", "radscore"]
    assert list(model.predictors) == ["radscore", *clinical.selected_variables_]
    np.testing.assert_allclose(table["odds_ratio"], np.exp(table["coef"]), rtol=1e-12)
    np.testing.assert_allclose(table["or_ci_low"], np.exp(table["ci_low"]), rtol=1e-12)
    assert (table["or_ci_low"] < table["odds_ratio"]).all()
    assert (table["odds_ratio"] < table["or_ci_high"]).all()


def test_refit_matches_sklearn_design(small_cohort):
    clinical, (model, _, risk_train, risk_validation) = _fit(small_cohort)
    cohort = small_cohort
    design = clinical.design(cohort["X"].loc[cohort["train"]])
    design.insert(0, "radscore", _radscore(cohort, cohort["train"]))
    reference = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-10, max_iter=1000)
    reference.fit(design, cohort["y"].loc[cohort["train"]])

    np.testing.assert_allclose(risk_train, reference.predict_proba(design)[:, 1], atol=1e-7)
    assert len(risk_validation) == len(cohort["validation"])


def test_sparse_levels_pooled_like_clinical(small_cohort):
    clinical, (model, nomogram, _, _) = _fit(
        small_cohort, candidates=("tumour_type", "location"), p_enter=1.0
    )
    encoder = clinical.encoder_

    for name in ("tumour_type", "location"):
        assert model.levels[name] == (encoder.reference_[name], *encoder.levels_[name])
    # Neurofibroma has 10 training patients and no MBL, so an own dummy would separate.
    assert "neurofibroma" not in model.levels["tumour_type"]
    points = nomogram.predictor_points("tumour_type")
    assert points["points"].min() == 0


def test_as_published_codes_are_numeric(small_cohort):
    _, (model, nomogram, _, _) = _fit(
        small_cohort, coding="as_published", candidates=("location", "tumour_size_cm"), p_enter=1.0
    )

    assert "location" in model.table.index
    assert "location" not in model.levels
    assert nomogram.predictor_points("location")["value"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    fit = nomograms.NomogramFit(
        "CT", "random", "Clinical-RN1", "Clinical 1", "as_published", ("location", "tumour_size_cm"),
        model, nomogram, pd.DataFrame(),
    )
    terms = nomograms.table_three([fit])["term"].tolist()
    assert "Location (code)" in terms
    assert nomograms.axis_labels(fit)["location"] == "Tumour location (Enneking zone) (code)"


def test_hosmer_lemeshow_correct_model_not_rejected():
    rng = np.random.default_rng(2019)
    x = rng.normal(size=600)
    y = rng.binomial(1, special.expit(-1.2 + 0.9 * x))
    data = pd.DataFrame({"x": x, "y": y})
    risk = logistic_regression(data, "y", ["x"]).predict_proba(data)

    result = evaluation.calibrate(y, risk, 10, model="true model", set="train")

    assert result.hl_df == 8
    assert result.hl_pvalue > 0.05
    assert result.slope == pytest.approx(1.0, abs=1e-6)
    assert result.intercept == pytest.approx(0.0, abs=1e-6)


def _fit_with_risks(y_true, risk):
    risks = pd.DataFrame(
        {"patient_id": range(len(y_true)), "set": "validation", "y_true": y_true,
         "Clinical-RN1": risk, "Clinical 1": np.full(len(y_true), y_true.mean())}
    )
    return nomograms.NomogramFit(
        "CT", "random", "Clinical-RN1", "Clinical 1", "treatment", (), None, None, risks
    )


def test_perfect_predictor_net_benefit_is_prevalence():
    y_true = np.array([1] * 30 + [0] * 70)
    curves = evaluation.decision_curves([_fit_with_risks(y_true, y_true.astype(float))])
    perfect = curves[("CT", "Clinical-RN1")]["Clinical-RN1"]

    assert perfect["net_benefit"].iloc[0] == pytest.approx(0.30)
    assert perfect["threshold"].iloc[0] == 0.01
    assert perfect["threshold"].iloc[-1] == 0.60
    np.testing.assert_allclose(perfect["net_benefit"], 0.30)
    table = evaluation.decision_table(curves)
    assert table["threshold"].tolist() == [0.1, 0.2, 0.3]
    assert table["difference"].gt(0).all()


def test_chapter_skips_without_clinical_table(small_cohort, tmp_path):
    features_path = tmp_path / "features.parquet"
    small_cohort["features"].rename_axis("patient_id").to_parquet(features_path)
    outcome_path = tmp_path / "outcome.csv"
    small_cohort["y"].rename("outcome").rename_axis("patient_id").to_csv(outcome_path)
    inputs = chapters.chapter_inputs(
        outcome_path=str(outcome_path), features_ct_path=str(features_path),
        splits_dir=str(tmp_path / "splits"), work_dir=str(tmp_path / "work"),
    )

    fits, skipped = nomograms.nomogram_fits(inputs)
    calibration = evaluation.calibration_results(fits)
    curves = evaluation.decision_curves(fits)
    summary = evaluation.chapter_summary(fits, skipped, calibration, curves, "CT")

    assert fits == []
    assert skipped["model"].tolist() == ["Clinical-RN1", "Clinical-RN2"]
    assert skipped["reason"].str.contains("no clinical table").all()
    assert nomograms.table_three(fits).empty
    assert evaluation.calibration_table(calibration).empty
    assert "no clinical table" in summary["status"]
    assert np.isnan(summary["rn1_radscore_or"])
    assert not (tmp_path / "work").exists()


def test_published_odds_ratios_match_coefficients():
    table = published_table_three()
    both = table.dropna(subset=["coef", "odds_ratio"])

    assert len(table) == 21
    np.testing.assert_allclose(np.exp(both["coef"]), both["odds_ratio"], rtol=0.003)
    ordered = table.dropna(subset=["or_ci_low"])
    assert (ordered["or_ci_low"] < ordered["odds_ratio"]).all()
    assert (ordered["odds_ratio"] < ordered["or_ci_high"]).all()


def test_formatted_table_shows_published(small_cohort):
    clinical, (model, nomogram, risk_train, risk_validation) = _fit(small_cohort)
    risks = pd.DataFrame({"patient_id": [], "set": [], "y_true": []})
    fit = nomograms.NomogramFit(
        "CT", "random", "Clinical-RN1", "Clinical 1", "treatment",
        tuple(clinical.selected_variables_), model, nomogram, risks,
    )

    table = nomograms.table_three([fit]).set_index("term")

    assert table.loc["Radscore", "published coef"] == "0.7462"
    assert table.loc["Radscore", "published OR (95% CI)"] == "2.109 (1.586–2.804)"
    assert table.loc["Radscore", "published p"] == "< 0.0001"
    assert table.loc["Intercept", "OR (95% CI)"] == ""
    assert (table["coding"] == "treatment").all()


def test_refit_matches_clinical_rn_family(small_cohort):
    cohort = small_cohort
    X_train, y_train = cohort["X"].loc[cohort["train"]], cohort["y"].loc[cohort["train"]]
    X_validation = cohort["X"].loc[cohort["validation"]]
    radiomics = RadiomicsModel(**FAST).fit(X_train, y_train)
    clinical = ClinicalModel(seed=FAST["seed"]).fit(X_train, y_train)
    combined = ClinicalRadiomicsModel(**FAST).fit(X_train, y_train)

    _, _, _, risk_validation = nomograms.fit_nomogram_model(
        X_train, y_train, radiomics.radscore(X_train), clinical,
        X_validation, radiomics.radscore(X_validation),
    )

    np.testing.assert_allclose(risk_validation, combined.predict_proba(X_validation)[:, 1], atol=1e-6)
