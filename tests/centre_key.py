"""A centre that holds a given deployment key, for tests whose stations already number with theirs.

Since issue 21 the centre hands out its one key and refuses a station that numbered with another (hello and
every batch carry the key's fingerprint). Operators give every station the centre's key (`photoqueue central
show-key`); tests that fix the station's key first make the centre hold the same one, before it serves.
"""

from __future__ import annotations


def give_centre_key(db_url: str, key: bytes) -> None:
    """Make the centre at ``db_url`` hold ``key`` (its store opened once here, then closed)."""
    from photoqueue.central.store import CentralStore

    with CentralStore(db_url, pool_size=1) as store, store.db.write() as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'deployment_key'", (key.hex(),))
