import itertools

import pytest

from photoqueue.display.layout import LAYOUTS, Box, choose_layout, nearest_layout

ALTERNATIVES = {frozenset({"flash", "waiting"}), frozenset({"flash", "pace"})}  # never drawn together


@pytest.mark.parametrize(
    "size, name",
    [
        ((1920, 1080), "1920x1080"),
        ((2560, 1440), "1920x1080"),
        ((1366, 768), "1280x720"),
        ((1280, 800), "1280x720"),
        ((800, 480), "800x480"),
        ((1024, 600), "1280x720"),
        ((720, 480), "800x480"),
        ((480, 320), "800x480"),
    ],
)
def test_nearest_layout(size, name):
    assert nearest_layout(*size).name == name


@pytest.mark.parametrize(
    "size", [(1920, 1080), (1280, 720), (800, 480), (1366, 768), (1024, 600), (3840, 2160)]
)
def test_regions_and_slots_fit_the_screen_and_do_not_overlap(size):
    layout = choose_layout(*size)
    screen = Box(0, 0, *size)
    assert layout.size == size
    for r in layout.regions:
        assert screen.contains(r.box), r.name
        for name, slot in r.slots:
            assert r.box.contains(slot), (r.name, name)
            assert slot.w > 0 and slot.h > 0
        for d in r.dividers:
            assert r.box.contains(d)
    for a, b in itertools.combinations(layout.regions, 2):
        assert not a.box.overlaps(b.box), (a.name, b.name)
    slots = [(n, b) for r in layout.regions for n, b in r.slots]
    for (na, a), (nb, b) in itertools.combinations(slots, 2):
        if frozenset({na, nb}) not in ALTERNATIVES:
            assert not a.overlaps(b), (na, nb)


def test_every_layout_has_every_slot():
    names = [sorted(n for r in lay.regions for n, _ in r.slots) for lay in LAYOUTS]
    assert all(n == names[0] for n in names)
