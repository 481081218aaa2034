"""Synthetic radiomics feature tables, for tests and benchmarks without image extraction.

The table mimics the structure that matters to the reduction pipeline: features come in
correlated blocks (as the 14 filtered images of one pyradiomics feature do), a few blocks
shift with the outcome, one feature is constant and one duplicates another. It carries no
real radiomics information.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic_feature_table(
    outcome: pd.Series,
    n_features: int = 200,
    n_informative_blocks: int = 3,
    effect: float = 0.6,
    block_size: int = 10,
    seed: int = 0,
) -> pd.DataFrame:
    """Generate a feature table indexed like ``outcome`` (patient_id → 0/1).

    Parameters
    ----------
    outcome : Series of shape (n_patients,)
        0/1 outcome indexed by ``patient_id``.
    n_features : int, default=200
    n_informative_blocks : int, default=3
        Blocks whose latent factor shifts by ``effect`` SDs in MBL patients.
    effect : float, default=0.6
    block_size : int, default=10
        Features per correlated block (within-block correlation about 0.8).
    seed : int, default=0

    Returns
    -------
    DataFrame of shape (n_patients, n_features)
        Columns named ``synthetic_block{b}_feature{j}``.
    """
    rng = np.random.default_rng(seed)
    y = np.asarray(outcome, dtype=float)
    n_blocks = int(np.ceil(n_features / block_size))
    latent = rng.normal(size=(len(y), n_blocks))
    latent[:, :n_informative_blocks] += effect * (y - y.mean())[:, None]

    columns, values = [], []
    for feature in range(n_features):
        block = feature // block_size
        loading = rng.uniform(0.8, 1.0) * rng.choice([-1.0, 1.0])
        noise = rng.normal(scale=0.5, size=len(y))
        scale, shift = rng.lognormal(0, 1), rng.normal(0, 10)
        values.append(shift + scale * (loading * latent[:, block] + noise))
        columns.append(f"synthetic_block{block}_feature{feature % block_size}")
    table = pd.DataFrame(np.column_stack(values), index=outcome.index, columns=columns)
    table.iloc[:, -1] = 1.0  # constant, as some shape features are on equal masks
    table.iloc[:, -2] = 3.0 * table.iloc[:, 0] + 2.0  # exact duplicate up to scale
    return table
