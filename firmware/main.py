# Board entry point. On the ESP32 this is main.py on the flash; here it runs
# under `micropython` (or python3) with `--emu SOCKET` against the emulator.
#   main.py --emu SOCKET [--lines N] [--exts N] [--root DIR]
import gc
import sys

import cfgstore


def _arg(argv, name, default=None):
    if name in argv:
        i = argv.index(name)
        if i + 1 < len(argv):
            return argv[i + 1]
    return default


def make_hal(argv):
    sock = _arg(argv, "--emu")
    if sock:
        import hal_emu
        return hal_emu.Hal(sock, int(_arg(argv, "--lines", "2")), int(_arg(argv, "--exts", "4")))
    import hal_esp32
    return hal_esp32.Hal()


def main(argv):
    root = _arg(argv, "--root")
    if root:
        import os
        os.chdir(root)
    try:
        import cfgcheck
        check = cfgcheck.check
    except ImportError:  # a build without the checker still boots on a host-validated config
        check = None
    cfg, source = cfgstore.load(check)
    # The checker is needed only while a config is being taken; its code
    # would otherwise hold heap the whole time (the console imports it again
    # for a push).
    check = None
    cfgcheck = None
    if "cfgcheck" in sys.modules:
        del sys.modules["cfgcheck"]
    gc.collect()
    hal = make_hal(argv)
    if cfg is None:
        # No good config: stay on-hook (the exchange then rolls the call over
        # or the caller hears ringing), but keep the console up for a push.
        print("ringroute: no usable configuration (%s); lines stay idle" % source)
        cfg = {"version": 1, "lines": [], "extensions": {}}
    import app
    a = app.App(hal, cfg)
    if hasattr(hal, "event_out"):
        a.events.sinks.append(hal.event_out)
    a.events.emit("boot", version=app.VERSION, config=source)
    a.run()


main(sys.argv)
