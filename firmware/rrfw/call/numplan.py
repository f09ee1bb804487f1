# The numbering plan: which numbers the board may dial on a line (issue 16).
#
# Caller ID is whatever the caller's exchange (or a spoofer) sent, so no
# number goes out before check() has reduced it to digits and matched it
# against the line country's plan. Every dial passes here: call-backs
# (callout.py, and callbacks.py at the request) and DISA (disa.py).
#
#   raw ──normalise──▶ digits ──the office's allow list──▶ ok
#     │ "+", "-", " ", ".", "()": dropped;  │ no listed pattern
#     │ "+CC...": national form when CC is   ▼
#     │ the line's country, else the international prefix first
#     │                                   the plan: the longest matching prefix
#     ▼ "*", "#", letters: refused        decides (allow with its lengths, or deny
#       ("feature_code", "not_a_number")  with its reason); no match: "not_in_plan"
#
# Reasons: feature_code, not_a_number, empty, international, premium,
# special (emergency, directory, operator, short codes), not_in_plan,
# bad_length. A refusal is an event ("dial_refused") and in the call record.
#
# A plan is data: CC (E.164 country code), the international and trunk
# prefixes, and (prefix, verdict, lengths) rows; in a prefix "?" is any digit,
# "N" any of 2-9 (NANP's own notation). Verdict "ok" allows the lengths given;
# any other verdict refuses (lengths None: every length). Sources, per
# country, at each plan.

import sys

from rrfw.compat import unload

_DIGITS = "0123456789"
_DROP = " -.()/"


