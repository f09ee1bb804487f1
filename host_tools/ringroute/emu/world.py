"""The virtual world around the emulated board, stepped one 10 ms block at a time:
the exchange and its callers on each trunk line, and the extension phones
with their agents. It produces the board's inputs (ring-detect pulses, loop
current, line audio, extension hook switches) and reacts to its outputs
(hook relay, SLIC ring, crosspoint, codec audio).

The crosspoint is modelled for real: audio passes between a line and an
extension only through the pairs the firmware has joined, so the agent hears
the caller only when the firmware has connected them.
"""
import bisect
import math
from array import array as _array

import numpy as np

from .. import audio
from . import sounds

BLOCK = 80
BLOCK_MS = 10
RATE = 8000
RING_EPISODE_GAP_MS = 6000  # longer than any ring cadence's off time (US 4 s, IT 4 s)
HEARD_DBM0 = -45.0          # audio above this level at a phone counts as heard
AGENT_PUTS_DOWN_MS = 1500   # an agent whose line went dead hangs up this long after
OUT_DIAL_DONE_MS = 3000     # the exchange takes the number as complete after this pause
PHONE_DIAL_AFTER_MS = 1500  # a person waits this long for dial tone before dialling
PHONE_LISTEN_MS = 2500      # and listens this long to the answer tone before hanging up
_HEARD_PEAK = audio.dbm0_to_peak(HEARD_DBM0)   # (worked out once: the same float)
_SILENCE = np.zeros(BLOCK)   # a block nobody hears anything in (never written)
_SILENCE.flags.writeable = False
_ZERO_BYTES = bytes(2 * BLOCK)   # a block of int16 silence
_ZERO_TX = np.zeros(BLOCK, np.int16)   # the same, as the board's output to a line (never written)
_ZERO_TX.flags.writeable = False
FINISHED = ("done", "gone_before_answer", "blocked")   # a caller's states after which it does nothing
FLASH_MS = 300              # a phone's flash (recall) button: "most phones emit a 300 ms flash"
                            # (TalkSwitch user manual, Flash Lengths)
HEAR_WINDOW_BLOCKS = 10     # who-hears-whom is judged over 100 ms: enough samples to tell voices apart
HEAR_GAIN = 0.5             # a talker's voice at half its level or more in what a listener gets: heard
SHIFT_RETRY_MS = 5000       # an agent whose code got no dial tone (no idle line) tries again after this
# The bridge check (remote agents): a block of what the board sends to a line
# counts as the other party's voice when it correlates with that voice this
# well. Two independent 80-sample voices correlate with a spread of about
# 1/sqrt(80) = 0.11, so 0.6 is five spreads away; the board's copy of a line's
# audio (the voice plus line noise and echo at -20 dB) correlates above 0.9.
BRIDGE_CORR = 0.6
REMOTE_VOICE = 15           # the remote agent's voice: sounds.agent_voice's table 15 (no phone has it)


try:   # the clip ufunc itself (np.clip's wrapper cost more than the sums it clips)
    from numpy._core.umath import clip as _clip
except ImportError:   # numpy < 2
    from numpy.core.umath import clip as _clip


def _dots(lv, tv):
    """listener x talker dot products of one block's (L x 80, T x 80) or of a stretch's
    blocks' (k x L x 80, k x T x 80): each an 80-sample sum along the last axis, so a
    block's sums are the same bits alone or in a stretch (World.steady_inputs; a
    matrix product would sum in another order)."""
    return np.add.reduce(lv[..., :, None, :] * tv[..., None, :, :], axis=-1)


def _powers(tv):
    """Each talker's power over the block(s), as _dots sums it."""
    return np.add.reduce(tv * tv, axis=-1)


def _to_int16(x):
    """audio.to_int16 (round, clip to 16 bits): the same values, one ufunc for the
    clip (np.maximum then np.minimum were two, once a block)."""
    r = np.rint(x)
    _clip(r, -32768.0, 32767.0, out=r)
    return r.astype(np.int16)


def _local_hm(utc, tz):
    """HH:MM at utc in an IANA zone (the emulated world's own clock, not the board's tables)."""
    import datetime
    from zoneinfo import ZoneInfo
    return datetime.datetime.fromtimestamp(utc, ZoneInfo(tz)).strftime("%H:%M")


def _key_tone(d, n0, start, end, lo_dbm0, hi_dbm0):
    lo, hi = _dtmf_freqs(d)
    idx = np.arange(n0, n0 + BLOCK)
    ms = idx / 8.0
    gate = (ms >= start) & (ms < end)
    return gate * (audio.dbm0_to_peak(lo_dbm0) * np.sin(2 * np.pi * lo * idx / RATE)
                   + audio.dbm0_to_peak(hi_dbm0) * np.sin(2 * np.pi * hi * idx / RATE))


