# Country line profiles: how each country's exchanges ring, signal and hang up.
#
# A profile is data; adding a country is adding one builder (a function that
# returns the country's dict) and its entry in _CODES and _BUILDERS. Only the countries a
# board asks for are built, so the others cost no RAM beyond their code. Figures come from
# ITU-T E.180 Supplement 2 ("Various tones used in national networks", as
# published in the ITU Operational Bulletin, the 2003/2010 editions) and the
# national specification named beside each entry. Keys:
#   ring_hz          ring voltage frequency (Hz)
#   ring_cadence_ms  ring on/off pattern in ms, one cycle: [on, off, on, off...]
#   tones            name -> (frequencies Hz tuple, cadence ms tuple ()=continuous, level dBm0 per
#                    frequency[, level step dB of each on-time, repeating]).
#                    Names: dial, busy, reorder (congestion), ringback, sit. A tone whose
#                    frequencies are a tuple of sets (SIT) plays them in turn, one per
#                    on-time, then the remaining times are off.
#                    A tone with 3 frequencies f-m, f, f+m is f amplitude-modulated by m.
#   tone_forms       (optional) name -> other frequency sets the same tone is sent with
#                    (same cadence and level): the detector knows each by the tone's name.
#   callerid         "bell202" | "v23" | "dtmf" | "ntt"; cid_when: "before_ring" (after a line
#                    reversal / alert, ETSI EN 300 659-1 6.1), "after_first_ring" (between 1st
#                    and 2nd ring) or "car" (NTT: off-hook on the CAR signal, line/car.py)
#   ring_min_on_ms   (optional) shortest burst that is a ring (the CAR's bursts are shorter)
#   car_cadence_ms   (optional) the CAR signal's on/off (Japan)
#   hangup           methods the exchanges of that country usually use, most reliable first
#   cpc_ms           loop-current drop length that exchanges give on clear-down (ms, typical;
#                    where the country's exchanges seldom give one, a PBX-typical 300 ms)
# Every figure has its source beside it; where a country's spec gives a range,
# the centre value is here and the detectors apply the tolerance. Tone figures
# are E.180's; the caller-ID timing of FR, IT, ES and AU is the operators' usual
# practice as described in vendor notes, not yet checked against their own
# specifications (marked "unverified").

# North America. Tones: ANSI T1.401 / Telcordia GR-506-CORE "precise tone plan"
# (also E.180 Suppl. 2, United States). Ring: 20 Hz, 2 s on 4 s off (GR-506, "standard ring").
# Caller ID: Bell 202 FSK, SDMF/MDMF, between the 1st and 2nd ring (Telcordia GR-30-CORE).
# Hang-up: CPC open loop (calling party control / open switching interval), 250-900 ms
# on North American central offices (industry figure, e.g. Sandman's CPC bulletin),
# then reorder tone from the switch after its timeout.
def _us():
    return {
        "name": "United States / Canada",
        "ring_hz": 20,
        "ring_cadence_ms": (2000, 4000),
        "tones": {
            "dial": ((350, 440), (), -13),
            "busy": ((480, 620), (500, 500), -24),
            "reorder": ((480, 620), (250, 250), -24),
            "ringback": ((440, 480), (2000, 4000), -19),
            # special information tone before an intercept announcement (number not in
            # service...): 913.8, 1370.6, 1776.7 Hz, segments 274 or 380 ms (Telcordia
            # SR-2275); 330 ms with the detector's tolerance covers both
            "sit": (((914,), (1371,), (1777,)), (330, 330, 330, 1000), -24),
        },
        "callerid": "bell202", "cid_when": "after_first_ring",
        "hangup": ("cpc", "reorder_tone", "busy_tone", "silence", "max_length"),
        "cpc_ms": 500,
    }


