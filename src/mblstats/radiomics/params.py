"""pyradiomics parameter files: the shipped CT and CTE files, validation, counting and description.

A parameter file is the complete definition of a feature set, so its SHA-256 enters the cache
key and the provenance of every extraction.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from mblstats.exceptions import InputValidationError

logger = logging.getLogger(__name__)

PARAMS_DIR = Path(__file__).parent / "params"

#: Parameter files shipped with mblstats, by the short name the command line accepts.
SHIPPED_PARAMS: dict[str, Path] = {
    "ct": PARAMS_DIR / "ct.yaml",
    "cte": PARAMS_DIR / "cte.yaml",
    "ct_quick": PARAMS_DIR / "ct_quick.yaml",
    "cte_quick": PARAMS_DIR / "cte_quick.yaml",
}

# Meaning of each setting in plain words, shown next to its value in the book.
_SETTING_MEANINGS: dict[str, str] = {
    "label": "mask value of the tumour; the manifest's label column overrides it per case",
    "minimumROIDimensions": "fewest dimensions in which the region must span more than one voxel",
    "minimumROISize": "fewest voxels in the region (null: no minimum)",
    "geometryTolerance": "tolerance pyradiomics allows between image and mask geometry (null: SimpleITK default)",
    "correctMask": "resample a mask whose geometry differs from the image instead of failing",
    "resampledPixelSpacing": "voxel size (mm, x y z) both image and mask are resampled to",
    "interpolator": "interpolation of the image when resampling (the mask uses nearest neighbour)",
    "padDistance": "voxels kept around the region when cropping, so filters see context",
    "preCrop": "crop to the region before filtering (faster, but LoG and wavelet values change)",
    "normalize": "rescale intensities to zero mean and unit variance before extraction",
    "normalizeScale": "factor applied after normalisation",
    "removeOutliers": "clip intensities beyond this many standard deviations (null: no clipping)",
    "resegmentRange": "keep only region voxels within this intensity range (null: keep all)",
    "voxelArrayShift": "constant added to intensities in energy features so they are non-negative",
    "binWidth": "width of one grey level when discretising intensities",
    "binCount": "number of grey levels when discretising intensities (instead of a bin width)",
    "distances": "neighbour distances (voxels) for GLCM and NGTDM",
    "symmetricalGLCM": "count each voxel pair in both directions in the GLCM",
    "weightingNorm": "weighting of the texture matrices of the 13 directions (null: plain average)",
    "gldm_a": "grey-level difference within which GLDM neighbours count as dependent",
    "force2D": "extract texture slice by slice instead of in 3-D",
    "force2Ddimension": "axis of the slices when force2D is true",
    "additionalInfo": "emit diagnostics (versions, region facts) with the features",
}

_IMAGE_TYPE_MEANINGS: dict[str, str] = {
    "Original": "the image itself",
    "LoG": "Laplacian of Gaussian filtered images, one per sigma (mm)",
    "Wavelet": "undecimated wavelet decompositions (high or low pass along x, y, z)",
    "Square": "squared intensities",
    "SquareRoot": "square root of intensities",
    "Logarithm": "logarithm of intensities",
    "Exponential": "exponential of intensities",
    "Gradient": "gradient magnitude",
    "LBP2D": "2-D local binary pattern",
    "LBP3D": "3-D local binary pattern",
}


def resolve_params(params: str | Path) -> Path:
    """Return the path of a parameter file given a shipped name (``"ct"``, ``"cte"``) or a path.

    Parameters
    ----------
    params : str or Path
        A key of :data:`SHIPPED_PARAMS` (case-insensitive) or the path of a YAML file.

    Returns
    -------
    Path

    Raises
    ------
    InputValidationError
        Neither a shipped name nor an existing file.
    """
    key = str(params).strip().lower()
    if key in SHIPPED_PARAMS:
        return SHIPPED_PARAMS[key]

    path = Path(params)
    if not path.is_file():
        raise InputValidationError(
            f"params {params!r} is neither a shipped parameter set ({', '.join(sorted(SHIPPED_PARAMS))}) "
            "nor an existing file: pass one of those names or the path of a pyradiomics YAML file"
        )
    return path


def load_params(params: str | Path) -> dict[str, Any]:
    """Read and validate a pyradiomics parameter file.

    Parameters
    ----------
    params : str or Path
        Shipped name or path, see :func:`resolve_params`.

    Returns
    -------
    dict
        The YAML content with keys ``imageType``, ``featureClass`` and ``setting``.

    Raises
    ------
    InputValidationError
        The YAML does not parse or pyradiomics' schema rejects it.
    """
    path = resolve_params(params)
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise InputValidationError(f"parameter file {path} is not valid YAML ({error}): fix the syntax") from error

    _validate_with_pyradiomics(path)
    content.setdefault("imageType", {"Original": {}})
    content.setdefault("featureClass", {})
    content.setdefault("setting", {})
    return content


def _validate_with_pyradiomics(path: Path) -> None:
    from radiomics import featureextractor

    # pyradiomics and pykwalify log every successful load at INFO; keep only their warnings.
    noisy = [logging.getLogger(name) for name in ("radiomics", "pykwalify")]
    levels = [item.level for item in noisy]
    for item in noisy:
        item.setLevel(max(item.level, logging.WARNING))
    try:
        featureextractor.RadiomicsFeatureExtractor(str(path))
    except Exception as error:  # pykwalify raises its own SchemaError, among others
        raise InputValidationError(
            f"pyradiomics rejects parameter file {path}: {error}: correct the named setting "
            "(see pyradiomics' parameter documentation for allowed names and values)"
        ) from error
    finally:
        for item, level in zip(noisy, levels):
            item.setLevel(level)


def params_sha256(params: str | Path) -> str:
    """Return the SHA-256 hex digest of a parameter file's bytes."""
    return hashlib.sha256(resolve_params(params).read_bytes()).hexdigest()


