"""The program that runs on the Pi, in four rooms (docs/architecture.md draws their arrows):

- ``store/``: the evidence: the SQLite event log, its checks and both witnesses, the number gate, the
  session on the log, backup and recover, the deployment key, reading a data dir for export;
- ``sync/``: the link to the centre: the sync client, hello, staff commands, the clock check, the cached
  timetable;
- ``station/``: the program: the queue thread (``app``), its parts and their adapters, health, the date
  confirmation, the photo watch, the config, diagnose;
- ``cli/``: the station's commands (``scan``, ``queue``, ``export``, ``station``, ``diagnose``).

``errors`` (``StationError``) is theirs to share.
"""
