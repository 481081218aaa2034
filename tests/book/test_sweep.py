"""Parameter sweeps over a finished run, locally and on a loopback Dask cluster."""

from __future__ import annotations

import pandas as pd
import pytest

from mblstats.book.pipeline import build_book
from mblstats.book.sweep import expand_grid, run_sweep
from mblstats.exceptions import InputValidationError
from mblstats.params import RunParameters

from .notebook_factory import write_book_source

COUNT_CHAPTER = (
    "clinical_path: str = ''\nthreshold_ml: float = 3000.0",
    "import pandas as pd\nfrom myst_nb import glue\n"
    "clinical = pd.read_csv(clinical_path)\n"
    "glue('n_mbl', int((clinical['blood_loss_ml'] > threshold_ml).sum()), display=False)\n"
    "glue('threshold', threshold_ml, display=False)",
    "if threshold_ml > 3500: raise ValueError(f'threshold {threshold_ml} rejected on purpose')",
)


@pytest.fixture(scope="module")
def base_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    source = write_book_source(root / "src", {"counts": COUNT_CHAPTER})
    build_book(RunParameters(demo_patients=0), root / "run", source_root=source,
               output_dir=root / "out")
    return root


def test_expand_grid_lists_combinations():
    points = expand_grid({"threshold_ml": [2500, 3000], "seed": [1, 2, 3]})

    assert len(points) == 6
    assert points[0] == {"seed": 1, "threshold_ml": 2500}
    assert points[-1] == {"seed": 3, "threshold_ml": 3000}


def test_expand_grid_rejects_unknown_and_invalid():
    with pytest.raises(InputValidationError, match="'thresold' is not a run parameter"):
        expand_grid({"thresold": [1]})
    with pytest.raises(InputValidationError, match="cv_folds: give a non-empty list"):
        expand_grid({"cv_folds": []})
    with pytest.raises(InputValidationError, match="threshold_ml=-1"):
        expand_grid({"threshold_ml": [-1]})


def test_sweep_counts_follow_threshold_and_failures_recorded(base_run):
    clinical = pd.read_csv(base_run / "run" / "data" / "clinical.csv")

    summary = run_sweep(
        base_run / "run", base_run / "src", ["counts"],
        {"threshold_ml": [2500.0, 3000.0, 4000.0]}, base_run / "local", progress=False,
    )

    assert list(summary["status"]) == ["ok", "ok", "failed"]
    for threshold, count in zip(summary["threshold_ml"][:2], summary["counts.n_mbl"][:2]):
        assert count == int((clinical["blood_loss_ml"] > threshold).sum())
    assert "threshold 4000.0 rejected on purpose" in summary["error"].iloc[2]
    assert (base_run / "local" / "summary.csv").exists()


def test_sweep_on_dask_matches_local(base_run):
    distributed = pytest.importorskip("distributed")
    grid = {"threshold_ml": [2000.0, 3000.0]}
    local = run_sweep(base_run / "run", base_run / "src", ["counts"], grid,
                      base_run / "local2", progress=False)

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        on_dask = run_sweep(base_run / "run", base_run / "src", ["counts"], grid,
                            base_run / "dask", scheduler=cluster.scheduler_address,
                            progress=False)

    pd.testing.assert_series_equal(local["counts.n_mbl"], on_dask["counts.n_mbl"])
    assert list(on_dask["status"]) == ["ok", "ok"]
