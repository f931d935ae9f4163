"""The ``reportqa`` command line. Each command's docstring is its ``--help``."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from api.components import Components, build_components

if TYPE_CHECKING:
    from assistant.settings import AssistantSettings

logger = logging.getLogger(__name__)


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.version_option(package_name="reportqa")
def main(verbose: bool) -> None:
    """reportqa: answers questions about Ofsted inspection letters with verified, cited quotes.

    Configuration comes from REPORTQA_* environment variables (or a .env file); see the README.
    """
    _configure_logging(verbose)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def ingest(paths: tuple[Path, ...], as_json: bool) -> None:
    """Ingest letters (TXT, PDF, HTML, DOCX, MD) from files or folders (recursive).

    Exits 0 when every file was ingested, 1 when some failed (the others are stored).
    """
    from tqdm import tqdm

    from ingest.pipeline import IngestPipeline, discover_files

    parts = build_components()
    pipeline = IngestPipeline(parts.store, parts.embedder)
    total = len(discover_files(paths)[0])
    with tqdm(total=total, unit="letter", desc="ingest", file=sys.stderr,
              disable=as_json or not sys.stderr.isatty() and total < 2) as bar:
        report = pipeline.ingest(list(paths), on_file=lambda _r: bar.update(1))
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _print_ingest_report(report, parts)
    sys.exit(0 if report.ok else 1)


def _print_ingest_report(report: Any, parts: Components) -> None:
    counts = report.counts()
    click.echo(f"added {counts['added']}, replaced {counts['replaced']}, "
               f"unchanged {counts['unchanged']}, failed {counts['failed']} "
               f"in {report.seconds:.1f}s")
    if counts["unchanged"] and not (counts["added"] or counts["replaced"] or counts["failed"]):
        click.echo("nothing to do: every letter is already stored unchanged")
    for result in report.by_status("failed"):
        click.echo(f"  FAILED {result.path}: {result.error}", err=True)
    click.echo(f"store: {parts.location()} ({len(parts.store.letter_ids())} letters)")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def documents(as_json: bool) -> None:
    """List the stored letters: source, council, inspection dates, sections found, chunks."""
    from ingest.serialization import letter_from_record, letter_summary

    parts = build_components()
    rows: list[dict[str, Any]] = [
        letter_summary(letter.document_id, letter.source,
                       letter_from_record("", str(letter.metadata.get("record_json") or "{}")),
                       letter.metadata)
        for letter in sorted(parts.store.list_letters(include_text=False), key=lambda x: x.source)
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"no letters stored in {parts.location()}; run `reportqa ingest PATH`")
        return
    for row in rows:
        dates = f"{row['inspection_start'] or '?'}..{row['inspection_end'] or '?'}"
        council = row["authority"] or "(council unknown)"
        click.echo(f"{row['document_id']}  {row['source']}  {council}"
                   f"  {dates}  chunks={row['chunks']}  sections={'; '.join(row['sections'])}")
    click.echo(f"{len(rows)} letters in {parts.location()}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def themes(as_json: bool) -> None:
    """List the themes of the taxonomy with how many findings and letters each holds."""
    parts = build_components()
    rows = _build_assistant(parts).themes()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    short = {"Satisfactory findings": "satisfactory", "Strengths": "strengths",
             "Areas for development": "development", "Area for priority action": "priority"}
    for row in rows:
        per = ", ".join(f"{short.get(name, name)} {n['findings']}"
                        for name, n in row["sections"].items() if n["findings"])
        click.echo(f"{row['id']:<32} {row['name']:<44} findings={row['findings']:<4} "
                   f"letters={row['letters']:<4} {per}")
    click.echo(f"{len(rows)} themes; {parts.location()}")


@main.command()
@click.argument("ref")
def delete(ref: str) -> None:
    """Delete a letter (by document id or source) and all its chunks."""
    from ingest.pipeline import IngestPipeline

    parts = build_components()
    deleted = IngestPipeline(parts.store, parts.embedder).delete(ref)
    if deleted is None:
        click.echo(f"no letter with id or source {ref!r}; see `reportqa documents`", err=True)
        sys.exit(1)
    click.echo(f"deleted {deleted.source} ({deleted.document_id})")


def _build_assistant(parts: Components, settings: AssistantSettings | None = None) -> Any:
    """The assistant every command uses (:func:`assistant.builder.build_assistant`), with the
    given settings or those read from ``REPORTQA_*``."""
    from assistant.builder import build_assistant
    from assistant.settings import AssistantSettings

    return build_assistant(parts.store, parts.embedder, settings or AssistantSettings())


def _load_history(path: Path | None) -> list[Any]:
    from assistant.models import Turn

    if path is None:
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [Turn.model_validate(turn) for turn in raw]
    except (OSError, ValueError) as exc:
        raise click.BadParameter(
            f"{path}: expected a JSON list of {{\"question\": ..., \"answer\": ...}} objects "
            f"({exc})", param_hint="--history") from exc


def _render_answer(answer: Any) -> None:
    from api.citations import citation_label

    click.echo(answer.answer)
    for citation in answer.citations:
        click.echo(click.style(f"  [{citation.marker}] {citation_label(citation)} "
                               f"({citation.source} {citation.char_start}-{citation.char_end})",
                               dim=True))
        click.echo(f"      \u201c{citation.quote}\u201d")
    for warning in answer.warnings:
        click.echo(click.style(f"warning: {warning}", fg="yellow"), err=True)


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@click.option("--authority", help="Only letters to this council (e.g. Portsmouth).")
@click.option("--year", type=int, help="Only letters of this inspection year.")
@click.option("--history", "history_file", type=click.Path(path_type=Path, exists=True,
              dir_okay=False), help='Earlier turns: JSON [{"question": ..., "answer": ...}].')
@click.option("--batch", "batch_file", type=click.Path(path_type=Path, exists=True,
              dir_okay=False), help='JSONL input, one {"id", "question", "history"?} per line.')
@click.option("--out", "out_file", type=click.Path(path_type=Path, dir_okay=False),
              help="With --batch: write answers here (JSONL) instead of stdout.")
def ask(question: str | None, as_json: bool, authority: str | None, year: int | None,
        history_file: Path | None, batch_file: Path | None, out_file: Path | None) -> None:
    """Answer QUESTION from the stored letters, every claim with a verified quote.

    With --batch, answer every line of a JSONL file with the model loaded once.
    """
    from assistant.models import Filters

    if (question is None) == (batch_file is None):
        raise click.UsageError("give either a QUESTION or --batch IN.jsonl")
    parts = build_components()
    assistant = _build_assistant(parts)
    filters = Filters(authority=authority, year=year) if (authority or year) else None
    if batch_file is not None:
        _ask_batch(assistant, batch_file, out_file, filters)
        return
    assert question is not None
    answer = assistant.ask(question, _load_history(history_file), filters)
    if as_json:
        click.echo(json.dumps(answer.to_contract(), indent=2, ensure_ascii=False))
    else:
        _render_answer(answer)


def _ask_batch(assistant: Any, batch_file: Path, out_file: Path | None, filters: Any) -> None:
    from pydantic import ValidationError

    from assistant.chain import AskInput

    out = out_file.open("w", encoding="utf-8") if out_file else None
    failures = 0
    try:
        with batch_file.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    request = AskInput.model_validate_json(line)
                except ValidationError as exc:
                    failures += 1
                    first = exc.errors()[0]
                    field = ".".join(str(x) for x in first["loc"]) or "line"
                    click.echo(f"{batch_file}:{number}: field {field!r}: {first['msg']}; "
                               "expected {\"id\", \"question\", \"history\"?}", err=True)
                    continue
                answer = assistant.ask(request.question, request.history,
                                       request.filters or filters, request.id)
                text = json.dumps(answer.to_contract(), ensure_ascii=False)
                if out is not None:
                    out.write(text + "\n")
                else:
                    click.echo(text)
    finally:
        if out is not None:
            out.close()
    if failures:
        sys.exit(1)


@main.command()
def chat() -> None:
    """Interactive, multi-turn chat. /reset starts a new conversation, /quit leaves."""
    from assistant.models import Turn

    parts = build_components()
    assistant = _build_assistant(parts)
    history: list[Turn] = []
    click.echo("reportqa chat: ask about the stored letters (/reset, /quit).")
    while True:
        try:
            question = click.prompt("you", prompt_suffix="> ").strip()
        except (EOFError, click.Abort):
            click.echo()
            return
        if question in ("/quit", "/exit"):
            return
        if question == "/reset":
            history.clear()
            click.echo("(new conversation)")
            continue
        if not question:
            continue
        answer = assistant.ask(question, history)
        _render_answer(answer)
        history.append(Turn(question=question, answer=answer.answer))


@main.command()
@click.option("--host", help="Address to bind (default REPORTQA_HOST, 127.0.0.1). Without API "
              "keys configured the server binds to 127.0.0.1 only.")
@click.option("--port", type=int, help="TCP port (default REPORTQA_PORT, 8000).")
def serve(host: str | None, port: int | None) -> None:
    """Start the API, the chat page and (when configured) the Slack endpoint."""
    from api.app import create_service_app
    from api.app import serve as run_server
    from api.settings import ServiceSettings

    config = ServiceSettings.from_env()
    run_server(config.api, host=host, port=port, app=create_service_app(config),
               announce=lambda url: click.echo(f"reportqa: chat page at {url} "
                                               f"(API docs at {url}docs); Ctrl+C stops it"))


@main.command()
@click.option("--socket", "socket_mode", is_flag=True, required=True,
              help="Connect over Socket Mode (needs SLACK_APP_TOKEN); no public URL needed.")
def slack(socket_mode: bool) -> None:
    """Run the Slack bot over Socket Mode (HTTP mode is mounted by `reportqa serve`)."""
    from api.conversations import ConversationStore
    from api.database import Database
    from api.feedback import FeedbackStore
    from api.settings import ServiceSettings
    from api.slack import SlackConfigError, run_socket_mode

    config = ServiceSettings.from_env()
    parts = build_components(config.store)
    assistant = _build_assistant(parts, config.assistant)
    database = Database(config.database_url)  # the API's: one for all hosts
    try:
        run_socket_mode(assistant_getter=lambda: assistant,
                        feedback_store=FeedbackStore(database),
                        settings=config.slack,
                        conversations=ConversationStore(database),
                        history_turns=config.api.history_turns,
                        letter_url=config.api.letter_url)
    except SlackConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
              add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def eval(args: tuple[str, ...]) -> None:
    """Run the evaluation suite and release gate (see `reportqa eval --help`).

    [--suite NAME|FILE] [--out DIR] [--pipeline default|naive] [--compare PREVIOUS.json]
    """
    from evals.runner import main as run_eval_main

    sys.exit(run_eval_main(list(args), prog="reportqa eval"))


if __name__ == "__main__":
    main()
