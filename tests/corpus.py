"""Test corpora and scoring for the tests and the benchmarks (bench/ imports it too).

Not part of the shipped `ringroute` package: the CLI never reads these
recordings nor scores its own detectors.

  - real speech and music from Debian packages (scripts/sysdeps.txt):
    `real_files`, `real_audio`, and the package names to print when absent
  - `score`: decoded DTMF digits against a tape's truth
  - `corpus_item` / `run_corpus`: randomised call-progress tone recordings,
    and the firmware's ToneDetector run over them
"""
import glob
import os
import shutil
import subprocess
import tempfile

import numpy as np

from ringroute import audio, fwexec
from ringroute.signals.dtmf import scale_to, silence
from ringroute.signals.tones import get_profile, noise, tone_def, tone_names, tone_samples

RATE = audio.RATE


# ---- real recordings from Debian packages (talk-off tests and the bench) -------
# speech: Asterisk's prompts in five languages (scripts/sysdeps.txt);
# music: Asterisk's hold music and the Endgame: Singularity soundtrack (Ogg,
# decoded once with oggdec into a cache folder).
SPEECH_GLOBS = ["/usr/share/asterisk/sounds/*/*.wav", "/usr/share/asterisk/sounds/*/*/*.wav",
                "/usr/share/asterisk/sounds/*/*/*/*.wav"]
MUSIC_GLOBS = ["/usr/share/asterisk/moh/*.wav", "/usr/share/games/singularity/music/*.ogg",
               "/usr/share/games/singularity/music/*/*.ogg"]
SPEECH_PACKAGES = "asterisk-core-sounds-en-wav (and -es/-fr/-it/-ru-wav)"
MUSIC_PACKAGES = "asterisk-moh-opsound-wav, singularity-music + vorbis-tools"
CACHE = os.path.join(tempfile.gettempdir(), "ringroute-audio-cache")


def real_files(kind):
    """Sorted paths of the installed recordings of `kind` ("speech" or "music")."""
    globs = SPEECH_GLOBS if kind == "speech" else MUSIC_GLOBS
    out = set()
    for g in globs:
        out.update(glob.glob(g))
    return sorted(out)


def _load(path):
    if path.endswith(".ogg"):
        os.makedirs(CACHE, exist_ok=True)
        wav = os.path.join(CACHE, os.path.basename(path)[:-4] + ".wav")
        if not os.path.exists(wav):
            if not shutil.which("oggdec"):
                return None
            tmp = wav + ".part"
            r = subprocess.run(["oggdec", "-Q", "-o", tmp, path], capture_output=True)
            if r.returncode != 0:
                return None
            os.replace(tmp, wav)
        path = wav
    try:
        return audio.read_wav_8k(path).astype(np.float64)
    except audio.AudioError:
        return None


def real_audio(kind, seconds=None, level_dbm0=-15.0, gap_ms=0):
    """Installed speech or music concatenated (8 kHz float), each file scaled to
    an active level of `level_dbm0`, up to `seconds` (None: all of it).
    Returns an empty array when none is installed."""
    parts = []
    total = 0
    limit = None if seconds is None else int(seconds * RATE)
    for p in real_files(kind):
        x = _load(p)
        if x is None or len(x) < RATE // 10:
            continue
        parts.append(scale_to(x, level_dbm0))
        total += len(parts[-1])
        if gap_ms:
            parts.append(silence(gap_ms))
            total += len(parts[-1])
        if limit is not None and total >= limit:
            break
    if not parts:
        return np.zeros(0)
    x = np.concatenate(parts)
    return x if limit is None else x[:limit]


