"""Small cohorts for the model tests: demo clinical rows joined to synthetic features."""

import numpy as np
import pytest

from mblstats.cohort.demo import make_demo_clinical
from mblstats.models.splits import mbl_outcome, random_split, split_ids
from mblstats.models.synthetic import synthetic_feature_table

# Fast settings: few features, short lambda grid, 5-fold inner CV.
FAST = {"mrmr_k": 6, "lasso_folds": 5, "n_lambdas": 20, "seed": 7}


@pytest.fixture(scope="session")
def small_cohort():
    """240 demo patients (random, stratified) with 40 synthetic features and a 7:3 split."""
    clinical = make_demo_clinical(2019)
    outcome = mbl_outcome(clinical)
    rng = np.random.default_rng(11)
    cases = outcome.index[outcome == 1].to_numpy()
    controls = outcome.index[outcome == 0].to_numpy()
    keep = np.concatenate([rng.choice(cases, 60, replace=False), rng.choice(controls, 180, replace=False)])
    clinical = clinical[clinical["patient_id"].isin(keep)].reset_index(drop=True)
    outcome = mbl_outcome(clinical)
    features = synthetic_feature_table(outcome, n_features=40, block_size=5, effect=0.8, seed=3)
    X = clinical.set_index("patient_id").join(features)
    split = random_split(clinical, seed=5)
    train, validation = split_ids(split, "train"), split_ids(split, "validation")
    return {
        "X": X,
        "y": outcome,
        "train": train,
        "validation": validation,
        "features": features,
        "clinical": clinical,
    }
