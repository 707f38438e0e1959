"""The API's request and response bodies as pydantic models, so ``/api/docs`` documents every write.

Bodies are still read by :func:`photoqueue.central.guard.read_json` (the size cap, the depth cap and the
integer ranges come first), then validated here with :func:`validate`; ``body_doc(Model)`` puts the model
into the OpenAPI document of a route that reads its body that way.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from photoqueue.central.errors import CentralError

M = TypeVar("M", bound=BaseModel)
INT32_MAX = 2**31 - 1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(Strict):
    name: StrictStr = Field(max_length=200, description="the staff account's name")
    password: StrictStr = Field(max_length=1000)
    next: StrictStr | None = Field(None, description="form logins: a path on this site to go to afterwards")
    csrf: StrictStr | None = Field(None, description="form logins: the token the login page carries")


class LoginAnswer(BaseModel):
    name: str
    csrf: str = Field(description="send as X-CSRF-Token with every staff change made with this login")


class OkAnswer(BaseModel):
    ok: bool = True


class MeAnswer(BaseModel):
    name: str
    id: int


class EventsBody(Strict):
    station_id: StrictStr = Field(description="the station database's id")
    events: list[dict[str, Any]] = Field(default_factory=list, description="queue events, gapless by seq")
    acked_commands: list[StrictInt] | None = Field(None, description="ids of staff commands the station applied")
    health: dict[str, Any] | None = Field(None, description="printer, camera, alerts, ...")
    pending: StrictInt | None = Field(None, ge=0, le=INT32_MAX, description="the station's outbox size")
    key_fingerprint: StrictStr | None = Field(None, max_length=64,
                                              description="the fingerprint of the station's deployment key")


class HelloBody(Strict):
    """What a station says before its first number after a start (docs/central.md, "The station's hello")."""
    station_id: StrictStr = Field(min_length=1, max_length=100, description="the station database's own id")
    room: StrictStr = Field(min_length=1, max_length=200)
    date: StrictStr = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="the session date, YYYY-MM-DD")
    last_seq: StrictInt = Field(0, ge=0, le=2**62, description="the station's last event seq")
    last_number: StrictInt = Field(0, ge=0, le=INT32_MAX, description="the highest number it issued that day")
    key_fingerprint: StrictStr | None = Field(None, max_length=64,
                                              description="its deployment key's fingerprint, null without a key")


class HelloAnswer(BaseModel):
    station_id: str = Field(description="the id this token is bound to: the station's own, or the one to adopt")
    takeover: bool = Field(description="adopt station_id: rebuild the log from GET /api/v1/events")
    room: str
    date: str
    holder: str | None = Field(description="the station id that numbers (room, date) at the centre")
    high_water: int = Field(description="the centre's last seq of station_id")
    highest_number: int = Field(description="the highest number the centre holds for (room, date), 0 if none")
    deployment_key: str = Field(description="the centre's deployment key, hex")
    key_fingerprint: str
    server_time: str


class CommandBody(Strict):
    room: StrictStr = Field(max_length=200)
    kind: StrictStr = Field(max_length=50)
    args: dict[str, Any] | None = None


class CommandAnswer(BaseModel):
    id: int


class TimetableBody(Strict):
    slots: list[dict[str, Any]] = Field(description="{date, room, class, headcount, start, end, college, location}")


class ReplaceStationBody(Strict):
    """The dashboard's "replace this room's Pi": ``confirm`` is the room's name typed again."""
    room: StrictStr = Field(min_length=1, max_length=200)
    date: StrictStr | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$",
                                   description="the room's day to take over (default: its latest)")
    confirm: StrictStr = Field(max_length=200, description="the room's name, typed by staff to confirm")
    label: StrictStr | None = Field(None, max_length=200)


class DashboardCommandBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    room: StrictStr = Field(max_length=200)
    action: StrictStr = Field(description="next_class, void or correct_class")
    number: StrictInt | StrictStr | None = None
    reason: StrictStr | None = None
    class_name: StrictStr | None = None


def validate(model: type[M], doc: Any) -> M:
    """``doc`` as ``model``; a mismatch is a 422 naming each field."""
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()[:10]]
        raise CentralError("; ".join(parts), http_status=422) from None


def body_doc(model: type[BaseModel], *, form: bool = False) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads its own body: the model as its request schema."""
    content = {"application/json": {"schema": model.model_json_schema()}}
    if form:
        content["application/x-www-form-urlencoded"] = {"schema": model.model_json_schema()}
    return {"requestBody": {"required": True, "content": content}}
