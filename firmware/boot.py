# Runs first after every reset, soft ones included (MicroPython runs boot.py,
# then main.py only when the REPL is in its friendly mode): the one piece of
# the firmware that runs after mpremote's soft reset in the raw REPL.
#
# Why: the ESP32's watchdog, once main.py's HAL has started it, cannot be
# stopped, and a soft reset stops every machine.Timer, among them the one the
# HAL's enter_repl started to feed the watchdog while a technician uses the
# REPL (docs/console.md). Without this file the board resets 5 s after
# mpremote's soft reset, under the technician (a `ringroute flash` of 100 KB
# at 115200 baud takes ~10 s). So after a soft reset this starts the same
# feeder again: fed while the REPL is in use (the heap changes with every line
# typed and every command mpremote runs), left to starve after _IDLE_S without
# a change, when the watchdog resets the board into main.py and the calls.
# At power-on (no watchdog running yet) it does nothing; main.py's HAL stops
# the feeder when the app starts (hal/esp32.py), so the app's loop alone
# feeds the watchdog and a stalled loop still resets the board.
#
# Self-contained on purpose: it imports nothing of rrfw, so a flash cut off
# half-way through an update (rrfw/ incomplete) still keeps the REPL fed for
# the technician to finish it. The numbers are hal/esp32.py's.
import gc
import machine

_WDT_MS = 5000      # ms: hal/esp32.py _WDT_MS (the same watchdog, reconfigured to the same timeout)
_TICK_MS = 1000     # ms between looks: hal/esp32.py _REPL_FEED_MS, well inside _WDT_MS
_IDLE_S = 120       # looks without a heap change before the feeding stops: hal/esp32.py _REPL_IDLE_MS
TIMER_ID = 0        # hal/esp32.py uses and stops the same timer


def keep_fed(wdt, alloc=gc.mem_alloc):
    """The timer's callback: feed `wdt` while the heap moves, for _IDLE_S looks after it last did.
    State in a list made here, so the callback itself allocates nothing."""
    st = [alloc(), 0]   # heap at the last look, looks since it last changed

    def look(_t):
        used = alloc()
        if used != st[0]:
            st[0] = used
            st[1] = 0
        elif st[1] < _IDLE_S:
            st[1] += 1
        if st[1] < _IDLE_S:
            wdt.feed()
    return look


def start():
    """After a soft reset (the watchdog may be running): the feeder, on timer TIMER_ID.
    Returns the timer, or None at power-on and after a hard or watchdog reset."""
    if machine.reset_cause() != machine.SOFT_RESET:
        return None
    wdt = machine.WDT(timeout=_WDT_MS)
    t = machine.Timer(TIMER_ID)
    t.init(period=_TICK_MS, mode=machine.Timer.PERIODIC, callback=keep_fed(wdt))
    return t


try:
    start()
except Exception as e:  # noqa: BLE001 - boot.py must never keep the board from main.py
    print("boot.py:", repr(e))
