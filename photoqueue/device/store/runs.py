"""The station's starts in its database (``station_runs``, schema version 3): each station process records its
session date and who confirmed it (device/station/date_confirm.py); ``photoqueue queue confirm-date`` marks the
running station's row. Not events: nothing of it syncs. A part of :class:`photoqueue.device.store.events.EventStore`.
"""

from __future__ import annotations

import sqlite3

from photoqueue.device.errors import StationError

_RUN_COLUMNS = ("id", "room", "date", "pid", "boot_id", "started_at", "confirmed_by", "confirmed_at")


class StationRuns:
    """The station_runs methods of EventStore (``self._db``, ``self.path`` and ``self.transaction`` are its)."""

    def begin_run(self, room: str, date: str, pid: int, boot: str, started_at: str, confirmed_by: str | None) -> int:
        """Record a station process's start; returns the run's id."""
        try:
            with self.transaction():
                cur = self._db.execute("INSERT INTO station_runs (room, date, pid, boot_id, started_at, confirmed_by, "
                                       "confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                       (room, date, pid, boot, started_at, confirmed_by,
                                        started_at if confirmed_by else None))
        except sqlite3.Error as exc:
            raise StationError(f"{self.path}: cannot record the station's start: {exc}") from None
        return cur.lastrowid

    def _runs(self, where: str, args: tuple) -> dict | None:
        try:
            if self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'station_runs'").fetchone() is None:
                return None
            row = self._db.execute(f"SELECT {', '.join(_RUN_COLUMNS)} FROM station_runs {where}", args).fetchone()
        except sqlite3.Error as exc:
            raise StationError(f"{self.path}: cannot read the station's starts: {exc}") from None
        return dict(zip(_RUN_COLUMNS, row, strict=True)) if row else None

    def run(self, run_id: int) -> dict | None:
        return self._runs("WHERE id = ?", (run_id,))

    def latest_run(self) -> dict | None:
        """The last station process started on this file (the running one, if one runs)."""
        return self._runs("ORDER BY id DESC LIMIT 1", ())

    def confirm_run(self, run_id: int, by: str, at: str) -> bool:
        """Mark a run's date confirmed (the first confirmation stays); False when it already was."""
        try:
            with self.transaction():
                cur = self._db.execute("UPDATE station_runs SET confirmed_by = ?, confirmed_at = ? WHERE id = ? AND "
                                       "confirmed_by IS NULL", (by, at, run_id))
        except sqlite3.Error as exc:
            raise StationError(f"{self.path}: cannot record the date's confirmation: {exc}") from None
        return cur.rowcount == 1
