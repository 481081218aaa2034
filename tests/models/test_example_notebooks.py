"""End to end: the breast cancer example executes the three modelling chapters with papermill."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "breast_cancer"


@pytest.mark.slow
def test_breast_cancer_example_runs_chapters(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE))
    spec = importlib.util.spec_from_file_location("breast_cancer_run", EXAMPLE / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    executed = module.run(tmp_path, seed=3, cv_repeats=1, n_bootstrap=2, n_permutations=2)

    assert [path.stem for path in executed] == ["reduction", "models", "validation"]
    models = nbformat.read(executed[1], as_version=4)
    outputs = "".join(
        output.get("data", {}).get("text/plain", "")
        for cell in models.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "no clinical table" in outputs
    assert "RN1" in outputs
    assert (tmp_path / "work" / "radscore_wdbc_random.csv").is_file()
