"""Figures of the statistics: each draws what its result contains, on the given axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mblstats.exceptions import InputValidationError  # noqa: E402
from mblstats.nomogram import build_nomogram  # noqa: E402
from mblstats.plots.calibration import plot_calibration  # noqa: E402
from mblstats.plots.decision_curve import plot_decision_curve  # noqa: E402
from mblstats.plots.nomogram import plot_nomogram  # noqa: E402
from mblstats.stats import (  # noqa: E402
    calibration_curve_binned,
    calibration_curve_lowess,
    calibration_summary,
    logistic_regression,
    net_benefit,
)


@pytest.fixture()
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


def test_decision_curve_draws_models_and_references(simulated, ax):
    data = simulated["data"]
    thresholds = np.arange(1, 61) / 100
    curves = {
        "score A": net_benefit(data["y"], data["score_a"], thresholds),
        "score B": net_benefit(data["y"], data["score_b"], thresholds),
    }
    returned = plot_decision_curve(curves, ax=ax)

    assert returned is ax
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["score A", "score B", "Treat all", "Treat none"]
    model_line = ax.get_lines()[0]
    assert model_line.get_ydata() == pytest.approx(curves["score A"]["net_benefit"].to_numpy())
    assert ax.get_ylim()[1] > data["y"].mean()


def test_decision_curve_rejects_wrong_frame(ax):
    import pandas as pd

    with pytest.raises(InputValidationError, match="lacks the column"):
        plot_decision_curve({"m": pd.DataFrame({"threshold": [0.1]})}, ax=ax)


def test_calibration_plot_draws_all_layers(simulated, ax):
    data = simulated["data"]
    smooth = calibration_curve_lowess(data["y"], data["score_a"])
    binned = calibration_curve_binned(data["y"], data["score_a"])
    summary = calibration_summary(data["y"], data["score_a"])
    plot_calibration(ax=ax, smooth=smooth, binned=binned, summary=summary, label="score A")

    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["Ideal", "score A"]
    assert any("Slope 0.90" in text.get_text() for text in ax.texts)
    assert ax.get_xlim() == (0, 1)


def test_calibration_plot_needs_a_curve(ax):
    with pytest.raises(InputValidationError, match="nothing to draw"):
        plot_calibration(ax=ax)


def test_nomogram_plot_rows_and_ticks(simulated):
    reference = simulated["reference"]["nomogram"]
    model = logistic_regression(simulated["data"], "y", ["x1", "x2", "sex"])
    nomogram = build_nomogram(model, {k: v["values"] for k, v in reference["points"].items()})
    figure, ax = plt.subplots()
    try:
        plot_nomogram(nomogram, ax=ax, labels={"sex": "Sex (1 = male)"})
        rows = [label.get_text() for label in ax.get_yticklabels()]
        tick_texts = {text.get_text() for text in ax.texts}
    finally:
        plt.close(figure)

    assert rows == [
        "Points",
        "x1",
        "x2",
        "Sex (1 = male)",
        "Total points",
        "Linear predictor",
        "Risk of MBL",
    ]
    assert {"-3", "3", "3.5", "0.5", "100"} <= tick_texts


def test_calibration_plot_draws_optimism_curves(simulated, ax):
    from mblstats.stats import optimism_corrected_calibration

    data = simulated["data"]

    def fit_predict(X_train, y_train, X_new):
        train = X_train.assign(y=np.asarray(y_train))
        return logistic_regression(train, "y", ["x1", "x2"]).predict_proba(X_new)

    result = optimism_corrected_calibration(fit_predict, data[["x1", "x2"]], data["y"], 5)
    plot_calibration(ax=ax, optimism=result)

    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"Ideal", "Apparent", "Bias-corrected (5 bootstraps)"}
    corrected = lines["Bias-corrected (5 bootstraps)"].get_ydata()
    assert corrected == pytest.approx(result.curve["bias_corrected"].to_numpy())


def test_nomogram_crowded_labels_do_not_overlap():
    # Predictors with small effects next to a strong one get short axes: the tick labels of
    # "sex" and "size" crowd together and must move to other tiers instead of overlapping.
    rng = np.random.default_rng(4)
    data = pd.DataFrame(
        {
            "x": rng.normal(size=600),
            "sex": rng.choice(["female", "male"], size=600),
            "size": rng.uniform(0, 25, size=600),
        }
    )
    linear = 2.5 * data["x"] + 0.1 * (data["sex"] == "male") + 0.01 * data["size"]
    data["y"] = (rng.random(600) < 1 / (1 + np.exp(-linear))).astype(int)
    model = logistic_regression(data, "y", ["x", "sex", "size"], categorical=["sex"])
    nomogram = build_nomogram(model, {"x": [-3, 0, 3], "size": [0, 5, 10, 15, 20, 25]})

    figure, ax = plt.subplots(figsize=(9, 6))
    try:
        plot_nomogram(nomogram, ax=ax)
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        boxes = {}
        for text in (text for text in ax.texts if text.get_visible()):
            box = text.get_window_extent(renderer)
            boxes.setdefault(round(text.get_position()[1], 2), []).append(box)
    finally:
        plt.close(figure)

    for row, row_boxes in boxes.items():
        row_boxes.sort(key=lambda box: box.x0)
        for left, right in zip(row_boxes, row_boxes[1:]):
            assert left.x1 <= right.x0 + 0.5, f"labels overlap in the row at y={row}"


def test_nomogram_numbers_levels_that_do_not_fit():
    # Six long level names within a few points cannot be placed even on three tiers, so the
    # row shows the numbers 1-6 and a key below the nomogram names the levels.
    rng = np.random.default_rng(4)
    levels = ["Chondrosarcoma", "Chordoma", "Ewing sarcoma", "Giant cell tumour", "Metastasis", "Osteosarcoma"]
    data = pd.DataFrame({"x": rng.normal(size=600), "level": rng.choice(levels, size=600)})
    linear = 2.5 * data["x"] + data["level"].map(dict(zip(levels, [0.0, 0.05, 0.1, 0.12, 0.3, 0.35])))
    data["y"] = (rng.random(600) < 1 / (1 + np.exp(-linear))).astype(int)
    model = logistic_regression(data, "y", ["x", "level"], categorical=["level"])
    nomogram = build_nomogram(model, {"x": [-3, 0, 3], "level": levels})

    figure, ax = plt.subplots(figsize=(9, 6))
    try:
        plot_nomogram(nomogram, ax=ax, labels={"level": "Tumour type"})
        texts = [text.get_text().replace("\n", " ") for text in ax.texts if text.get_visible()]
    finally:
        plt.close(figure)

    keys = [text for text in texts if text.startswith("Tumour type: ")]
    assert len(keys) == 1
    assert all(f"= {level}" in keys[0] for level in levels)
    assert {"1", "2", "3", "4", "5", "6"} <= set(texts)
    assert not any(level in texts for level in levels)
