"""The station's evidence: the SQLite event log, its checks and witnesses, the session on it, backup
and recover, the deployment key, and reading a data dir for export. Imports nothing of device/ but its errors."""
