"""One running reportqa server shared by the API tests (the model load and ingest are slow).

* ``server`` (session): the real app from :func:`api.app.create_app` served by uvicorn on a free
  loopback port, over an embedded Chroma store in a temporary folder holding a small corpus (the
  real Portsmouth letter and two letters of the same genre written here). API keys are
  configured: :data:`READ_KEY` reads, :data:`ADMIN_KEY` writes.
* ``open_server`` (session): a second app with no keys, tight size limits, no rate limit and
  CORS for one origin; its lifespan builds its own components from store settings pointing at
  an empty store.

Both are stopped at the end of the session.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.components import Components
from api.settings import ApiSettings
from ingest.pipeline import IngestPipeline
from tests.api.databases import sqlite_in
from tests.servers import free_port
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

ROOT = Path(__file__).resolve().parents[2]
REAL_LETTER = ROOT / "data" / "sample" / "letters" / "portsmouth-2009-ucra-letter.txt"
READ_KEY = "read-key-7d1c0a"
ADMIN_KEY = "admin-key-52be9f"
PUBLIC_URL = "https://reportqa.example.org"
CORS_ORIGIN = "https://intranet.example.org"
PORTSMOUTH_PRIORITY = "What was the area for priority action in Portsmouth in 2009?"
PRIORITY_QUOTE_START = "Some cases referred to the Initial Assessment Team"

LEEDS_2010 = """\
Ofsted
Piccadilly Gate, Store Street, Manchester M1 2WD
T 0300 123 1231   enquiries@ofsted.gov.uk   www.ofsted.gov.uk

14 July 2010

Ms Rosemary Archer
Director of Children's Services
Leeds City Council
Merrion House, 110 Merrion Centre
Leeds LS2 8DT

Dear Ms Archer

Annual unannounced inspection of contact, referral and assessment arrangements within Leeds City \
Council children's services

This letter contains the findings of the recent unannounced inspection of contact, referral and \
assessment arrangements within local authority children's services in Leeds City Council which was \
conducted on 15 and 16 June 2010. The inspection was carried out under section 138 of the \
Education and Inspections Act 2006.

The inspection identified no areas for priority action and some areas for development which are \
detailed below.

Inspectors considered a range of evidence, including electronic case records, supervision files \
and notes, and the observation of social workers undertaking duty and assessment work.

From the evidence gathered, the inspection identified a number of areas where the contact, \
referral and assessment services were satisfactorily carrying out their responsibilities in \
accordance with national guidance, in particular:

\u2022 Referrals are screened promptly by qualified social workers and managers.
\u2022 Strategy discussions involve the police and health services in all cases sampled.

The following strengths and areas for development were also identified:

Strengths:

\u2022 The out of hours team gives a responsive service and its records are passed to day teams \
the next morning.
\u2022 Social workers praise the reflective group supervision introduced this year.

Areas for development:

\u2022 Core assessments are not always completed within timescales, so some families wait too long \
for a plan.
\u2022 Chronologies on case files are often missing or out of date.

Area for priority action

None identified.

Yours sincerely

Peter Green
Divisional Manager, Social Care Safeguarding

Copy: Tom Riordan, Chief Executive, Leeds City Council; Councillor Judith Blake, Lead Member for \
Children's Services
"""

CUMBRIA_2011 = """\
Ofsted, Royal Exchange Buildings, St Ann's Square, Manchester M2 7LA

9 March 2011

Mr John Macilwraith
Corporate Director, Children's Services
Cumbria County Council
The Courts, Carlisle CA3 8NA

Dear Mr Macilwraith

Annual unannounced inspection of contact, referral and assessment arrangements within Cumbria \
County Council children's services

This letter contains the findings of the recent unannounced inspection of contact, referral and \
assessment arrangements within local authority children's services in Cumbria County Council which \
was conducted on 2 and 3 February 2011. The inspection was carried out under section 138 of the \
Education and Inspections Act 2006.

The inspection identified two areas for priority action and some areas for development which are \
detailed below.

From the evidence gathered, the inspection identified a number of areas where the contact, \
referral and assessment services were satisfactorily carrying out their responsibilities in \
accordance with national guidance, in particular:

- Thresholds for referral are understood by partner agencies.

The following strengths and areas for development were also identified:

STRENGTHS

- Managers know the service well and have a realistic plan to improve it.

AREAS FOR DEVELOPMENT

- Written agreements with parents are not used consistently across the county.

Areas for priority action

- Initial assessments in the western area are not completed for many children referred with \
concerns about domestic violence, so risks to those children are not known.
- Team managers do not record their decisions when cases are stepped down to early help \
services.

