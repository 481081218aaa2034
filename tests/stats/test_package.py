"""The stats package stays a leaf: it imports only the scientific stack and the standard library."""

import ast
import sys
from pathlib import Path

import numpy as np
import pytest

import mblstats.stats
from mblstats.stats._quantiles import quantile_type7

ALLOWED = {"numpy", "scipy", "statsmodels", "pandas"}
STATS_DIR = Path(mblstats.stats.__file__).parent


@pytest.mark.parametrize("path", sorted(STATS_DIR.glob("*.py")), ids=lambda path: path.name)
def test_stats_module_imports_only_allowed_packages(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots = [node.module.split(".")[0]]
        else:
            continue
        for root in roots:
            assert root in ALLOWED or root in sys.stdlib_module_names, (path.name, root)


def test_type7_quantiles_agree_with_numpy_linear():
    rng = np.random.default_rng(8)
    probs = np.minimum(np.arange(11) * (1 / 10), 1.0)
    for n in (2, 7, 10, 11, 101, 300):
        values = np.round(rng.random(n), 2)
        expected = np.quantile(values, probs, method="linear")
        assert quantile_type7(values, probs) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_results_survive_pickling(simulated):
    import pickle

    from mblstats.stats import (
        calibration_summary,
        chi_square,
        delong_test,
        hosmer_lemeshow,
        logistic_regression,
        mann_whitney,
        roc_auc_ci,
        threshold_metrics,
    )

    data = simulated["data"]
    results = [
        roc_auc_ci(data["y"], data["score_a"]),
        delong_test(data["y"], data["score_a"], data["score_b"]),
        hosmer_lemeshow(data["y"], data["score_a"]),
        calibration_summary(data["y"], data["score_a"]),
        threshold_metrics(data["y"], data["score_a"], 0.3),
        mann_whitney(data["x3"], data["y"]),
        chi_square([[10, 20], [30, 15]]),
        logistic_regression(data, "y", ["x1", "site"], categorical=["site"]),
    ]
    for result in results:
        restored = pickle.loads(pickle.dumps(result))
        assert type(restored) is type(result)
        assert restored.to_frame().equals(result.to_frame())
