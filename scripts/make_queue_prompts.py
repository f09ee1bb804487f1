"""Writes the queue announcement prompts (firmware/rrfw/call/queuetalk.py) and the
remote agent's whisper (firmware/rrfw/call/remote.py) into
examples/prompts/ with espeak-ng (scripts/sysdeps.txt), as 8 kHz 16-bit mono
WAV like the other example prompts. Run: .venv/bin/python scripts/make_queue_prompts.py"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "host_tools"), os.path.join(ROOT, "firmware")]

from ringroute import audio   # noqa: E402
from rrfw.call import queuetalk   # noqa: E402

WORDS = {"queue_position": "You are caller number", "queue_next": "You are next in line.",
         "queue_wait": "Your expected wait is about", "queue_under_minute": "Your expected wait is less than a minute.",
         "queue_minute": "minute.", "queue_minutes": "minutes."}
TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty",
        90: "ninety"}
TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen")


# prompts of other modules, with their words
OTHERS = {"remote_whisper": "A call from the office. Press 1 to accept."}


def text(name):
    if name in OTHERS:
        return OTHERS[name]
    if name in WORDS:
        return WORDS[name]
    n = int(name.split("-")[1])
    return TEENS[n - 10] if n < 20 else TENS[n]


def main():
    out = os.path.join(ROOT, "examples", "prompts")
    for name in list(queuetalk.prompt_names()) + sorted(OTHERS):
        dst = os.path.join(out, name + ".wav")
        if name.startswith("digit-") or os.path.exists(dst) and "--force" not in sys.argv:
            continue   # the digits were there already
        with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
            subprocess.run(["espeak-ng", "-s", "150", "-w", tmp.name, text(name)], check=True)
            audio.write_wav(dst, audio.read_wav_8k(tmp.name))
        print(dst)


if __name__ == "__main__":
    main()
