# caserun.py - the one runner for case files that run under both engines
# (tests/core_cases.py, ivr_cases.py, console_fw/check_console.py). A case
# file ends with
#     if __name__ == "__main__":
#         caserun.main(CASES, call)
# and is run as a script by the micropython binary (tests/support/casetest.py
# starts it and parses what it prints); under CPython pytest calls the same
# cases in-process through run_one(). Plain MicroPython: no pytest, no os.path.
#
# Output, one line per case, then one summary line:
#     CASE ok NAME
#     CASE skip NAME
#     CASE fail NAME: REPR-OF-THE-ERROR     (the traceback goes to stderr)
#     CASES RAN N FAILED F
import sys

SKIP = "skip"   # what a case returns when it has nothing to prove on this engine


def named(cases):
    """[(name, fn)] from functions, or from (name, fn) pairs as they are."""
    out = []
    for c in cases:
        if isinstance(c, tuple):
            out.append(c)
        else:
            out.append((c.__name__, c))
    return out


def discover(namespace, prefix="case_"):
    """Every function in a module's globals() whose name starts with prefix, by name."""
    return [(k, namespace[k]) for k in sorted(namespace) if k.startswith(prefix)]


def names(cases):
    return [n for n, _ in named(cases)]


def _default_call(name, fn):
    return fn()


def run_one(cases, name, call=None):
    """Run one case: returns "ok" or "skip"; a failure raises as the case did."""
    for n, fn in named(cases):
        if n == name:
            res = (call or _default_call)(n, fn)
            return SKIP if res == SKIP else "ok"
    raise KeyError("no case " + name)


def _traceback(e):
    if hasattr(sys, "print_exception"):
        sys.print_exception(e, sys.stderr)
    else:
        import traceback
        traceback.print_exception(type(e), e, e.__traceback__, file=sys.stderr)


def main(cases, call=None, only=()):
    """Run every case (or those named in `only`); report each, then exit 1 if any failed."""
    ran = 0
    failed = 0
    for name, fn in named(cases):
        if only and name not in only:
            continue
        ran += 1
        try:
            print("CASE", run_one([(name, fn)], name, call), name)
        except Exception as e:  # report and go on: one failure must not hide the others
            failed += 1
            _traceback(e)
            print("CASE fail %s: %r" % (name, e))
    print("CASES RAN %d FAILED %d" % (ran, failed))
    if failed:
        sys.exit(1)
