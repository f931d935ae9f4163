"""The one SQL database of the service, on SQLite and on PostgreSQL: conversations, feedback
(joined with the question and answer, for API and Slack turns), Slack event de-duplication
across engines, schema creation, URL redaction and the 503 when the database is down.

Every storage test runs twice (ids end in ``[sqlite]`` / ``[postgresql]``); the PostgreSQL
variant needs ``REPORTQA_TEST_DATABASE_URL`` (``.ci/run`` sets it) and is skipped otherwise.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.components import Components
from api.conversations import ConversationStore
from api.database import Database, DatabaseUnavailable, default_database_url, redact_url
from api.feedback import FeedbackStore
from api.settings import ApiSettings, ServiceSettings, SlackSettings
from api.slack import SlackBot, SlackState
from assistant.models import Answer
from tests.api.conftest import ADMIN_KEY, PORTSMOUTH_PRIORITY, READ_KEY
from tests.api.databases import postgres_schema, require_postgres
from tests.servers import free_port

DATABASES = ["sqlite", "postgresql"]
T = TypeVar("T")


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file in ``tmp_path``, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield default_database_url(tmp_path / "data")
        return
    with postgres_schema(require_postgres()) as url:
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def second_host(database_url: str) -> Iterator[Database]:
    """Another engine on the same database, as a second process or host would have."""
    db = Database(database_url)
    try:
        yield db
    finally:
        db.dispose()


def answer(text: str, abstained: bool = False) -> Answer:
    return Answer(answer=text, abstained=abstained, citations=[], timings_ms={})


def run_together(count: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(0..count-1)`` in threads released at the same moment; re-raise any error."""
    barrier = threading.Barrier(count)
    results: list[T | None] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as e:  # reported to the test below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


# ---- conversations ---------------------------------------------------------------------------

def test_conversation_turns_are_appended_and_read_back(database: Database) -> None:
    store = ConversationStore(database)
    conversation_id = store.create()
    assert store.exists(conversation_id) and not store.exists("conv_unknown")
    ids = [store.append(conversation_id, f"question {i}", answer(f"answer {i}", i == 2))
           for i in range(3)]
    turns = store.turns(conversation_id)
    assert [t.question for t in turns] == ["question 0", "question 1", "question 2"]
    assert [t.answer_id for t in turns] == ids
    assert [t.abstained for t in turns] == [False, False, True]
    turn = store.get_turn(ids[1])
    assert turn is not None and turn.conversation_id == conversation_id
    assert turn.answer == "answer 1" and store.get_turn("ans_unknown") is None
    assert store.delete(conversation_id) and not store.exists(conversation_id)
    assert store.get_turn(ids[0]) is None and not store.delete(conversation_id)


def test_history_keeps_only_the_last_turns_oldest_first(database: Database) -> None:
    store = ConversationStore(database)
    conversation_id = store.create()
    for i in range(5):
        store.append(conversation_id, f"q{i}", answer(f"a{i}"))
    assert [t.question for t in store.history(conversation_id, 2)] == ["q3", "q4"]
    assert [t.answer for t in store.history(conversation_id, 2)] == ["a3", "a4"]
    assert len(store.history(conversation_id)) == 5
    assert store.history(conversation_id, 0) == []
    assert store.history("conv_unknown", 3) == []


def test_a_conversation_started_on_one_host_continues_on_another(
        database: Database, second_host: Database) -> None:
    host_a, host_b = ConversationStore(database), ConversationStore(second_host)
    conversation_id = host_a.create()
    host_a.append(conversation_id, "first", answer("one"))
    assert host_b.exists(conversation_id)
    host_b.append(conversation_id, "second", answer("two"))
    assert [t.question for t in host_a.history(conversation_id)] == ["first", "second"]


def test_concurrent_appends_from_two_hosts_keep_every_turn(database: Database,
                                                           second_host: Database) -> None:
    stores = [ConversationStore(database), ConversationStore(second_host)]
    conversation_id = stores[0].create()
    ids = run_together(8, lambda i: stores[i % 2].append(conversation_id, f"q{i}",
                                                         answer(f"a{i}")))
    turns = stores[1].turns(conversation_id)
    assert sorted(t.answer_id for t in turns) == sorted(ids)
    assert sorted(t.question for t in turns) == sorted(f"q{i}" for i in range(8))


def test_many_writers_in_several_processes_lose_no_turn(database: Database,
                                                       database_url: str) -> None:
    # Four engines (as four worker processes would have), 48 threads appending at once.
    engines = [database] + [Database(database_url) for _ in range(3)]
    try:
        stores = [ConversationStore(e) for e in engines]
        conversation_id = stores[0].create()
        ids = run_together(48, lambda i: stores[i % 4].append(conversation_id, f"q{i}",
                                                              answer(f"a{i}")))
        turns = stores[3].turns(conversation_id)
        assert len(ids) == 48
        assert sorted(t.answer_id for t in turns) == sorted(ids)
        assert sorted(t.question for t in turns) == sorted(f"q{i}" for i in range(48))
    finally:
        for engine in engines[1:]:
            engine.dispose()


