# The one 32-bit overflow checker of the plain twins (see compat.py). Never on
# the board: named *_plain.py, it is not in manifest.py. A test sets a twin
# module's `check` to a Check32; the twins then pass it their intermediates.
_MAX32 = 2147483647
_SMALL = 1073741824   # ESP32 small ints are 31-bit: larger ones are heap objects


class Check32:
    def __init__(self):
        self.peak = 0   # largest magnitude seen: the headroom the arithmetic leaves

    def int32(self, *vals):
        """Each value must fit a viper int on the ESP32 (32-bit signed)."""
        for v in vals:
            if v > _MAX32 or v < -_MAX32 - 1:
                raise OverflowError("32-bit overflow: %d" % v)
            if v < 0:
                v = -v
            if v > self.peak:
                self.peak = v

    def small(self, *vals):
        """Each value, read by Python code on the board, must stay a small int."""
        for v in vals:
            if v >= _SMALL or v < -_SMALL:
                raise OverflowError("beyond a 31-bit small int: %d" % v)
