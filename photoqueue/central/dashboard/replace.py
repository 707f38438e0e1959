"""The dashboard's "更换设备" (replace a room's Pi): the same flow as ``photoqueue central replace-station``.

Staff log in, press the card's button, type the room's name to confirm, and the new Pi's token is shown
once (only its hash is kept). The old station's tokens are revoked; the new token is pre-bound to the old
station id, which the new Pi adopts at its hello (docs/central.md, "Replacing a Pi").
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from photoqueue.central import accounts, guard, roomdays, schemas
from photoqueue.central.deps import get_store
from photoqueue.central.errors import CentralError
from photoqueue.central.guard import require_csrf, require_staff

router = APIRouter()
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/dashboard/replace.js", include_in_schema=False)
def replace_script() -> Response:
    text = resources.files("photoqueue.central.dashboard").joinpath("assets", "replace.js").read_text("utf-8")
    return Response(text, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "no-cache"})


@router.post("/dashboard/api/replace-station", dependencies=[Depends(require_staff), Depends(require_csrf)],
             openapi_extra=schemas.body_doc(schemas.ReplaceStationBody))
async def replace_station(request: Request, user: accounts.StaffUser = Depends(require_staff)) -> JSONResponse:
    doc = schemas.validate(schemas.ReplaceStationBody, await guard.read_json(request, 10_000))
    if doc.confirm.strip() != doc.room:
        raise CentralError(f"请输入组名“{doc.room}”确认更换 / type the room's name ({doc.room}) to confirm",
                           http_status=422, extra={"reason": "not_confirmed"})
    label = doc.label or f"replacement by {user.name}"
    done = await run_in_threadpool(roomdays.replace_station, get_store(request).db, doc.room, doc.date, label)
    return JSONResponse(done, headers=NO_STORE)
