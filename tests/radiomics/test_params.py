"""Shipped parameter files: explicit settings, feature counts and the description table."""

from __future__ import annotations

import pytest
import yaml

from mblstats.exceptions import InputValidationError
from mblstats.radiomics import SHIPPED_PARAMS, count_features, describe_params, load_params, resolve_params
from mblstats.radiomics.params import describe_images, requires_3d

# Settings that change a feature value; each shipped file must state them, not inherit defaults.
VALUE_CHANGING_SETTINGS = (
    "label",
    "minimumROIDimensions",
    "resampledPixelSpacing",
    "interpolator",
    "padDistance",
    "preCrop",
    "normalize",
    "normalizeScale",
    "removeOutliers",
    "resegmentRange",
    "voxelArrayShift",
    "binWidth",
    "distances",
    "symmetricalGLCM",
    "weightingNorm",
    "gldm_a",
    "force2D",
    "correctMask",
    "geometryTolerance",
)


STUDY_PARAMS = ("ct", "cte")
QUICK_PARAMS = ("ct_quick", "cte_quick")


@pytest.mark.parametrize("name", STUDY_PARAMS)
def test_shipped_params_count_1316(name):
    assert count_features(name) == 1316


@pytest.mark.parametrize("name", QUICK_PARAMS)
def test_quick_params_count_107(name):
    assert count_features(name) == 107


@pytest.mark.parametrize("name", QUICK_PARAMS)
def test_quick_params_match_full_settings(name):
    quick = load_params(name)
    full = load_params(name.removesuffix("_quick"))
    assert quick["setting"] == full["setting"]
    assert quick["featureClass"] == full["featureClass"]
    assert quick["imageType"] == {"Original": {}}


def test_describe_images():
    assert describe_images("ct") == (14, "the original image, 5 Laplacian-of-Gaussian filtered images and 8 wavelet decompositions")
    assert describe_images("ct_quick") == (1, "the original image")


@pytest.mark.parametrize("name", sorted(SHIPPED_PARAMS))
def test_shipped_params_state_every_setting(name):
    settings = yaml.safe_load(SHIPPED_PARAMS[name].read_text())["setting"]
    missing = [setting for setting in VALUE_CHANGING_SETTINGS if setting not in settings]
    assert missing == []


@pytest.mark.parametrize("name", STUDY_PARAMS)
def test_shipped_params_images_and_classes(name):
    content = load_params(name)
    assert content["imageType"]["LoG"]["sigma"] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert set(content["imageType"]) == {"Original", "LoG", "Wavelet"}
    assert set(content["featureClass"]) == {"shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"}
    assert content["setting"]["preCrop"] is False


def test_requires_3d_for_shipped():
    assert requires_3d("ct") is True


def test_resolve_shipped_name_case_insensitive():
    assert resolve_params("CTE") == SHIPPED_PARAMS["cte"]


def test_resolve_unknown_name():
    with pytest.raises(InputValidationError, match=r"params 'mri' is neither a shipped parameter set \(ct, ct_quick, cte, cte_quick\)"):
        resolve_params("mri")


def test_invalid_setting_rejected(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("setting:\n  binWidht: 25\n")
    with pytest.raises(InputValidationError, match=r"pyradiomics rejects parameter file .*bad\.yaml"):
        load_params(path)


def test_describe_params_table():
    table = describe_params("ct")
    assert list(table.columns) == ["setting", "value", "meaning"]
    rows = table.set_index("setting")["value"]
    assert rows["binWidth"] == "25"
    assert rows["resampledPixelSpacing"] == "[2.0, 2.0, 2.0]"
    assert rows["preCrop"] == "false"
    assert rows["imageType: LoG"] == "sigma: [1.0, 2.0, 3.0, 4.0, 5.0]"
    assert rows["features per case"] == "1316"
    assert (table["meaning"] != "").all()


def test_count_features_custom(fast_params):
    # 14 shape + 18 first-order on the original image only
    assert count_features(fast_params) == 32
