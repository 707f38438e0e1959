"""`central add-station` and `central load-timetable` check what the stations will meet."""

from photoqueue.central.store import CentralStore
from photoqueue.cli import main


def test_add_station_refuses_a_room_the_held_timetable_does_not_have(tmp_path, timetable_2024, capsys):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["central", "add-station", "--db", db, "--room", "第三组"]) == 0  # nothing held: a warning
    assert "could not be checked" in capsys.readouterr().err
    assert main(["central", "load-timetable", "--db", db, str(timetable_2024)]) == 0
    capsys.readouterr()
    assert main(["central", "add-station", "--db", db, "--room", "第三组"]) == 2
    err = capsys.readouterr().err
    assert "no room '第三组'" in err and "第一组" in err and "nothing was registered" in err
    assert main(["central", "add-station", "--db", db, "--room", "第三组", "--force"]) == 0
    assert main(["central", "add-station", "--db", db, "--room", "第一组"]) == 0
    with CentralStore(db) as store:
        assert len(store.timetable().slots) > 10


def test_load_timetable_warns_on_every_finding(tmp_path, timetable_2021, capsys):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["central", "load-timetable", "--db", db, str(timetable_2021)]) == 0
    err = capsys.readouterr().err
    # every finding is said, each a warning now (a timetable never stops a room, issue 23): row 16's
    # reversed slot among them, by its row and what is wrong
    assert "row 16 (error; the station starts anyway)" in err and "ends before it starts" in err
    assert "6 warning(s)" in err
    assert "37 classes held" in err
