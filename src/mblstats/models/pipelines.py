"""The radiomics reduction pipeline: filters, z-scoring, mRMR, SMOTE and the LASSO.

Every step is fitted by ``Pipeline.fit`` on the rows it is given and only applied by
``transform``/``predict_proba``, so cross-validating the whole pipeline keeps scaling,
selection and resampling inside the training folds. SMOTE is an imbalanced-learn sampler:
the pipeline resamples during ``fit`` only, never when it transforms or predicts.

Step order: reproducible-feature subset, constant/near-duplicate filter, z-scoring, mRMR to
``k`` features, SMOTE (optional), LASSO. SMOTE runs after mRMR, so its nearest neighbours are
found among the ``k`` selected features rather than among 1316 mostly irrelevant ones.
"""

from __future__ import annotations

from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mblstats.selection.filters import ColumnSubset, RedundancyFilter
from mblstats.selection.mrmr import MRMRSelector
from mblstats.selection.radscore import LassoRadscore, RadscoreFormula


def build_reduction_pipeline(
    *,
    output: str = "radscore",
    mrmr_k: int = 30,
    max_abs_correlation: float = 0.95,
    reproducible_features=None,
    smote: bool = True,
    lasso_folds: int = 10,
    lambda_rule: str = "1se",
    n_lambdas: int = 100,
    seed: int = 2019,
) -> Pipeline:
    """Build the unfitted radiomics reduction pipeline.

    Parameters
    ----------
    output : {"radscore", "selected"}, default="radscore"
        Transform to the one-column radscore, or to the z-scored LASSO-selected features
        (the network's input).
    mrmr_k : int, default=30
    max_abs_correlation : float, default=0.95
        Near-duplicate bound of the redundancy filter.
    reproducible_features : sequence of str or None
        Features that passed the inter-reader ICC check; ``None`` keeps all.
    smote : bool, default=True
        Oversample the minority class with SMOTE before the LASSO.
    lasso_folds, lambda_rule, n_lambdas : see :class:`LassoRadscore`
    seed : int, default=2019
        Seed of SMOTE and of the LASSO's folds.

    Returns
    -------
    imblearn.pipeline.Pipeline
        Steps ``subset``, ``redundancy``, ``scale``, ``mrmr``, ``smote`` (when requested),
        ``lasso``.
    """
    steps = [
        ("subset", ColumnSubset(reproducible_features)),
        ("redundancy", RedundancyFilter(max_abs_correlation=max_abs_correlation)),
        ("scale", StandardScaler().set_output(transform="pandas")),
        ("mrmr", MRMRSelector(k=mrmr_k)),
    ]
    if smote:
        steps.append(("smote", SMOTE(random_state=seed)))
    steps.append(
        (
            "lasso",
            LassoRadscore(
                n_folds=lasso_folds,
                rule=lambda_rule,
                n_lambdas=n_lambdas,
                seed=seed,
                output=output,
            ),
        )
    )
    return Pipeline(steps)


def radscore_formula(pipeline: Pipeline) -> RadscoreFormula:
    """Return the radscore formula of a fitted reduction pipeline, with the scaler's means/SDs.

    The SDs are population SDs (``StandardScaler``), the convention glmnet uses.
    """
    import pandas as pd

    scaler = pipeline.named_steps["scale"]
    names = scaler.feature_names_in_
    means = pd.Series(scaler.mean_, index=names)
    stds = pd.Series(scaler.scale_, index=names)
    return pipeline.named_steps["lasso"].formula(means=means, stds=stds)
