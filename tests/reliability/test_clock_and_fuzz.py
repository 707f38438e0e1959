"""The Pi's clock jumping, and random input at the scanner gate: order and counts never move."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photoqueue.core import commands as cmd
from photoqueue.core import effects as fx
from photoqueue.core.codecheck import SCANNER_PADDING
from photoqueue.core.counts import class_counts
from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session

RULES = Rules(digest_key=b"c" * 32)
PLAN = ({"name": "甲班", "headcount": 6, "start": "08:00", "end": "08:10"},
        {"name": "乙班", "headcount": 6, "start": "08:10", "end": "08:20"})


def run_day(tmp_path, clock):
    session = Session(EventStore(tmp_path / "station.db"), "A组", "2023-10-25", RULES)
    session.handle(cmd.LoadTimetable(PLAN), clock(0))
    for i in range(12):
        session.scan(f"STUDENT-{i:04d}", clock(2 * i))
        if i % 2:
            session.handle(cmd.Advance(), clock(2 * i + 1))
    session.handle(cmd.Skip(), clock(30))
    session.handle(cmd.Advance(), clock(31))
    return session


def test_clock_jumping_back_a_year_or_forward_a_day_changes_no_order_or_count(tmp_path):
    start = dt.datetime(2023, 10, 25, 8, 0)

    def steady(i):
        return start + dt.timedelta(seconds=10 * i)

    def jumpy(i):
        t = steady(i)
        if 6 <= i < 14:
            return t - dt.timedelta(days=365)  # the Pi booted without network time
        if i >= 14:
            return t + dt.timedelta(days=1)  # and then overshot
        return t

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = run_day(tmp_path / "a", steady)
    b = run_day(tmp_path / "b", jumpy)
    shape = lambda s: {n: (t.status, t.class_name, t.shot_seq) for n, t in s.tickets.items()}  # noqa: E731
    assert shape(a.state) == shape(b.state)
    assert class_counts(a.state) == class_counts(b.state)
    assert [e.seq for e in b.store.events()] == list(range(1, b.store.last_seq() + 1))


payloads = st.one_of(
    st.text(max_size=700),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
    st.sampled_from(["https://x.cn/a", "wxp://f2f0", "alipays://platformapi", "\x1b@\x1dV\x00", "\ufeff"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codes=st.lists(payloads, min_size=1, max_size=8))
def test_any_payload_gets_a_number_or_a_clear_refusal_and_never_crashes(tmp_path_factory, codes):
    session = Session(EventStore(tmp_path_factory.mktemp("fuzz") / "station.db"), "A组", "2023-10-25", RULES)
    now = dt.datetime(2023, 10, 25, 9, 0)
    for code in codes:
        effects = session.scan(code, now)
        feedback = [e for e in effects if isinstance(e, fx.ScanFeedback)]
        assert len(feedback) == 1
        if not feedback[0].ok:
            assert feedback[0].message_zh and feedback[0].message_en and feedback[0].rule
        else:
            assert not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in code.strip(SCANNER_PADDING))
    numbers = sorted(session.state.tickets)
    assert numbers == list(range(1, len(numbers) + 1))
    session.store.close()
