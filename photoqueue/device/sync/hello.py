"""``POST /api/v1/hello``: the station asks the centre about its room's day before its first number.

The centre is the room's witness: it holds every event the station synced, and it binds the room's day
to one station stream (docs/central.md, the issue-21 contract). A station that says hello learns the id
its token is bound to (a replacement Pi adopts the old one's: ``takeover``), the centre's high-water for
that id and the highest number the centre holds for (room, date). An answer that shows this station
behind, or a refusal (room held by another station, token bound to another, another deployment key),
closes the gate (device/store/gate.py). Unreachable within ``[central] hello_timeout_s``: the station numbers on
its local evidence, and says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

REFUSALS = ("token_bound", "room_held", "key_mismatch", "diverged", "wrong_room")


def centre_refusal(code: int, doc: object) -> str | None:
    """The centre refuses this station's stream: another history for it ("diverged"), the room's day belongs to
    another station ("room_held"), another deployment key ("key_mismatch"), the token bound to another id or
    room, or revoked (a replaced Pi: 401). A gap is not one. A centre from before the reasons says "history has
    diverged" in its error."""
    if code == 401:
        return "token_refused"
    if code not in (403, 409) or not isinstance(doc, dict):
        return None
    reason = doc.get("reason")
    if reason in ("diverged", "room_held", "key_mismatch", "token_bound", "wrong_room"):
        return reason
    if "diverged" in str(doc.get("error", "")) and not isinstance(doc.get("expected_seq"), int):
        return "diverged"
    return None


@dataclass(frozen=True)
class Answer:
    station_id: str
    takeover: bool
    holder: str | None
    high_water: int
    highest_number: int
    deployment_key: str | None
    key_fingerprint: str | None
    server_time: str | None


@dataclass(frozen=True)
class Refused:
    """The centre said no: ``reason`` is one of REFUSALS or "token_refused" (401)."""

    reason: str
    message: str
    holder: str | None = None


def say_hello(url: str, token: str, body: dict, timeout_s: float) -> Answer | Refused | None:
    """The centre's answer, its refusal, or None when it cannot be reached (or answers nonsense)."""
    import httpx

    try:
        with httpx.Client(base_url=url.rstrip("/"), timeout=timeout_s,
                          headers={"authorization": f"Bearer {token}"}) as http:
            response = http.post("/api/v1/hello", json=body)
        doc = response.json() if response.content else {}
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("hello: the centre at %s cannot be reached (%s: %s)", url, type(exc).__name__, exc)
        return None
    if not isinstance(doc, dict):
        return None
    code = response.status_code
    message = str(doc.get("error", ""))[:300]
    if code == 401:
        return Refused("token_refused", message or "the centre does not know this token (revoked?)")
    if code in (403, 409) and doc.get("reason") in REFUSALS:
        return Refused(doc["reason"], message, doc.get("holder"))
    if code != 200:
        log.warning("hello: the centre answered %s: %s", code, message)
        return None  # a centre without hello (older) or in trouble: local evidence, as when unreachable
    try:
        return Answer(str(doc["station_id"]), bool(doc.get("takeover", False)), doc.get("holder"),
                      int(doc.get("high_water", 0)), int(doc.get("highest_number", 0)), doc.get("deployment_key"),
                      doc.get("key_fingerprint"), doc.get("server_time"))
    except (KeyError, TypeError, ValueError):
        log.warning("hello: the centre's answer is incomplete: %s", str(doc)[:200])
        return None


@dataclass(frozen=True)
class Outcome:
    state: str  # "ok", "takeover", "unreachable" or "refused"
    refusal: object = None  # a gate.Refusal when refused


