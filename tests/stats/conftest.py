"""Fixtures for the statistics tests: the oracle folders computed in R (pROC, stats, rms)."""

import json
from pathlib import Path

import pandas as pd
import pytest

ORACLES = Path(__file__).parents[2] / ".." / "shared" / "oracles"


def _load_oracle(name):
    folder = ORACLES / name
    if not (folder / "reference.json").exists():
        pytest.skip(f"oracle folder {folder} is absent; it lives beside the repository checkout")
    reference = json.loads((folder / "reference.json").read_text(encoding="utf-8"))
    data = pd.read_csv(folder / "data.csv")
    return folder, data, reference


@pytest.fixture(scope="session")
def simulated():
    """The r-simulated-300 cohort: ``data``, ``fitted`` probabilities and R's ``reference``."""
    folder, data, reference = _load_oracle("r-simulated-300")
    fitted = pd.read_csv(folder / "fitted.csv")["p_hat"].to_numpy()
    return {"data": data, "fitted": fitted, "reference": reference}


@pytest.fixture(scope="session")
def asah():
    """pROC's aSAH data and the AUCs and DeLong test computed by pROC 1.18.0."""
    _, data, reference = _load_oracle("proc-asah")
    return {"data": data, "reference": reference}