def _dtmf_freqs(d):
    rows = (697, 770, 852, 941)      # Hz, ITU-T Q.23
    cols = (1209, 1336, 1477, 1633)
    keys = "123A456B789C*0#D"
    i = keys.index(d)
    return rows[i // 4], cols[i % 4]


# What a snapshot (World.snapshot) leaves as it is: set once, or only ever replaced
# by a new object (never changed in place), or the world's links to its run.
_WORLD_KEEP = frozenset(("sc", "cfg", "log", "profiles", "callers", "phones", "rng", "mix_rng",
                         "_by_at", "_line_names", "_board_names", "_tx_zero"))
_CALLER_KEEP = frozenset(("spec", "profile", "rng", "voice_tab"))
_PHONE_KEEP = frozenset(("spec", "voice_tab", "dials", "dial_ms"))
_RX_KEEP = frozenset(("_k",))


def _state(obj, keep):
    """obj's attributes, a container among them copied one level deep (what the
    world changes in place is a list, dict or set of its own, a numpy array of
    sums, or an array of the DTMF receiver's state)."""
    st = {}
    for k, v in obj.__dict__.items():
        if k not in keep:
            if isinstance(v, (list, dict, set, np.ndarray)):
                v = v.copy()
            elif isinstance(v, _array):
                v = _array(v.typecode, v)
        st[k] = v
    return st


def _put(obj, st):
    d = obj.__dict__
    d.clear()
    d.update(st)


class Caller:
    """One scripted inbound call on a line (scenario 'calls' entry)."""

    def __init__(self, spec, profile, rng):
        self.spec = spec
        self.profile = profile
        self.rng = rng
        self.state = "pending"       # pending, ringing, answered, gone
        self.t_answer = None
        self.t_connect = None
        self.t_prompt_end = None
        self.t_hangup = None
        self.key_plan = []           # [(start_ms, end_ms, digit, level, twist)] absolute
        self.keys_pending = list(spec["keys"])
        self.hangup_method = spec["hangup"]["method"]
        self.cpc_end = None
        self.line_index = None
        self.heard_agent = 0.0       # energy of the agent's voice reaching the caller
        self.voice = None            # this block's voice on the line (the heard check)
        self.voice_tab = None        # the caller's voice at its level, looped (sounds.caller_table)
        self.ntt = None              # NTT caller ID (Japan): the CAR handshake's state (_ntt)
        self.heard_remote_ms = 0     # ms the caller heard a remote agent's voice (bridged through the board)
        self.remote_from = None      # the line that remote agent was on
        # the line noise's standard deviation (None: no noise), worked out once, not every block
        nd = spec["noise_dbm0"]
        self.noise_sd = audio.dbm0_to_peak(nd) / math.sqrt(2) if nd > -90 else None


class Outbound:
    """A call the board dials out (a call-back, a campaign's number): dial tone,
    digits, ringback, busy or no answer, then the called party talks (and may
    press the opt-out key) and hangs up."""

    def __init__(self, line, profile, t):
        from rrfw.dsp import dtmf   # the exchange hears the digits with the firmware's own receiver
        self.line = line
        self.profile = profile
        self.state = "dialtone"
        self.t_state = t
        self.t_digit = t
        self.digits = []
        self.number = None
        self.spec = None
        self.rx = dtmf.DtmfReceiver()
        self.keys = []               # (start_ms, end_ms, digit): the called person's keys
        self.t_talk = None           # when the talk began (a remote agent: their accept key)
        self.accepted = False        # a remote agent pressed the accept key
        self.heard_caller_ms = 0     # ms a remote agent heard a caller's voice (bridged)
        self.heard_from = None       # the caller's line
        self.heard_board_ms = 0      # ms of the board's own audio (the whisper) before the key


class Phone:
    """An extension phone and the agent at it."""

    def __init__(self, ext, port, spec):
        self.ext = ext
        self.port = port
        self.spec = spec or {"answer": True, "answer_after": 3.0, "hangup_after": None,
                             "offhook_at": None, "onhook_at": None}
        self.offhook = False
        self.ring_started = None     # ms when ringing began (this ring episode)
        self.ringing = False
        self.t_offhook = None
        self.heard = []              # per block, RMS of line audio reaching this phone
        self.heard_caller_ms = 0     # ms during which caller audio was audible here
        self.last_ring = None
        self.t_parted = None         # when the board split this phone from its line
        self.was_joined = False      # put through to a line since lifting the handset
        self.keys = []               # (start_ms, end_ms, digit) dialled on this phone
        self.dialled = False
        self.n_dialled = 0           # dial sessions done (a scenario may give several)
        self.t_dial_end = None
        self.dial_stay_ms = PHONE_LISTEN_MS   # off-hook after the last key of a dial session
        self.shift_dial = False      # the dial session now is a shift's code (tried again if unserved)
        self.retry_at = 0            # ms: a shift's code tried again not before this
        self.last_heard = np.zeros(BLOCK)
        self.actions = list((spec or {}).get("actions") or [])   # what the agent does once in a call
        self.t_act = None            # when the next action's `after` counts from (None: not started)
        self.flash_until = None      # the hook is down for a flash until this ms
        self.voice = None            # this block's voice onto the pair it is joined to (heard check)
        self.voice_tab = sounds.agent_table(port)   # that voice, looped (sounds.agent_voice)
        # when the scenario makes this phone do something by itself (World._agent's quick look)
        d = self.spec.get("dial")
        self.dials = d if isinstance(d, list) else ([d] if d is not None else [])
        self.dial_ms = [int(d["at"] * 1000) for d in self.dials]
        at = self.spec.get("offhook_at")
        self.offhook_ms = int(at * 1000) if at is not None else None


class World:
    def __init__(self, scenario, cfg, n_lines, n_exts, log, profiles_mod=None, utc0=0):
        self.sc = scenario
        self.utc0 = utc0
        self.cfg = cfg
        self.n_lines = n_lines
        self.n_exts = n_exts
        self.log = log                    # log(t_ms, event, **fields)
        self.rng = np.random.default_rng(scenario["seed"])
        self.profiles = profiles_mod
        self.callers = []
        for spec in scenario["calls"]:
            country = spec.get("country") or self._line_country(spec["line"])
            self.callers.append(Caller(spec, sounds.profile(profiles_mod, country), self.rng))
        self.phones = []
        exts = cfg.get("extensions", {})
        by_port = {v["port"]: k for k, v in exts.items() if v.get("port") is not None}
        for p in range(n_exts):
            ext = by_port.get(p, "port%d" % p)
            spec = scenario["extensions"].get(ext)
            if spec and spec.get("shifts"):
                spec = dict(spec, dial=self._shift_dials(ext, spec))
            self.phones.append(Phone(ext, p, spec))
        # board outputs, as last seen
        self.hook = [False] * n_lines
        self.ext_ring = [False] * n_exts
        self.xmask = [0] * n_lines
        self.tx = np.zeros((n_lines, BLOCK), dtype=np.float64)
        self._line_names = ["line%d" % (li + 1) for li in range(n_lines)]    # the heard check's names
        self._board_names = ["board%d" % (li + 1) for li in range(n_lines)]
        self.tx_on = [False] * n_lines    # the board's output to line l is not all zero
        self._tx_zero = np.zeros((n_lines, BLOCK), dtype=np.float64)   # self.tx while it is silent
        self._tx_zero.flags.writeable = False
        self.rx_prev = np.zeros((n_lines, BLOCK), dtype=np.float64)
        self.active = [None] * n_lines    # the Caller on each line
        self.outbound = [None] * n_lines  # an Outbound call the board placed on each line
        self.faults = 0
        self.echo_gain = 10 ** (scenario["echo_db"] / 20.0)
        self.audio_checked = set()
        # this window's sums (_hearing): for the listeners and talkers of the last
        # block that had both, arrays [listener, talker] of dot and talker power;
        # a pair that dropped out of them keeps its sums in _hear_acc
        self._hear_acc = {}               # (listener, talker) -> [dot, talker power] this window
        self._hear_who = ((), ())         # (listeners, talkers) the arrays are for
        self._hear_dot = np.zeros((0, 0))
        self._hear_pow = np.zeros((0, 0))
        self._hear_pending = False        # sums taken since the last window's end
        self._hear_on = {}                # (listener, talker) -> ms the stretch being heard began
        self.mix_rng = np.random.default_rng(scenario["seed"] + 7)   # callee behaviour per attempt
        # each line's talker this block (the bridge check): a caller's voice, a remote agent's
        self.voice_in = [None] * n_lines
        self.voice_out = [None] * n_lines
        # Callers by the time they call: only those whose time has come and
        # who have not finished are looked at each block, in scenario order
        # (a week of calls costs a block no more than one call does).
        self._by_at = sorted(range(len(self.callers)), key=lambda i: (self.callers[i].spec["at"], i))
        self._next = 0      # the first of _by_at not yet due
        self._live = []     # indices into callers, ascending: due and not finished
        self._live_c = []   # those callers (the list made again only when _live changes)
        self._next_ms = -1  # when the next caller is due (ms; _due_callers looks then)

    def _shift_dials(self, ext, spec):
        """An agent's shifts as dial sessions of the config's own codes: out at the start
        when the first shift begins later, in at each `from`, out at each `to`."""
        from ..errors import RingrouteError
        codes = {}
        for code, what in (self.cfg.get("feature_codes") or {}).items():
            if what and what[0] == "agent":
                codes[tuple(what[1:3]) if what[1].endswith("_group") else (what[1],)] = code

        def code(kind, group):
            key = (kind + "_group", group) if group else (kind,)
            if key not in codes:
                raise RingrouteError("extension %s shifts: the config has no %s code%s" % (
                    ext, key[0], " for group " + group if group else ""))
            return codes[key]
        dials = list(spec.get("dial") or [])
        if not isinstance(spec.get("dial"), list) and spec.get("dial"):
            dials = [spec["dial"]]
        sh = spec["shifts"]
        if sh[0]["from"] > 1.0:
            dials.append({"at": 0.5, "digits": code("logout", None), "shift": True})
        for s in sh:
            dials.append({"at": s["from"], "digits": code("login", s["group"]), "shift": True})
            if s["to"] is not None:
                dials.append({"at": s["to"], "digits": code("logout", s["group"]), "shift": True})
        return sorted(dials, key=lambda d: d["at"])

    def _due_callers(self, t):
        by_at, callers = self._by_at, self.callers
        if t >= self._next_ms:
            while self._next < len(by_at) and callers[by_at[self._next]].spec["at"] * 1000 <= t:
                bisect.insort(self._live, by_at[self._next])
                self._next += 1
            self._next_ms = (callers[by_at[self._next]].spec["at"] * 1000 if self._next < len(by_at)
                             else float("inf"))
            self._live_c = [callers[i] for i in self._live]
        live = self._live_c
        for c in live:
            if c.state in FINISHED:
                self._live = [i for i in self._live if callers[i].state not in FINISHED]
                self._live_c = [callers[i] for i in self._live]
                break
        return live

    def all_done(self):
        """Every caller has called and finished."""
        if self._next != len(self._by_at):
            return False
        for c in self._live_c:   # (the callers of _live: a loop, not a generator, twice a block)
            if c.state not in FINISHED:
                return False
        return True

    def quiet_blocks(self, block, limit):
        """How many blocks from `block` on (at most `limit`) the board's inputs
        are all zero and nothing in the world moves, as long as the board's
        outputs stay as they are now: on-hook, silent, ringing nothing, the
        crosspoint open (blockframe.py, quiet runs). 0 while anything is going on."""
        if any(self.hook) or any(self.ext_ring) or any(self.xmask) or any(self.tx_on):
            return 0
        if any(a is not None for a in self.active) or any(o is not None for o in self.outbound):
            return 0
        t = block * BLOCK_MS
        n = limit
        for i in self._live:
            if self.callers[i].state not in FINISHED:
                return 0   # due and waiting for its line: it calls now
        if self._next < len(self._by_at):
            due = self.callers[self._by_at[self._next]].spec["at"] * 1000
            n = min(n, int(math.ceil(due / BLOCK_MS)) - block)
        if self._hear_pending or self._hear_on:
            return 0   # the heard check's window still has something to say
        for ph in self.phones:
            if (ph.ring_started is not None or ph.t_dial_end is not None or ph.keys
                    or ph.t_parted is not None or ph.flash_until is not None
                    or (ph.actions and ph.t_act is not None)):
                return 0   # a phone in use, or a script of actions (a transfer's) under way
            if ph.offhook:
                # a phone left off the hook (the scenario's offhook_at), nobody on its
                # pair: nothing moves it but its onhook_at or hangup_after, and its
                # hook bit is the same input every block (a quiet run repeats it)
                s = ph.spec
                if s.get("offhook_at") is None or ph.t_offhook is None:
                    return 0
                ms = s.get("onhook_at")
                if ms is not None:
                    ms = int(ms * 1000)
                    if ms >= t and ms % BLOCK_MS == 0:
                        n = min(n, ms // BLOCK_MS - block)
                if s.get("hangup_after") is not None:
                    n = min(n, -(-(ph.t_offhook + int(s["hangup_after"] * 1000)) // BLOCK_MS) - block)
            if ph.n_dialled < len(ph.dial_ms):
                n = min(n, -(-ph.dial_ms[ph.n_dialled] // BLOCK_MS) - block)
            ms = ph.offhook_ms
            if ms is not None and ms >= t and ms % BLOCK_MS == 0:
                n = min(n, ms // BLOCK_MS - block)
        return max(n, 0)

    # --- batches during calls (runner._batch, rremu/blockframe.py) -------------
    def snapshot(self):
        """Everything the world's next blocks change, to go back to (restore) when
        the board took fewer of a batch's blocks than the world computed: the
        world's own lists and sums, the callers not finished, the phones, the
        outbound calls with their DTMF receivers, both random generators."""
        callers = [(c, _state(c, _CALLER_KEEP)) for c in self.callers if c.state not in FINISHED]
        phones = [(ph, _state(ph, _PHONE_KEEP)) for ph in self.phones]
        obs = [(ob, _state(ob, ()), _state(ob.rx, _RX_KEEP)) for ob in self.outbound if ob is not None]
        return (_state(self, _WORLD_KEEP), callers, phones, obs,
                self.rng.bit_generator.state, self.mix_rng.bit_generator.state)

    def restore(self, snap):
        own, callers, phones, obs, rng, mix = snap
        _put(self, own)
        for obj, st in callers + phones:
            _put(obj, st)
        for ob, st, rx in obs:
            _put(ob, st)
            _put(ob.rx, rx)
        self.rng.bit_generator.state = rng
        self.mix_rng.bit_generator.state = mix

    def batch_blocks(self, block, limit):
        """How many blocks from `block` on (at most `limit`) before something the
        world has scheduled happens (a caller's hang-up or key, a caller due, a
        phone's key, dial, action or timer): a batch that ends there is most
        likely taken whole, since the board reacts to those a few blocks later."""
        t = block * BLOCK_MS
        end = t + limit * BLOCK_MS
        if self._next_ms < end:
            end = self._next_ms
        for c in self._live_c:
            if c.state in FINISHED:
                continue
            if c.t_hangup is not None and t <= c.t_hangup < end:
                end = c.t_hangup
            ms = self._gives_up_ms(c)
            if ms is not None and t <= ms < end:
                end = ms
            for k in c.key_plan:
                if t <= k[0] < end:
                    end = k[0]
        for ph in self.phones:
            for k in ph.keys:
                if t <= k[0] < end:
                    end = k[0]
            for ms in (ph.t_dial_end, ph.flash_until, ph.t_parted, ph.offhook_ms):
                if ms is not None and t <= ms < end:
                    end = ms
            if ph.n_dialled < len(ph.dial_ms) and t <= ph.dial_ms[ph.n_dialled] < end:
                end = ph.dial_ms[ph.n_dialled]
            if ph.t_act is not None and ph.actions:
                ms = ph.t_act + int(ph.actions[0]["after"] * 1000)
                if t <= ms < end:
                    end = ms
        # the block in which it happens is the batch's last
        return max(1, min(limit, int(end - t) // BLOCK_MS + 1))

    @staticmethod
    def _gives_up_ms(c):
        """When a ringing caller hangs up unanswered (_ringing's abandon test), or None."""
        h = c.spec["hangup"]
        if c.state != "ringing" or "at" not in h:
            return None
        return c.t_ring + h["at"] * 1000 - c.spec["at"] * 1000

    # --- steady stretches: many blocks of a batch at once -----------------------
    def _line_of(self, c):
        """The index of the line a caller is on (or waits for); None: not yet given one."""
        return c.line_index if c.spec["line"] == "any" else c.spec["line"] - 1

    def steady_blocks(self, block, limit):
        """How many blocks from `block` on (at most `limit`) inputs() would step with
        nothing but the audio and the sums moving, the board's outputs staying as they
        are and silent (a batch's blocks: runner._batch_ahead): every line either idle
        (on-hook, nobody on its pair), ringing, or a caller answered and in the call, no caller
        due or waiting for a free line, no outbound call, no key, hang-up, patience,
        dial, ring, flash, action or phone timer before the last of them (a phone's
        ring episode may be in its pause: it ends after them). 0 when the
        world is not so (the blocks then go one by one). steady_inputs() steps them
        all at once, with the same values."""
        if any(self.tx_on) or any(self.ext_ring):
            return 0
        t0 = block * BLOCK_MS
        end = t0 + limit * BLOCK_MS     # the blocks starting before this ms
        if self._next_ms < end:
            end = self._next_ms         # a caller due: inputs() takes them in
        nl = self.n_lines
        for c in self._live_c:
            if c.state in FINISHED:
                continue
            li = self._line_of(c)
            if c.state == "pending":
                if li is None or (li < nl and self.active[li] is None):
                    return 0            # due: it rings (or finds every line busy) now
            elif li is not None and li < nl and self.active[li] is not c:
                return 0
        joined = 0
        for li in range(nl):
            c = self.active[li]
            if self.outbound[li] is not None:
                return 0
            if c is None:
                if self.hook[li] or self.xmask[li]:
                    return 0            # a seizure (an outbound call starts) or a pair in use
                continue
            if c.state == "ringing":
                # ringing on an on-hook line (ring pulses, caller ID): steady until the
                # caller gives up; an NTT caller's handshake is not
                if self.hook[li] or self.xmask[li] or (c.ntt is not None and c.ntt["phase"] != "done"):
                    return 0
                ms = self._gives_up_ms(c)
                if ms is not None:
                    end = min(end, ms)
                continue
            if c.state != "answered" or not self.hook[li]:
                return 0
            joined |= self.xmask[li]
            for k in c.key_plan:
                if k[1] > t0:           # (a key over by now plays no more)
                    if k[0] < t0 + BLOCK_MS:
                        return 0
                    end = min(end, k[0] - BLOCK_MS + 1)   # the blocks that end by its start
            if c.t_hangup is not None:
                end = min(end, c.t_hangup)
            elif c.t_connect is None and "patience" in c.spec["hangup"]:
                end = min(end, c.t_answer + c.spec["hangup"]["patience"] * 1000)
        for ph in self.phones:
            if (ph.flash_until is not None or ph.t_parted is not None
                    or ph.t_dial_end is not None or (ph.actions and ph.t_act is not None)):
                return 0
            if ph.ring_started is not None:
                # a ring episode in its cadence's pause (nothing rings in a steady
                # stretch): _agent ends it once the pause is longer than any cadence's
                end = min(end, ph.last_ring + RING_EPISODE_GAP_MS + 1)
            for k in ph.keys:
                if k[1] > t0:
                    return 0
            s = ph.spec
            if not ph.offhook:
                if ph.n_dialled < len(ph.dial_ms):
                    end = min(end, ph.dial_ms[ph.n_dialled])
                if ph.offhook_ms is not None and ph.offhook_ms >= t0:
                    end = min(end, ph.offhook_ms)
                continue
            if s.get("onhook_at") is not None and int(s["onhook_at"] * 1000) >= t0:
                end = min(end, int(s["onhook_at"] * 1000))
            if ph.t_offhook is not None:
                if s["hangup_after"] is not None:
                    end = min(end, ph.t_offhook + s["hangup_after"] * 1000)
                if not (joined & (1 << ph.port)) and not ph.was_joined and s.get("offhook_at") is None:
                    end = min(end, ph.t_offhook + AGENT_PUTS_DOWN_MS)   # lifted, nobody put through
        if end <= t0:
            return 0
        return min(limit, int(math.ceil((end - t0) / BLOCK_MS)))

    def steady_inputs(self, block, k):
        """inputs() of the k blocks from `block` on, which steady_blocks() found steady:
        their audio (k x lines x 80 int16), ring pulses and flags (k x lines) and the
        phones' hook bits (the same in each). The same values and sums, bit for bit,
        as k calls of inputs() (the noise drawn in the same order, the heard check's
        sums added block by block, its windows judged at their blocks), and the world
        left as the last of them would leave it."""
        nl = self.n_lines
        t0 = block * BLOCK_MS
        n0 = block * BLOCK
        live = self._due_callers(t0)
        lines = np.zeros((k, nl, BLOCK))
        self.voice_in = [None] * nl
        self.voice_out = [None] * nl
        pulses = np.zeros((k, nl), np.int64)
        flags = np.zeros((k, nl), np.int64)
        # the line noise, drawn as inputs() draws it: block after block, the callers in turn
        noisy = [c for c in live if c.noise_sd is not None and c.state in ("answered", "ringing")
                 and self.active[self._line_of(c)] is c]
        z = self.rng.standard_normal((k, len(noisy), BLOCK)) if noisy else None
        callers = []    # (line, the caller's voice k x 80 or None) of the lines in a call
        for li in range(nl):
            c = self.active[li]
            if c is None:
                continue
            a = np.zeros((k, BLOCK))
            if c.state == "ringing":
                # _ringing's blocks: the ring-detect pulses, the caller ID's audio and its
                # line reversal, block by block (functions of the time alone), then the noise
                cid = c.cid
                for i in range(k):
                    el = t0 + i * BLOCK_MS - c.t_ring
                    pulses[i, li] = sounds.ring_pulses(c.profile, el)
                    if cid is not None:
                        a[i] += cid.block(el)
                        if cid.reversal_ms is not None and cid.reversal_ms <= el < 0:
                            flags[i, li] = 2
                if c in noisy:
                    a += c.noise_sd * z[:, noisy.index(c), :]
                lines[:, li] += a
                continue
            c.voice = None
            if c in noisy:
                a += c.noise_sd * z[:, noisy.index(c), :]   # (rng.normal(0, sd): 0 + sd * z)
            v = None
            if c.t_connect is not None and c.spec["talk"]:
                if c.voice_tab is None:
                    c.voice_tab = sounds.caller_table(c.spec["level_dbm0"], c.spec["speech"])
                v = sounds.cyclic_run(c.voice_tab, n0, k)
                c.voice = v[-1]
                self.voice_in[li] = v[-1]
                a += v
            lines[:, li] += a
            flags[:, li] = 1   # loop current, normal polarity
            callers.append((li, v))
        phones_on = np.zeros((k, nl, BLOCK))
        voices = {}     # phone -> its voice k x 80
        for ph in self.phones:
            ph.voice = None
        for li in range(nl):
            c = self.active[li]
            xm = self.xmask[li]
            if c is None or not xm:
                continue
            put = False
            for ph in self.phones:
                if xm & (1 << ph.port) and ph.offhook:
                    v = voices[ph] = sounds.cyclic_run(ph.voice_tab, n0, k)
                    ph.voice = v[-1]
                    phones_on[:, li] += v
                    put = True
            if put:
                lines[:, li] += phones_on[:, li]
        heard = self._phones_hear(lines)   # phone -> what reaches it, k x 80
        self._hear_steady(block, k, callers, voices, heard, phones_on)
        ext_bits = 0
        for ph in self.phones:
            if ph.offhook:
                ext_bits |= 1 << ph.port
                h = heard.get(ph)
                if h is not None:   # _agent's RMS of what it hears, each block (silence is never heard)
                    rms = np.sqrt(np.add.reduce(h * h, axis=1) / BLOCK)
                    ph.heard_caller_ms += BLOCK_MS * int(np.count_nonzero(rms > _HEARD_PEAK))
        self.rx_prev = lines[-1]
        return _to_int16(lines), pulses, flags, ext_bits

    def _phones_hear(self, lines):
        """What reaches each phone from the pairs it is joined to (with the board's
        output on them), in ph.last_heard (_SILENCE: on no pair). lines: this block's
        line audio (lines x 80), or a steady stretch's (k x lines x 80, the board
        silent: last_heard is its last block). Returns {phone: what it hears}."""
        joined = 0
        for xm in self.xmask:
            joined |= xm
        tx_on = self.tx_on
        out = {}
        for ph in self.phones:
            if not joined & (1 << ph.port):
                ph.last_heard = _SILENCE
                continue
            on = [li for li in range(self.n_lines) if self.xmask[li] & (1 << ph.port)]
            if len(on) == 1:
                # one pair (the usual): its sum itself, the same values as 0 + it
                li = on[0]
                h = lines[..., li, :] + self.tx[li] if tx_on[li] else lines[..., li, :]
            else:
                h = np.zeros(lines.shape[:-2] + (BLOCK,))
                for li in on:
                    # (a silent board adds zeros: left out, the same sums)
                    h += lines[..., li, :] + self.tx[li] if tx_on[li] else lines[..., li, :]
            out[ph] = h
            ph.last_heard = h if h.ndim == 1 else h[-1]
        return out

    def _hear_steady(self, block, k, callers, voices, heard, phones_on):
        """_hearing() of a steady stretch: the talkers and listeners are the same in each
        of its blocks; each block's sums are added in turn, windows judged as they end."""
        talkers, tv = [], []
        names = self._line_names
        for li, v in callers:
            if v is not None:
                talkers.append(names[li])
                tv.append(v)
        for ph in self.phones:
            if ph in voices:
                talkers.append(ph.ext)
                tv.append(voices[ph])
        listeners, lv = [], []
        silence = None
        for ph in self.phones:
            if ph.offhook:
                listeners.append(ph.ext)
                h = heard.get(ph)
                if h is None:
                    if silence is None:
                        silence = np.zeros((k, BLOCK))
                    h = silence
                lv.append(h)
        for li, v in callers:
            listeners.append(names[li])
            lv.append(phones_on[:, li])
        d = p = None
        if talkers and listeners:
            who = (tuple(listeners), tuple(talkers))
            if who != self._hear_who:
                self._hear_regroup(who)
            tv = np.stack(tv, axis=1)                     # k x T x 80
            d = _dots(np.stack(lv, axis=1), tv)           # k x L x T
            p = _powers(tv)                               # k x T
        dot, pw = self._hear_dot, self._hear_pow
        for i in range(k):
            if d is not None:
                dot += d[i]
                pw += p[i]
                self._hear_pending = True
            if not (block + i + 1) % HEAR_WINDOW_BLOCKS:
                self._hear_window((block + i) * BLOCK_MS)
                dot, pw = self._hear_dot, self._hear_pow

    def rings_a_line(self):
        """A caller is ringing one of the lines (the board on-hook: not answered yet)."""
        for c in self.active:
            if c is not None and c.state == "ringing":
                return True
        return False

    def _line_country(self, line):
        lines = self.cfg.get("lines", [])
        if not isinstance(line, int):
            line = 1   # "any": the office's lines share one country
        if 1 <= line <= len(lines):
            return lines[line - 1].get("country", "US")
        return "US"

    # ------------------------------------------------------------------
    def inputs(self, block):
        """The board's inputs for `block`: (pulses[], flags[], ext_hook bits, audio[n_lines][80])."""
        t = block * BLOCK_MS
        n0 = block * BLOCK
        pulses = [0] * self.n_lines
        loop = [False] * self.n_lines
        reversed_ = [False] * self.n_lines
        lines_audio = np.zeros((self.n_lines, BLOCK), dtype=np.float64)
        self.voice_in = [None] * self.n_lines
        self.voice_out = [None] * self.n_lines
        for c in self._due_callers(t):
            if c.spec["line"] == "any":
                if c.state == "pending":
                    if t < c.spec["at"] * 1000:
                        continue
                    # the exchange hunts the office's lines for a free one
                    # (a line the board has seized to call out is busy too)
                    free = [n - 1 for n in (c.spec.get("lines") or [1])
                            if n - 1 < self.n_lines and self.active[n - 1] is None
                            and self.outbound[n - 1] is None and not self.hook[n - 1]]
                    if not free:
                        c.state = "blocked"
                        self.log(t, "blocked", caller_id=c.spec["caller_id"],
                                 what="every line busy: the caller hears busy tone")
                        continue
                    c.line_index = free[0]
                if c.line_index is None:
                    continue
                li = c.line_index
            else:
                li = c.spec["line"] - 1
            if li >= self.n_lines:
                continue
            if c.state == "pending" and t >= c.spec["at"] * 1000 and self.active[li] is None:
                c.state = "ringing"
                self.active[li] = c
                if c.profile.get("cid_when") == "car":
                    c.cid = None
                    c.ntt = sounds.ntt_plan(c, t, self.rng)
                    c.t_ring = t
                else:
                    c.cid = sounds.callerid_plan(c, self.utc0 + t // 1000, self.rng)
                # caller ID sent before the first ring shifts the ringing later
                if c.cid is not None:
                    c.t_ring = t + max(0, -int(c.cid.t0_ms))
                elif c.ntt is None:
                    c.t_ring = t
                self.log(t, "call", line=li + 1, caller_id=c.spec["caller_id"], name=c.spec["name"],
                         country=c.profile["country"])
            if self.active[li] is not c:
                continue
            if c.state == "ringing":
                pulses[li], a, reversed_[li] = self._ringing(c, li, t, n0)
                lines_audio[li] += a
            elif c.state == "answered":
                lp, rev, a = self._connected(c, li, t, n0)
                loop[li], reversed_[li] = lp, rev
                lines_audio[li] += a
            elif c.state == "gone":
                lp, rev, a = self._after_hangup(c, li, t, n0)
                loop[li], reversed_[li] = lp, rev
                lines_audio[li] += a
        # The board seized a line nobody called on: an outbound call (call-back).
        for li in range(self.n_lines):
            if self.hook[li] and self.active[li] is None and self.outbound[li] is None:
                self.outbound[li] = Outbound(li, sounds.profile(self.profiles, self._line_country(li + 1)), t)
                self.log(t, "seized", line=li + 1)
            ob = self.outbound[li]
            if ob is not None:
                if not self.hook[li]:
                    if ob.state != "done":
                        self.log(t, "outbound_end", line=li + 1, number=ob.number, state=ob.state,
                                 digits="".join(ob.digits))
                    if ob.accepted:
                        self.log(t, "line_audio", line=li + 1, from_line=ob.heard_from,
                                 heard_ms=ob.heard_caller_ms, ok=ob.heard_caller_ms > 0, who="remote_agent")
                    if ob.state in ("talking", "gone"):
                        self._disposition(ob, li, t)
                    self.outbound[li] = None
                    continue
                lp, rev, a = self._outbound(ob, li, t, n0)
                loop[li], reversed_[li] = lp, rev
                lines_audio[li] += a
        # Audio that crosses the crosspoint: agents' voices onto joined lines,
        # and each line's audio (caller + board's prompt) to joined phones.
        phones_on = np.zeros((self.n_lines, BLOCK))   # what the phones put on each pair
        tx_on = self.tx_on
        for ph in self.phones:
            ph.voice = None
        for li in range(self.n_lines):
            c = self.active[li]
            xm = self.xmask[li]
            joined = [ph for ph in self.phones if xm & (1 << ph.port) and ph.offhook] if xm else ()
            # the agent talks while the caller is there, and listens once they are gone; on an
            # idle line's pair (a transfer's consultation) while someone else is on it too
            talking = c is not None and c.state == "answered" or (not self.hook[li] and len(joined) >= 2)
            put = False   # anything on the pair (else adding its zeros changes nothing)
            for ph in joined:
                if talking:
                    ph.voice = sounds.cyclic(ph.voice_tab, n0)   # sounds.agent_voice(n0, ph.port)
                    phones_on[li] += ph.voice
                    put = True
                if ph.keys:
                    phones_on[li] += self._phone_keys(ph, t, n0)
                    put = True
            if put:
                lines_audio[li] += phones_on[li]
            # the board's own output leaks back through the hybrid (echo)
            if tx_on[li]:
                lines_audio[li] += self.echo_gain * self.tx[li]
        self._phones_hear(lines_audio)
        self._hearing(t, phones_on)
        ext_ring = self.ext_ring
        for ph in self.phones:
            if (not ph.offhook and ph.ring_started is None and not ext_ring[ph.port]
                    and ph.flash_until is None and not (ph.actions and ph.t_act is not None)):
                # on the hook, not ringing, no script of actions under way: only the
                # scenario's own times move it
                nd = ph.n_dialled
                if (nd >= len(ph.dial_ms) or t < ph.dial_ms[nd]) and t != ph.offhook_ms:
                    continue
            self._agent(ph, t)
        ext_bits = 0
        for ph in self.phones:
            if ph.offhook:
                ext_bits |= 1 << ph.port
        flags = [(1 if loop[i] else 0) | (2 if reversed_[i] else 0) for i in range(self.n_lines)]
        self.rx_prev = lines_audio
        return pulses, flags, ext_bits, _to_int16(lines_audio)

    def _ringing(self, c, li, t, n0):
        el = t - c.t_ring
        h = c.spec["hangup"]
        if "at" in h and el >= h["at"] * 1000 - c.spec["at"] * 1000:
            c.state = "gone_before_answer"
            self.active[li] = None
            self.log(t, "hangup", line=li + 1, method="abandon_ringing")
            return 0, np.zeros(BLOCK), False
        if c.ntt is not None and c.ntt["phase"] != "done":
            p, a = self._ntt(c, li, t)
            if c.noise_sd is not None:
                a += self.rng.normal(0, c.noise_sd, BLOCK)
            return p, a, False
        if self.hook[li]:
            c.state = "answered"
            c.t_answer = t
            self._plan_keys(c, "answer", t)
            self._schedule_hangup(c, t)
            return 0, np.zeros(BLOCK), False
        # ring-detect optocoupler: one pulse per half-cycle of the ring voltage
        p = sounds.ring_pulses(c.profile, el)
        a = np.zeros(BLOCK)
        rev = False
        if c.cid is not None:
            a += c.cid.block(el)
            # a line reversal announces caller ID sent before the first ring
            # (ETSI EN 300 659-1, BT SIN 227); polarity is normal again for ringing
            rev = c.cid.reversal_ms is not None and c.cid.reversal_ms <= el < 0
        if c.noise_sd is not None:
            a += self.rng.normal(0, c.noise_sd, BLOCK)
        return p, a, rev

    def _ntt(self, c, li, t):
        """NTT's Number Display handshake (rrfw/line/car.py has the sources): CAR until
        the board closes the loop (6 s at most), the FSK frame on the closed loop,
        then normal ringing once the board hangs up again."""
        n = c.ntt
        a = np.zeros(BLOCK)
        if n["phase"] == "car":
            el = t - n["t0"]
            if self.hook[li]:
                n["phase"] = "data"
                n["t_data"] = t + sounds.NTT_DATA_DELAY_MS
                self.log(t, "car_answered", line=li + 1)
                return 0, a
            if el >= sounds.NTT_CAR_MAX_MS:
                n["phase"] = "done"          # no primary response: ring without caller ID
                c.t_ring = t
                self.log(t, "car_unanswered", line=li + 1)
                return 0, a
            return sounds.car_pulses(c.profile, el), a
        # data: the frame on the closed loop, then wait for the board's on-hook
        if not self.hook[li]:
            n["phase"] = "done"
            c.t_ring = t + sounds.NTT_RING_DELAY_MS
            self.log(t, "car_received", line=li + 1, after_ms=t - n["t_data"])
            return 0, a
        i = (t - n["t_data"]) * 8
        sig = n["signal"]
        if 0 <= i < len(sig):
            k = min(BLOCK, len(sig) - i)
            a[:k] = sig[i:i + k]
        elif i < 0 < i + BLOCK:
            a[-i:] = sig[:BLOCK + i]
        if t - n["t_data"] > sounds.NTT_OFFHOOK_MAX_MS:
            # the terminal never said "reception complete": the exchange takes it as an answer
            n["phase"] = "done"
            self.faults += 1
            self.log(t, "fault", line=li + 1, what="off-hook after the NTT caller ID: taken as an answer")
        return 0, a

    def _plan_keys(self, c, after, t):
        for k in [k for k in c.keys_pending if k["after"] == after]:
            start = t + int(k["at"] * 1000)
            for d in k["digits"]:
                end = start + k["duration_ms"]
                c.key_plan.append((start, end, d, k["level_dbm0"], k["twist_db"]))
                start = end + int(k["gap"] * 1000)
            c.keys_pending.remove(k)

    def _schedule_hangup(self, c, t):
        h = c.spec["hangup"]
        if "after" in h:
            c.t_hangup = t + int(h["after"] * 1000)

    def _connected(self, c, li, t, n0):
        a = np.zeros(BLOCK)
        if not self.hook[li]:
            # the board hung up on the caller (menu done, call-back promised...)
            self._caller_done(c, li, t)
            self.active[li] = None
            self.log(t, "caller_released", line=li + 1)
            return False, False, a
        if c.noise_sd is not None:
            a += self.rng.normal(0, c.noise_sd, BLOCK)
        for (s, e, d, lvl, tw) in c.key_plan:
            if s < t + BLOCK_MS and e > t:
                lo, hi = _dtmf_freqs(d)  # caller's keys: row tone weaker by twist_db
                idx = np.arange(n0, n0 + BLOCK)
                ms = idx / 8.0
                gate = (ms >= s) & (ms < e)
                amp_lo = audio.dbm0_to_peak(lvl - tw / 2.0)
                amp_hi = audio.dbm0_to_peak(lvl + tw / 2.0)
                tone = amp_lo * np.sin(2 * np.pi * lo * idx / RATE) + amp_hi * np.sin(2 * np.pi * hi * idx / RATE)
                a += tone * gate
                if s >= t and s < t + BLOCK_MS:
                    self.log(s, "key", line=li + 1, digit=d)
        c.voice = None
        if c.t_connect is not None and c.spec["talk"]:
            if c.voice_tab is None:
                c.voice_tab = sounds.caller_table(c.spec["level_dbm0"], c.spec["speech"])
            v = sounds.cyclic(c.voice_tab, n0)   # sounds.caller_voice's block
            c.voice = v
            self.voice_in[li] = v
            a += v
        h = c.spec["hangup"]
        if ("patience" in h and c.t_connect is None and c.t_hangup is None
                and t - c.t_answer >= h["patience"] * 1000):
            c.t_hangup = t   # nobody came: the caller gives up
            self.log(t, "abandon", line=li + 1, waited_ms=t - c.t_answer)
        if c.t_hangup is not None and t >= c.t_hangup:
            c.state = "gone"
            c.t_gone = t
            self.log(t, "hangup", line=li + 1, method=c.hangup_method)
            return self._after_hangup(c, li, t, n0)
        return True, False, a

    def _after_hangup(self, c, li, t, n0):
        """What the line does once the caller has hung up and the board is still off-hook."""
        if not self.hook[li]:
            # released: the line is free for the next call
            self.active[li] = None
            self._caller_done(c, li, t)
            return False, False, np.zeros(BLOCK)
        el = t - c.t_gone
        m = c.hangup_method
        a = np.zeros(BLOCK)
        if c.noise_sd is not None:
            a += self.rng.normal(0, c.noise_sd, BLOCK)
        if m == "cpc":
            # loop current drops for cpc_ms, then the exchange offers dial tone
            if el < (c.spec["cpc_ms"] or c.profile.get("cpc_ms", 800)):
                return False, False, a
            return True, False, a + sounds.tone(c.profile, "dial", n0, el - (c.spec["cpc_ms"] or c.profile.get("cpc_ms", 800)))
        if m == "reversal":
            return True, True, a
        if m == "busy":
            return True, False, a + sounds.tone(c.profile, "busy", n0, el)
        if m == "reorder":
            return True, False, a + sounds.tone(c.profile, "reorder", n0, el)
        return True, False, a  # silence / none: nothing but line noise

    def _outbound(self, ob, li, t, n0):
        """The exchange and the called party for a call the board dials out."""
        a = np.zeros(BLOCK)
        el = t - ob.t_state
        if ob.state == "dialtone":
            a += sounds.tone(ob.profile, "dial", n0, el)
        elif ob.state == "digits":
            if t - ob.t_digit >= OUT_DIAL_DONE_MS:
                ob.number = "".join(ob.digits)
                ob.spec = self._callee(ob.number)
                fields = {"line": li + 1, "number": ob.number, "behaviour": ob.spec["behaviour"]}
                if ob.spec.get("tz"):
                    fields["tz"] = ob.spec["tz"]
                    fields["local"] = _local_hm(self.utc0 + t // 1000, ob.spec["tz"])
                self.log(t, "dialled", **fields)
                ob.state = "busy" if ob.spec["busy"] else "ringback"
                ob.t_state = t
        elif ob.state == "ringback":
            a += sounds.tone(ob.profile, "ringback", n0, el)
            if ob.spec["answer"] and el >= ob.spec["answer_after"] * 1000:
                ob.state = "talking"
                ob.t_state = t
                ob.t_talk = t
                self.log(t, "callee_answer", line=li + 1, number=ob.number)
                if ob.spec.get("opt_out_after") is not None:
                    s0 = t + int(ob.spec["opt_out_after"] * 1000)
                    ob.keys.append((s0, s0 + 120, ob.spec.get("opt_out_key", "9")))
                if ob.spec.get("accept"):
                    # a remote agent: hears the whisper, then presses the accept key
                    s0 = t + int(ob.spec.get("accept_after", 4.0) * 1000)
                    ob.keys.append((s0, s0 + 120, ob.spec["accept"]))
                    ob.t_talk = None   # the talk time runs from the key
        elif ob.state == "busy":
            a += sounds.tone(ob.profile, "busy", n0, el)
        elif ob.state == "talking":
            if ob.accepted:
                # a remote agent after the key: their own voice (the bridge check knows it)
                v = sounds.agent_voice(n0, REMOTE_VOICE, -20.0)
                self.voice_out[li] = v
                a += v
            else:
                a += sounds.caller_voice(n0, -20.0, self.rng)   # "hello?"
            for (ks, ke, d) in ob.keys:
                if ks < t + BLOCK_MS and ke > t:
                    a += _key_tone(d, n0, ks, ke, -8.0, -6.0)
                    if ks >= t and ks < t + BLOCK_MS:
                        self.log(ks, "callee_key", line=li + 1, number=ob.number, digit=d)
                if ke <= t < ke + BLOCK_MS and d == ob.spec.get("accept") and not ob.accepted:
                    ob.accepted = True
                    ob.t_talk = t
                    self.log(t, "remote_accepted", line=li + 1, number=ob.number, heard_ms=ob.heard_board_ms)
            if ob.t_talk is not None and t - ob.t_talk >= ob.spec["talk"] * 1000:
                ob.state = "gone"
                ob.t_state = t
                self.log(t, "hangup", line=li + 1, method="cpc", number=ob.number)
        elif ob.state == "gone":
            cpc = ob.profile.get("cpc_ms", 800)
            return el >= cpc, False, a   # loop current drops for the CPC, then returns
        return True, False, a

    def _callee(self, number):
        """How the called person behaves on this attempt: their own entry in
        `callees`, else a draw from `callee_mix` (the same seed, the same morning)."""
        spec = self.sc.get("callees", {}).get(number)
        mix = self.sc.get("callee_mix")
        if spec is None and mix:
            r = float(self.mix_rng.random())
            spec = dict(mix.get("answered", {}))
            beh = "answer"
            acc = 0.0
            for k in ("busy", "no_answer", "opt_out", "wrong_number"):
                acc += mix.get(k, 0.0)
                if r < acc:
                    beh = k
                    break
            if beh == "busy":
                spec["busy"] = True
            elif beh == "no_answer":
                spec["answer"] = False
            elif beh == "opt_out":
                spec["opt_out_after"] = 4.0
                spec["talk"] = 12.0
            elif beh == "wrong_number":
                spec["talk"] = 6.0
                spec["disposition"] = mix.get("wrong_number_key", "4")
            else:
                lo, hi = mix.get("talk", [30.0, 120.0])
                spec["talk"] = lo + (hi - lo) * float(self.mix_rng.random())
                spec.setdefault("answer_after", 4.0 + 14.0 * float(self.mix_rng.random()))
                # the key the agent presses after the call: {key: share}
                r2 = float(self.mix_rng.random())
                acc = 0.0
                for key, share in sorted((mix.get("dispositions") or {}).items()):
                    acc += share
                    if r2 < acc:
                        spec["disposition"] = key
                        break
            spec["behaviour"] = beh
        spec = spec or {}
        out = {"answer": spec.get("answer", True), "answer_after": spec.get("answer_after", 6.0),
               "talk": spec.get("talk", 20.0), "busy": spec.get("busy", False),
               "opt_out_after": spec.get("opt_out_after"), "opt_out_key": spec.get("opt_out_key", "9"),
               "disposition": spec.get("disposition"), "tz": spec.get("tz"),
               "accept": spec.get("accept"), "accept_after": spec.get("accept_after", 4.0)}
        out["behaviour"] = spec.get("behaviour") or (
            "busy" if out["busy"] else "no_answer" if not out["answer"] else
            "opt_out" if out["opt_out_after"] is not None else
            "remote_agent" if out["accept"] else "answer")
        return out

    def _hear_dialling(self, li, t, tx):
        """The exchange's DTMF receiver on an outbound line (the firmware's own
        receiver, run here on the board's output)."""
        ob = self.outbound[li]
        if ob is None or ob.state not in ("dialtone", "digits"):
            return
        from array import array
        ob.rx.process(array("h", tx.astype("<i2").tobytes()), t)
        ev = ob.rx.pop()
        if ev is not None:
            ob.digits.append(ev["digit"])
            ob.t_digit = t
            ob.state = "digits"

    def _disposition(self, ob, li, t):
        """The agent still on the line's pair after an answered outbound call keys
        the disposition: the callee's own (`callees` / callee_mix), else the
        extension's `disposition`, a second after the line went on-hook."""
        for ph in self.phones:
            if not (self.xmask[li] & (1 << ph.port)) or not ph.offhook:
                continue
            keys = (ob.spec or {}).get("disposition") or ph.spec.get("disposition")
            if keys:
                start = t + 1000
                for ch in str(keys):
                    ph.keys.append((start, start + 100, ch))
                    start += 200
                self.log(t, "agent_disposition", ext=ph.ext, keys=str(keys))

    def _phone_keys(self, ph, t, n0):
        """DTMF from an extension's keypad (feature codes), 100 ms on / 100 ms off."""
        a = np.zeros(BLOCK)
        for (start, end, d) in ph.keys:
            if start < t + BLOCK_MS and end > t:
                lo, hi = _dtmf_freqs(d)
                idx = np.arange(n0, n0 + BLOCK)
                ms = idx / 8.0
                gate = (ms >= start) & (ms < end)
                a += gate * (audio.dbm0_to_peak(-8.0) * np.sin(2 * np.pi * lo * idx / RATE)
                             + audio.dbm0_to_peak(-6.0) * np.sin(2 * np.pi * hi * idx / RATE))
        return a

    def _agent(self, ph, t):
        s = ph.spec
        dials = ph.dials
        # the next dial session (a scenario may give several), once the phone is down
        d = dials[ph.n_dialled] if ph.n_dialled < len(dials) else None
        if d is not None and d.get("shift") and (self.ext_ring[ph.port] or ph.ring_started is not None
                                                 or t < ph.retry_at):
            d = None   # a shift's code waits: the phone is ringing (lifting would answer it)
        if d is not None and not ph.offhook and t >= int(d["at"] * 1000):
            # someone picks up the extension, waits for dial tone, dials a code
            ph.dialled = True
            ph.n_dialled += 1
            ph.shift_dial = bool(d.get("shift"))
            if ph.shift_dial:
                ph.was_joined = False   # served or not: this session's own answer
            ph.offhook = True
            ph.t_offhook = t
            start = t + PHONE_DIAL_AFTER_MS
            for ch in d["digits"]:
                ph.keys.append((start, start + 100, ch))
                start += 200
            ph.t_dial_end = start
            ph.dial_stay_ms = int(d["stay"] * 1000) if d.get("stay") is not None else PHONE_LISTEN_MS
            if d.get("actions"):
                # the dial's own script, timed from its last key (it replaces the phone's)
                ph.actions = list(d["actions"])
                ph.t_act = start
            self.log(t, "ext_dial", ext=ph.ext, digits=d["digits"])
        if ph.t_dial_end is not None and ph.offhook and t >= ph.t_dial_end + ph.dial_stay_ms:
            ph.offhook = False
            ph.t_offhook = None
            ph.t_dial_end = None
            ph.keys = []
            self.log(t, "agent_hangup", ext=ph.ext)
            return
        if self._actions(ph, t):
            return
        # forced hook changes (a phone left off-hook, picked up to dial)
        if s.get("offhook_at") is not None and not ph.offhook and t == int(s["offhook_at"] * 1000):
            ph.offhook = True
            ph.t_offhook = t
            self.log(t, "agent_offhook", ext=ph.ext)
        if s.get("onhook_at") is not None and ph.offhook and t == int(s["onhook_at"] * 1000):
            ph.offhook = False
            self.log(t, "agent_hangup", ext=ph.ext)
        # A ring episode lasts while the board keeps ringing this phone,
        # cadence pauses included (RING_EPISODE_GAP_MS bridges the off time).
        if self.ext_ring[ph.port]:
            if ph.ring_started is None:
                ph.ring_started = t
            ph.last_ring = t
        elif ph.ring_started is not None and t - ph.last_ring > RING_EPISODE_GAP_MS:
            ph.ring_started = None
        # The agent lifts the handset on the first ring burst at or after
        # answer_after: people answer a phone that is ringing, not one that was.
        if not ph.offhook and ph.ring_started is not None and s["answer"] and self.ext_ring[ph.port]:
            if t - ph.ring_started >= s["answer_after"] * 1000:
                ph.offhook = True
                ph.t_offhook = t
                ph.heard_caller_ms = 0
                ph.ring_started = None
                ph.was_joined = False
                self.log(t, "agent_answer", ext=ph.ext)
                if ph.actions and ph.t_act is None:
                    ph.t_act = t          # the agent's script starts with the first call answered
        if ph.offhook and ph.t_offhook is not None and s["hangup_after"] is not None:
            if t - ph.t_offhook >= s["hangup_after"] * 1000:
                ph.offhook = False
                ph.t_offhook = None
                self.log(t, "agent_hangup", ext=ph.ext)
        if (ph.offhook and ph.t_parted is None and ph.t_offhook is not None and s.get("offhook_at") is None
                and t - ph.t_offhook >= AGENT_PUTS_DOWN_MS and not ph.was_joined
                and not any(self.xmask[li] & (1 << ph.port) for li in range(self.n_lines))):
            ph.t_parted = t - AGENT_PUTS_DOWN_MS   # lifted, but nobody was put through: silence
        if ph.offhook and ph.t_parted is not None and t - ph.t_parted >= AGENT_PUTS_DOWN_MS:
            ph.offhook = False
            ph.t_offhook = None
            ph.t_parted = None
            if ph.t_dial_end is not None and ph.shift_dial and not ph.was_joined:
                # a shift's code got no dial tone (no idle line, another phone dialling): again later
                ph.n_dialled -= 1
                ph.retry_at = t + SHIFT_RETRY_MS
                self.log(t, "shift_retry", ext=ph.ext)
            ph.t_dial_end = None   # a dial session nobody served ends with the handset down
            ph.keys = []
            self.log(t, "agent_hangup", ext=ph.ext)
        if ph.offhook and ph.last_heard is not _SILENCE:   # (silence is never heard)
            x = ph.last_heard   # the RMS as np.mean computes it (the same sum, the same division)
            rms = math.sqrt(float(np.add.reduce(x * x)) / BLOCK)
            if rms > _HEARD_PEAK:
                ph.heard_caller_ms += BLOCK_MS

    def _actions(self, ph, t):
        """The agent's script once in a call (scenario `actions`): flash the hook,
        dial, hang up, each `after` seconds after the previous one ended. True
        when the phone's hook changed in this block."""
        if ph.flash_until is not None:
            if t < ph.flash_until:
                return True
            ph.flash_until = None
            ph.offhook = True             # the flash is over: the handset is still in the hand
            return True
        if ph.t_act is None or not ph.actions or t < ph.t_act + int(ph.actions[0]["after"] * 1000):
            return False
        a = ph.actions.pop(0)
        ph.t_act = t
        if a["do"] == "flash":
            if not ph.offhook:
                return False
            ms = a.get("ms") or FLASH_MS
            ph.offhook = False
            ph.flash_until = t + ms
            ph.t_act = t + ms
            self.log(t, "flash", ext=ph.ext, ms=ms)
            return True
        if a["do"] == "dial":
            start = t
            for ch in a["digits"]:
                ph.keys.append((start, start + 100, ch))
                start += 200
            ph.t_act = start
            self.log(t, "ext_keys", ext=ph.ext, digits=a["digits"])
            return False
        if a["do"] == "leave":
            ph.spec = dict(ph.spec, answer=False)   # walks away: the phone rings unanswered from now
            self.log(t, "agent_away", ext=ph.ext)
            return False
        if a["do"] == "hangup" and ph.offhook:
            ph.offhook = False
            ph.t_offhook = None
            ph.t_parted = None
            ph.keys = []
            self.log(t, "agent_hangup", ext=ph.ext)
            return True
        return False

    def _hearing(self, t, phones_on):
        """Who hears whom, from the audio itself: each talker's voice this block
        (a caller on a line, an agent at a phone) against what each listener gets
        (a phone: its pairs and the board's output to them; a caller: the phones
        on the line's pair and the board's output), as the gain of that voice in
        it over HEAR_WINDOW_BLOCKS. World event `heard` {listener, talker,
        start_ms, end_ms} for each stretch a talker was heard; the board's output
        on pair N (prompts, hold music, tones) is the talker `boardN`."""
        talkers, tv = [], []
        names, boards = self._line_names, self._board_names
        tx_on = self.tx_on
        for li in range(self.n_lines):
            c = self.active[li]
            if c is not None and c.voice is not None and c.state == "answered":
                talkers.append(names[li])
                tv.append(c.voice)
        for ph in self.phones:
            if ph.voice is not None:
                talkers.append(ph.ext)
                tv.append(ph.voice)
        for li in range(self.n_lines):
            if tx_on[li]:
                talkers.append(boards[li])   # the board's own output on that pair
                tv.append(self.tx[li])
        listeners, lv = [], []
        for ph in self.phones:
            if ph.offhook:
                listeners.append(ph.ext)
                lv.append(ph.last_heard)
        for li in range(self.n_lines):
            c = self.active[li]
            if c is not None and c.state == "answered" and self.hook[li]:
                listeners.append(names[li])
                lv.append(phones_on[li] + self.tx[li] if tx_on[li] else phones_on[li])
        if talkers and listeners:
            who = (tuple(listeners), tuple(talkers))
            if who != self._hear_who:
                self._hear_regroup(who)
            tv = np.asarray(tv)
            self._hear_dot += _dots(np.asarray(lv), tv)   # listener x talker
            self._hear_pow += _powers(tv)                 # each talker's power, for every listener
            self._hear_pending = True
        if (t // BLOCK_MS + 1) % HEAR_WINDOW_BLOCKS:
            return
        self._hear_window(t)

    def _hear_window(self, t):
        """The end of a window of the heard check (the block starting at t is its last):
        each pair's stretch begins or ends on its sums."""
        t0 = t + BLOCK_MS - HEAR_WINDOW_BLOCKS * BLOCK_MS
        self._hear_flush()
        acc = self._hear_acc
        self._hear_acc = {}
        self._hear_pending = False
        self._hear_dot[:] = 0.0
        self._hear_pow[:] = 0.0
        # sorted: the events of one block in the same order in every run (a set's
        # order changes from one process to the next)
        for key in sorted(set(acc) | set(self._hear_on)):
            d, pw = acc.get(key, (0.0, 0.0))
            on = pw > 0 and d / pw >= HEAR_GAIN
            start = self._hear_on.get(key)
            if on and start is None:
                self._hear_on[key] = t0
            elif not on and start is not None:
                del self._hear_on[key]
                self.log(t, "heard", listener=key[0], talker=key[1], start_ms=start, end_ms=t0)

    def _hear_flush(self):
        """The arrays' sums to their pairs in _hear_acc."""
        acc = self._hear_acc
        ls, ts = self._hear_who
        d, p = self._hear_dot, self._hear_pow
        for i, a in enumerate(ls):
            for j, b in enumerate(ts):
                if a != b and (d[i, j] or p[i, j]):
                    acc[(a, b)] = [float(d[i, j]), float(p[i, j])]

    def _hear_regroup(self, who):
        """The arrays' sums go back to their pairs (_hear_acc), and the arrays are
        laid out for `who` (listeners, talkers), each pair starting from its sums
        so far: every pair's sum is added up block after block, in the same order
        as one number per pair would be."""
        self._hear_flush()
        acc = self._hear_acc
        ls, ts = who
        self._hear_who = who
        self._hear_dot = d = np.zeros((len(ls), len(ts)))
        self._hear_pow = p = np.zeros((len(ls), len(ts)))
        for i, a in enumerate(ls):
            for j, b in enumerate(ts):
                e = acc.pop((a, b), None) if a != b else None
                if e is not None:
                    d[i, j], p[i, j] = e

    def finish(self, t):
        """The run is over: the stretches still being heard end now."""
        for key, start in sorted(self._hear_on.items()):
            self.log(t, "heard", listener=key[0], talker=key[1], start_ms=start, end_ms=t)
        self._hear_on = {}

    def audio_report(self, t, li, ph):
        """When a line and a phone part: did the caller's audio reach the agent?"""
        self.log(t, "audio_path", line=li + 1, ext=ph.ext, heard_ms=ph.heard_caller_ms,
                 ok=ph.heard_caller_ms > 0)
        ph.heard_caller_ms = 0
        # the agent hears the line go dead and puts the handset down
        if ph.offhook and ph.spec.get("hangup_after") is None:
            ph.t_parted = t

    # ------------------------------------------------------------------
    def outputs(self, t, hook_bits, ring_bits, xmasks, tx):
        """Apply the board's outputs for the block that started at t."""
        for li in range(self.n_lines):
            off = bool(hook_bits & (1 << li))
            if off != self.hook[li]:
                self.hook[li] = off
                self.log(t, "hook", line=li + 1, state="off" if off else "on")
            if xmasks[li] != self.xmask[li]:
                for ph in self.phones:
                    bit = 1 << ph.port
                    if (xmasks[li] & bit) and not (self.xmask[li] & bit):
                        ph.was_joined = True
                        if (ph.spec.get("preview") and not self.hook[li] and self.outbound[li] is None
                                and self.active[li] is None and ph.offhook):
                            # preview: the board reads the number out; the agent keys dial or skip
                            start = t + 3000
                            for ch in ph.spec["preview"]:
                                ph.keys.append((start, start + 100, ch))
                                start += 200
                            self.log(t, "agent_preview", ext=ph.ext, keys=ph.spec["preview"])
                        c = self.active[li]
                        if c is not None and c.state == "answered" and c.t_connect is None:
                            c.t_connect = t
                            self._plan_keys(c, "connect", t)
                            h = c.spec["hangup"]
                            if "after_connect" in h:
                                c.t_hangup = t + int(h["after_connect"] * 1000)
                        if ring_bits & bit:
                            self.faults += 1
                            self.log(t, "fault", line=li + 1, ext=ph.ext,
                                     what="line joined to a port in ring mode (ring voltage onto the trunk)")
                    if (self.xmask[li] & bit) and not (xmasks[li] & bit):
                        self.audio_report(t, li, ph)
                self.xmask[li] = xmasks[li]
        joined = 0
        for xm in self.xmask:
            joined |= xm
        for ph in self.phones:
            # moved from one line to another in one block (a pick-up): still on a line
            if joined & (1 << ph.port):
                ph.t_parted = None
        for ph in self.phones:
            on = bool(ring_bits & (1 << ph.port))
            if on and ph.offhook and not self.ext_ring[ph.port]:
                self.faults += 1
                self.log(t, "fault", ext=ph.ext, what="ring applied to an off-hook phone")
            self.ext_ring[ph.port] = on
        # which lines the board sends anything to, from the bytes (ndarray.any's
        # wrapper cost more than the check, four times a block)
        raw = tx.tobytes()
        n = 2 * BLOCK
        self.tx_on = on = [raw[i * n:(i + 1) * n] != _ZERO_BYTES for i in range(self.n_lines)]
        self.tx = tx.astype(np.float64) if any(on) else self._tx_zero
        for li in range(self.n_lines):
            self._hear_dialling(li, t, tx[li])
        self._bridge_check(t)

    def outputs_again(self, t):
        """outputs() for a block whose outputs are the last block's again, the board
        silent (a batch's blocks: runner._batch_ahead): what that call would still
        change. No hook, crosspoint or ringing moves; tx stays the shared zeros; the
        bridge check finds nothing in silence (no correlation, no level); a phone on
        a pair is not parted; an outbound line's DTMF receiver hears the silence."""
        joined = 0
        for xm in self.xmask:
            joined |= xm
        if joined:
            for ph in self.phones:
                if joined & (1 << ph.port):
                    ph.t_parted = None
        for li in range(self.n_lines):
            if self.outbound[li] is not None:
                self._hear_dialling(li, t, _ZERO_TX)

    @staticmethod
    def _corr(x, v):
        d = float(np.sqrt(np.dot(x, x) * np.dot(v, v)))
        return float(np.dot(x, v)) / d if d > 0 else 0.0

    def _bridge_check(self, t):
        """Lines joined through the codec (a remote agent): does what the board sends
        each party carry the other party's own voice? A caller who hears a remote
        agent is connected (their keys after connect and talk time start then)."""
        for li in range(self.n_lines):
            x = self.tx[li]
            c = self.active[li]
            if c is not None and c.state == "answered":
                for j in range(self.n_lines):
                    v = self.voice_out[j]
                    if j != li and v is not None and self._corr(x, v) > BRIDGE_CORR:
                        c.heard_remote_ms += BLOCK_MS
                        c.remote_from = j + 1
                        if c.t_connect is None:
                            c.t_connect = t
                            self.log(t, "remote_heard", line=li + 1, from_line=j + 1)
                            self._plan_keys(c, "connect", t)
                            h = c.spec["hangup"]
                            if "after_connect" in h:
                                c.t_hangup = t + int(h["after_connect"] * 1000)
            ob = self.outbound[li]
            if ob is not None and ob.state == "talking":
                if ob.accepted:
                    for j in range(self.n_lines):
                        v = self.voice_in[j]
                        if j != li and v is not None and self._corr(x, v) > BRIDGE_CORR:
                            ob.heard_caller_ms += BLOCK_MS
                            ob.heard_from = j + 1
                elif float(np.sqrt(np.mean(x ** 2))) > audio.dbm0_to_peak(HEARD_DBM0):
                    ob.heard_board_ms += BLOCK_MS   # the whisper (the board's own audio)

    def _caller_done(self, c, li, t):
        """A caller's call is over: what they heard of a remote agent (bridged)."""
        c.state = "done"
        if c.remote_from is not None:
            self.log(t, "line_audio", line=li + 1, from_line=c.remote_from, heard_ms=c.heard_remote_ms,
                     ok=c.heard_remote_ms > 0, who="caller")