def score(truth, events, slack_ms=20.0):
    """Compare decoded digit events with a tape's truth.

    Each truth key is matched with the first unmatched event whose interval
    overlaps it (widened by `slack_ms`). Returns a dict: keys (number of keys),
    ok (right digit), wrong (overlapping event with another digit), missed (no
    event), extra (events matching no key: false or doubled digits), and
    errors = wrong + missed + extra.
    """
    used = [False] * len(events)
    ok = wrong = missed = 0
    for k in truth:
        hit = None
        for i, e in enumerate(events):
            if used[i]:
                continue
            if e["start_ms"] < k["end_ms"] + slack_ms and e["end_ms"] > k["start_ms"] - slack_ms:
                hit = i
                if e["digit"] == k["digit"]:
                    break
        if hit is None:
            missed += 1
            continue
        used[hit] = True
        if events[hit]["digit"] == k["digit"]:
            ok += 1
        else:
            wrong += 1
    extra = used.count(False)
    return {"keys": len(truth), "ok": ok, "wrong": wrong, "missed": missed, "extra": extra,
            "errors": wrong + missed + extra}


# ---- call-progress tones as a line delivers them (tests/test_line_tones.py, bench line) ----
def corpus_item(profile, name, rng, level_range=(-20, 3), snr_range=(12, 40),
                freq_dev=0.015, cadence_dev=0.08, ulaw_share=0.5):
    """One randomised test recording of a tone, as a real line might deliver it.

    The tone's level is the profile's plus a uniform offset in level_range (dB, kept
    within -38..-3 dBm0), its frequencies off by up to freq_dev (E.180: +-1.5 %), its
    cadence stretched by up to cadence_dev (+-10 % allowed), white noise at an SNR
    drawn from snr_range (dB, relative to one frequency's level), between 0.3 and 1.5 s
    of noise before and 1.5 s after; a share ulaw_share of the recordings passes through
    G.711 mu-law, as a digital exchange's line card does. Returns dict(samples=int16,
    tone=name, start_ms, end_ms, level, snr, freq_scale, cadence_scale, ulaw).
    """
    prof = get_profile(profile)
    tdef = tone_def(prof, name)       # "dial~1": another form of dial tone (tone_forms)
    cad = tdef[1]
    level = min(-3.0, max(-38.0, tdef[2] + rng.uniform(*level_range)))
    snr = rng.uniform(*snr_range)
    fsc = 1.0 + rng.uniform(-freq_dev, freq_dev)
    csc = 1.0 + rng.uniform(-cadence_dev, cadence_dev)
    if cad:
        dur_ms = int(max(6000, 3 * sum(cad) * csc))
    else:
        dur_ms = int(rng.uniform(3000, 6000))
    lead = int(rng.uniform(300, 1500))
    tail = 1500
    n_tone = dur_ms * RATE // 1000
    body = tone_samples(prof, name, n_tone, 0, level, fsc, csc).astype(np.float64)
    x = np.zeros((lead + dur_ms + tail) * RATE // 1000)
    a = lead * RATE // 1000
    x[a:a + n_tone] = body
    x += noise(len(x), level - snr, rng)
    s = audio.to_int16(x)
    ulaw = bool(rng.uniform() < ulaw_share)
    if ulaw:
        s = audio.ulaw_decode(audio.ulaw_encode(s))
    return {"samples": s, "tone": name.split("~")[0], "form": name, "start_ms": lead,
            "end_ms": lead + dur_ms, "level": level, "snr": snr,
            "freq_scale": fsc, "cadence_scale": csc, "ulaw": ulaw}


def run_corpus(cc, n, rng, folder, engine="micropython", forms=False):
    """n corpus_item recordings of each of the profile's tones (forms=True: also of
    each other form a tone is sent in), written to `folder` and run through the
    firmware's ToneDetector. Returns (items, events per item, how many items gave
    exactly their own tone)."""
    files, items = [], []
    for name in tone_names(cc, forms):
        for i in range(n):
            it = corpus_item(cc, name, rng)
            p = os.path.join(folder, "%s_%s_%d.wav" % (cc, name, i))
            audio.write_wav(p, it["samples"])
            files.append(p)
            items.append(it)
    res = fwexec.run_decoder("tones:ToneDetector_%s" % cc, files, engine)
    good = sum(1 for it, evs in zip(items, res) if set(e["tone"] for e in evs) == {it["tone"]})
    return items, res, good
