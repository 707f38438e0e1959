"""Codes as a person sees them: a code with an invisible format character (Unicode category Cf) is refused
with a clear message, and a full-width code (NFKC) is the same code as its ASCII twin. The three codes of
issue 21 (``\\u200bSTU000100``, ``ＳＴＵ000100``, ``STU000100``) get ONE number: in the core reducer and in the
station's real Session over a real SQLite event log."""

from __future__ import annotations

import datetime as dt

import pytest

from photoqueue.core import commands as cmd
from photoqueue.core import queue
from photoqueue.core.codecheck import check_code, normalise_code
from photoqueue.core.digest import code_digest
from photoqueue.core.events import TicketIssued, TicketReprinted
from photoqueue.core.state import Rules, SessionState
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session

KEY = bytes(range(32))
NOW = dt.datetime(2024, 6, 20, 9, 0)
PLAIN, WIDE, HIDDEN = "STU000100", "ＳＴＵ000100", "\u200bSTU000100"


def test_the_three_codes_get_one_number_in_the_reducer():
    state, rules = SessionState(room="R1", date="2024-06-20"), Rules(digest_key=KEY)
    answers = []
    for code in (PLAIN, WIDE, HIDDEN, "ＳＴＵ０００１００"):
        decision = queue.decide(state, cmd.Scan(code), NOW, rules)
        for event in decision.events:
            queue.apply(state, event)
        answers.append(decision)
    assert [type(e) for e in answers[0].events] == [TicketIssued]
    assert [(type(e), e.number) for e in answers[1].events] == [(TicketReprinted, 1)]
    assert answers[2].events == [] and answers[2].notices[0].rule == "invisible"
    assert "采集码含不可见字符" in answers[2].notices[0].message_zh
    assert [(type(e), e.number) for e in answers[3].events] == [(TicketReprinted, 1)]
    assert list(state.tickets) == [1]


@pytest.mark.parametrize("first", [WIDE, PLAIN])
def test_the_three_codes_get_one_number_at_a_real_station(tmp_path, first):
    store = EventStore(tmp_path / "station.db")
    try:
        session = Session(store, "R1", "2024-06-20", Rules(digest_key=KEY))
        feedback = []
        for code in (first, WIDE if first == PLAIN else PLAIN, HIDDEN):
            effects = session.scan(code, NOW)
            feedback.append(next(e for e in effects if type(e).__name__ == "ScanFeedback"))
        assert [(f.kind, f.number) for f in feedback[:2]] == [("issued", 1), ("reprint", 1)]
        assert feedback[2].ok is False and feedback[2].number is None
        assert feedback[2].message_zh.startswith("采集码含不可见字符")
        issued = [e for e in store.events(room="R1", date="2024-06-20") if isinstance(e, TicketIssued)]
        assert [(e.number, e.code) for e in issued] == [(1, PLAIN)]  # kept as a person reads it
        # a restart replays the log: still one number for either form
        session = Session(store, "R1", "2024-06-20", Rules(digest_key=KEY))
        effects = session.scan(WIDE, NOW)
        assert next(e for e in effects if type(e).__name__ == "ScanFeedback").number == 1
        assert len(session.state.tickets) == 1
    finally:
        store.close()


@pytest.mark.parametrize("mark", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u00ad"])
def test_every_invisible_format_character_is_refused(mark):
    for code in (mark + PLAIN, PLAIN[:3] + mark + PLAIN[3:], PLAIN + mark):
        rejection = check_code(code)
        assert rejection is not None and rejection.rule == "invisible", repr(code)
        assert rejection.message_zh.startswith("采集码含不可见字符") and rejection.message_en


def test_full_width_forms_digest_and_check_as_their_ascii_twin():
    assert normalise_code("ＳＴＵ０００１００") == PLAIN
    assert code_digest(KEY, "ＳＴＵ０００１００") == code_digest(KEY, WIDE) == code_digest(KEY, PLAIN)
    assert check_code("ｗｗｗ.example.com").rule == "url"  # a full-width link is still a link
    assert check_code("中文也可以的采集码") is None
