"""Batch extraction on real scans: feature count, per-case failures, cache, resume, executors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import SimpleITK as sitk

import mblstats
from mblstats.exceptions import InputValidationError
from mblstats.radiomics import (
    FAILURE_COLUMNS,
    ExtractionFailedError,
    extract_features,
    output_paths,
    read_failures,
    read_features,
    read_manifest,
)
from mblstats.radiomics.cache import FeatureCache

from .conftest import write_manifest


def _rows(real_cases, names):
    return [{"patient_id": name, "image_path": str(real_cases[name][0]), "mask_path": str(real_cases[name][1])} for name in names]


@pytest.fixture()
def broken_batch(real_cases, tmp_path) -> Path:
    """brain1, brain2, breast1 plus a corrupted image and a mask on another case's grid."""
    corrupted = tmp_path / "corrupted.nrrd"
    corrupted.write_bytes(real_cases["breast1"][0].read_bytes()[:300])
    rows = _rows(real_cases, ["brain1", "brain2", "breast1"])
    rows.append({"patient_id": "corrupt", "image_path": "corrupted.nrrd", "mask_path": str(real_cases["breast1"][1])})
    rows.append({"patient_id": "mismatch", "image_path": str(real_cases["STS_008"][0]), "mask_path": str(real_cases["STS_019"][1])})
    return write_manifest(tmp_path / "images.csv", rows)


def test_shipped_params_give_1316_features(real_cases, tmp_path):
    manifest = write_manifest(tmp_path / "images.csv", _rows(real_cases, ["STS_019"]))
    result = extract_features(manifest, "ct", workers=1, progress=False)

    assert result.failures.empty
    assert result.features.shape == (1, 1316)
    assert not any(column.startswith("diagnostics_") for column in result.features.columns)
    assert (result.features.dtypes == np.float64).all()
    assert result.features.index.name == "patient_id"
    assert result.provenance["expected_features"] == 1316
    # VoxelVolume counts 2 mm voxels of the resampled mask (8 mm^3 each).
    assert result.features.at["STS_019", "original_shape_VoxelVolume"] % 8 == 0

    quick = extract_features(manifest, "ct_quick", workers=1, progress=False)
    assert quick.features.shape == (1, 107)
    pd.testing.assert_frame_equal(quick.features, result.features[quick.features.columns], check_exact=True)


def test_batch_reports_failures_and_extracts_the_rest(broken_batch, fast_params, tmp_path):
    out = tmp_path / "features_ct.parquet"
    result = extract_features(broken_batch, fast_params, out, workers=2, progress=False)

    assert list(result.features.index) == ["brain1", "brain2", "breast1"]
    assert list(result.failures.columns) == list(FAILURE_COLUMNS)
    failures = result.failures.set_index("patient_id")
    assert list(failures.index) == ["corrupt", "mismatch"]
    assert failures.at["corrupt", "stage"] == "read"
    assert "corrupted.nrrd" in failures.at["corrupt", "error"]
    assert failures.at["mismatch", "stage"] == "geometry"
    assert "(141, 137, 51) differs from mask size (136, 134, 47)" in failures.at["mismatch", "error"]
    assert failures["fix"].str.len().min() > 10

    paths = output_paths(out)
    assert paths["failures"].name == "features_ct.failures.csv"
    assert read_features(out).equals(result.features)
    assert read_failures(paths["failures"])["patient_id"].tolist() == ["corrupt", "mismatch"]
    assert json.loads(paths["provenance"].read_text())["n_failed"] == 2


def test_label_absent_reported_with_fix(real_cases, fast_params, tmp_path):
    rows = _rows(real_cases, ["breast1"])
    rows[0]["label"] = 2
    manifest = write_manifest(tmp_path / "images.csv", rows)
    result = extract_features(manifest, fast_params, workers=1, progress=False)
    assert result.features.empty
    assert result.failures.at[0, "error"] == "case breast1: label 2 not in mask; mask contains 1"
    assert result.failures.at[0, "fix"] == "set label: 1 in the manifest"


def test_pyradiomics_exception_is_a_case_failure(real_cases, fast_params, tmp_path):
    # pyradiomics' own mask check rejects breast1 (143 voxels) under minimumROISize 1000.
    fast_params.write_text(fast_params.read_text() + "  minimumROISize: 1000\n")
    manifest = write_manifest(tmp_path / "images.csv", _rows(real_cases, ["breast1", "brain1"]))
    result = extract_features(manifest, fast_params, workers=1, progress=False)

    assert list(result.features.index) == ["brain1"]
    assert result.failures.at[0, "stage"] == "pyradiomics"
    assert result.failures.at[0, "error"].startswith("case breast1: pyradiomics raised ValueError")


