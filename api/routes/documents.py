"""The letters: list, read (metadata and stored text), upload (ingest) and delete."""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from api.deps import (
    AdminDep,
    AssistantDep,
    ComponentsDep,
    MetricsDep,
    PipelineDep,
    ReaderDep,
    SettingsDep,
)
from api.errors import InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from api.settings import ApiSettings
from assistant.catalog import CatalogLetter
from ingest.models import ParsedLetter
from ingest.serialization import letter_summary

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/documents", tags=["documents"])

DOCUMENT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_READ_CHUNK = 1024 * 1024


_FLAG_PREVIEW_CHARS = 60


def _flags(letter: ParsedLetter) -> list[dict[str, Any]]:
    """Spans flagged at ingest (instruction-like text): kind, span, reason and a short preview."""
    return [{"kind": f.kind, "char_start": f.char_start, "char_end": f.char_end,
             "reason": f.reason,
             "preview": letter.text[f.char_start:f.char_end][:_FLAG_PREVIEW_CHARS]}
            for f in letter.flags]


def _sections(letter: ParsedLetter, themes: dict[tuple[str, int], list[str]] | None = None
              ) -> list[dict[str, Any]]:
    themes = themes or {}
    return [{"name": s.name, "heading": s.heading, "char_start": s.char_start,
             "char_end": s.char_end, "none_identified": s.none_identified,
             "findings": [{"char_start": f.char_start, "char_end": f.char_end,
                           "themes": themes.get((s.name, i), [])}
                          for i, f in enumerate(s.findings)]}
            for s in letter.sections]


def _summary(letter: CatalogLetter) -> dict[str, Any]:
    return letter_summary(letter.document_id, letter.source, letter.parsed, letter.metadata)


@router.get("")
def list_documents(_: ReaderDep, assistant: AssistantDep) -> dict[str, Any]:
    """Every stored letter: id, source file, council, dates, sections found, chunks."""
    # One scan of the letters' revisions (as listing the store was); the catalogue then parses
    # only what another process added or replaced since, and drops what it deleted.
    assistant.refresh(force=True)
    rows = sorted((_summary(x) for x in assistant.catalog.all()),
                  key=lambda r: (str(r["authority"] or ""), str(r["inspection_start"] or ""),
                                 r["source"]))
    return {"documents": rows, "count": len(rows)}


def _find(parts: Any, assistant: Any, document_id: str) -> CatalogLetter:
    """The letter as the assistant's catalogue holds it (parsed once per stored revision).

    The store is asked for the letter itself, as before, so a letter deleted or replaced by
    another process is never served from a catalogue that has not looked again yet.
    """
    stored = parts.store.get_letter(document_id) if DOCUMENT_ID.match(document_id) else None
    letter = None
    if stored is not None:
        assistant.refresh()
        letter = assistant.catalog.get(document_id)
        if letter is None or letter.text != stored.text or \
                letter.metadata.get("record_json") != stored.metadata.get("record_json"):
            assistant.refresh(force=True)  # written by another process since the last look
            letter = assistant.catalog.get(document_id)
    if letter is None:
        raise NotFound(f"no letter with id {document_id!r}; see GET /documents",
                       field="document_id")
    return letter  # type: ignore[no-any-return]


@router.get("/{document_id}")
def get_document(document_id: str, _: ReaderDep, parts: ComponentsDep,
                 assistant: AssistantDep) -> dict[str, Any]:
    """One letter: its metadata, its stored text (which every citation's span points into), its
    sections with their spans and each finding's themes (see `GET /themes`), and `flags`: spans
    flagged at ingest as instruction-like text (kind, span, reason, a 60-character preview),
    which are never findings or chunks."""
    letter = _find(parts, assistant, document_id)
    themes = assistant.finding_themes(letter.document_id)
    return {**_summary(letter), "text": letter.text,
            "sections": _sections(letter.parsed, themes), "flags": _flags(letter.parsed)}


@router.delete("/{document_id}")
def delete_document(document_id: str, _: AdminDep, pipeline: PipelineDep,
                    assistant: AssistantDep, request: Request) -> dict[str, Any]:
    """Delete a letter and all its chunks (admin): `document_id` is the letter's id or the
    file name it was ingested from (`source`), as for `reportqa delete`."""
    with request.app.state.write_lock:
        letter = pipeline.delete(document_id)
        if letter is None:
            raise NotFound(f"no letter with id or source {document_id!r}; see GET /documents",
                           field="document_id")
        assistant.refresh(force=True)
    logger.info("letter deleted via api document_id=%s", letter.document_id)
    return {"deleted": {"document_id": letter.document_id, "source": letter.source}}


