"""The chat page (``GET /``), its static files (``/static``) and ``GET /info`` it reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api.deps import SettingsDep

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(tags=["page"])


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    """The chat page."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html",
                        headers={"Cache-Control": "no-cache"})


@router.get("/info")
def info(request: Request, settings: SettingsDep) -> dict[str, Any]:
    """What a client needs before calling: whether a key is needed, the model id, limits."""
    return {"name": "reportqa", "version": request.app.version,
            "auth_required": settings.auth_enabled, "model": settings.model_id,
            "max_upload_bytes": settings.max_upload_bytes, "public_url": settings.public_url}


def mount_static(app: FastAPI) -> None:
    """Serve ``api/static`` at ``/static``."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
