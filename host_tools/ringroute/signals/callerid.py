"""Caller-ID signals for the emulated exchange and the tests (numpy, 8 kHz).

What a real exchange puts on an idle line, with its levels and timing:
  - Bell 202 FSK (mark 1200 Hz, space 2200 Hz, 1200 bit/s), SDMF and MDMF,
    sent in the silence after the first ring (Telcordia GR-30-CORE; levels
    and tolerances as in ANSI/TIA/EIA-716: -4.2..-36.2 dBm at the CPE,
    frequencies +-1 %, 1200 baud +-1 %, twist -6..+10 dB, SNR >= 25 dB);
  - ETSI V.23 FSK (mark 1300 Hz, space 2100 Hz), ETSI EN 300 659-1/-3 and
    ES 200 778-1 (on-hook -8..-40 dBV = -5.8..-37.8 dBm, +-1.5 %, SNR >= 20 dB),
    either after the first ring or before it: after a line reversal and a
    DT-AS (2130 + 2750 Hz) alert, or after a ring-pulse alert (RP-AS),
    BT SIN 227/242 timing (reversal, >= 100 ms, alert 88..110 ms, FSK
    >= 45 ms after the alert, 96..315 bits seizure, 55..90 bits mark,
    first ring >= 200 ms after the data);
  - DTMF CLIP (EN 300 659-1 DTMF annex as deployed): A<number>C, B00C
    (unavailable), B10C (withheld), sent before the first ring.
The emulator maps dBm at the line to dBm0 at the codec one to one.

Times are ms relative to the start of the first ring burst (t=0); a burst
before ringing has negative times. All generators return float64 samples.
"""
import math

import numpy as np

from .. import audio

RATE = audio.RATE
BAUD = 1200.0

# name -> (mark Hz, space Hz)
FSK = {
    "bell202": (1200.0, 2200.0),   # Bell 202, GR-30-CORE
    "v23": (1300.0, 2100.0),       # ITU-T V.23 mode 2, EN 300 659-1
    "ntt": (1300.0, 2100.0),       # NTT Number Display: V.23 tones, sent off-hook after CAR
}
# Levels the standards require a receiver to handle (dBm at the CPE), from
# ANSI/TIA/EIA-716 (GR-30-CORE aligned) and ES 200 778-1 / SIN 242.
REQUIRED_LEVELS = {"bell202": (-4.2, -36.2), "v23": (-5.8, -37.8), "dtmf": (-5.8, -37.8)}
REQUIRED_SNR_DB = {"bell202": 25.0, "v23": 20.0, "dtmf": 20.0}
NOMINAL_LEVEL = {"bell202": -13.5, "v23": -13.5, "dtmf": -10.0,   # GR-30 -13.5 dBm nominal
                 "ntt": -15.0}   # NTT: level not checked against NTT's reference (unverified)

DTAS_HZ = (2130.0, 2750.0)         # dual-tone alerting signal, EN 300 659-1 / SIN 227 (+-1.1 %)
DTMF_ROWS = (697.0, 770.0, 852.0, 941.0)
DTMF_COLS = (1209.0, 1336.0, 1477.0, 1633.0)
DTMF_KEYS = "123A456B789C*0#D"


# --- messages ---------------------------------------------------------------
def checksum(body):
    """Two's complement of the mod-256 sum (GR-30-CORE, EN 300 659-3)."""
    return (-sum(body)) & 0xFF


def _absence_char(reason):
    return {"withheld": "P", "private": "P", "unavailable": "O", "out_of_area": "O"}[reason]


def sdmf(number=None, datetime="01011200", reason=None):
    """Single Data Message Format (type 0x04): MMDDHHMM + number, or 'O'/'P'."""
    num = number if number is not None else _absence_char(reason or "unavailable")
    data = (datetime + num).encode("ascii")
    body = bytes([0x04, len(data)]) + data
    return body + bytes([checksum(body)])


def mdmf(number=None, name=None, datetime=None, reason=None, name_reason=None, msg_type=0x80):
    """Multiple Data Message Format (GR-30 MDMF / ETSI call set-up 0x80)."""
    params = b""

    def p(ptype, text):
        v = text.encode("ascii")
        return bytes([ptype, len(v)]) + v

    if datetime is not None:
        params += p(0x01, datetime)
    if number is not None:
        params += p(0x02, number)
    elif reason is not None:
        params += p(0x04, _absence_char(reason))
    if name is not None:
        params += p(0x07, name)
    elif name_reason is not None:
        params += p(0x08, _absence_char(name_reason))
    body = bytes([msg_type, len(params)]) + params
    return body + bytes([checksum(body)])


