import pytest

from mblstats.exceptions import InputValidationError
from mblstats.params import RunParameters


def test_parameters_round_trip(tmp_path):
    params = RunParameters(seed=7, threshold_ml=2500.0, cv_repeats=3)
    path = params.save(tmp_path / "parameters.yaml")

    assert RunParameters.load(path) == params


def test_parameters_list_every_problem():
    with pytest.raises(InputValidationError) as caught:
        RunParameters(cv_folds=1, threshold_ml=-5, modality="MRI", temporal_cutoff="2017-13-01")

    message = str(caught.value)
    assert "cv_folds=1" in message
    assert "threshold_ml=-5" in message
    assert "modality='MRI'" in message
    assert "CT, CTE" in message
    assert "temporal_cutoff='2017-13-01'" in message


def test_parameters_reject_unknown_key():
    with pytest.raises(InputValidationError, match="unknown parameter.*thresold_ml"):
        RunParameters.from_dict({"thresold_ml": 2500})
