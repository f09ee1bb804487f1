# Board entry point. On the ESP32 this is main.py on the flash; here it runs
# under `micropython` (or python3) with `--emu SOCKET` against the emulator.
#   main.py --emu SOCKET [--lines N] [--exts N] [--root DIR] [--console stdio]
# With --console stdio the emulated board's console (REPL UART) is this
# process's stdin/stdout, a pty set up by `ringroute emulate --pty`; Ctrl-C
# there stops the app and starts the emulated REPL (rremu/repl.py), as
# MicroPython's own REPL takes over on the board.
#
# The firmware itself is the package rrfw (frozen, or .mpy files on the
# flash), and its run loop is rrfw/supervisor.py (frozen: this file is
# compiled into RAM at boot, so it stays small); rremu is the emulated
# board's own code and never ships.
import sys

from rrfw import supervisor


def _arg(argv, name, default=None):
    if name in argv:
        i = argv.index(name)
        if i + 1 < len(argv):
            return argv[i + 1]
    return default


def make_hal(argv):
    sock = _arg(argv, "--emu")
    if sock:
        from rremu import board as hal_emu
        port = None
        if _arg(argv, "--console") == "stdio":
            from rremu import uart   # the UART alone: the REPL's code loads only for the REPL
            port = uart.Port()
        return hal_emu.Hal(sock, int(_arg(argv, "--lines", "2")), int(_arg(argv, "--exts", "4")),
                           console=port)
    from rrfw.hal import esp32
    return esp32.Hal()


def _emulated_repl(hal, port, root):
    from rremu import repl   # the emulated board's REPL: loaded only when a technician enters it
    return repl.Repl(hal, port, root).run()


def main(argv, hal=None, check=None):
    """Run the board (rrfw/supervisor.py). hal: a HAL to run on (a test's;
    default: make_hal(argv)); check: a config check in place of the board's
    own (a test's weaker one)."""
    root = _arg(argv, "--root")
    import os
    if root:
        os.chdir(root)
    supervisor.run(lambda: make_hal(argv), _emulated_repl, os.getcwd(), hal=hal, check=check)


if __name__ == "__main__":   # main.py on the board runs as __main__ too; tests import it
    main(sys.argv)
