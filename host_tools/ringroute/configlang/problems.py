"""Problems found in a config file, each with its place: FILE:LINE:COL (1-based)."""
from ..errors import RingrouteError

ERROR = "error"
WARNING = "warning"


class Problem:
    __slots__ = ("file", "line", "col", "message", "severity")

    def __init__(self, file, line, col, message, severity=ERROR):
        self.file = file
        self.line = line
        self.col = col
        self.message = message
        self.severity = severity

    def __str__(self):
        sev = "" if self.severity == ERROR else "%s: " % self.severity
        return "%s:%d:%d: %s%s" % (self.file, self.line, self.col, sev, self.message)

    def __repr__(self):
        return "Problem(%r)" % str(self)

    def as_dict(self):
        return {"file": self.file, "line": self.line, "col": self.col,
                "message": self.message, "severity": self.severity}


class ConfigError(RingrouteError):
    """The config has errors; .problems lists all of them (warnings too)."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self):
        return "\n".join(str(p) for p in self.problems)


class Problems:
    """Collects problems against one file; `at(node, msg)` takes the node's start mark."""

    def __init__(self, file):
        self.file = file
        self.items = []

    def add(self, line, col, message, severity=ERROR):
        self.items.append(Problem(self.file, line, col, message, severity))

    def at(self, node, message, severity=ERROR):
        if node is None:
            self.add(1, 1, message, severity)
        else:
            m = node.start_mark
            self.add(m.line + 1, m.column + 1, message, severity)

    def warn(self, node, message):
        self.at(node, message, WARNING)

    @property
    def errors(self):
        return [p for p in self.items if p.severity == ERROR]

    def sorted(self):
        return sorted(self.items, key=lambda p: (p.line, p.col, p.severity != ERROR, p.message))
