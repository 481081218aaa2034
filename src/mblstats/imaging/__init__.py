"""imaging step of the mblstats pipeline."""

from mblstats.imaging.io import (
    EmptyMaskError,
    GeometryMismatchError,
    ImageInputError,
    ImageMaskPair,
    ImageReadError,
    MaskLabelError,
    MaskTooSmallError,
    check_geometry,
    check_mask,
    read_case,
    read_image,
)

__all__ = [
    "EmptyMaskError",
    "GeometryMismatchError",
    "ImageInputError",
    "ImageMaskPair",
    "ImageReadError",
    "MaskLabelError",
    "MaskTooSmallError",
    "check_geometry",
    "check_mask",
    "read_case",
    "read_image",
]