def requires_3d(params: str | Path | dict[str, Any]) -> bool:
    """Return True when the parameters need a region that is more than one slice thick.

    That is the case when ``minimumROIDimensions`` is 3, or when 3-D shape features are
    enabled without ``force2D``.
    """
    content = params if isinstance(params, dict) else load_params(params)
    setting = content.get("setting") or {}
    if int(setting.get("minimumROIDimensions") or 2) >= 3:
        return True
    return "shape" in (content.get("featureClass") or {}) and not setting.get("force2D", False)


def count_features(params: str | Path | dict[str, Any]) -> int:
    """Count the features (diagnostics excluded) one case yields under these parameters.

    Shape features are computed once, on the original image. Every other class is computed on
    each enabled image: 1 original, one LoG image per sigma, ``7 * level + 1`` wavelet images.

    Returns
    -------
    int
        1316 for the shipped CT and CTE files.
    """
    from radiomics import getFeatureClasses

    content = params if isinstance(params, dict) else load_params(params)
    classes = getFeatureClasses()

    n_images = _count_images(content["imageType"] or {})
    total = 0
    for class_name, selected in (content["featureClass"] or {}).items():
        if selected:
            n_class = len(selected)
        else:
            n_class = sum(not deprecated for deprecated in classes[class_name].getFeatureNames().values())
        total += n_class if class_name.startswith("shape") else n_class * n_images
    return total


def describe_images(params: str | Path | dict[str, Any]) -> tuple[int, str]:
    """Count the images features are computed on and name them in words for prose.

    Returns
    -------
    n_images : int
        14 for the shipped CT and CTE files, 1 for the quick variants.
    text : str
        For example "the original image, 5 Laplacian-of-Gaussian filtered images and 8 wavelet
        decompositions".
    """
    content = params if isinstance(params, dict) else load_params(params)
    image_types = content["imageType"] or {}
    parts = []
    for name, options in image_types.items():
        count = _count_images({name: options})
        if name == "Original":
            parts.append("the original image")
        elif name == "LoG":
            parts.append(f"{count} Laplacian-of-Gaussian filtered images")
        elif name == "Wavelet":
            parts.append(f"{count} wavelet decompositions")
        else:
            parts.append(f"{count} {name} image{'s' if count > 1 else ''}")
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return _count_images(image_types), text


def _count_images(image_types: dict[str, Any]) -> int:
    n_images = 0
    for name, options in image_types.items():
        options = options or {}
        if name == "LoG":
            n_images += len(options.get("sigma", []))
        elif name == "Wavelet":
            n_images += 7 * int(options.get("level", 1)) + 1
        elif name in ("LBP3D",):
            # one image per spherical-harmonics level, plus the kurtosis image
            n_images += int(options.get("lbp3DLevels", 2)) + 1
        else:
            n_images += 1
    return n_images


def describe_params(params: str | Path) -> pd.DataFrame:
    """Tabulate a parameter file for the book: one row per image type, feature class and setting.

    Parameters
    ----------
    params : str or Path
        Shipped name or path.

    Returns
    -------
    pandas.DataFrame
        Columns ``setting``, ``value``, ``meaning``; ``value`` is text so lists and nulls
        print as written in the file.
    """
    content = load_params(params)
    rows: list[dict[str, str]] = []

    for name, options in (content["imageType"] or {}).items():
        rows.append(
            {
                "setting": f"imageType: {name}",
                "value": _format_value(options or {}),
                "meaning": _IMAGE_TYPE_MEANINGS.get(name, "filtered image"),
            }
        )
    for name, selected in (content["featureClass"] or {}).items():
        rows.append(
            {
                "setting": f"featureClass: {name}",
                "value": "all (deprecated excluded)" if not selected else ", ".join(selected),
                "meaning": "feature class computed on every image" if not name.startswith("shape") else "shape, computed once on the mask",
            }
        )
    for name, value in (content["setting"] or {}).items():
        rows.append({"setting": name, "value": _format_value(value), "meaning": _SETTING_MEANINGS.get(name, "")})

    rows.append(
        {
            "setting": "features per case",
            "value": str(count_features(content)),
            "meaning": "features computed for one case (diagnostics excluded)",
        }
    )
    return pd.DataFrame(rows, columns=["setting", "value", "meaning"])


def _format_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_format_value(item)}" for key, item in value.items()) or "defaults"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_format_value(item) for item in value) + "]"
    return str(value)