# NTT frame (rrfw/dsp/callerid.py has the layout and its sources).
DLE, SOH, STX, ETX = 0x10, 0x01, 0x02, 0x03
NTT_HEADER = 0x07        # the header byte spandsp 0.0.6 sends too
NTT_ABSENCE = {"withheld": "P", "unavailable": "O", "public": "C", "service": "S"}


def _even_parity(b):
    return b | (0x80 if bin(b & 0x7F).count("1") & 1 else 0)


def crc16_v41(data, crc=0):
    """ITU-T V.41 CRC, bit-reversed form, initial value 0 (as NTT frames carry it)."""
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def ntt_frame(number=None, reason=None, called=None, msg_type=0x40, double_dle=True, params=None):
    """An NTT caller-ID frame: DLE SOH header DLE STX type length params DLE ETX CRC.
    double_dle: send a DLE inside the data twice (the transparency rule); the
    decoder takes both forms. params: raw (type, bytes) pairs instead of the usual ones."""
    body = b""
    if params is None:
        params = []
        if number is not None:
            params.append((0x02, number.encode("ascii")))
        else:
            params.append((0x04, NTT_ABSENCE[reason or "unavailable"].encode("ascii")))
        if called is not None:
            params.append((0x09, called.encode("ascii")))
    for ptype, v in params:
        body += bytes([ptype, len(v)]) + v
    data = bytes([msg_type, len(body)]) + body
    wire = [_even_parity(DLE), _even_parity(SOH), _even_parity(NTT_HEADER),
            _even_parity(DLE), _even_parity(STX)]
    for b in data:
        wire.append(_even_parity(b))
        if b == DLE and double_dle:
            wire.append(_even_parity(DLE))
    wire += [_even_parity(DLE), _even_parity(ETX)]
    crc = crc16_v41(wire[2:])
    return bytes(wire + [crc & 0xFF, crc >> 8])


def corrupt(msg, index=3, xor=0x01):
    """The message with one bit flipped (the checksum then fails)."""
    b = bytearray(msg)
    b[index] ^= xor
    return bytes(b)


# --- FSK ------------------------------------------------------------------
def fsk_bits(msg, seizure_bits=300, mark_bits=180, trailing_marks=4, gap_bits=0, rng=None):
    """Bit list: seizure 0101..., marks, then 10-bit characters (start 0, LSB first, stop 1)."""
    bits = [i & 1 for i in range(seizure_bits)]   # starts with 0: 30 bytes of 0x55 framing
    bits += [1] * mark_bits
    for k, byte in enumerate(msg):
        bits.append(0)
        bits += [(byte >> i) & 1 for i in range(8)]
        bits.append(1)
        if gap_bits and k < len(msg) - 1:
            g = gap_bits if rng is None else int(rng.integers(0, gap_bits + 1))
            bits += [1] * g
    bits += [1] * trailing_marks
    return bits


def fsk_modulate(bits, standard="bell202", level_dbm0=-13.5, twist_db=0.0, freq_error=0.0,
                 baud_error=0.0, phase=0.0):
    """Phase-continuous FSK at 8 kHz. twist_db > 0: mark louder than space.
    freq_error / baud_error: relative (0.01 = +1 %)."""
    mark, space = FSK[standard]
    mark *= 1 + freq_error
    space *= 1 + freq_error
    baud = BAUD * (1 + baud_error)
    n = int(math.ceil(len(bits) * RATE / baud))
    t = np.arange(n)
    idx = np.minimum((t * baud / RATE).astype(int), len(bits) - 1)
    b = np.asarray(bits)[idx]
    f = np.where(b == 1, mark, space)
    ph = phase + 2 * math.pi * np.cumsum(f) / RATE
    peak = audio.dbm0_to_peak(level_dbm0)
    # twist: split the level so the mean power stays at level_dbm0
    gm = 10 ** (twist_db / 40.0)
    amp = np.where(b == 1, peak * gm, peak / gm)
    return amp * np.sin(ph)


