"""The renderer at every layout: text shrinks to fit, is cut with an ellipsis only when it must, never
clips nor overlaps; it redraws only what changed; a missing font falls back with a warning."""

import datetime as dt
import itertools
import logging

import pytest

from photoqueue.display import DateCheck, DisplaySettings, Flash, render_png
from photoqueue.display._pygame import pygame
from photoqueue.display.fonts import MIN_PX
from photoqueue.display.layout import Box
from photoqueue.display.render import Renderer
from photoqueue.display.samples import sample_state

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

SIZES = [(1920, 1080), (1280, 720), (800, 480)]

NOW = dt.datetime(2023, 10, 25, 14, 32, 5)


def states(longest):
    a, b = longest
    alerts = ("打印机缺纸，请换纸", "摄像头断开，请检查连接", "网络离线（自 14:05）")
    return {
        "plain": sample_state(),
        "longest": sample_state(current=a, upcoming=b, alerts=alerts),
        "longest-swapped": sample_state(current=b, upcoming=a, alerts=alerts[:1]),
        "flash-issued": sample_state(current=a, upcoming=b, flash=Flash("issued", number=188)),
        "flash-refused": sample_state(
            flash=Flash("refused", text="这不是图像采集码（是一个网址），请出示学校的采集码")
        ),
        "three-digits": sample_state(now_serving=888, current=a),
        "nobody": sample_state(now_serving=None),
        "empty": sample_state().__class__(),
        "date-unconfirmed": sample_state(now_serving=None, current=a, upcoming=b, alerts=alerts[:1],
                                         date_check=DateCheck(dt.date(2024, 10, 25))),
        "date-confirmed": sample_state(now_serving=None, date_check=DateCheck(dt.date(2024, 10, 25), "centre")),
        "date-refused-scan": sample_state(date_check=DateCheck(dt.date(2024, 10, 25)),
                                          flash=Flash("refused", text="日期未确认（2024-10-25 星期五）：请摄影师按键确认日期后再扫码")),
    }


def draw(state, size, settings=None):
    surface = pygame.Surface(size)
    r = Renderer(surface, settings)
    r.render(state, NOW)
    return r


def check_geometry(r, size):
    screen = Box(0, 0, *size)
    items = r.placed()
    assert items
    for p in items:
        assert screen.contains(p.box), (p.slot_name, p.box)
        assert p.slot.contains(p.box), f"{p.slot_name}: {p.text!r} {p.box} outside its slot {p.slot}"
        assert p.font_px >= MIN_PX
        for text, run in p.runs:
            assert p.box.contains(run), (p.slot_name, text)
    for a, b in itertools.combinations(items, 2):
        assert not a.box.overlaps(b.box), f"{a.slot_name} {a.text!r} overlaps {b.slot_name} {b.text!r}"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_nothing_clips_or_overlaps(size, longest_names):
    for name, state in states(longest_names).items():
        r = draw(state, size)
        try:
            check_geometry(r, size)
        except AssertionError as exc:
            raise AssertionError(f"state {name!r} at {size}: {exc}") from None


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_longest_class_names_shrink_but_stay_whole(size, longest_names):
    a, b = longest_names
    r = draw(sample_state(current=a, upcoming=b), size)
    by_slot = {p.slot_name: p for p in r.placed()}
    assert by_slot["cur_name"].text == a and not by_slot["cur_name"].ellipsized
    assert by_slot["up_name"].text == b and not by_slot["up_name"].ellipsized
    # Still large: at least a fifth of the screen height divided by ... in plain numbers:
    assert by_slot["cur_name"].font_px >= size[1] // 24
    # And the number called is the largest text on the screen.
    call = by_slot["call"]
    assert call.font_px == max(p.font_px for p in r.placed())


def test_absurd_text_is_ellipsized_not_clipped():
    name = "超长班级名称" * 30
    r = draw(sample_state(current=name, alerts=("警报" * 200,)), (800, 480))
    by_slot = {p.slot_name: p for p in r.placed()}
    cur = by_slot["cur_name"]
    assert cur.ellipsized and cur.text.endswith("…") and name.startswith(cur.text[:-1])
    assert by_slot["alert"].ellipsized
    check_geometry(r, (800, 480))


def test_shows_what_the_state_says():
    r = draw(sample_state(alerts=("打印机缺纸",)), (1920, 1080))
    texts = {p.slot_name: p.text for p in r.placed()}
    assert texts["call"].replace(" ", "") == "请17号同学拍摄"
    assert texts["next_1"].split() == ["18", "19", "20"] and texts["next_2"].split() == ["21", "22", "23"]
    assert texts["cur_count"].replace(" ", "") == "已拍12/53"
    assert "14:40" in texts["up_info"] and "31 人" in texts["up_info"]
    assert texts["clock"] == "14:32:05"
    assert "打印机缺纸" in texts["alert"]
    assert "等候 8 人" in texts["waiting"] and "约 4 分钟" in texts["waiting"]
    assert texts["pace"] == "比时间表晚 5 分钟"
    assert "flash" not in texts


