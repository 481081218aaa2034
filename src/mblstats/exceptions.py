"""Errors and warnings shared by the pipeline packages (``stats`` keeps its own)."""


class MblstatsError(Exception):
    """Base class of the errors that mblstats raises on invalid input."""


class InputValidationError(MblstatsError, ValueError):
    """An input table, file or parameter is invalid; the message lists every problem found."""


class MblstatsWarning(UserWarning):
    """Base class of the warnings that mblstats emits about statistical caveats."""
