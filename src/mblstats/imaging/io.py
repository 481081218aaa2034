"""Reading image and mask pairs, with geometry and mask checks that name the case and the fix.

Images and masks are read with SimpleITK from any file format it reads (NRRD, NIfTI, MHA, ...)
or from a folder containing one DICOM series. Every check raises a subclass of
:class:`~mblstats.exceptions.InputValidationError` whose message names the case, the value
found and what to change. The exception also carries ``case_id``, ``stage`` and ``fix``, so a
batch can record it as one row of a failure table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import SimpleITK as sitk

from mblstats.exceptions import InputValidationError

logger = logging.getLogger(__name__)

#: Largest absolute difference (mm) allowed between image and mask origin and spacing.
DEFAULT_COORDINATE_TOLERANCE = 1e-3
#: Largest absolute difference allowed between entries of the image and mask direction matrices.
DEFAULT_DIRECTION_TOLERANCE = 1e-4

_MAX_LABELS_SHOWN = 6


class ImageInputError(InputValidationError):
    """An image or mask of one case cannot be used; ``stage`` and ``fix`` describe why and how.

    Parameters
    ----------
    message : str
        Full sentence naming the case and the value found.
    case_id : str
        Identifier of the case (patient id), or the file name when there is none.
    fix : str
        What the user should change.
    """

    stage = "input"

    def __init__(self, message: str, *, case_id: str, fix: str) -> None:
        super().__init__(f"{message}: {fix}")
        self.case_id = case_id
        self.reason = message
        self.fix = fix


class ImageReadError(ImageInputError):
    """A file or DICOM folder is missing or SimpleITK cannot read it."""

    stage = "read"


class GeometryMismatchError(ImageInputError):
    """Image and mask differ in size, spacing, origin or direction."""

    stage = "geometry"


class MaskLabelError(ImageInputError):
    """The requested label value does not occur in a non-empty mask."""

    stage = "mask"


class EmptyMaskError(ImageInputError):
    """The mask has no foreground voxel at all."""

    stage = "mask"


class MaskTooSmallError(ImageInputError):
    """The labelled region is one voxel, or one slice thick where 3-D features are requested."""

    stage = "mask"


@dataclass(frozen=True)
class ImageMaskPair:
    """An image and its mask, read and checked.

    Attributes
    ----------
    case_id : str
        Case identifier used in messages.
    image, mask : SimpleITK.Image
        The image and the mask, with identical geometry (within tolerance).
    label : int
        Mask value of the region of interest.
    n_voxels : int
        Number of mask voxels equal to ``label``.
    bounding_box_size : tuple of int
        Extent (x, y, z) in voxels of the labelled region.
    """

    case_id: str
    image: sitk.Image
    mask: sitk.Image
    label: int
    n_voxels: int
    bounding_box_size: tuple[int, ...]


def read_image(path: str | Path, *, case_id: str | None = None) -> sitk.Image:
    """Read an image file, or the one DICOM series in a folder, with SimpleITK.

    Parameters
    ----------
    path : str or Path
        A file SimpleITK reads (NRRD, NIfTI, MHA, ...) or a folder of DICOM files of one series.
    case_id : str, optional
        Case identifier for messages; defaults to the file name.

    Returns
    -------
    SimpleITK.Image

    Raises
    ------
    ImageReadError
        The path does not exist, the folder contains no DICOM series or several, or the file
        cannot be decoded.
    """
    path = Path(path)
    case = case_id if case_id is not None else path.name

    if not path.exists():
        raise ImageReadError(
            f"case {case}: file not found: {path}",
            case_id=case,
            fix="correct the path in the manifest (relative paths resolve against the manifest's folder)",
        )

    if path.is_dir():
        return _read_dicom_series(path, case)

    try:
        return sitk.ReadImage(str(path))
    except RuntimeError as error:
        first_line = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise ImageReadError(
            f"case {case}: cannot read {path} ({first_line})",
            case_id=case,
            fix="re-export the file as NRRD or NIfTI, or replace it with an intact copy",
        ) from error


def _read_dicom_series(folder: Path, case: str) -> sitk.Image:
    series_ids = sitk.ImageSeriesReader.GetGDCMSeriesIDs(str(folder))
    if not series_ids:
        raise ImageReadError(
            f"case {case}: no DICOM series found in folder {folder}",
            case_id=case,
            fix="point the manifest at a folder containing the DICOM files of one series, or at an image file",
        )
    if len(series_ids) > 1:
        raise ImageReadError(
            f"case {case}: folder {folder} contains {len(series_ids)} DICOM series ({', '.join(series_ids)})",
            case_id=case,
            fix="move each series into its own folder and list the one to analyse",
        )

    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(folder), series_ids[0]))
    try:
        return reader.Execute()
    except RuntimeError as error:
        raise ImageReadError(
            f"case {case}: cannot read the DICOM series in {folder} ({str(error).strip().splitlines()[-1]})",
            case_id=case,
            fix="check that every slice of the series is present and intact",
        ) from error


def check_geometry(
    image: sitk.Image,
    mask: sitk.Image,
    *,
    case_id: str,
    coordinate_tolerance: float = DEFAULT_COORDINATE_TOLERANCE,
    direction_tolerance: float = DEFAULT_DIRECTION_TOLERANCE,
) -> None:
    """Check that image and mask share size, spacing, origin and direction.

    Parameters
    ----------
    image, mask : SimpleITK.Image
        The pair to compare.
    case_id : str
        Case identifier for messages.
    coordinate_tolerance : float, default 1e-3
        Largest absolute difference in mm for spacing and origin.
    direction_tolerance : float, default 1e-4
        Largest absolute difference between direction cosines.

    Raises
    ------
    GeometryMismatchError
        On the first property that differs, with both values.
    """
    fix = "resample the mask onto the image grid (or re-export both from the same series)"

    if image.GetDimension() != mask.GetDimension():
        raise GeometryMismatchError(
            f"case {case_id}: image is {image.GetDimension()}-D but mask is {mask.GetDimension()}-D",
            case_id=case_id,
            fix=fix,
        )
    if image.GetSize() != mask.GetSize():
        raise GeometryMismatchError(
            f"case {case_id}: image size {image.GetSize()} differs from mask size {mask.GetSize()}",
            case_id=case_id,
            fix=fix,
        )

    checks = (
        ("spacing", image.GetSpacing(), mask.GetSpacing(), coordinate_tolerance),
        ("origin", image.GetOrigin(), mask.GetOrigin(), coordinate_tolerance),
        ("direction", image.GetDirection(), mask.GetDirection(), direction_tolerance),
    )
    for name, image_value, mask_value, tolerance in checks:
        difference = float(np.max(np.abs(np.subtract(image_value, mask_value))))
        if difference > tolerance:
            raise GeometryMismatchError(
                f"case {case_id}: image {name} {_rounded(image_value)} differs from mask {name} "
                f"{_rounded(mask_value)} by {difference:.4g} (tolerance {tolerance:g})",
                case_id=case_id,
                fix=fix,
            )


def check_mask(mask: sitk.Image, label: int, *, case_id: str, require_3d: bool = True) -> tuple[int, tuple[int, ...]]:
    """Check that ``label`` marks a usable region of the mask.

    Parameters
    ----------
    mask : SimpleITK.Image
        Label map of any pixel type (integer or float).
    label : int
        Value of the region of interest.
    case_id : str
        Case identifier for messages.
    require_3d : bool, default True
        Reject a region one slice thick in any direction (3-D shape and texture need depth).

    Returns
    -------
    n_voxels : int
        Number of voxels equal to ``label``.
    bounding_box_size : tuple of int
        Extent of the region in voxels, in SimpleITK (x, y, z) order.

    Raises
    ------
    EmptyMaskError, MaskLabelError, MaskTooSmallError
    """
    array = sitk.GetArrayViewFromImage(mask)
    foreground = array != 0
    if not foreground.any():
        raise EmptyMaskError(
            f"case {case_id}: mask is empty (every voxel is 0)",
            case_id=case_id,
            fix="segment the tumour, or remove the case from the manifest",
        )

    region = array == label
    n_voxels = int(region.sum())
    if n_voxels == 0:
        present = np.unique(array[foreground])
        shown = ", ".join(_format_label(value) for value in present[:_MAX_LABELS_SHOWN])
        if present.size > _MAX_LABELS_SHOWN:
            shown += f", ... ({present.size} values)"
        suggestion = _format_label(present[0]) if present.size == 1 else "one of them"
        raise MaskLabelError(
            f"case {case_id}: label {label} not in mask; mask contains {shown}",
            case_id=case_id,
            fix=f"set label: {suggestion} in the manifest",
        )

    # numpy axes are (z, y, x); report the extent in SimpleITK's (x, y, z) order.
    indices = np.nonzero(region)
    extent = tuple(int(axis.max() - axis.min() + 1) for axis in reversed(indices))

    if n_voxels == 1:
        raise MaskTooSmallError(
            f"case {case_id}: label {label} covers a single voxel",
            case_id=case_id,
            fix="check the segmentation; a one-voxel region has no shape or texture",
        )
    if require_3d and mask.GetDimension() == 3 and min(extent) == 1:
        flat_axis = "xyz"[extent.index(1)]
        raise MaskTooSmallError(
            f"case {case_id}: label {label} is one voxel thick along {flat_axis} (extent {extent}), "
            "but the parameters require a 3-D region (minimumROIDimensions: 3)",
            case_id=case_id,
            fix="segment the tumour on every slice it spans, or use 2-D parameters (force2D: true)",
        )
    return n_voxels, extent


def read_case(
    image_path: str | Path,
    mask_path: str | Path,
    label: int = 1,
    *,
    case_id: str | None = None,
    require_3d: bool = True,
    coordinate_tolerance: float = DEFAULT_COORDINATE_TOLERANCE,
    direction_tolerance: float = DEFAULT_DIRECTION_TOLERANCE,
) -> ImageMaskPair:
    """Read an image and its mask and run every check.

    Parameters
    ----------
    image_path, mask_path : str or Path
        Files or DICOM series folders.
    label : int, default 1
        Mask value of the region of interest.
    case_id : str, optional
        Case identifier for messages; defaults to the image file name.
    require_3d : bool, default True
        Passed to :func:`check_mask`.
    coordinate_tolerance, direction_tolerance : float
        Passed to :func:`check_geometry`.

    Returns
    -------
    ImageMaskPair

    Raises
    ------
    ImageInputError
        Its subclass names the failed check.

    Examples
    --------
    >>> pair = read_case("STS_008/CT_image.nii.gz", "STS_008/CT_mask.nii.gz", 1, case_id="STS_008")  # doctest: +SKIP
    >>> pair.n_voxels  # doctest: +SKIP
    8862
    """
    case = case_id if case_id is not None else Path(image_path).name
    image = read_image(image_path, case_id=case)
    mask = read_image(mask_path, case_id=case)
    check_geometry(
        image,
        mask,
        case_id=case,
        coordinate_tolerance=coordinate_tolerance,
        direction_tolerance=direction_tolerance,
    )
    n_voxels, extent = check_mask(mask, label, case_id=case, require_3d=require_3d)
    logger.debug("case %s: read image %s and mask %s, %d voxels in label %d", case, image_path, mask_path, n_voxels, label)
    return ImageMaskPair(case_id=case, image=image, mask=mask, label=label, n_voxels=n_voxels, bounding_box_size=extent)


def _rounded(values: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(round(float(value), 4) for value in values)


def _format_label(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"
