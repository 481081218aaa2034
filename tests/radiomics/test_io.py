"""Image and mask reading: every check raises its own error naming the case, the value and the fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import SimpleITK as sitk

from mblstats.exceptions import InputValidationError
from mblstats.imaging import (
    EmptyMaskError,
    GeometryMismatchError,
    ImageReadError,
    MaskLabelError,
    MaskTooSmallError,
    read_case,
    read_image,
)


def _write(array: np.ndarray, path: Path, *, spacing=(1.0, 1.0, 2.0), origin=(0.0, 0.0, 0.0)) -> Path:
    image = sitk.GetImageFromArray(array)
    image.SetSpacing(spacing)
    image.SetOrigin(origin)
    sitk.WriteImage(image, str(path))
    return path


@pytest.fixture()
def small_pair(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """An 8 x 10 x 12 image and a 3 x 4 x 4 block mask array (numpy z, y, x order)."""
    rng = np.random.default_rng(0)
    image = _write(rng.integers(0, 100, size=(8, 10, 12)).astype(np.int16), tmp_path / "image.nrrd")
    mask = np.zeros((8, 10, 12), dtype=np.uint8)
    mask[2:5, 3:7, 4:8] = 1
    return image, mask


def test_read_case_real_sarcoma(real_cases):
    image_path, mask_path = real_cases["STS_008"]
    pair = read_case(image_path, mask_path, 1, case_id="STS_008")
    assert pair.n_voxels == 8862
    assert pair.bounding_box_size == (37, 33, 19)
    assert pair.image.GetSize() == (141, 137, 51)


def test_label_255_names_value_and_fix(small_pair, tmp_path):
    image, mask = small_pair
    mask_path = _write(mask * 255, tmp_path / "mask255.nrrd")
    with pytest.raises(MaskLabelError, match=r"case P1: label 1 not in mask; mask contains 255: set label: 255 in the manifest"):
        read_case(image, mask_path, 1, case_id="P1")


def test_label_255_accepted_when_set(small_pair, tmp_path):
    image, mask = small_pair
    mask_path = _write(mask * 255, tmp_path / "mask255.nrrd")
    assert read_case(image, mask_path, 255, case_id="P1").n_voxels == 48


def test_float_mask_with_ones_is_accepted(small_pair, tmp_path):
    image, mask = small_pair
    mask_path = _write(mask.astype(np.float32), tmp_path / "mask_float.nrrd")
    assert read_case(image, mask_path, 1, case_id="P1").n_voxels == 48


def test_several_labels_listed(small_pair, tmp_path):
    image, mask = small_pair
    labelled = mask * 2
    labelled[6, 0, 0] = 7
    mask_path = _write(labelled, tmp_path / "mask_2_7.nrrd")
    with pytest.raises(MaskLabelError, match=r"mask contains 2, 7: set label: one of them"):
        read_case(image, mask_path, 1, case_id="P1")


def test_empty_mask(small_pair, tmp_path):
    image, mask = small_pair
    mask_path = _write(np.zeros_like(mask), tmp_path / "empty.nrrd")
    with pytest.raises(EmptyMaskError, match=r"case P2: mask is empty"):
        read_case(image, mask_path, 1, case_id="P2")


def test_one_voxel_mask(small_pair, tmp_path):
    image, mask = small_pair
    single = np.zeros_like(mask)
    single[4, 4, 4] = 1
    mask_path = _write(single, tmp_path / "single.nrrd")
    with pytest.raises(MaskTooSmallError, match=r"case P3: label 1 covers a single voxel"):
        read_case(image, mask_path, 1, case_id="P3")


def test_one_slice_mask_rejected_for_3d(small_pair, tmp_path):
    image, mask = small_pair
    flat = np.zeros_like(mask)
    flat[3, 2:6, 2:6] = 1
    mask_path = _write(flat, tmp_path / "flat.nrrd")
    with pytest.raises(MaskTooSmallError, match=r"one voxel thick along z .*force2D"):
        read_case(image, mask_path, 1, case_id="P4")


def test_one_slice_mask_allowed_for_2d(small_pair, tmp_path):
    image, mask = small_pair
    flat = np.zeros_like(mask)
    flat[3, 2:6, 2:6] = 1
    mask_path = _write(flat, tmp_path / "flat.nrrd")
    assert read_case(image, mask_path, 1, case_id="P4", require_3d=False).bounding_box_size == (4, 4, 1)


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        ({"origin": (0.0, 0.0, 5.0)}, r"image origin \(0.0, 0.0, 0.0\) differs from mask origin \(0.0, 0.0, 5.0\)"),
        ({"spacing": (1.0, 1.0, 3.0)}, r"image spacing .* differs from mask spacing"),
    ],
)
def test_geometry_mismatch(small_pair, tmp_path, change, pattern):
    image, mask = small_pair
    mask_path = _write(mask, tmp_path / "shifted.nrrd", **change)
    with pytest.raises(GeometryMismatchError, match=pattern + r".*resample the mask onto the image grid"):
        read_case(image, mask_path, 1, case_id="P5")


def test_geometry_within_tolerance_passes(small_pair, tmp_path):
    image, mask = small_pair
    mask_path = _write(mask, tmp_path / "nearly.nrrd", origin=(0.0, 0.0, 1e-5))
    assert read_case(image, mask_path, 1, case_id="P5").n_voxels == 48


def test_size_mismatch(small_pair, tmp_path):
    image, _ = small_pair
    mask_path = _write(np.ones((8, 10, 11), dtype=np.uint8), tmp_path / "smaller.nrrd")
    with pytest.raises(GeometryMismatchError, match=r"image size \(12, 10, 8\) differs from mask size \(11, 10, 8\)"):
        read_case(image, mask_path, 1, case_id="P6")


def test_corrupted_file_names_path(tmp_path):
    broken = tmp_path / "broken.nii.gz"
    broken.write_bytes(b"this is not a NIfTI file")
    with pytest.raises(ImageReadError, match=r"case P7: cannot read .*broken\.nii\.gz"):
        read_image(broken, case_id="P7")


def test_missing_file_names_path(tmp_path):
    with pytest.raises(ImageReadError, match=r"file not found: .*absent\.nrrd: correct the path"):
        read_image(tmp_path / "absent.nrrd", case_id="P8")


def test_errors_are_input_validation_errors(tmp_path):
    with pytest.raises(InputValidationError):
        read_image(tmp_path / "absent.nrrd")


def test_dicom_series_folder(real_cases, tmp_path):
    source = sitk.ReadImage(str(real_cases["breast1"][0]))
    folder = tmp_path / "dicom"
    folder.mkdir()
    writer = sitk.ImageFileWriter()
    writer.KeepOriginalImageUIDOn()
    series_uid = "1.2.826.0.1.3680043.2.1125.1.1"
    for index in range(source.GetDepth()):
        slice_image = source[:, :, index]
        slice_image.SetMetaData("0020|000e", series_uid)
        slice_image.SetMetaData("0020|0032", "\\".join(map(str, source.TransformIndexToPhysicalPoint((0, 0, index)))))
        slice_image.SetMetaData("0020|0013", str(index + 1))
        slice_image.SetMetaData("0008|0060", "MR")
        writer.SetFileName(str(folder / f"slice{index:03d}.dcm"))
        writer.Execute(slice_image)

    image = read_image(folder, case_id="breast1")
    assert image.GetSize() == source.GetSize()
    assert np.allclose(image.GetSpacing(), source.GetSpacing(), atol=1e-3)
    assert np.array_equal(sitk.GetArrayFromImage(image), sitk.GetArrayFromImage(source))


def test_empty_folder_is_not_a_series(tmp_path):
    with pytest.raises(ImageReadError, match=r"no DICOM series found in folder"):
        read_image(tmp_path, case_id="P9")