# Every plan by its country ("": an unknown one's), one constant tuple, which a
# frozen build keeps in flash (a plan function each and a dict of them cost about
# 0.3 KB of heap while numplan.py is loaded, docs/notes/heap.md).
_PLANS = (
    # US/Canada, the North American Numbering Plan (NANPA, nanpa.com):
    # 7-digit local NXX-XXXX, 10-digit NPA-NXX-XXXX, 1 + 10 digits; N = 2-9.
    # 900 and NXX 976 are pay-per-call (47 CFR 64.1501); 011 is the
    # international prefix; 0 / 00 the operator; N11 service codes (211-911);
    # 101XXXX carrier access. An N11 code is never an area or exchange code
    # (NANPA), and many switches route 9-1-1 as soon as it is keyed, whatever
    # follows: a number that starts N11, or 1 + N11, is refused at any length.
    # The NANP's Caribbean and Atlantic members bill
    # at international rates though dialled as 1 + 10 digits (NANPA's list of
    # NANP countries): the one-ring ("wangiri") and 809 frauds.
    ("US", ("1", "011", "1", (
        ("011", "international", None), ("01", "international", None), ("0", "special", None),
        ("?11", "special", None), ("1?11", "special", None), ("101", "special", None), ("900", "premium", (10,)),
        ("1900", "premium", (11,)), ("976", "premium", (7, 10)), ("???976", "premium", (10,)),
        ("1???976", "premium", (11,)), ("N", "ok", (7, 10)), ("1N", "ok", (11,)),
        ("242", "international", (10,)), ("1242", "international", (11,)),
        ("246", "international", (10,)), ("1246", "international", (11,)),
        ("264", "international", (10,)), ("1264", "international", (11,)),
        ("268", "international", (10,)), ("1268", "international", (11,)),
        ("284", "international", (10,)), ("1284", "international", (11,)),
        ("345", "international", (10,)), ("1345", "international", (11,)),
        ("441", "international", (10,)), ("1441", "international", (11,)),
        ("473", "international", (10,)), ("1473", "international", (11,)),
        ("649", "international", (10,)), ("1649", "international", (11,)),
        ("658", "international", (10,)), ("1658", "international", (11,)),
        ("664", "international", (10,)), ("1664", "international", (11,)),
        ("721", "international", (10,)), ("1721", "international", (11,)),
        ("758", "international", (10,)), ("1758", "international", (11,)),
        ("767", "international", (10,)), ("1767", "international", (11,)),
        ("784", "international", (10,)), ("1784", "international", (11,)),
        ("809", "international", (10,)), ("1809", "international", (11,)),
        ("829", "international", (10,)), ("1829", "international", (11,)),
        ("849", "international", (10,)), ("1849", "international", (11,)),
        ("868", "international", (10,)), ("1868", "international", (11,)),
        ("869", "international", (10,)), ("1869", "international", (11,)),
        ("876", "international", (10,)), ("1876", "international", (11,)),))),
    # Ofcom, National Telephone Numbering Plan: 01/02 geographic, 03 non-geographic
    # at geographic rates, 07 mobile but 070 personal numbering and 076 pagers
    # (premium-rate, fraud-prone), 080 freephone, 084/087 service charge, 09
    # premium rate, 118 directory enquiries, 1xx/999 short codes; 2-9 local,
    # without the area code.
    ("UK", ("44", "00", "0", (
        ("00", "international", None), ("01", "ok", (10, 11)), ("02", "ok", (11,)),
        ("03", "ok", (11,)), ("07", "ok", (11,)), ("070", "premium", None),
        ("076", "premium", None), ("080", "ok", (10, 11)), ("084", "premium", None),
        ("087", "premium", None), ("09", "premium", None), ("1", "special", None),
        ("118", "premium", None), ("999", "special", None), ("N", "ok", (6, 7, 8))))),
    # Bundesnetzagentur, Nummernplan: 02-09 geographic, 015/016/017 mobile,
    # 0800 free, 0137 mass-traffic, 0180 shared-cost service, 0700 personal,
    # 0900 premium, 0118 directory, 019 online services, 1xx short codes;
    # 2-9 local.
    ("DE", ("49", "00", "0", (
        ("00", "international", None), ("0", "ok", (6, 7, 8, 9, 10, 11, 12, 13)),
        ("01", "not_in_plan", None), ("015", "ok", (11, 12)), ("016", "ok", (10, 11, 12)),
        ("017", "ok", (11, 12)), ("0137", "premium", None), ("0180", "premium", None),
        ("0118", "premium", None), ("019", "special", None), ("0700", "premium", None),
        ("0800", "ok", (11, 12)), ("0900", "premium", None), ("1", "special", None),
        ("N", "ok", (5, 6, 7, 8))))),
    # ARCEP, plan de numérotation: 10 digits; 01-05 geographic, 06/07 mobile,
    # 09 VoIP, 080 free, 081/082 surcharged, 089 premium; 1x/3xxx short numbers,
    # 118 directory.
    ("FR", ("33", "00", "0", (
        ("00", "international", None), ("01", "ok", (10,)), ("02", "ok", (10,)), ("03", "ok", (10,)),
        ("04", "ok", (10,)), ("05", "ok", (10,)), ("06", "ok", (10,)), ("07", "ok", (10,)),
        ("09", "ok", (10,)), ("080", "ok", (10,)), ("081", "premium", None), ("082", "premium", None),
        ("089", "premium", None), ("1", "special", None), ("118", "premium", None), ("3", "special", None)))),
    # AGCOM, Piano nazionale di numerazione (delibera 8/15/CIR): no trunk
    # prefix (the 0 of a geographic number is part of it); 0 geographic, 3
    # mobile, 80x free; 89x, 144, 166 premium (sovrapprezzo); 1xx short codes
    # (112, 113, 118, 12xx directory), 4xx network services, 7xx internet.
    ("IT", ("39", "00", "", (
        ("00", "international", None), ("0", "ok", (6, 7, 8, 9, 10, 11)), ("3", "ok", (9, 10)),
        ("80", "ok", (6, 7, 8, 9, 10)), ("89", "premium", None), ("1", "special", None),
        ("144", "premium", None), ("166", "premium", None), ("4", "special", None), ("7", "special", None)))),
    # CNMC, Plan nacional de numeración: 9 digits, no trunk prefix; 8/9
    # geographic, 6/7 mobile, 800/900 free; 803, 806, 807, 905 premium
    # (tarificación adicional); 118 directory; 0xx/1xx short codes.
    ("ES", ("34", "00", "", (
        ("00", "international", None), ("0", "special", None), ("1", "special", None),
        ("118", "premium", None), ("6", "ok", (9,)), ("7", "ok", (9,)), ("8", "ok", (9,)), ("9", "ok", (9,)),
        ("803", "premium", None), ("806", "premium", None), ("807", "premium", None),
        ("905", "premium", None)))),
    # ACM, Nummerplan: 10 digits; 01-05/07 geographic, 06 mobile, 0800 free,
    # 0900/0906/0909 premium, 1xx short codes (112, 18xx directory).
    ("NL", ("31", "00", "0", (
        ("00", "international", None), ("01", "ok", (10,)), ("02", "ok", (10,)), ("03", "ok", (10,)),
        ("04", "ok", (10,)), ("05", "ok", (10,)), ("06", "ok", (10,)), ("07", "ok", (10,)),
        ("0800", "ok", (8, 9, 10, 11)), ("0900", "premium", None), ("0906", "premium", None),
        ("0909", "premium", None), ("1", "special", None)))),
    # ACMA, Telecommunications Numbering Plan: 02/03/07/08 geographic, 04
    # mobile, 1800 free, 13/1300 local rate, 19 premium; 0011/0018 the
    # international prefixes; 000 and 1xx short codes; 2-6, 8, 9 local
    # (8 digits).
    ("AU", ("61", "0011", "0", (
        ("0011", "international", None), ("0018", "international", None), ("000", "special", None),
        ("02", "ok", (10,)), ("03", "ok", (10,)), ("04", "ok", (10,)), ("07", "ok", (10,)),
        ("08", "ok", (10,)), ("1", "special", None), ("13", "ok", (6,)), ("1300", "ok", (10,)),
        ("1800", "ok", (10,)), ("19", "premium", None), ("2", "ok", (8,)), ("3", "ok", (8,)),
        ("4", "ok", (8,)), ("5", "ok", (8,)), ("6", "ok", (8,)), ("8", "ok", (8,)), ("9", "ok", (8,))))),
    # An unknown country: only what is surely national (the ITU-T E.164 norm: 00
    # international, a 0 trunk prefix, 7-13 digits); everything else refused.
    ("", ("", "00", "0", (("00", "international", None), ("0", "ok", (7, 8, 9, 10, 11, 12, 13))))),
)
_ALIAS = ("CA", "US", "GB", "UK")   # codes that share a plan: (code, its plan's)
# A plan: (CC, international prefix, trunk prefix, rows). Every plan is one
# constant tuple, which a frozen build keeps in flash: building the rows at
# the first call-back request cost 3 KB of heap for good (docs/notes/heap.md).
_CC = const(0)
_INTL = const(1)
_TRUNK = const(2)
_ROWS = const(3)


