"""Feature reduction: constant/duplicate filter, inter-reader ICC, mRMR and the LASSO radscore.

Every step is a scikit-learn transformer fitted on training rows only, so a pipeline of them
can be cross-validated without leakage (see ``mblstats.models.pipelines``).
"""

from mblstats.selection.filters import ColumnSubset, RedundancyFilter
from mblstats.selection.lasso import (
    LassoCVResult,
    cross_validate_lambda,
    fit_l1_logistic,
    l1_logistic_path,
    lambda_grid,
)
from mblstats.selection.mrmr import MRMRSelector, fcq_ranking
from mblstats.selection.radscore import LassoRadscore, RadscoreFormula
from mblstats.selection.reproducibility import (
    ReproducibilityResult,
    feature_reproducibility,
    intraclass_correlation,
)

__all__ = [
    "ColumnSubset",
    "LassoCVResult",
    "LassoRadscore",
    "MRMRSelector",
    "RadscoreFormula",
    "RedundancyFilter",
    "ReproducibilityResult",
    "cross_validate_lambda",
    "fcq_ranking",
    "feature_reproducibility",
    "fit_l1_logistic",
    "intraclass_correlation",
    "l1_logistic_path",
    "lambda_grid",
]
