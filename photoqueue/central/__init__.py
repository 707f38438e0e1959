"""The central service: API, storage (SQLite / PostgreSQL), dashboard, reports. Imports only the
pure, shared modules of photoqueue.device (event schema, timetable)."""
