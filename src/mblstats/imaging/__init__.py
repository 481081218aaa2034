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
from mblstats.imaging.demo import write_demo_images

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
    "write_demo_images",
]
