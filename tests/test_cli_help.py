"""Every command's --help works and teaches (no traceback, examples where promised)."""
import pytest

from ringroute import cli


def names():
    return [n for n, _ in cli.COMMANDS]


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for n in names():
        assert n in out


@pytest.mark.parametrize("name", names())
def test_each_command_help(name, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main([name, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "usage: ringroute " + name in out


def test_help_imports_neither_numpy_nor_scipy():
    # `ringroute --help` builds every command's parser; the signal-processing
    # stack loads only when a command that needs it runs (a fresh interpreter:
    # this one has numpy loaded by other tests).
    import subprocess
    import sys
    code = ("import sys; from ringroute import cli; cli.build_parser(); "
            "print('numpy' in sys.modules, 'scipy' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["False", "False"], p.stdout + p.stderr
