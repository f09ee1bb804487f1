"""dsp/tonetab.py (the DSP's constant tables as bytes, issue 14) is what
scripts/gen_tonetab.py makes from today's sources: a profile's new tone, or
a hand edit, fails here until the file is generated again."""
import os
import subprocess
import sys

from ringroute import paths

GEN = os.path.join(os.path.dirname(paths.FIRMWARE), "scripts", "gen_tonetab.py")


def test_the_generated_tables_are_current():
    p = subprocess.run([sys.executable, GEN, "--check"], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


def test_every_country_profiles_probes_are_in_flash():
    # a detector of any profile finds all its probes in the generated rows (none built in RAM)
    from rrfw.line import profiles
    from rrfw.dsp import tonetab, tones
    for code in profiles.codes():
        det = tones.ToneDetector(code)
        assert len(det._tab) == len(tonetab.TONE_ROWS) // 2, code
