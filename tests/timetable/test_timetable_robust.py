"""Whatever staff type, the importer answers with findings or a TimetableError, never another exception."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photoqueue.timetable import TimetableError, check_file, load_timetable
from photoqueue.timetable.values import parse_time_range

CELLS = st.one_of(
    st.sampled_from(["", "A组", "第一组", "10月25日", "13日\n上午", "2023-10-25", "8:30-8:55", "14:30—14:40",
                     "9:00~", "小计", "合计：12", "53", "0", "-1", "约50", "班级", "人数", "（经管）", "25:61"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=7), max_size=8),
       header=st.sampled_from(["日期,组别,拍摄时间,班级,人数", "date,room,start,end,class_name,headcount", ""]))
def test_any_csv_gives_findings_or_a_timetable_error(tmp_path, rows, header):
    import csv
    import io

    buf = io.StringIO()
    if header:
        buf.write(header + "\n")
    csv.writer(buf).writerows(rows)
    path = tmp_path / "fuzz.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    report = check_file(path)
    assert all(f.severity in ("error", "warning") and f.rule and " / " in f.message for f in report.findings)
    try:
        load_timetable(path)
    except TimetableError:
        pass


@given(a=st.times(), b=st.times(), sep=st.sampled_from(["-", "—", "－", "~", "～", "至", " - ", "–"]),
       pad=st.booleans())
def test_time_ranges_read_back(a, b, sep, pad):
    a, b = a.replace(second=0, microsecond=0), b.replace(second=0, microsecond=0)
    fmt = "%H:%M" if pad else "{h}:%M"
    text = sep.join(t.strftime(fmt.replace("{h}", str(t.hour))) for t in (a, b))
    assert parse_time_range(text) == (a, b)
    assert parse_time_range(text.replace(":", "：")) == (a, b)
    assert isinstance(a, dt.time)
