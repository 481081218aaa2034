"""Errors and warnings raised by ``mblstats.stats``.

``stats`` is a leaf package that imports no other ``mblstats`` module, so it defines its own
exception classes. Every error subclasses :class:`ValueError`, so callers that already catch
``ValueError`` keep working.
"""


class StatsInputError(ValueError):
    """An argument of a statistics function is invalid; the message names it and the fix."""


class SeparationError(StatsInputError):
    """A logistic regression has perfect or quasi-complete separation, so its MLE does not exist."""


class ConvergenceError(StatsInputError):
    """An iterative fit did not converge within its iteration limit."""


class StatsWarning(UserWarning):
    """Base class of the statistical caveats that ``mblstats.stats`` reports as warnings."""


class SmallExpectedCountWarning(StatsWarning):
    """A contingency table has expected counts below 5, so the χ² approximation is doubtful."""
