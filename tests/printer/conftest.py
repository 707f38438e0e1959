from datetime import datetime

import pytest

from photoqueue.printer.ticket import Ticket

LONGEST_CLASS = "22计算机科学与技术(第二学士学位）"  # the longest class name in shared/timetables/


def make_ticket(**changes) -> Ticket:
    fields = dict(room="第一组", number=127, class_name=LONGEST_CLASS, issued_at=datetime(2023, 10, 25, 14, 32, 7),
                  position=12, wait_minutes=5.6, check_code="7F3A", reprint=False, location="行政附楼1号会议室")
    fields.update(changes)
    return Ticket(**fields)


@pytest.fixture
def ticket() -> Ticket:
    return make_ticket()