def test_sqlite_writes_of_one_process_take_turns(tmp_path: Path) -> None:
    database = Database(default_database_url(tmp_path / "data"))
    store = ConversationStore(database)
    inside, events = threading.Event(), []

    def slow_writer() -> None:
        with database.begin():
            events.append("a in")
            inside.set()
            threading.Event().wait(0.3)
            events.append("a out")

    first = threading.Thread(target=slow_writer)
    first.start()
    assert inside.wait(10)
    store.create()  # waits for the first transaction instead of polling the file against it
    events.append("b done")
    first.join()
    assert events == ["a in", "a out", "b done"]
    database.dispose()


def test_a_write_that_waits_too_long_is_database_unavailable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import api.database

    monkeypatch.setattr(api.database, "SQLITE_BUSY_TIMEOUT_MS", 100)
    database = Database(default_database_url(tmp_path / "data"))
    store = ConversationStore(database)
    store.create()  # schema and WAL set up before the clock matters
    inside, release = threading.Event(), threading.Event()

    def holder() -> None:
        with database.begin():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert inside.wait(10)
        with pytest.raises(DatabaseUnavailable, match="try again shortly"):
            store.create()
    finally:
        release.set()
        thread.join()
    assert store.create()  # the queue works again once the holder is done
    database.dispose()


# ---- feedback --------------------------------------------------------------------------------

def test_feedback_lists_the_question_and_answer_of_api_and_slack_turns(
        database: Database) -> None:
    conversations, feedback = ConversationStore(database), FeedbackStore(database)
    conversation_id = conversations.create()
    api_answer = conversations.append(conversation_id, "Who signed it?", answer("Heather Brown"))
    slack_answer = conversations.append(conversation_id, "And when?", answer("10 November"))
    ids = {
        feedback.add(conversation_id, api_answer, "up", comment="spot on", source="api"): "api",
        feedback.add(conversation_id, slack_answer, "down", source="slack"): "slack",
        feedback.add(None, "1700000000.000100", "down", source="slack"): "unknown",
    }
    rated = {r.id: r for r in feedback.list_rated(10)}
    assert set(rated) == set(ids)
    by_kind = {ids[i]: r for i, r in rated.items()}
    assert (by_kind["api"].question, by_kind["api"].answer) == ("Who signed it?", "Heather Brown")
    assert by_kind["api"].comment == "spot on" and by_kind["api"].source == "api"
    assert (by_kind["slack"].question, by_kind["slack"].answer) == ("And when?", "10 November")
    assert by_kind["unknown"].question is None and by_kind["unknown"].answer is None
    assert [r.id for r in feedback.list(10)] == [r.id for r in feedback.list_rated(10)]
    assert len(feedback.list(2)) == 2
    assert feedback.counts() == {"up": 1, "down": 2}


def test_get_feedback_joins_slack_turns_too(database_url: str, tmp_path: Path,
                                           components: Components) -> None:
    settings = ApiSettings(_env_file=None,  # type: ignore[call-arg]
                           database_url=SecretStr(database_url), api_keys=[READ_KEY],
                           admin_keys=[ADMIN_KEY])
    app = create_app(settings, components)
    with TestClient(app) as client:
        read, admin = ({"Authorization": f"Bearer {key}"} for key in (READ_KEY, ADMIN_KEY))
        chat = client.post("/chat", json={"message": PORTSMOUTH_PRIORITY}, headers=read).json()
        posted = client.post("/feedback", json={"answer_id": chat["answer_id"], "rating": "up"},
                             headers=read)
        assert posted.status_code == 201, posted.text
        # What the Slack bot does with the app's stores when a 👎 is pressed on its answer:
        conversations = app.state.conversations
        thread = conversations.create()
        slack_answer = conversations.append(thread, "Who signed it?", answer("Heather Brown"))
        app.state.feedback.add(thread, slack_answer, "down", source="slack")
        listed = client.get("/feedback", headers=admin)
        assert listed.status_code == 200, listed.text
        rows = {row["source"]: row for row in listed.json()["feedback"]}
        assert rows["api"]["question"] == PORTSMOUTH_PRIORITY
        assert rows["api"]["answer"] == chat["answer"]
        assert rows["slack"]["question"] == "Who signed it?"
        assert rows["slack"]["answer"] == "Heather Brown"
        assert listed.json()["counts"] == {"up": 1, "down": 1}


# ---- Slack state -----------------------------------------------------------------------------

def test_an_event_is_claimed_once_across_two_hosts(database: Database,
                                                   second_host: Database) -> None:
    hosts = [SlackState(database), SlackState(second_host)]
    for n in range(10):
        event_id = f"Ev{n:04d}"
        claims = run_together(4, lambda i, e=event_id: hosts[i % 2].claim_event(e))  # type: ignore[misc]
        assert sorted(claims) == [False, False, False, True], event_id
    assert hosts[0].claim_event("Ev-new") and not hosts[1].claim_event("Ev-new")


