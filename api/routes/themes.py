"""The theme taxonomy, with how many findings and letters each theme holds."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import AssistantDep, ReaderDep

router = APIRouter(prefix="/themes", tags=["themes"])


@router.get("")
async def list_themes(_: ReaderDep, assistant: AssistantDep) -> dict[str, Any]:
    """Every theme of the taxonomy (`ingest/data/themes.yaml`): id, name, definition, the words
    staff use for it, and how many findings and letters are tagged with it, in all and per
    section. List questions select findings by these tags."""
    themes = await run_in_threadpool(assistant.themes)
    return {"themes": themes, "count": len(themes)}