class CentreLink:
    """The station's side of hello, for the gate (device/store/gate.py): asks, judges the answer, and on a takeover
    rebuilds the (empty) data dir as the adopted station from the centre's events (device/store/recover.py)."""

    def __init__(self, url: str, token: str, *, timeout_s: float = 3.0, fingerprint: str | None = None,
                 clock_check=None, on_key=None):
        self.url, self.token, self.timeout_s = url, token, timeout_s
        self.fingerprint = fingerprint
        self.clock_check = clock_check  # the answer's server_time confirms (or contradicts) the session date
        self.on_key = on_key  # (key bytes) -> None: keep it (keyfile.save_received_key); raises to refuse it
        self.received_key: bytes | None = None  # the centre's key, adopted by a station that never numbered
        self.answer: Answer | None = None
        self.allow_takeover = True  # the station rebuilds on a takeover; a manual scan refuses instead

    def hello(self, db_path, room: str, date: str) -> Outcome:
        import time

        from photoqueue.device.store.gate import CENTRE_REASONS, Reason, Refusal

        station_id, last_seq, last_number = self._local(db_path, room, date)
        body = {"station_id": station_id, "room": room, "date": date, "last_seq": last_seq,
                "last_number": last_number, "key_fingerprint": self.fingerprint}
        answer = say_hello(self.url, self.token, body, self.timeout_s)
        if answer is None:
            return Outcome("unreachable")
        if isinstance(answer, Refused):
            holder = f" (held by station {answer.holder})" if answer.holder else ""
            return Outcome("refused", Refusal(CENTRE_REASONS[answer.reason], f"the centre refused this station's hello: "
                                                                             f"{answer.message}{holder}"))
        self.answer = answer
        if self.clock_check is not None and answer.server_time:
            self.clock_check.observe(answer.server_time, time.time())
        state = "ok"
        fresh = last_seq == 0  # never numbered here: it may adopt the centre's key (after a takeover too)
        if answer.station_id != station_id:
            if not answer.takeover or last_seq > 0 or not self.allow_takeover:
                why = "the token is bound to another station"
                if answer.takeover:
                    why = (f"this data dir already numbered as station {station_id}" if last_seq else
                           "a takeover: start the station (it rebuilds the room's history first)")
                return Outcome("refused", Refusal(Reason.TOKEN_BOUND, f"the centre knows this token as station "
                                                                      f"{answer.station_id}: {why}"))
            from photoqueue.device.store.recover import rebuild_from_centre

            rebuild_from_centre(db_path.parent, (self.url, self.token), answer.station_id)
            station_id, last_seq, last_number = self._local(db_path, room, date)
            state = "takeover"
        if answer.high_water > last_seq or answer.highest_number > last_number:
            return Outcome("refused", Refusal(Reason.BEHIND_CENTRE, f"the centre holds {answer.high_water} events and "
                                                                    f"number {answer.highest_number} of {room} on {date}; "
                                                                    f"this data dir holds {last_seq} events and number "
                                                                    f"{last_number}: an older copy"))
        if answer.deployment_key and answer.key_fingerprint != self.fingerprint and fresh:
            return self._adopt_key(answer, state)
        return Outcome(state)

    def _adopt_key(self, answer: Answer, state: str) -> Outcome:
        """A station that has not numbered takes the centre's key, so digests match across every room."""
        from photoqueue.device.errors import StationError
        from photoqueue.device.store.gate import Reason, Refusal

        try:
            key = bytes.fromhex(answer.deployment_key)
            if self.on_key is not None:
                self.on_key(key)
        except (ValueError, StationError) as exc:
            return Outcome("refused", Refusal(Reason.KEY_MISMATCH, f"this station's deployment key differs from the "
                                                                   f"centre's and the centre's cannot be kept: {exc}"))
        self.received_key, self.fingerprint = key, answer.key_fingerprint
        log.warning("deployment key: this station adopts the centre's (fingerprint %s)", answer.key_fingerprint)
        return Outcome(state)

    @staticmethod
    def _local(db_path, room: str, date: str) -> tuple[str, int, int]:
        from photoqueue.device.store.events import EventStore

        with EventStore(db_path) as store:
            return store.station_id, store.last_seq(), store.highest_number(room, date)
