"""Host-side audio: WAV in any format to the board's 8 kHz 16-bit mono, and back.

Every host tool that feeds a recording to the firmware (dtmf decode, callerid
decode, tones detect, prompts add) goes through `read_wav_8k`, so they all
see the same samples the codec would deliver.
"""
import math
import struct
import wave
from fractions import Fraction

import numpy as np

RATE = 8000  # Hz, the board's codec rate (reference-board.md)

# A sine at 0 dBm0 in 16-bit linear PCM. G.711 mu-law's full-scale sine is
# +3.17 dBm0 (ITU-T G.711 / G.168 digital milliwatt convention), and full
# scale is 32767 after scaling the 14-bit mu-law range to 16 bits.
DBM0_PEAK = 32767.0 * 10 ** (-3.17 / 20)  # ~22760


from .errors import AudioError  # noqa: E402,F401  (raised here; part of the one hierarchy)


def dbm0_to_peak(dbm0):
    """Peak amplitude (16-bit units) of a sine at `dbm0`."""
    return DBM0_PEAK * 10 ** (dbm0 / 20.0)


def _read_raw_wav(path):
    """(rate, float samples shaped (n, channels)) for PCM 8/16/24/32-bit and IEEE float WAV."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise AudioError("%s: cannot read: %s" % (path, e.strerror or e))
    if len(data) < 12 or data[0:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("%s: not a WAV file (no RIFF/WAVE header)" % path)
    pos = 12
    fmt = None
    frames = None
    while pos + 8 <= len(data):
        cid = data[pos:pos + 4]
        size = struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            if len(body) < 16:
                raise AudioError("%s: fmt chunk too short" % path)
            tag, ch, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
            if tag == 0xFFFE and len(body) >= 26:  # WAVE_FORMAT_EXTENSIBLE: real tag in the GUID
                tag = struct.unpack_from("<H", body, 24)[0]
            fmt = (tag, ch, rate, bits)
        elif cid == b"data":
            frames = body
        pos += 8 + size + (size & 1)
    if fmt is None or frames is None:
        raise AudioError("%s: WAV has no %s chunk" % (path, "fmt" if fmt is None else "data"))
    tag, ch, rate, bits = fmt
    if ch < 1 or rate < 1:
        raise AudioError("%s: WAV header says %d channels at %d Hz" % (path, ch, rate))
    width = bits // 8
    usable = len(frames) - len(frames) % (width * ch)
    frames = frames[:usable]
    if tag == 1 and bits == 8:
        x = (np.frombuffer(frames, np.uint8).astype(np.float64) - 128.0) * 256.0
    elif tag == 1 and bits == 16:
        x = np.frombuffer(frames, "<i2").astype(np.float64)
    elif tag == 1 and bits == 24:
        b = np.frombuffer(frames, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v >= 1 << 23, v - (1 << 24), v)
        x = v.astype(np.float64) / 256.0
    elif tag == 1 and bits == 32:
        x = np.frombuffer(frames, "<i4").astype(np.float64) / 65536.0
    elif tag == 3 and bits in (32, 64):
        x = np.frombuffer(frames, "<f4" if bits == 32 else "<f8").astype(np.float64) * 32768.0
    elif tag == 7 and bits == 8:  # G.711 mu-law
        x = ulaw_decode(frames).astype(np.float64)
    elif tag == 6 and bits == 8:  # G.711 A-law
        x = alaw_decode(frames).astype(np.float64)
    else:
        raise AudioError("%s: unsupported WAV encoding (format tag %d, %d bits)" % (path, tag, bits))
    return rate, x.reshape(-1, ch)


def to_8k(x, rate):
    """Float samples at `rate` to 8 kHz (polyphase low-pass resampling)."""
    if rate == RATE:
        return x
    from scipy.signal import resample_poly   # imported here: scipy costs seconds at start-up
    frac = Fraction(RATE, rate).limit_denominator(1000)
    return resample_poly(x, frac.numerator, frac.denominator)


def to_int16(x):
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


def read_wav_8k(path):
    """The file as 8 kHz 16-bit mono (numpy int16): channels are averaged."""
    rate, x = _read_raw_wav(path)
    mono = x.mean(axis=1)
    return to_int16(to_8k(mono, rate))


def write_wav(path, samples, rate=RATE):
    """Write 16-bit mono PCM."""
    s = to_int16(np.asarray(samples, dtype=np.float64))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(s.astype("<i2").tobytes())


# --- G.711 mu-law (the prompts' storage format on the board) -------------
# Segment/bias figures are G.711's: bias 0x84 (132), clip at 32635.
_ULAW_BIAS = 0x84
_ULAW_CLIP = 32635


def ulaw_encode(samples):
    """16-bit linear (array-like) to mu-law bytes, G.711."""
    s = np.asarray(samples, dtype=np.int32)
    sign = np.where(s < 0, 0x80, 0)
    mag = np.minimum(np.abs(s), _ULAW_CLIP) + _ULAW_BIAS
    exp = np.floor(np.log2(mag)).astype(np.int32) - 7
    exp = np.clip(exp, 0, 7)
    mant = (mag >> (exp + 3)) & 0x0F
    return (~(sign | (exp << 4) | mant) & 0xFF).astype(np.uint8).tobytes()


def ulaw_decode(data):
    """mu-law bytes to 16-bit linear (numpy int16), G.711."""
    u = ~np.frombuffer(bytes(data), np.uint8).astype(np.int32) & 0xFF
    sign = u & 0x80
    exp = (u >> 4) & 0x07
    mant = u & 0x0F
    mag = (((mant << 3) + _ULAW_BIAS) << exp) - _ULAW_BIAS
    return np.where(sign != 0, -mag, mag).astype(np.int16)


def alaw_decode(data):
    """A-law bytes to 16-bit linear (numpy int16), G.711."""
    a = np.frombuffer(bytes(data), np.uint8).astype(np.int32) ^ 0x55
    sign = a & 0x80
    exp = (a >> 4) & 0x07
    mant = a & 0x0F
    mag = np.where(exp == 0, (mant << 4) + 8, ((mant << 4) + 0x108) << np.maximum(exp - 1, 0))
    return np.where(sign != 0, mag, -mag).astype(np.int16)


def rms_dbm0(samples):
    """Level of a signal in dBm0 (a sine's RMS at 0 dBm0 = DBM0_PEAK / sqrt 2)."""
    s = np.asarray(samples, dtype=np.float64)
    rms = math.sqrt(float(np.mean(s * s))) if len(s) else 0.0
    if rms <= 0:
        return -math.inf
    return 20 * math.log10(rms / (DBM0_PEAK / math.sqrt(2)))
