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