def test_a_thread_binds_to_the_first_conversation_across_hosts(
        database: Database, second_host: Database) -> None:
    host_a, host_b = SlackState(database), SlackState(second_host)
    bound = run_together(2, lambda i: (host_a, host_b)[i].bind("T1:C1:1.0", f"conv_{i}"))
    assert bound[0] == bound[1] and host_b.conversation_for("T1:C1:1.0") == bound[0]
    assert host_a.bind("T1:C1:1.0", "conv_new", replace=True) == "conv_new"
    assert host_b.conversation_for("T1:C1:1.0") == "conv_new"
    assert host_b.conversation_for("T1:C1:2.0") is None


def test_the_bot_keeps_its_state_in_the_conversations_database(database: Database,
                                                               tmp_path: Path) -> None:
    settings = SlackSettings.model_validate({})
    bot = SlackBot(assistant_getter=lambda: None, feedback_store=FeedbackStore(database),
                   settings=settings, conversations=ConversationStore(database),
                   history_turns=10)
    assert bot.state.database is database
    with pytest.raises(ValueError, match="state="):  # a log without a database needs a state
        SlackBot(assistant_getter=lambda: None, feedback_store=FeedbackStore(database),
                 settings=settings, conversations=object(),  # type: ignore[arg-type]
                 history_turns=10)


# ---- schema, settings and failures ----------------------------------------------------------

def test_tables_are_created_once_by_many_processes(database_url: str) -> None:
    engines = [Database(database_url) for _ in range(4)]
    try:
        run_together(4, lambda i: engines[i].create_schema())
        store = ConversationStore(engines[3])
        assert store.exists(store.create())
    finally:
        for engine in engines:
            engine.dispose()


def test_the_default_database_is_a_sqlite_file_in_the_data_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTQA_DATABASE_URL", raising=False)
    monkeypatch.setenv("REPORTQA_DATA_DIR", str(tmp_path))
    config = ServiceSettings.from_env()
    assert config.store.data_dir == tmp_path  # one REPORTQA_DATA_DIR, the store's
    assert config.database_url == f"sqlite:///{(tmp_path / 'reportqa.sqlite3')}"
    database = Database(config.database_url)
    assert database.is_sqlite and ConversationStore(database).create()
    assert (tmp_path / "reportqa.sqlite3").is_file()
    monkeypatch.setenv("REPORTQA_DATABASE_URL", "postgresql://u:pw@db.example.org/reportqa")
    config = ServiceSettings.from_env()
    assert config.database_url == "postgresql://u:pw@db.example.org/reportqa"
    assert Database(config.database_url).url.startswith("postgresql+psycopg://")
    assert "pw" not in repr(config)


def test_urls_are_logged_without_their_password(caplog: pytest.LogCaptureFixture,
                                                database_url: str) -> None:
    assert redact_url("postgresql+psycopg://app:s3cr%40t@db:5432/reportqa") == (
        "postgresql+psycopg://app:***@db:5432/reportqa")
    assert redact_url("sqlite:////tmp/reportqa.sqlite3") == "sqlite:////tmp/reportqa.sqlite3"
    assert "hunter2" not in redact_url("not a url://user:hunter2@host")
    caplog.set_level(logging.DEBUG, logger="api")
    database = Database(database_url)
    database.create_schema()
    database.dispose()
    assert "database ready" in caplog.text
    password = Database(database_url).engine.url.password
    if password:
        assert str(password) not in caplog.text and str(password) not in repr(database)


@pytest.fixture
def unreachable_url() -> str:
    return f"postgresql+psycopg://reportqa:do-not-log-me@127.0.0.1:{free_port()}/reportqa"


def test_an_unreachable_database_raises_database_unavailable(unreachable_url: str) -> None:
    database = Database(unreachable_url)
    store = ConversationStore(database)  # nothing is connected yet
    with pytest.raises(DatabaseUnavailable) as caught:
        store.create()
    assert caught.value.status == 503 and "do-not-log-me" not in str(caught.value)
    assert not database.ping()


def test_an_unreachable_database_is_a_503_not_a_500(unreachable_url: str, tmp_path: Path,
                                                    components: Components,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    settings = ApiSettings(_env_file=None,  # type: ignore[call-arg]
                           database_url=SecretStr(unreachable_url), admin_keys=[ADMIN_KEY])
    with TestClient(create_app(settings, components)) as client:
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
        responses = [
            client.post("/chat", json={"message": PORTSMOUTH_PRIORITY}, headers=admin),
            client.post("/feedback", json={"answer_id": "ans_1", "rating": "up"}, headers=admin),
            client.get("/feedback", headers=admin),
        ]
        stream = client.post("/chat/stream", json={"message": PORTSMOUTH_PRIORITY},
                             headers=admin)
    for response in [*responses, stream]:
        assert response.status_code == 503, response.text
        error = response.json()["error"]
        assert error["code"] == "database_unavailable"
        assert error["message"].startswith("database unavailable")
        assert "do-not-log-me" not in response.text
    assert "do-not-log-me" not in caplog.text
