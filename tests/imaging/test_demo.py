"""Tests of the synthetic demo CT/CTE images and their manifests."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import SimpleITK as sitk
from scipy.spatial import ConvexHull
from scipy.spatial.distance import pdist

from mblstats.exceptions import InputValidationError
from mblstats.imaging import _phantom
from mblstats.imaging.demo import (
    MANIFEST_COLUMNS,
    READER2_MANIFEST_NAME,
    _second_reader_ids,
    patient_generator,
    write_demo_images,
)


def make_clinical(n_patients: int = 8) -> pd.DataFrame:
    """Return a small clinical table covering every zone, CTE and no CTE, small and large tumours."""
    sizes = [3.0, 6.0, 10.0, 15.0, 2.0, 8.5, 12.0, 22.0]
    zones = ["I", "II", "III", "IV", "multiple", "IV", "I", "IV"]
    types = ["chondrosarcoma", "osteosarcoma", "chordoma", "giant cell tumour", "schwannoma",
             "Ewing sarcoma", "metastatic tumour", "other"]
    return pd.DataFrame({
        "patient_id": [f"D{i:03d}" for i in range(n_patients)],
        "tumour_size_cm": [sizes[i % 8] for i in range(n_patients)],
        "blood_loss_ml": [400.0 + 900.0 * i for i in range(n_patients)],
        "has_cte": ["yes" if i % 3 else "no" for i in range(n_patients)],
        "tumour_type": [types[i % 8] for i in range(n_patients)],
        "location": [zones[i % 8] for i in range(n_patients)],
    })


@pytest.fixture(scope="module")
def clinical() -> pd.DataFrame:
    return make_clinical()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory, clinical) -> Path:
    out_dir = tmp_path_factory.mktemp("demo")
    write_demo_images(clinical, out_dir, seed=7, workers=1, progress=False, n_second_reader=3)
    return out_dir


@pytest.fixture(scope="module")
def manifest(demo_dir) -> pd.DataFrame:
    return pd.read_csv(demo_dir / "images.csv", dtype={"patient_id": str})


def read_array(path: Path) -> np.ndarray:
    return sitk.GetArrayFromImage(sitk.ReadImage(str(path)))


def max_diameter_mm(mask: np.ndarray) -> float:
    points = np.argwhere(mask) * np.array(_phantom.SPACING_MM)[::-1]
    return float(pdist(points[ConvexHull(points).vertices]).max())


def test_manifest_columns_and_rows(manifest, clinical):
    assert tuple(manifest.columns) == MANIFEST_COLUMNS
    expected_rows = len(clinical) + (clinical["has_cte"] == "yes").sum()
    assert len(manifest) == expected_rows
    assert set(manifest["label"]) == {1}
    assert set(manifest["reader"]) == {1}
    assert list(manifest["patient_id"].unique()) == list(clinical["patient_id"])


def test_manifest_paths_relative_and_exist(manifest, demo_dir):
    for column in ("image_path", "mask_path"):
        for value in manifest[column]:
            assert not Path(value).is_absolute()
            assert (demo_dir / value).is_file(), value


def test_cte_only_for_has_cte(manifest, clinical, demo_dir):
    with_cte = set(clinical.loc[clinical["has_cte"] == "yes", "patient_id"])
    assert set(manifest.loc[manifest["modality"] == "CTE", "patient_id"]) == with_cte
    for patient_id in clinical["patient_id"]:
        assert (demo_dir / patient_id / "CTE.nrrd").exists() == (patient_id in with_cte)


def test_ct_geometry_and_hounsfield_range(demo_dir, clinical):
    image = sitk.ReadImage(str(demo_dir / "D003" / "CT.nrrd"))
    array = sitk.GetArrayFromImage(image)
    assert array.dtype == np.int16
    assert image.GetSpacing() == pytest.approx(_phantom.SPACING_MM)
    assert array.shape[1:] == (_phantom.GRID_XY[1], _phantom.GRID_XY[0])
    assert array.shape[0] >= _phantom.MIN_SLICES
    assert array.min() >= -1024
    assert array.max() <= 3071
    # Air outside the body, bone (cortex above 700 HU) and soft tissue inside it.
    assert (array[:, 0, 0] == -1000).all()
    assert (array > 700).sum() > 500
    body = array > -500
    assert -100 < np.median(array[body]) < 100


def test_mask_binary_nonempty_same_grid(demo_dir, manifest):
    for row in manifest.itertuples():
        image = sitk.ReadImage(str(demo_dir / row.image_path))
        mask = sitk.ReadImage(str(demo_dir / row.mask_path))
        assert mask.GetSize() == image.GetSize()
        assert mask.GetOrigin() == image.GetOrigin()
        values = np.unique(sitk.GetArrayFromImage(mask))
        assert list(values) == [0, 1], row.mask_path


def test_tumour_hounsfield_plausible(demo_dir, clinical):
    for patient_id in clinical["patient_id"]:
        ct = read_array(demo_dir / patient_id / "CT.nrrd")
        mask = read_array(demo_dir / patient_id / "mask.nrrd").astype(bool)
        assert -50 < np.median(ct[mask]) < 120, patient_id


def test_cte_enhances_tumour(demo_dir, clinical):
    for patient_id in clinical.loc[clinical["has_cte"] == "yes", "patient_id"]:
        ct = read_array(demo_dir / patient_id / "CT.nrrd")
        cte = read_array(demo_dir / patient_id / "CTE.nrrd")
        mask = read_array(demo_dir / patient_id / "mask.nrrd").astype(bool)
        assert cte.shape == ct.shape
        assert np.mean(cte[mask]) > np.mean(ct[mask]) + 3, patient_id
        # Outside the tumour the anatomy is the same: bone stays where it was.
        assert np.mean((ct[~mask] > 600) != (cte[~mask] > 600)) < 0.001, patient_id


def test_tumour_extent_follows_size(demo_dir, clinical):
    diameters = []
    for row in clinical.itertuples():
        mask = read_array(demo_dir / row.patient_id / "mask.nrrd")
        diameter = max_diameter_mm(mask)
        diameters.append(diameter)
        assert diameter == pytest.approx(10 * row.tumour_size_cm, rel=0.25), row.patient_id
    order = np.argsort(clinical["tumour_size_cm"].to_numpy(), kind="stable")
    assert np.all(np.diff(np.array(diameters)[order]) > 0)


def test_second_reader_masks(demo_dir, clinical):
    second = pd.read_csv(demo_dir / READER2_MANIFEST_NAME, dtype={"patient_id": str})
    assert tuple(second.columns) == MANIFEST_COLUMNS
    assert second["patient_id"].nunique() == 3
    assert set(second["reader"]) == {2}
    for patient_id in second["patient_id"].unique():
        first = read_array(demo_dir / patient_id / "mask.nrrd").astype(bool)
        other = read_array(demo_dir / patient_id / "mask_reader2.nrrd").astype(bool)
        dice = 2 * (first & other).sum() / (first.sum() + other.sum())
        assert not np.array_equal(first, other), patient_id
        assert 0.6 < dice < 1.0, patient_id
        # Voxels the second reader adds have tumour-like plain CT values, never bone or fat.
        ct = read_array(demo_dir / patient_id / "CT.nrrd")
        low, high = np.percentile(ct[first], [2, 98])
        added = ct[other & ~first]
        assert added.size == 0 or (added.min() >= low and added.max() <= high), patient_id
    written = {path.parent.name for path in demo_dir.glob("*/mask_reader2.nrrd")}
    assert written == set(second["patient_id"])


def test_second_reader_subset_is_forty():
    ids = pd.Series([f"P{i:04d}" for i in range(1, 811)])
    chosen = _second_reader_ids(ids, 2019, 40)
    assert len(chosen) == 40
    assert chosen <= set(ids)
    assert chosen == _second_reader_ids(ids.iloc[::-1], 2019, 40)
    assert chosen != _second_reader_ids(ids, 2020, 40)


def test_same_seed_identical_bytes(tmp_path, clinical, demo_dir):
    write_demo_images(clinical, tmp_path, seed=7, workers=1, progress=False, n_second_reader=3)
    files = sorted(path.relative_to(demo_dir) for path in demo_dir.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*") if path.is_file())
    for relative in files:
        assert filecmp.cmp(demo_dir / relative, tmp_path / relative, shallow=False), relative


def test_other_seed_other_images(tmp_path, clinical, demo_dir):
    write_demo_images(clinical, tmp_path, seed=8, patient_ids=["D001"], workers=1, progress=False)
    assert not np.array_equal(read_array(tmp_path / "D001" / "CT.nrrd"), read_array(demo_dir / "D001" / "CT.nrrd"))


def test_subset_matches_full_run_in_parallel(tmp_path, clinical, demo_dir):
    subset = ["D002", "D004", "D007"]
    manifest = write_demo_images(clinical, tmp_path, seed=7, patient_ids=subset, workers=2, progress=False,
                                 n_second_reader=3)
    assert list(manifest["patient_id"].unique()) == subset
    for path in tmp_path.rglob("*.nrrd"):
        relative = path.relative_to(tmp_path)
        assert filecmp.cmp(path, demo_dir / relative, shallow=False), relative


def test_patient_generator_independent_of_order():
    first = patient_generator(2019, "P0001").random(3)
    assert np.array_equal(first, patient_generator(2019, "P0001").random(3))
    assert not np.array_equal(first, patient_generator(2019, "P0002").random(3))
    assert not np.array_equal(first, patient_generator(2020, "P0001").random(3))


def test_latents_follow_blood_loss():
    def enhancement(blood_loss_ml, draw):
        rng = np.random.default_rng(draw)
        phantom = _phantom.synthesise_patient(rng, tumour_size_cm=8.0, blood_loss_ml=blood_loss_ml,
                                              tumour_type="other", zone="IV", with_cte=True,
                                              with_second_reader=False)
        inside = phantom.mask.astype(bool)
        return phantom.cte[inside].mean() - phantom.ct[inside].mean()

    low = [enhancement(300.0, draw) for draw in range(8)]
    high = [enhancement(8000.0, draw) for draw in range(8)]
    assert np.mean(high) > np.mean(low) + 5


def test_manifest_reads_with_radiomics_reader(demo_dir):
    manifest_module = pytest.importorskip("mblstats.radiomics.manifest")
    frame = manifest_module.read_manifest(demo_dir / "images.csv", modality="CT")
    assert len(frame) == 8
    assert all(Path(path).is_file() for path in frame["image_path"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda frame: frame.drop(columns="has_cte"), "lacks column.*has_cte"),
        (lambda frame: frame.assign(has_cte="maybe"), "has_cte 'maybe' must be 'yes' or 'no'"),
        (lambda frame: frame.assign(patient_id="D000"), "'D000' occurs more than once"),
        (lambda frame: frame.assign(patient_id=[f"a/{i}" for i in range(len(frame))]), "not usable as a folder"),
        (lambda frame: frame.assign(tumour_size_cm=-1.0), r"tumour_size_cm -1.0 must be a number in \(0, 60\]"),
        (lambda frame: frame.assign(blood_loss_ml=np.nan), "blood_loss_ml nan must be a finite number"),
        (lambda frame: frame.assign(location="V"), "location 'V' is not one of I, II, III, IV, multiple"),
        (lambda frame: frame.assign(tumour_type="lipoma"), "tumour_type 'lipoma' is not one of"),
    ],
)
def test_invalid_clinical_rejected(tmp_path, clinical, change, message):
    with pytest.raises(InputValidationError, match=message):
        write_demo_images(change(clinical.copy()), tmp_path, workers=1, progress=False)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"patient_ids": ["D000", "X9"]}, "1 id.*not in the clinical table: X9"),
        ({"patient_ids": "D000"}, "wrap a single id in a list"),
        ({"workers": 0}, "workers must be a positive integer"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"image_format": "png"}, "image_format must be one of"),
    ],
)
def test_invalid_arguments_rejected(tmp_path, clinical, arguments, message):
    with pytest.raises(InputValidationError, match=message):
        write_demo_images(clinical, tmp_path, progress=False, **arguments)


def test_nifti_format_and_level_spellings(tmp_path, clinical):
    table = clinical.head(2).assign(has_cte=["YES", "no"], location=["zone IV", "Multiple zones"],
                                    tumour_type=["Giant cell tumor", "Ewing's sarcoma"])
    manifest = write_demo_images(table, tmp_path, workers=1, progress=False, image_format="nii.gz")
    assert list(manifest["image_path"]) == ["D000/CT.nii.gz", "D000/CTE.nii.gz", "D001/CT.nii.gz"]
    assert read_array(tmp_path / "D000" / "mask.nii.gz").sum() > 0


def test_demo_cohort_table_accepted():
    from mblstats.cohort.demo import make_demo_clinical
    from mblstats.imaging.demo import _validate_clinical

    clinical = make_demo_clinical(2019)
    table = _validate_clinical(clinical)
    assert len(table) == 810
    assert table["has_cte"].sum() == 643
    assert len(_second_reader_ids(table["patient_id"], 2019, 40)) == 40