def test_flash_replaces_the_status_line_until_it_ends():
    until = NOW + dt.timedelta(seconds=3)
    state = sample_state(flash=Flash("issued", number=25, until=until))
    surface = pygame.Surface((1280, 720))
    r = Renderer(surface)
    r.render(state, NOW)
    texts = {p.slot_name: p.text for p in r.placed()}
    assert "取号成功" in texts["flash"] and "25 号" in texts["flash"] and "waiting" not in texts
    dirty = r.render(state, until)
    assert len(dirty) == 1  # the status line is back (the sample state has a fixed clock)
    texts = {p.slot_name: p.text for p in r.placed()}
    assert "flash" not in texts and "等候" in texts["waiting"]


def test_the_session_date_large_in_place_of_the_call_until_confirmed(tmp_path):
    """Before the first scan: the date and its weekday where the call goes, the photographer's prompt below."""
    state = sample_state(now_serving=None, date_check=DateCheck(dt.date(2024, 10, 25)))
    r = draw(state, (1920, 1080))
    by_slot = {p.slot_name: p for p in r.placed()}
    assert by_slot["call"].text.split() == ["日期", "2024-10-25", "星期五"]
    assert by_slot["call"].font_px == max(p.font_px for p in r.placed()), "the date is the largest text"
    assert by_slot["flash"].text == "摄影师请按键确认日期 / photographer: press the button to confirm the date"
    assert "waiting" not in by_slot and "pace" not in by_slot
    orange = r.surface.get_at((by_slot["flash"].slot.x + 2, by_slot["flash"].slot.y + 2))[:3]
    assert orange == (200, 80, 0)
    confirmed = draw(sample_state(now_serving=None, date_check=DateCheck(dt.date(2024, 10, 25), "button")),
                     (1920, 1080))
    texts = {p.slot_name: p.text for p in confirmed.placed()}
    assert "日期已确认（摄影师按键）" in texts["flash"] and "请扫码取号" in texts["flash"]
    assert render_png(state, (800, 480), tmp_path / "date.png").stat().st_size > 5_000


def test_pace_words():
    for late, words in ((12, "晚 12 分钟"), (-3, "早 3 分钟"), (0.3, "按时间表进行")):
        r = draw(sample_state().__class__(late_minutes=late), (800, 480))
        assert words in {p.slot_name: p.text for p in r.placed()}["pace"]


def test_redraws_only_what_changed():
    surface = pygame.Surface((1920, 1080))
    r = Renderer(surface)
    state = sample_state().__class__(**{**sample_state().__dict__, "clock": None})
    assert r.render(state, NOW) == [surface.get_rect()]
    assert r.render(state, NOW) == []  # nothing changed: nothing drawn
    painted = r.regions_painted
    one_second_later = r.render(state, NOW + dt.timedelta(seconds=1))
    clock = r.layout.region("clock").box
    assert one_second_later == [pygame.Rect(clock.x, clock.y, clock.w, clock.h)]
    assert r.regions_painted == painted + 1
    nxt = state.__class__(**{**state.__dict__, "waiting": 9})
    dirty = r.render(nxt, NOW + dt.timedelta(seconds=1))
    assert len(dirty) == 1  # only the status line
    r.invalidate()
    assert r.render(nxt, NOW + dt.timedelta(seconds=1)) == [surface.get_rect()]


def test_alerts_blink_once_a_second():
    surface = pygame.Surface((800, 480))
    r = Renderer(surface)
    state = sample_state(alerts=("打印机缺纸",))
    r.render(state, NOW)
    box = r.layout.region("alert").box
    first = surface.get_at((box.x + 2, box.y + 2))
    r.render(state, NOW + dt.timedelta(seconds=1))
    second = surface.get_at((box.x + 2, box.y + 2))
    assert first != second and first.r > 100 and second.r > 100 and first.g < 60 and second.g < 60


def test_missing_font_falls_back_with_a_warning(caplog, tmp_path):
    with caplog.at_level(logging.WARNING, logger="photoqueue.display"):
        r = draw(sample_state(), (800, 480), DisplaySettings(font_path=str(tmp_path / "gone.ttf")))
    assert "gone.ttf not found" in caplog.text
    assert r.fonts.path and r.fonts.path.endswith((".ttc", ".ttf", ".otf"))  # another Chinese font
    check_geometry(r, (800, 480))


def test_no_font_at_all_uses_pygames_default(caplog, monkeypatch, tmp_path):
    monkeypatch.setattr("photoqueue.cjkfont.CANDIDATES", [])
    monkeypatch.setattr("photoqueue.cjkfont.fontconfig_fonts", lambda: ())
    with caplog.at_level(logging.WARNING, logger="photoqueue.display"):
        r = draw(sample_state(), (800, 480), DisplaySettings(font_path=str(tmp_path / "gone.ttf")))
    assert r.fonts.path is None
    assert "pygame's default font" in caplog.text
    check_geometry(r, (800, 480))


def test_light_theme_and_png(tmp_path):
    path = render_png(sample_state(), (800, 480), tmp_path / "light.png", DisplaySettings(theme="light"))
    image = pygame.image.load(str(path))
    assert image.get_size() == (800, 480)
    assert image.get_at((2, 2))[:3] == (210, 215, 222)