def plan(country):
    """The plan for a country code (US, UK, ...); an unknown code gets the strict default."""
    c = (country or "").upper()
    for i in range(0, len(_ALIAS), 2):
        if _ALIAS[i] == c:
            c = _ALIAS[i + 1]
    for p in _PLANS:
        if p[0] == c:
            return p[1]
    return _PLANS[-1][1]    # the unknown country's


def normalise(raw, country):
    """(digits, None), or (None, reason) when raw cannot be a number to dial."""
    if type(raw) is not str:
        return None, "empty"
    out = ""
    plus = False
    for i in range(len(raw)):
        c = raw[i]
        if c in _DIGITS:
            out += c
        elif c in _DROP:
            continue
        elif c == "+" and not out and not plus:
            plus = True
        elif c in "*#":
            return None, "feature_code"
        else:
            return None, "not_a_number"
    if not out:
        return None, "empty"
    if plus:
        p = plan(country)
        cc = p[_CC]
        if cc and out.startswith(cc):
            out = p[_TRUNK] + out[len(cc):]
        else:
            out = p[_INTL] + out
    return out, None


def _match(prefix, number):
    if len(prefix) > len(number):
        return False
    for i in range(len(prefix)):
        c = prefix[i]
        if c != number[i] and c != "?" and not (c == "N" and "2" <= number[i] <= "9"):
            return False
    return True


def allowed_by(number, patterns):
    """True if the office's own list names the number ("5550100", or a "prefix*")."""
    for p in patterns or ():
        if type(p) is not str or not p:
            continue
        if p[-1] == "*":
            if number.startswith(p[:-1]):
                return True
        elif number == p:
            return True
    return False


def verdict(number, country):
    """None when the plan lets `number` (digits) be dialled, else the reason."""
    best = None
    for row in plan(country)[_ROWS]:
        if _match(row[0], number) and (row[1] == "ok" or row[2] is None or len(number) in row[2]):
            if best is None or len(row[0]) > len(best[0]):
                best = row
    if best is None:
        return "not_in_plan"
    if best[1] != "ok":
        return best[1]
    if len(number) not in best[2]:
        return "bad_length"
    return None


def check(raw, country, allow=None):
    """(digits to dial, None) or (what can be shown of it, reason): the one gate
    before any dial. `allow`: the office's extra numbers/prefixes (config)."""
    number, why = normalise(raw, country)
    if why is not None:
        return raw, why
    if len(number) > 20:
        return number, "bad_length"
    if allowed_by(number, allow):
        return number, None
    why = verdict(number, country)
    return number, why


# The flows that keep this module in their globals (imported at their top): while one
# of them is loaded, forgetting the module would make the next import a second copy.
_HOLDERS = ("rrfw.call.disa", "rrfw.call.remote", "rrfw.call.transfer")


def once(raw, country, allow=None):
    """check() for a caller that needs the plan only at that moment (a call-back's
    request, its attempt's start: callbacks.py, callout.py): the module is forgotten
    after it (compat.unload) unless a flow that holds it is loaded, so its heap
    (about 0.3 KB, mp32-frozen) is not kept while the call-back waits and dials:
    the busy run's peak is a call-back's dial (docs/notes/heap.md, cbheap)."""
    r = check(raw, country, allow)
    for name in _HOLDERS:
        if name in sys.modules:
            return r
    unload("rrfw.call.numplan")
    return r
