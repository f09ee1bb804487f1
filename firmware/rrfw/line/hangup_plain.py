# Plain twin of hangup.py's viper kernel: CPython runs it, and the tests
# compare it with the viper one (the convention: rrfw/compat.py). Not in
# manifest.py: never on the board.


def abs_sum(buf, n):
    # sum of |sample| (max 80 * 32768 = 2.6e6: fits 32 bits)
    s = 0
    for i in range(n):
        v = buf[i]
        s += v if v >= 0 else -v
    return s
