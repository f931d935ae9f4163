"""Letters over real HTTP: list, read, upload (ingest, per-file results, type and size checks)
and delete."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import PRIORITY_QUOTE_START, REAL_LETTER, RUTLAND_2012, RunningServer
from tests.api.test_app import assert_error

pytestmark = pytest.mark.slow


def test_list_names_every_letter_with_its_council_and_dates(reader: httpx.Client) -> None:
    response = reader.get("/documents")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    by_council = {row["authority"]: row for row in body["documents"]}
    assert set(by_council) == {"Cumbria County Council", "Leeds City Council",
                               "Portsmouth City Council"}
    portsmouth = by_council["Portsmouth City Council"]
    assert portsmouth["source"] == REAL_LETTER.name
    assert portsmouth["inspection_start"] == "2009-11-10"
    assert portsmouth["year"] == 2009
    assert "Area for priority action" in portsmouth["sections"]
    assert portsmouth["chunks"] > 0
    assert "text" not in portsmouth


def test_get_returns_the_stored_text_and_section_spans(reader: httpx.Client) -> None:
    rows = reader.get("/documents").json()["documents"]
    portsmouth = next(r for r in rows if r["authority"] == "Portsmouth City Council")
    response = reader.get(f"/documents/{portsmouth['document_id']}")
    assert response.status_code == 200
    letter = response.json()
    assert letter["document_id"] == portsmouth["document_id"]
    text = letter["text"]
    assert "Dear Mr Wooster" in text
    priority = next(s for s in letter["sections"] if s["name"] == "Area for priority action")
    finding = priority["findings"][0]
    assert text[finding["char_start"]:finding["char_end"]].startswith(PRIORITY_QUOTE_START)


def test_findings_carry_their_themes_and_get_themes_counts_them(reader: httpx.Client) -> None:
    rows = reader.get("/documents").json()["documents"]
    portsmouth = next(r for r in rows if r["authority"] == "Portsmouth City Council")
    letter = reader.get(f"/documents/{portsmouth['document_id']}").json()
    text = letter["text"]
    strengths = next(s for s in letter["sections"] if s["name"] == "Strengths")
    ooh = next(f for f in strengths["findings"]
               if "out of hours" in text[f["char_start"]:f["char_end"]])
    assert ooh["themes"] and ooh["themes"][0] == "out_of_hours"
    response = reader.get("/themes")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["themes"]) >= 30
    theme = next(t for t in body["themes"] if t["id"] == "out_of_hours")
    assert theme["name"] and theme["definition"] and theme["terms"]
    assert theme["findings"] >= 1 and theme["letters"] >= 1
    assert theme["sections"]["Strengths"]["findings"] >= 1


def test_themes_need_a_key(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url) as anonymous:
        assert anonymous.get("/themes").status_code == 401


@pytest.mark.parametrize("document_id", ["0" * 24, "no-such-letter", "a" * 300])
def test_unknown_letter_is_404(reader: httpx.Client, document_id: str) -> None:
    assert_error(reader.get(f"/documents/{document_id}"), 404, "document_id")


def test_upload_ingests_replaces_nothing_twice_and_delete_removes(admin: httpx.Client,
                                                                 reader: httpx.Client) -> None:
    files = {"files": ("rutland-2012.txt", RUTLAND_2012.encode(), "text/plain")}
    first = admin.post("/documents", files=files)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["ok"] is True and body["counts"]["added"] == 1
    [result] = body["results"]
    assert result["status"] == "added" and result["source"] == "rutland-2012.txt"
    assert result["authority"] == "Rutland County Council" and result["chunks"] > 0
    assert "path" not in result
    document_id = result["document_id"]
    try:
        again = admin.post("/documents", files=files).json()
        assert again["results"][0]["status"] == "unchanged"
        listed = {r["document_id"] for r in reader.get("/documents").json()["documents"]}
        assert document_id in listed
        # the new letter answers questions at once
        answer = reader.post("/chat", json={
            "message": "What was the area for development in Rutland?"}).json()
        assert answer["abstained"] is False
        assert any("Return interviews" in c["quote"] for c in answer["citations"])
    finally:  # by the file name, as `reportqa delete SOURCE` does
        deleted = admin.delete("/documents/rutland-2012.txt")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["deleted"] == {"document_id": document_id,
                                         "source": "rutland-2012.txt"}
    assert_error(reader.get(f"/documents/{document_id}"), 404)
    assert_error(admin.delete(f"/documents/{document_id}"), 404, "document_id")
    assert_error(admin.delete("/documents/rutland-2012.txt"), 404, "document_id")
    after = reader.post("/chat", json={"message": "What was the area for development in Rutland?"})
    assert after.json()["abstained"] is True, after.json()


def test_unsupported_type_is_415_and_nothing_is_stored(admin: httpx.Client) -> None:
    before = admin.get("/documents").json()["count"]
    files = [("files", ("leeds.txt", b"Dear Ms Archer\n", "text/plain")),
             ("files", ("scan.png", b"\x89PNG\r\n\x1a\n....", "image/png"))]
    error = assert_error(admin.post("/documents", files=files), 415, "files")
    assert "scan.png" in error["message"] and ".pdf" in error["message"]
    assert admin.get("/documents").json()["count"] == before


def test_per_file_errors_are_reported(admin: httpx.Client) -> None:
    files = [("files", ("empty.txt", b"", "text/plain")),
             ("files", ("blank.md", b"   \n\n  ", "text/markdown"))]
    response = admin.post("/documents", files=files)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"]["code"] == "ingest_failed" and body["error"]["field"] == "files"
    assert [r["status"] for r in body["results"]] == ["failed", "failed"]
    assert "empty.txt" in body["results"][0]["error"]
    assert body["ok"] is False


def test_upload_without_files_is_422(admin: httpx.Client) -> None:
    response = admin.post("/documents", data={"note": "no file"},
                          files={"other": ("", b"", "application/octet-stream")})
    assert response.status_code in (415, 422), response.text
    assert_error(response, response.status_code, "files")


def test_too_large_file_is_413(open_server: RunningServer) -> None:
    big = REAL_LETTER.read_bytes()  # over the open server's 4,096-byte limit per file
    assert len(big) > 4096
    with open_server.client() as client:
        response = client.post("/documents", files={"files": (REAL_LETTER.name, big, "text/plain")})
        error = assert_error(response, 413, "files")
        assert REAL_LETTER.name in error["message"] and "4096" in error["message"]


def test_too_many_files_is_400(open_server: RunningServer) -> None:
    files = [("files", (f"l{i}.txt", b"Dear Sir\n", "text/plain")) for i in range(3)]
    with open_server.client() as client:
        response = client.post("/documents", files=files)
    assert_error(response, 400)
