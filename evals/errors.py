"""Errors of the evals package."""


class EvalError(Exception):
    """Base class of the evaluation suite's errors (bad suite files, missing letters, ...)."""


class SuiteNotFound(EvalError):
    """A suite name or path that does not lead to a suite.json."""


class BadSuite(EvalError):
    """A suite file or gold item that cannot be used as written."""