# United Kingdom (BT). Tones: BT SIN 350 and E.180 Suppl. 2 (United Kingdom).
# Ring 25 Hz, double ring 0.4/0.2/0.4/2.0 s (SIN 350). Caller ID: BT SIN 227,
# V.23 FSK before the first ring after a line reversal and the 2130+2750 Hz
# idle-state tone alert. Hang-up: System X "disconnect clear", a loop disconnect set
# per line from 0 to 1 s in 100 ms steps, 800 ms as a rule (BT, 1987 note on
# disconnect clear times), and the busy tone.
def _uk():
    return {
        "name": "United Kingdom",
        "ring_hz": 25,
        "ring_cadence_ms": (400, 200, 400, 2000),
        "tones": {
            "dial": ((350, 450), (), -16),
            "busy": ((400,), (375, 375), -19),
            "reorder": ((400,), (400, 350, 225, 525), -19),
            "ringback": ((400, 450), (400, 200, 400, 2000), -19),
            # special information tone: 950, 1400, 1800 Hz, 330 +-70 ms each, then 1 s silence
            # (ITU-T Q.35 / E.180)
            "sit": (((950,), (1400,), (1800,)), (330, 330, 330, 1000), -20),
        },
        "callerid": "v23", "cid_when": "before_ring",
        "hangup": ("cpc", "busy_tone", "reorder_tone", "silence", "max_length"),
        "cpc_ms": 800,
    }


# Germany (Deutsche Telekom 1 TR 110-1, E.180 Suppl. 2 Germany). All tones 425 Hz.
# Ring 25 Hz, 1 s on 4 s off. Caller ID: ETSI V.23 FSK between the 1st and 2nd ring
# (ETSI EN 300 659-1, 1 TR 110). Hang-up: busy tone (no CPC on most lines).
def _de():
    return {
        "name": "Germany",
        "ring_hz": 25,
        "ring_cadence_ms": (1000, 4000),
        "tones": {
            "dial": ((425,), (), -10),
            "busy": ((425,), (480, 480), -10),
            "reorder": ((425,), (240, 240), -10),
            "ringback": ((425,), (1000, 4000), -10),
            # special information tone: 950, 1400, 1800 Hz, 330 +-70 ms each, then 1 s silence
            # (ITU-T Q.35 / E.180)
            "sit": (((950,), (1400,), (1800,)), (330, 330, 330, 1000), -20),
        },
        "callerid": "v23", "cid_when": "after_first_ring",
        "hangup": ("busy_tone", "reorder_tone", "cpc", "silence", "max_length"),
        "cpc_ms": 300,
    }


# France (France Telecom STI 1, E.180 Suppl. 2 France). Tones 440 Hz. Ring 50 Hz,
# 1.5 s on 3.5 s off. Caller ID: ETSI V.23 FSK between the 1st and 2nd ring
# (STI 1 "presentation du numero", EN 300 659-1; timing unverified). Hang-up: busy tone.
def _fr():
    return {
        "name": "France",
        "ring_hz": 50,
        "ring_cadence_ms": (1500, 3500),
        "tones": {
            "dial": ((440,), (), -10),
            "busy": ((440,), (500, 500), -10),
            "reorder": ((440,), (250, 250), -10),
            "ringback": ((440,), (1500, 3500), -10),
            # special information tone: 950, 1400, 1800 Hz, 330 +-70 ms each, then 1 s silence
            # (ITU-T Q.35 / E.180)
            "sit": (((950,), (1400,), (1800,)), (330, 330, 330, 1000), -20),
        },
        "callerid": "v23", "cid_when": "after_first_ring",
        "hangup": ("busy_tone", "reorder_tone", "cpc", "silence", "max_length"),
        "cpc_ms": 300,
    }


# Italy (Telecom Italia, E.180 Suppl. 2 Italy). Tones 425 Hz; the dial tone is
# cadenced 0.2/0.2/0.6/1.0 s. Ring 25 Hz, 1 s on 4 s off. Caller ID: ETSI V.23 FSK
# before the first ring after a line reversal (Telecom Italia, EN 300 659-1 6.1.3a;
# timing unverified).
# Hang-up: busy tone.
def _it():
    return {
        "name": "Italy",
        "ring_hz": 25,
        "ring_cadence_ms": (1000, 4000),
        "tones": {
            "dial": ((425,), (200, 200, 600, 1000), -10),
            "busy": ((425,), (500, 500), -10),
            "reorder": ((425,), (200, 200), -10),
            "ringback": ((425,), (1000, 4000), -10),
            # special information tone: 950, 1400, 1800 Hz, 330 +-70 ms each, then 1 s silence
            # (ITU-T Q.35 / E.180)
            "sit": (((950,), (1400,), (1800,)), (330, 330, 330, 1000), -20),
        },
        "callerid": "v23", "cid_when": "before_ring",
        "hangup": ("busy_tone", "reorder_tone", "cpc", "silence", "max_length"),
        "cpc_ms": 300,
    }


