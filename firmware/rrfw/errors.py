# Errors that cross layers: the app raises Reboot and rrfw/supervisor.py catches it;
# console commands raise CmdError and the console server turns it into an
# error reply. Both sides import them from here, so neither imports the other.


class Reboot(Exception):
    """Raised out of App.run() when the board must restart its app: after a
    reboot or factory-reset command, or to switch to a newly installed config."""

    def __init__(self, why):
        super().__init__(why)
        self.why = why


class CmdError(Exception):
    def __init__(self, code, msg, extra=None):
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.extra = extra
