# State that belongs to the board, not to one call or one line: the manual
# day/night override, the feature-code block list, the last caller's number
# (for "block the last caller") and the DISA PIN failure count and lock-out.
# The app owns one BoardState and hands it to every line's IVR; supervisor.py hands
# it on to the next app when a new config is switched in, so a soft restart
# keeps the RAM parts too. The override, the block list and the DISA PIN
# failures and lock-out are also kept on flash (ivr_state.json, replaced
# atomically) and survive a power cut: a brute force across reboots counts
# on, and a DISA locked when the power went is locked again, in full, from
# its first use after the boot (the board's ms clock starts again at 0).
import json

from rrfw.store import atomic

_PATH = const("ivr_state.json")
_MAX_BLOCKED = const(32)   # numbers in the feature-code block list; the oldest goes first, counted in .dropped


class BoardState:
    def __init__(self, path=_PATH):
        self.path = path
        self.override = None      # a schedule mode forced by hand, or None: follow the schedule
        self.blocked = []         # numbers blocked from the handset (*89), oldest first
        self.dropped = 0          # blocked numbers pushed out by newer ones
        self.last_caller = None   # the number of the last answered call; None when it had none
        self.last_caller_ms = 0   # board ms of that call (the retention purge, app.py)
        self.disa_fails = 0       # wrong DISA PINs in a row, across calls and lines
        # board ms until which DISA refuses every PIN; None: locked before the
        # reboot, locked again for disa_lock_ms from the first check
        self.disa_lock_until = -1
        self.disa_lock_ms = 0     # the lock-out's length while one is on (kept on flash)

    # --- the override and the block list -----------------------------------------
    def set_override(self, mode):
        """A schedule mode ("day", "night", ...) for all lines, or None (follow the schedule)."""
        self.override = mode

    def block_last_caller(self):
        """Add the last caller's number to the block list. Returns the number, or None
        when the last call had none (withheld, unavailable): nothing is blocked."""
        num = self.last_caller
        lst = self.blocked
        if num and num not in lst:
            if len(lst) >= _MAX_BLOCKED:
                lst.pop(0)
                self.dropped += 1
            lst.append(num)
        return num

    def is_blocked(self, number):
        return number in self.blocked

    def feature_code(self, cfg, code):
        """An extension dialled a feature code: apply it. Returns (what, mode_or_number),
        or None for a code the config does not have.

        cfg["feature_codes"]: {"*81": ["override", "night"], "*80": ["override", None], "*89": ["block_last"]}
        """
        fc = (cfg.get("feature_codes") or {}).get(code)
        if fc is None:
            return None
        if fc[0] == "override":
            self.set_override(fc[1])
            return ("override", fc[1])
        if fc[0] == "block_last":
            return ("block_last", self.block_last_caller())
        return None

    # --- DISA PIN failures -----------------------------------------------------
    def disa_locked(self, t_ms):
        if self.disa_lock_until is None:
            self.disa_lock_until = t_ms + self.disa_lock_ms
        if t_ms < self.disa_lock_until:
            return True
        if self.disa_lock_ms:
            self.disa_lock_ms = 0     # the lock-out is over: on flash too
            self._keep()
        return False

    def disa_ok(self):
        if self.disa_fails:
            self.disa_fails = 0
            self._keep()

    def disa_failed(self, t_ms, max_attempts, lockout_ms):
        """Count a wrong PIN; returns the count. The max_attempts-th locks DISA
        for lockout_ms and starts the count again. Each is on flash at once."""
        self.disa_fails += 1
        n = self.disa_fails
        if n >= max_attempts:
            self.disa_fails = 0
            self.disa_lock_until = t_ms + lockout_ms
            self.disa_lock_ms = lockout_ms
        self._keep()
        return n

    def _keep(self):
        try:
            self.save()
        except OSError:
            pass   # a full or failing flash: the RAM count still holds until a reboot

    # --- what survives a power cut ---------------------------------------------
    def saved(self):
        return {"override": self.override, "blocked": list(self.blocked),
                "disa": {"fails": self.disa_fails, "lock_ms": self.disa_lock_ms}}

    def restore(self, d):
        """Take back saved(); unknown or damaged parts are ignored."""
        if type(d) is not dict:
            return
        ov = d.get("override")
        if ov is None or type(ov) is str:
            self.override = ov
        bl = d.get("blocked")
        if type(bl) is list:
            self.blocked = [x for x in bl if type(x) is str][-_MAX_BLOCKED:]
        di = d.get("disa")
        if type(di) is dict:
            if type(di.get("fails")) is int and di["fails"] > 0:
                self.disa_fails = di["fails"]
            if type(di.get("lock_ms")) is int and di["lock_ms"] > 0:
                self.disa_lock_ms = di["lock_ms"]
                self.disa_lock_until = None

    def load(self):
        if self.path is None:
            return   # a board state kept in RAM only (tests)
        text = atomic.read_text(self.path)
        if text:
            try:
                self.restore(json.loads(text))
            except ValueError:
                pass   # a damaged file: start from the schedule

    def save(self):
        if self.path is None:
            return
        atomic.write_atomic(self.path, json.dumps(self.saved()))