def safe_filename(name: str | None) -> str:
    """The file's own name, without folders or control characters."""
    base = re.split(r"[\\/]", name or "")[-1].encode("utf-8", "replace").decode("utf-8")
    base = "".join(ch for ch in base if ch.isprintable()).strip().strip(".")
    return base[:200]


def _supported_suffixes() -> tuple[str, ...]:
    from ingest.loaders import SUPPORTED_SUFFIXES

    return SUPPORTED_SUFFIXES


def _check_upload(upload: UploadFile, settings: ApiSettings) -> str:
    name = safe_filename(upload.filename)
    if not name:
        raise InvalidInput("an uploaded file has no file name; name it after the letter, e.g. "
                           "'leeds-2010.pdf'", field="files")
    suffix = Path(name).suffix.lower()
    supported = _supported_suffixes()
    if suffix not in supported:
        raise UnsupportedMediaType(
            f"{name}: files of type '{suffix or '(no suffix)'}' are not supported; upload one "
            f"of {', '.join(supported)}", field="files")
    size = upload.size
    if size is not None and size > settings.max_upload_bytes:
        raise PayloadTooLarge(f"{name} is {size} bytes; the limit per file is "
                              f"{settings.max_upload_bytes} bytes (REPORTQA_MAX_UPLOAD_BYTES)",
                              field="files")
    return name


async def _save(upload: UploadFile, target: Path, settings: ApiSettings) -> None:
    written = 0
    with target.open("wb") as out:
        while chunk := await upload.read(_READ_CHUNK):
            written += len(chunk)
            if written > settings.max_upload_bytes:
                raise PayloadTooLarge(
                    f"{target.name} is over the limit of {settings.max_upload_bytes} bytes per "
                    "file (REPORTQA_MAX_UPLOAD_BYTES)", field="files")
            out.write(chunk)


_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                             "description": "One or more letters (.txt .md .pdf .html .docx)."}},
}}}}}


@router.post("", openapi_extra=_UPLOAD_BODY, responses={
    200: {"description": "Per-file results; `ok` is false when some files failed."},
    413: {"description": "A file (or the request) is over the size limit; nothing ingested."},
    415: {"description": "A file of an unsupported type; nothing ingested."},
    422: {"description": "No file, or every file failed to ingest (results included)."}})
async def upload_documents(request: Request, _: AdminDep, settings: SettingsDep,
                           pipeline: PipelineDep, assistant: AssistantDep,
                           metrics: MetricsDep) -> JSONResponse:
    """Upload letters (multipart field `files`, one or more) and ingest them (admin).

    Every file is checked first (type, size); a bad one rejects the whole request before
    anything is stored. Then each file is ingested: the response lists, per file, `added`,
    `replaced`, `unchanged` or `failed` with the reason. A file with the name of a stored letter
    replaces it.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise UnsupportedMediaType("upload letters as multipart/form-data with one or more "
                                   "'files' parts", field="files")
    form = await request.form(max_files=settings.max_upload_files, max_fields=20)
    uploads = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
    try:
        if not uploads:
            raise InvalidInput("no file in the upload; send one or more 'files' parts",
                               field="files")
        names = [_check_upload(u, settings) for u in uploads]
        with tempfile.TemporaryDirectory(prefix="reportqa-upload-") as folder:
            results = []
            for index, (upload, name) in enumerate(zip(uploads, names, strict=True)):
                target = Path(folder) / str(index) / name
                target.parent.mkdir()
                await _save(upload, target, settings)
                results.append(await run_in_threadpool(_ingest_one, request, pipeline, target,
                                                       name))
        await run_in_threadpool(assistant.refresh, True)
    finally:
        await form.close()
    for result in results:
        metrics.uploads.labels(status=result["status"]).inc()
    counts = {s: sum(1 for r in results if r["status"] == s)
              for s in ("added", "replaced", "unchanged", "failed")}
    body: dict[str, Any] = {"ok": counts["failed"] == 0, "counts": counts, "results": results}
    if counts["failed"] == len(results):
        first = results[0]["error"] or "the letter could not be ingested"
        body["error"] = {"code": "ingest_failed", "message": first, "field": "files"}
        return JSONResponse(body, status_code=422)
    return JSONResponse(body)


def _ingest_one(request: Request, pipeline: Any, path: Path, source: str) -> dict[str, Any]:
    with request.app.state.write_lock:
        result = pipeline.ingest_file(path, source=source)
    data = asdict(result)
    data.pop("path", None)  # a temporary path, meaningless to the client
    logger.info("upload ingested source=%s status=%s", source, result.status)
    return data
