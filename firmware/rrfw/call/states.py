# The states a line can be in (linecall.py draws them and names them: STATE_NAMES), the
# source of the numbers. The firmware does not import this module: each module that
# moves a line keeps private copies (`_IDLE = const(0)   # = states.IDLE`, held to these
# by tests/test_const_copies.py), which cost no RAM on MicroPython, where these
# public names are a slot each in a module dict (issue 14).

IDLE = const(0)
RINGING = const(1)
IVR = const(2)
ROUTING = const(3)
CONNECTED = const(4)
GUARD = const(5)
BYE = const(6)        # a closing message plays, then the board hangs up
CB_AGENT = const(7)   # call-back: ringing the agent first, line still on-hook
CB_DIAL = const(8)    # call-back: line seized, dialling the caller, agent listening
LEARN = const(9)      # 'learn my line': the technician's call, measured until it hangs up
DISA = const(10)      # DISA: this call bridged through the codec to a seized second line
BRIDGED = const(11)   # this line is the outside leg of another line's DISA call
OB_READY = const(12)  # outbound: the agent lifted; a tone (or the number read out) before the seize
OB_TALK = const(13)   # outbound campaign call: agent and callee talk, the opt-out key is watched
OB_WRAP = const(14)   # outbound: the callee is gone, the agent keys a disposition (line on-hook)
RA_CALL = const(15)   # remote agent: this line calls the agent's outside number for another line's caller
RA_WHISPER = const(16)  # remote agent: they answered; the whisper plays until they key accept
RA_TALK = const(17)   # remote agent: bridged through the codec to the caller's line (remote.py)
TRANSFER = const(18)  # the caller on hold while the agent transfers or calls the supervisor (transfer.py)


# After going on-hook the exchange needs time to clear the call before it can
# ring again; ring pulses in this window are ignored (a CPC or reversal
# after release must not be mistaken for a new call).
GUARD_MS = const(1500)        # ms; longer than the 0.8 s CPC of Bellcore TR-NWT-000057
NO_DEADLINE = const(-1)       # a state that ends on an event, not at a time
