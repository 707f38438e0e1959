"""The station's commands: `scan`, `queue`, `export` (commands), the staff actions (staff) and
`station` / `diagnose` (station)."""
