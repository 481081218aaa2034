"""Pure statistics for the MBL study: discrimination, calibration, decision curves,
threshold metrics, logistic regression tables and univariate tests.

This package is a leaf: it imports only NumPy, SciPy, statsmodels and pandas, never another
``mblstats`` package, so the statistics can be audited alone. Every function validates its
input and raises :class:`StatsInputError` (a ``ValueError``) naming the bad argument.
"""

from ._errors import (
    ConvergenceError,
    SeparationError,
    SmallExpectedCountWarning,
    StatsInputError,
    StatsWarning,
)
from .calibration import (
    CalibrationSummary,
    calibration_curve_binned,
    calibration_curve_lowess,
    calibration_summary,
)
from .decision_curve import net_benefit
from .goodness_of_fit import HosmerLemeshowResult, hosmer_lemeshow
from .logistic import LogisticModel, logistic_regression
from .optimism import OptimismCorrectedCalibration, optimism_corrected_calibration
from .roc import DelongTestResult, RocAucResult, delong_test, roc_auc_ci
from .threshold import ThresholdMetrics, threshold_metrics, youden_threshold
from .univariate import (
    ChiSquareResult,
    ExactTestResult,
    MannWhitneyResult,
    chi_square,
    exact_test,
    mann_whitney,
    univariate_tests,
)

__all__ = [
    "CalibrationSummary",
    "ChiSquareResult",
    "ConvergenceError",
    "DelongTestResult",
    "ExactTestResult",
    "HosmerLemeshowResult",
    "LogisticModel",
    "MannWhitneyResult",
    "OptimismCorrectedCalibration",
    "RocAucResult",
    "SeparationError",
    "SmallExpectedCountWarning",
    "StatsInputError",
    "StatsWarning",
    "ThresholdMetrics",
    "calibration_curve_binned",
    "calibration_curve_lowess",
    "calibration_summary",
    "chi_square",
    "delong_test",
    "exact_test",
    "hosmer_lemeshow",
    "logistic_regression",
    "mann_whitney",
    "net_benefit",
    "optimism_corrected_calibration",
    "roc_auc_ci",
    "threshold_metrics",
    "univariate_tests",
    "youden_threshold",
]