# Spain (Telefonica, E.180 Suppl. 2 Spain). Tones 425 Hz. Busy 0.2/0.2, congestion
# 0.2/0.2/0.2/0.2/0.2/0.6 s. Ring 25 Hz, 1.5 s on 3 s off. Caller ID: ETSI V.23 FSK
# between the 1st and 2nd ring (timing unverified). Hang-up: busy tone.
def _es():
    return {
        "name": "Spain",
        "ring_hz": 25,
        "ring_cadence_ms": (1500, 3000),
        "tones": {
            "dial": ((425,), (), -10),
            "busy": ((425,), (200, 200), -10),
            "reorder": ((425,), (200, 200, 200, 200, 200, 600), -10),
            "ringback": ((425,), (1500, 3000), -10),
            # special information tone: 950, 1400, 1800 Hz, 330 +-70 ms each, then 1 s silence
            # (ITU-T Q.35 / E.180)
            "sit": (((950,), (1400,), (1800,)), (330, 330, 330, 1000), -20),
        },
        "callerid": "v23", "cid_when": "after_first_ring",
        "hangup": ("busy_tone", "reorder_tone", "cpc", "silence", "max_length"),
        "cpc_ms": 300,
    }


# Netherlands (KPN, E.180 Suppl. 2 Netherlands). Tones 425 Hz. Ring 25 Hz, 1 s on 4 s off.
# Caller ID: DTMF CLIP before the first ring after a line reversal (ETSI EN 300 659-1
# annex B, "DTMF based CLIP", as KPN uses). Hang-up: busy tone, reversal.
def _nl():
    return {
        "name": "Netherlands",
        "ring_hz": 25,
        "ring_cadence_ms": (1000, 4000),
        "tones": {
            "dial": ((425,), (), -10),
            "busy": ((425,), (500, 500), -10),
            "reorder": ((425,), (250, 250), -10),
            "ringback": ((425,), (1000, 4000), -10),
            # special information tone: 950, 1400, 1800 Hz, 330 +-70 ms each, then 1 s silence
            # (ITU-T Q.35 / E.180)
            "sit": (((950,), (1400,), (1800,)), (330, 330, 330, 1000), -20),
        },
        "callerid": "dtmf", "cid_when": "before_ring",
        "hangup": ("busy_tone", "reorder_tone", "reversal", "cpc", "silence", "max_length"),
        "cpc_ms": 300,
    }


# Australia (Telstra, ACIF/Communications Alliance S002 and E.180 Suppl. 2 Australia).
# Dial and ringback: 425 Hz amplitude-modulated 90-99 % by 25 Hz (AS/CA S002:2010
# 5.3.4.1 "Ring Tone A", 425 +-10 Hz), heard as 400 + 425 + 450 Hz; busy 425 Hz
# 0.375/0.375 s (S002 5.3.4.1 c); congestion 425 Hz 0.375/0.375 s with every other
# burst 10 dB lower (E.180 Suppl. 2 Australia): the same timing as busy, told apart by
# that level step only.
# The same dial tone and ringback also come in two other forms (tone_forms): 413 + 438 Hz,
# the 425 Hz x 25 Hz envelope without its carrier (the form PBXs and gateways generate:
# Asterisk indications.conf and Zaptel zonedata "au", dial 413+438, ring 413+438 at
# 0.4/0.2/0.4/2.0); and 400 + 450 Hz from older exchanges (ACIF S002's predecessor
# practice as the issue tracker summarises it; not checked against a Telstra document:
# unverified).
# Ring 25 Hz, double ring 0.4/0.2/0.4/2.0 s. Caller ID: V.23 FSK between the 1st and
# 2nd ring (Telstra, ETSI-based message format; timing unverified). Hang-up: busy
# tone, reversal.
def _au():
    return {
        "name": "Australia",
        "ring_hz": 25,
        "ring_cadence_ms": (400, 200, 400, 2000),
        "tones": {
            "dial": ((400, 425, 450), (), -13),
            "busy": ((425,), (375, 375), -13),
            "reorder": ((425,), (375, 375, 375, 375), -13, (0, -10)),
            "ringback": ((400, 425, 450), (400, 200, 400, 2000), -13),
            # special information tone: 950, 1400, 1800 Hz, 330 +-70 ms each, then 1 s silence
            # (ITU-T Q.35 / E.180)
            "sit": (((950,), (1400,), (1800,)), (330, 330, 330, 1000), -20),
        },
        "tone_forms": {"dial": ((413, 438), (400, 450)), "ringback": ((413, 438), (400, 450))},
        "callerid": "v23", "cid_when": "after_first_ring",
        "hangup": ("busy_tone", "reversal", "cpc", "silence", "max_length"),
        "cpc_ms": 300,
    }