def test_strict_raises_after_caching_good_cases(broken_batch, fast_params, tmp_path):
    cache_dir = tmp_path / "cache"
    out = tmp_path / "features.parquet"
    with pytest.raises(ExtractionFailedError, match=r"2 of 5 case\(s\) failed:\n  corrupt \(read\).*\n  mismatch \(geometry\)") as caught:
        extract_features(broken_batch, fast_params, out, workers=1, cache_dir=cache_dir, strict=True, progress=False)

    assert list(caught.value.failures["patient_id"]) == ["corrupt", "mismatch"]
    assert len(FeatureCache(cache_dir)) == 3
    assert len(read_features(out)) == 3


def test_cache_rerun_extracts_nothing(broken_batch, fast_params, tmp_path):
    cache_dir = tmp_path / "cache"
    first = extract_features(broken_batch, fast_params, workers=1, cache_dir=cache_dir, progress=False)
    second = extract_features(broken_batch, fast_params, workers=1, cache_dir=cache_dir, progress=False)

    assert first.provenance["n_extracted"] == 3
    assert second.provenance["n_cached"] == 3
    assert second.provenance["n_extracted"] == 0
    pd.testing.assert_frame_equal(first.features, second.features, check_exact=True)
    assert len(second.failures) == 2  # failures are never cached, so they are tried again


def test_cache_key_follows_content(real_cases, fast_params, tmp_path):
    cache_dir = tmp_path / "cache"
    manifest = write_manifest(tmp_path / "images.csv", _rows(real_cases, ["breast1"]))
    extract_features(manifest, fast_params, workers=1, cache_dir=cache_dir, progress=False)

    # Same bytes under another name: a cache hit.
    copy_image = tmp_path / "copy_image.nrrd"
    copy_image.write_bytes(real_cases["breast1"][0].read_bytes())
    renamed = write_manifest(
        tmp_path / "renamed.csv", [{"patient_id": "other", "image_path": copy_image.name, "mask_path": str(real_cases["breast1"][1])}]
    )
    assert extract_features(renamed, fast_params, workers=1, cache_dir=cache_dir, progress=False).provenance["n_cached"] == 1

    # Changed parameter content: a miss.
    fast_params.write_text(fast_params.read_text().replace("binWidth: 25", "binWidth: 10"))
    assert extract_features(manifest, fast_params, workers=1, cache_dir=cache_dir, progress=False).provenance["n_cached"] == 0


def test_process_pool_matches_serial(broken_batch, fast_params):
    serial = extract_features(broken_batch, fast_params, workers=1, progress=False)
    pooled = extract_features(broken_batch, fast_params, workers=2, progress=False)
    assert pooled.provenance["executor"] == "processes"
    pd.testing.assert_frame_equal(serial.features, pooled.features, check_exact=True)
    pd.testing.assert_frame_equal(serial.failures, pooled.failures)


def test_dask_local_cluster_matches_serial(broken_batch, fast_params):
    distributed = pytest.importorskip("distributed")
    serial = extract_features(broken_batch, fast_params, workers=1, progress=False)

    cluster = distributed.LocalCluster(
        host="127.0.0.1", n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        on_dask = extract_features(broken_batch, fast_params, scheduler=cluster.scheduler_address, progress=False)
    finally:
        cluster.close()

    assert on_dask.provenance["executor"] == "dask"
    pd.testing.assert_frame_equal(serial.features, on_dask.features, check_exact=True)
    assert list(on_dask.failures["patient_id"]) == ["corrupt", "mismatch"]


_RUN_SCRIPT = """
import sys
from mblstats.radiomics import extract_features
extract_features(sys.argv[1], "ct", workers=1, cache_dir=sys.argv[2], progress=False)
"""


def test_killed_run_resumes(real_cases, tmp_path):
    manifest = write_manifest(tmp_path / "images.csv", _rows(real_cases, ["breast1", "brain2", "brain1", "STS_019", "STS_008"]))
    cache_dir = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(Path(mblstats.__file__).parents[1])}
    process = subprocess.Popen([sys.executable, "-c", _RUN_SCRIPT, str(manifest), str(cache_dir)], env=env)
    try:
        deadline = time.monotonic() + 120
        while len(list(cache_dir.glob("??/*.json"))) < 1 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)

    entries = list(cache_dir.glob("??/*.json"))
    assert 1 <= len(entries) < 5, "the run must be killed after the first case and before the last"
    for entry in entries:  # atomic writes: every entry present is complete
        assert len(json.loads(entry.read_text())["features"]) == 1316

    resumed = extract_features(manifest, "ct", workers=2, cache_dir=cache_dir, progress=False)
    assert resumed.provenance["n_cached"] == len(entries)
    assert resumed.provenance["n_extracted"] == 5 - len(entries)
    assert resumed.features.shape == (5, 1316)
    assert list(resumed.features.index) == ["breast1", "brain2", "brain1", "STS_019", "STS_008"]