Yours sincerely

Sarah Jones
Divisional Manager, Social Care Safeguarding

cc Jill Stannard, Chief Executive, Cumbria County Council
"""

RUTLAND_2012 = """\
Ofsted
Aviation House, 125 Kingsway, London WC2B 6SE

20 February 2012

Ms Carol Chambers
Strategic Director for People
Rutland County Council
Catmose, Oakham
Rutland LE15 6HP

Dear Ms Chambers

Annual unannounced inspection of contact, referral and assessment arrangements within Rutland \
County Council children's services

This letter contains the findings of the recent unannounced inspection of contact, referral and \
assessment arrangements within local authority children's services in Rutland County Council which \
was conducted on 24 and 25 January 2012. The inspection was carried out under section 138 of the \
Education and Inspections Act 2006.

The inspection identified no areas for priority action.

The following strengths and areas for development were also identified:

Strengths

- The small duty team knows local families and schools well and responds to referrals on the \
same day.

Areas for development

- Return interviews for children who go missing from home are not always offered.

Yours sincerely

Amanda Brooks
Divisional Manager, Social Care Safeguarding
"""
"""A fourth letter, uploaded by the document tests (not in the starting corpus)."""


@dataclass
class RunningServer:
    """A uvicorn server running an app in a background thread."""

    url: str
    app: FastAPI
    server: uvicorn.Server
    thread: threading.Thread

    def client(self, key: str | None = None, **kwargs: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120, **kwargs)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def start_server(app: FastAPI, timeout_s: float = 180.0) -> RunningServer:
    """Serve ``app`` on a free loopback port; returns once lifespan has finished starting."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server stopped while starting; see the log above")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the server did not start within {timeout_s:.0f} s")
        time.sleep(0.05)
    return RunningServer(f"http://127.0.0.1:{port}", app, server, thread)


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real Portsmouth letter and two genre letters (Leeds 2010, Cumbria 2011)."""
    folder = tmp_path_factory.mktemp("api-corpus")
    shutil.copy(REAL_LETTER, folder / REAL_LETTER.name)
    (folder / "leeds-2010.txt").write_text(LEEDS_2010, encoding="utf-8")
    (folder / "cumbria-2011.txt").write_text(CUMBRIA_2011, encoding="utf-8")
    return folder


def _store_settings(folder: Path, prefix: str) -> StoreSettings:
    return StoreSettings(_env_file=None, data_dir=folder, chroma_url=None,  # type: ignore[call-arg]
                         collection_prefix=prefix)


@pytest.fixture(scope="session")
def components(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder,
               corpus_dir: Path) -> Components:
    """Embedder and embedded store holding the corpus (ingested once per session)."""
    settings = _store_settings(tmp_path_factory.mktemp("api-store"), "apitest")
    store = LetterStore(make_client(settings), dimension=embedder.dimension,
                        prefix=settings.collection_prefix)
    parts = Components(settings=settings, embedder=embedder, store=store)
    report = IngestPipeline(parts.store, parts.embedder).ingest([corpus_dir])
    assert report.ok, report.to_dict()
    return parts


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> ApiSettings:
    return ApiSettings(_env_file=None,  # type: ignore[call-arg]
                       database_url=sqlite_in(tmp_path_factory.mktemp("api-data")),
                       api_keys=[READ_KEY], admin_keys=[ADMIN_KEY], public_url=PUBLIC_URL,
                       rate_limit_per_minute=6000, rate_limit_burst=1000)


@pytest.fixture(scope="session")
def server(api_settings: ApiSettings, components: Components) -> Iterator[RunningServer]:
    """The shared server (keys configured) over the corpus."""
    running = start_server(create_app(api_settings, components))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def open_settings(tmp_path_factory: pytest.TempPathFactory) -> ApiSettings:
    return ApiSettings(_env_file=None,  # type: ignore[call-arg]
                       database_url=sqlite_in(tmp_path_factory.mktemp("open-data")),
                       max_body_bytes=2048,
                       max_upload_bytes=4096, max_upload_files=2, rate_limit_per_minute=0,
                       cors_origins=[CORS_ORIGIN])


@pytest.fixture(scope="session")
def open_server(open_settings: ApiSettings, embedder: Embedder,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server without keys and with tight limits; lifespan builds its (empty) store."""
    store_settings = _store_settings(tmp_path_factory.mktemp("open-store"), "opentest")
    running = start_server(create_app(open_settings, store_settings=store_settings))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def reader(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client(READ_KEY) as client:
        yield client


@pytest.fixture
def admin(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client(ADMIN_KEY) as client:
        yield client
