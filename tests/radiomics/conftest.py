"""Fixtures for the radiomics tests: real scans from the shared data folder and small parameter files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

FAST_PARAMS = """\
imageType:
  Original: {}
featureClass:
  shape:
  firstorder:
setting:
  label: 1
  minimumROIDimensions: 3
  binWidth: 25
  resampledPixelSpacing: null
  interpolator: sitkBSpline
  padDistance: 5
  preCrop: false
  normalize: false
  voxelArrayShift: 1000
  additionalInfo: true
"""


@pytest.fixture(scope="session")
def data_dir(shared_dir: Path) -> Path:
    folder = shared_dir / "data"
    if not (folder / "sarcoma-ct").is_dir() or not (folder / "pyradiomics" / "data").is_dir():
        pytest.skip(f"real scans not found under {folder}")
    return folder


@pytest.fixture(scope="session")
def real_cases(data_dir: Path) -> dict[str, tuple[Path, Path]]:
    """Image and mask of the two sarcoma CTs and pyradiomics' brain1, brain2, breast1."""
    cases = {
        name: (data_dir / "sarcoma-ct" / name / "CT_image.nii.gz", data_dir / "sarcoma-ct" / name / "CT_mask.nii.gz")
        for name in ("STS_008", "STS_019")
    }
    for name in ("brain1", "brain2", "breast1"):
        folder = data_dir / "pyradiomics" / "data"
        cases[name] = (folder / f"{name}_image.nrrd", folder / f"{name}_label.nrrd")
    return cases


@pytest.fixture()
def fast_params(tmp_path: Path) -> Path:
    """Original image, shape and first-order features only: a fraction of a second per case."""
    path = tmp_path / "fast.yaml"
    path.write_text(FAST_PARAMS, encoding="utf-8")
    return path


def write_manifest(path: Path, rows: list[dict]) -> Path:
    """Write an images.csv with label 1 and modality CT unless a row sets them."""
    frame = pd.DataFrame([{"modality": "CT", "label": 1, **row} for row in rows])
    frame = frame[["patient_id", "modality", "image_path", "mask_path", "label"]]
    frame.to_csv(path, index=False)
    return path
