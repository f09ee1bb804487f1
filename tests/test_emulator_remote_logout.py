"""A remote agent logs out from the call the board places to them (issue 11): after
the whisper they key their `logout_key` instead of accept. The board dialled their
number, so the key needs no PIN and trusts no caller ID. The caller keeps the
place and is served by the next agent; the remote agent is rung no more. Logging
back in is the admin's `ringroute agent 150 login` (agent.set, test_console_agent_pty
and check_security.py run it); docs/config.md says why there is no dial-in login."""
from emuhelp import of
from test_emulator_remote import REMOTE, caller, config, run, scenario


def logout_config():
    cfg = config(members=["150", "101"])
    cfg["extensions"]["150"]["logout_key"] = "9"
    return cfg


def test_a_remote_agent_keys_logout_and_the_caller_goes_to_the_next_agent(tmp_path):
    sc = scenario({"answer_after": 3, "accept": "9", "accept_after": 2, "talk": 5},
                  calls=[caller(talk=8.0), caller(at=40.0, cid="5550000002", talk=5.0)],
                  exts={"101": {"answer_after": 1.0}})
    ev = run(logout_config(), sc, tmp_path)
    key = of(ev, "remote_key")
    assert [(k["digit"], k["accepted"]) for k in key] == [("9", False)]
    out = of(ev, "agent", ext="150")
    # the boot's state event (where the agent's session records start), then the key's
    assert [(a["state"], a["why"]) for a in out] == [("available", "boot"), ("logged_out", "remote_key")]
    out = out[1:]
    assert out[0]["t_ms"] == key[0]["t_ms"]
    end = of(ev, "remote_end")[0]
    assert end["why"] == "logged_out" and end["t_ms"] == key[0]["t_ms"]
    rna = of(ev, "ring_noanswer", ext="150")
    assert rna and rna[0]["why"] == "logged_out"
    # line 2 on-hook at once; the caller never heard the remote agent, 101 took the call
    on2 = [h for h in of(ev, "hook", line=2) if h["state"] == "on"]
    assert on2 and on2[0]["t_ms"] == key[0]["t_ms"]
    cons = of(ev, "connect")
    assert [c["ext"] for c in cons] == ["101", "101"]
    assert not of(ev, "line_audio", who="caller")
    # the second caller: 150 is logged out, never dialled again
    assert len(of(ev, "remote_dial")) == 1 and [d["number"] for d in of(ev, "dialled")] == [REMOTE]
    recs = [e["record"] for e in of(ev, "record")]
    assert [r["outcome"] for r in recs] == ["connected", "connected"]
    assert recs[0]["agents"][0][0] == "150" and recs[0]["agents"][0][2] == "no_answer"


def test_without_a_logout_key_the_key_does_nothing(tmp_path):
    cfg = config(members=["150", "101"])
    sc = scenario({"answer_after": 3, "accept": "9", "accept_after": 2, "talk": 5},
                  calls=[caller(talk=8.0)], exts={"101": {"answer_after": 1.0}})
    ev = run(cfg, sc, tmp_path)
    assert [(k["digit"], k["accepted"]) for k in of(ev, "remote_key")] == [("9", False)]
    assert not of(ev, "agent", ext="150", state="logged_out")
    assert of(ev, "remote_end")[0]["why"] == "hangup"      # they hung up 5 s after the key