# Japan (NTT East/West). Tones: E.180 Suppl. 2 (Japan): dial 400 Hz continuous, busy
# 400 Hz 0.5/0.5 s, ringback 400 Hz modulated by 16 Hz (heard as 384 + 400 + 416 Hz)
# 1 s on 2 s off; levels unverified (E.180 gives none here; the usual -13/-19 dBm0).
# Ring (IR, "呼出信号") 16 Hz, 1 s on 2 s off. Caller ID: NTT "Number Display", V.23 FSK
# sent off-hook: the exchange first sends CAR, ringing at 0.5 s on / 0.5 s off, until
# the terminal's primary response (loop closed, within 6 s: else it rings without
# caller ID), sends the data, takes the terminal's on-hook as "reception complete",
# then rings (IR). Sources: how.jp's note on analogue Number Display (CAR timing, the
# 1200 bit/s modem data, the on-hook after reading), kotei-denwa.com's Number Display
# page (the 6 s wait, the primary response, reception complete); the frame: see
# rrfw/dsp/callerid.py (_DLE). The handshake: line/car.py. ring_min_on_ms keeps the
# CAR's 0.5 s bursts from counting as rings. Hang-up: busy tone from the exchange.
def _jp():
    return {
        "name": "Japan",
        "ring_hz": 16,
        "ring_cadence_ms": (1000, 2000),
        "ring_min_on_ms": 750,
        "car_cadence_ms": (500, 500),
        "tones": {
            "dial": ((400,), (), -13),
            "busy": ((400,), (500, 500), -19),
            "ringback": ((384, 400, 416), (1000, 2000), -19),
        },
        "callerid": "ntt", "cid_when": "car",
        "hangup": ("busy_tone", "cpc", "silence", "max_length"),
        "cpc_ms": 300,
    }


# code -> builder, as parallel tuples: only the countries a board uses are ever built
# (RAM on the ESP32); the codes are a constant (flash), a dict would be made in RAM
_CODES = ("US", "UK", "DE", "FR", "IT", "ES", "NL", "AU", "JP")
_BUILDERS = (_us, _uk, _de, _fr, _it, _es, _nl, _au, _jp)
_BUILT = {}

DEFAULT = "US"


def get(code):
    """The profile dict for a country code (case-insensitive); KeyError names the known ones."""
    if isinstance(code, dict):
        return code
    key = (code or DEFAULT).upper()
    if key == "GB":
        key = "UK"
    prof = _BUILT.get(key)
    if prof is None:
        if key not in _CODES:
            raise KeyError("unknown country %r (known: %s)" % (code, " ".join(codes())))
        prof = _BUILT[key] = _BUILDERS[_CODES.index(key)]()
    return prof


def codes():
    return sorted(_CODES)


# Rings by which a line's caller ID has come if it comes at all: sent before the
# first ring (EN 300 659-1 6.1, BT SIN 227) it ends before that ring; sent between
# the 1st and 2nd ring (GR-30-CORE: ends >= 200 ms before the 2nd ring; EN 300 659-1 6.2)
# it has ended when the 2nd ring is validated.
# (cid_when, rings) pairs: a constant (flash), where a dict would be made in RAM
_CID_RINGS = (("before_ring", 1), ("after_first_ring", 2), ("car", 1))   # car: read before ringing


def cid_rings(code):
    """Rings after which a line of this country can no longer bring caller ID."""
    when = get(code).get("cid_when")
    for name, rings in _CID_RINGS:
        if name == when:
            return rings
    return 2