def test_both_modalities_need_a_choice(real_cases, fast_params, tmp_path):
    rows = _rows(real_cases, ["breast1"]) + [{**_rows(real_cases, ["breast1"])[0], "modality": "CTE"}]
    manifest = write_manifest(tmp_path / "images.csv", rows)
    with pytest.raises(InputValidationError, match=r"lists modalities CT, CTE.*--modality CT or --modality CTE"):
        extract_features(manifest, fast_params, workers=1, progress=False)
    result = extract_features(manifest, fast_params, modality="CTE", workers=1, progress=False)
    assert list(result.features.index) == ["breast1"]


def test_manifest_relative_paths_resolve_to_its_folder(real_cases, tmp_path):
    image = tmp_path / "cases" / "img.nrrd"
    image.parent.mkdir()
    image.write_bytes(real_cases["breast1"][0].read_bytes())
    manifest = write_manifest(tmp_path / "images.csv", [{"patient_id": "b", "image_path": "cases/img.nrrd", "mask_path": "cases/mask.nrrd"}])
    cases = read_manifest(manifest)
    assert cases.at[0, "image_path"] == str(image)


@pytest.mark.parametrize(
    ("row", "pattern"),
    [
        ({"modality": "MR"}, r"row 1 \(patient_id 'a'\): modality 'MR' is not one of CT, CTE"),
        ({"label": 0}, r"label 0 is not a positive integer"),
        ({"label": 1.5}, r"label 1.5 is not a positive integer"),
        ({"image_path": ""}, r"image_path is empty"),
    ],
)
def test_manifest_invalid_rows(tmp_path, row, pattern):
    base = {"patient_id": "a", "image_path": "a.nrrd", "mask_path": "m.nrrd"}
    manifest = write_manifest(tmp_path / "images.csv", [{**base, **row}])
    with pytest.raises(InputValidationError, match=pattern):
        read_manifest(manifest)


def test_manifest_duplicate_patient(tmp_path):
    row = {"patient_id": "a", "image_path": "a.nrrd", "mask_path": "m.nrrd"}
    manifest = write_manifest(tmp_path / "images.csv", [row, row])
    with pytest.raises(InputValidationError, match=r"rows 1, 2: patient_id 'a' appears more than once for CT"):
        read_manifest(manifest)


def test_manifest_missing_column(tmp_path):
    path = tmp_path / "images.csv"
    pd.DataFrame({"patient_id": ["a"], "image_path": ["x"]}).to_csv(path, index=False)
    with pytest.raises(InputValidationError, match=r"lacks column\(s\) modality, mask_path, label"):
        read_manifest(path)


def test_invalid_workers(real_cases, fast_params, tmp_path):
    manifest = write_manifest(tmp_path / "images.csv", _rows(real_cases, ["breast1"]))
    with pytest.raises(InputValidationError, match=r"workers=0 is invalid"):
        extract_features(manifest, fast_params, workers=0, progress=False)


def test_cli_extract_writes_failures_beside_output(broken_batch, fast_params, tmp_path):
    from mblstats.cli import main

    out = tmp_path / "features_ct.parquet"
    status = main(["extract", "--manifest", str(broken_batch), "--params", str(fast_params), "--out", str(out),
                   "--modality", "CT", "--workers", "1", "--no-progress"])
    assert status == 0
    assert len(read_features(out)) == 3
    assert len(pd.read_csv(tmp_path / "features_ct.failures.csv")) == 2

    strict_status = main(["extract", "--manifest", str(broken_batch), "--params", str(fast_params), "--out", str(out),
                          "--workers", "1", "--strict", "--no-progress"])
    assert strict_status == 1
