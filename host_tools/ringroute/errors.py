"""The host tools' exception hierarchy: each becomes one clear line for the user."""


class RingrouteError(Exception):
    """Base: str(e) is the message shown to the user (no traceback)."""
    exit_code = 1


class UsageError(RingrouteError):
    exit_code = 2


class ExpectationFailed(RingrouteError):
    """A scenario's expectation was not met."""
    exit_code = 3