def fsk_burst(msg, standard="bell202", level_dbm0=None, seizure_bits=None, mark_bits=None,
              twist_db=0.0, freq_error=0.0, baud_error=0.0, gap_bits=0, rng=None, phase=0.0):
    """A whole caller-ID FSK transmission for one message."""
    if level_dbm0 is None:
        level_dbm0 = NOMINAL_LEVEL[standard]
    if seizure_bits is None:
        # GR-30-CORE and EN 300 659-1: 300 bits; NTT sends no channel seizure
        seizure_bits = 0 if standard == "ntt" else 300
    if mark_bits is None:
        # GR-30: 180 +- 25; SIN 227: 55..90; NTT: a mark signal first (length unverified: 72 bits)
        mark_bits = {"bell202": 180, "ntt": 72}.get(standard, 80)
    bits = fsk_bits(msg, seizure_bits, mark_bits, gap_bits=gap_bits, rng=rng)
    return fsk_modulate(bits, standard, level_dbm0, twist_db, freq_error, baud_error, phase)


# --- DTMF CLIP -----------------------------------------------------------
def dtmf_tone(key, ms, level_dbm0=-10.0, twist_db=2.0, rate=RATE):
    """One DTMF key: level per tone (high group twist_db above the low group)."""
    i = DTMF_KEYS.index(key)
    fl, fh = DTMF_ROWS[i // 4], DTMF_COLS[i % 4]
    n = int(rate * ms / 1000)
    t = np.arange(n) / rate
    lo = audio.dbm0_to_peak(level_dbm0 - twist_db / 2)
    hi = audio.dbm0_to_peak(level_dbm0 + twist_db / 2)
    return lo * np.sin(2 * math.pi * fl * t) + hi * np.sin(2 * math.pi * fh * t)


# The national forms of DTMF CLIP an exchange may send (rrfw/dsp/callerid.py lists
# them with their sources at _CLIP_ABSENT): form -> (number, withheld, unavailable,
# tone ms, pause ms).
CLIP_FORMS = {
    "etsi": ("A%sC", "B10C", "B00C", 70, 70),           # EN 300 659-1 annex; Sweden, Finland
    "brazil": ("A%sC", "B10C", "B00C", 60, 60),         # Brazil / India: the same, faster
    "denmark": ("A%s#", "D1#", "D3#", 50, 50),          # TeleDanmark: # ends, D1#/D3# absence
    "denmark_bare": ("%s#", "D1#", "D2#", 50, 50),      # Denmark, no start code; D2# international
    "netherlands": ("%s#", "B10C", "D0000000000C", 70, 70),   # no start code; unknown: all zeros
    "taiwan": ("D%sC", "B10C", "B00C", 70, 70),         # Taiwan / Kuwait: D starts the number
}


def clip_digits(number=None, reason=None, form="etsi"):
    """The DTMF CLIP string in a national form: A<number>C, or B10C (withheld) / B00C
    (unavailable) in the ETSI one."""
    f = CLIP_FORMS[form]
    if number is not None:
        return f[0] % number
    return f[1] if reason == "withheld" else f[2]


def dtmf_burst(digits, level_dbm0=-10.0, on_ms=70, off_ms=70, twist_db=2.0):
    """DTMF digits with the usual CLIP timing (70 ms on / 70 ms off, EN 300 659-1 DTMF annex
    allows 50..70 ms tone and >= 50 ms pause; the exact figures vary by network)."""
    parts = []
    for k in digits:
        parts.append(dtmf_tone(k, on_ms, level_dbm0, twist_db))
        parts.append(np.zeros(int(RATE * off_ms / 1000)))
    return np.concatenate(parts)


def dtas(level_dbm0=-16.0, ms=100):
    """Dual-tone alerting signal 2130 + 2750 Hz, 88..110 ms (SIN 227, EN 300 659-1)."""
    n = int(RATE * ms / 1000)
    t = np.arange(n) / RATE
    a = audio.dbm0_to_peak(level_dbm0)
    return a * (np.sin(2 * math.pi * DTAS_HZ[0] * t) + np.sin(2 * math.pi * DTAS_HZ[1] * t))


# --- noise ------------------------------------------------------------------
def add_noise(x, snr_db, rng, ref=None):
    """White Gaussian noise (0..4 kHz) at snr_db below the power of `ref` (default x's own
    non-silent part)."""
    r = x if ref is None else ref
    r = r[np.abs(r) > 0] if np.any(r != 0) else r
    p = float(np.mean(np.asarray(r, dtype=np.float64) ** 2)) if len(r) else 0.0
    sigma = math.sqrt(p / 10 ** (snr_db / 10.0)) if p > 0 else 0.0
    return x + rng.normal(0.0, sigma, len(x))


def noise_at(n, level_dbm0, rng):
    """White noise of a given level (dBm0 over the whole band)."""
    return rng.normal(0.0, audio.dbm0_to_peak(level_dbm0) / math.sqrt(2), n)


# --- a whole on-hook sequence ------------------------------------------------
class CidPlan:
    """Caller ID placed against a ring cadence.

    audio: float samples from `t0_ms` on (t=0 = start of the first ring burst);
    rings: [(on_ms, off_ms)] ring bursts (the ring-detect input, not audio);
    reversal_ms: time of the line reversal (None if none); cid: (start_ms, end_ms)
    of the caller-ID signal itself; first_ring_ms: when ringing proper starts."""

    def __init__(self, audio_, t0_ms, rings, reversal_ms, cid, first_ring_ms):
        self.audio = audio_
        self.t0_ms = t0_ms
        self.rings = rings
        self.reversal_ms = reversal_ms
        self.cid = cid
        self.first_ring_ms = first_ring_ms

    def block(self, t_ms, n=80):
        """The audio of the block starting at t_ms (zeros outside the plan)."""
        i = int(round((t_ms - self.t0_ms) * RATE / 1000))
        out = np.zeros(n)
        a, b = max(i, 0), min(i + n, len(self.audio))
        if b > a:
            out[a - i:b - i] = self.audio[a:b]
        return out


WHEN = ("after_first_ring", "before_ring_dtas", "before_ring_rpas", "before_ring")


def plan(standard, number=None, name=None, reason=None, datetime="11220930", when=None,
         cadence_ms=(2000, 4000), level_dbm0=None, snr_db=None, rng=None, mdmf_format=None,
         delay_ms=None, twist_db=0.0, freq_error=0.0, baud_error=0.0, tail_ms=500,
         clip_form="etsi"):
    """Everything the line carries for one call's caller ID against its ring cadence.

    standard: bell202 | v23 | dtmf; when: after_first_ring (GR-30-CORE; ETSI
    "during the first long silence"), before_ring_dtas (line reversal,
    DT-AS, FSK, then ringing; EN 300 659-1, SIN 227), before_ring_rpas
    (ring-pulse alert 200..300 ms, FSK 500 ms later, then ringing),
    before_ring (line reversal then the data; DTMF CLIP).
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    if when is None:
        when = {"bell202": "after_first_ring", "v23": "after_first_ring",
                "dtmf": "before_ring"}[standard]
    if level_dbm0 is None:
        level_dbm0 = NOMINAL_LEVEL[standard]
    if standard == "dtmf":
        form = CLIP_FORMS[clip_form]
        sig = dtmf_burst(clip_digits(number, reason, clip_form), level_dbm0, on_ms=form[3],
                         off_ms=form[4])
        sig = sig[:len(sig) - int(RATE * form[4] / 1000)]   # no trailing pause in the signal itself
    else:
        if mdmf_format is None:
            mdmf_format = standard != "bell202" or name is not None
        if mdmf_format:
            msg = mdmf(number, name, datetime, reason=reason if number is None else None,
                       name_reason=None if name is not None else None)
        else:
            msg = sdmf(number, datetime, reason)
        sig = fsk_burst(msg, standard, level_dbm0, twist_db=twist_db, freq_error=freq_error,
                        baud_error=baud_error, rng=rng, phase=float(rng.uniform(0, 2 * math.pi)))
    dur = len(sig) * 1000.0 / RATE
    on, off = cadence_ms[0], (cadence_ms[1] if len(cadence_ms) > 1 else 4000)
    alert = None
    reversal = None
    if when == "after_first_ring":
        # GR-30-CORE: data starts >= 500 ms after the first ring ends and ends
        # >= 200 ms before the second. With a burst group (UK/AU 0.4-0.2-0.4-2.0)
        # the "ring" is the group: the data goes in the cycle's longest silence.
        first_ring = 0
        t = 0
        gap_start, gap = 0, -1
        for k in range(0, len(cadence_ms), 2):
            on_end = t + cadence_ms[k]
            silence = cadence_ms[k + 1] if k + 1 < len(cadence_ms) else 0
            if silence > gap:
                gap_start, gap = on_end, silence
            t = on_end + silence
        d = delay_ms if delay_ms is not None else 600
        if d + dur + 200 > gap:          # a short silence: keep the 200 ms before the next ring
            d = max(0.0, gap - dur - 200)
        start = gap_start + d
    elif when == "before_ring_dtas":
        # SIN 227: reversal, >= 100 ms silence, DT-AS 88..110 ms, >= 45 ms, FSK; ring >= 200 ms later
        reversal = -(dur + 250 + 100 + 100 + 60)
        alert = (reversal + 150, dtas(level_dbm0 - 3.0, 100))
        start = reversal + 150 + 100 + (delay_ms if delay_ms is not None else 60)
        first_ring = 0
    elif when == "before_ring_rpas":
        # EN 300 659-1: RP-AS ring burst 200..300 ms, FSK 500..2000 ms after it, ring >= 200 ms later
        start = -(dur + 300)
        first_ring = 0
        reversal = None
    else:   # before_ring: reversal, then the data, then ringing (DTMF CLIP, some V.23 networks)
        start = -(dur + 300)
        reversal = start - (delay_ms if delay_ms is not None else 250)
        first_ring = 0
    rings = []
    t = 0
    period = sum(cadence_ms)
    for _ in range(3):
        k = 0
        while k < len(cadence_ms):
            rings.append((t, t + cadence_ms[k]))
            t += cadence_ms[k] + (cadence_ms[k + 1] if k + 1 < len(cadence_ms) else 0)
            k += 2
    if when == "before_ring_rpas":
        rings.insert(0, (start - 800, start - 550))   # the ring-pulse alert
    t0 = min(start, reversal if reversal is not None else start, rings[0][0]) - 200
    end = max(start + dur, on + off) + tail_ms
    n = int(round((end - t0) * RATE / 1000))
    x = np.zeros(n)
    i0 = int(round((start - t0) * RATE / 1000))
    x[i0:i0 + len(sig)] += sig[:max(0, min(len(sig), n - i0))]
    if alert is not None:
        ia = int(round((alert[0] - t0) * RATE / 1000))
        x[ia:ia + len(alert[1])] += alert[1]
    if snr_db is not None:
        x = add_noise(x, snr_db, rng, ref=sig)
    return CidPlan(x, t0, rings, reversal, (start, start + dur), first_ring)


def on_hook_audio(standard, level_dbm0=None, snr_db=None, rng=None, lead_ms=300, tail_ms=300, **msg):
    """Just the caller-ID signal with quiet (or noise) around it, for decoder tests."""
    rng = rng if rng is not None else np.random.default_rng(0)
    if level_dbm0 is None:
        level_dbm0 = NOMINAL_LEVEL[standard]
    if standard == "dtmf":
        sig = dtmf_burst(clip_digits(msg.get("number"), msg.get("reason")), level_dbm0)
    else:
        m = msg.get("message")
        if m is None and standard == "ntt":
            m = ntt_frame(msg.get("number"), msg.get("reason"), called=msg.get("called"))
        if m is None:
            if msg.get("format", "mdmf") == "sdmf":
                m = sdmf(msg.get("number"), msg.get("datetime", "11220930"), msg.get("reason"))
            else:
                m = mdmf(msg.get("number"), msg.get("name"), msg.get("datetime", "11220930"),
                         reason=msg.get("reason"), name_reason=msg.get("name_reason"))
        sig = fsk_burst(m, standard, level_dbm0, twist_db=msg.get("twist_db", 0.0),
                        freq_error=msg.get("freq_error", 0.0), baud_error=msg.get("baud_error", 0.0),
                        mark_bits=msg.get("mark_bits"), seizure_bits=msg.get("seizure_bits"),
                        gap_bits=msg.get("gap_bits", 0), rng=rng,
                        phase=float(rng.uniform(0, 2 * math.pi)))
    lead = np.zeros(int(RATE * lead_ms / 1000))
    tail = np.zeros(int(RATE * tail_ms / 1000))
    x = np.concatenate([lead, sig, tail])
    if snr_db is not None:
        x = add_noise(x, snr_db, rng, ref=sig)
    return x, (lead_ms, lead_ms + len(sig) * 1000.0 / RATE)
