"""Clinical screening on training sets where a risk factor shows a single level."""

from mblstats.cohort.demo import make_demo_clinical
from mblstats.models.clinical import select_clinical_variables


def test_single_level_variable_left_out():
    clinical = make_demo_clinical(seed=2019).head(120).copy()
    clinical["approach"] = 1
    outcome = (clinical["blood_loss_ml"] > 3000).astype(int)

    selected, tests = select_clinical_variables(clinical, outcome)

    assert "approach" not in selected
    assert "approach" not in set(tests["variable"])
    assert "tumour_size_cm" in set(tests["variable"])
