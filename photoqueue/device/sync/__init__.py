"""The station's link to the centre: the sync client, staff commands, the clock check, the cached
timetable, its settings. Imports device/store and device/errors."""
