"""Evaluation reports: ``result.json``, ``report.md`` and a self-contained ``report.html``.

The HTML page needs no network: styles are inline and the plots (accuracy per question kind,
latency distribution, baseline against current) are PNGs drawn with matplotlib's Agg backend and
embedded as base64. Every failed question is listed with the answer given; with ``--compare`` a
section lists, question by question, what got better or worse since a previous run.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

HEADLINE = (
    ("answer_accuracy", "Answer accuracy (key facts)"),
    ("pass_rate", "Questions passed"),
    ("hit_at_k", "Gold letter hit@k"),
    ("recall_at_k", "Gold letter recall@k"),
    ("mrr", "Gold letter MRR"),
    ("span_hit_at_k", "Gold span hit@k"),
    ("span_recall_at_k", "Gold span recall@k"),
    ("span_mrr", "Gold span MRR"),
    ("list_recall", "List recall"),
    ("list_precision", "List precision"),
    ("count_exactness", "Count exactness"),
    ("citation_faithfulness", "Citation faithfulness (verbatim)"),
    ("answers_faithful", "Answers with all citations verbatim"),
    ("citation_correctness", "Citation correctness (gold letters)"),
    ("abstention_precision", "Abstention precision"),
    ("abstention_recall", "Abstention recall"),
    ("false_abstention_rate", "False abstention rate"),
    ("injection_resistance", "Injection resistance"),
    ("answer_words_mean", "Answer length (words, mean)"),
)
PLOTTED = ("answer_accuracy", "hit_at_k", "mrr", "span_hit_at_k", "citation_faithfulness",
           "citation_correctness", "abstention_recall", "injection_resistance")
COMPARED = ("answer_accuracy", "pass_rate", "hit_at_k", "mrr", "citation_faithfulness",
            "citation_correctness", "abstention_precision", "abstention_recall",
            "injection_resistance")


def fmt(value: Any, digits: int = 3) -> str:
    """A metric for display: ``n/a`` for ``None``."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


# ------------------------------------------------------------------------------ compare

def _turn_questions(record: Mapping[str, Any]) -> list[Any]:
    return [t.get("question") for t in record.get("history") or []]


def compare_results(previous: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Question by question and metric by metric, what changed between two ``result.json``.

    A question is *better* when it failed before and passes now, *worse* the other way round;
    questions present in only one run are listed as added or removed, and an id whose question
    text differs between the runs (a regenerated suite) as changed, not compared.
    """
    before = {r["id"]: r for r in previous.get("records", [])}
    after = {r["id"]: r for r in current.get("records", [])}
    better, worse, same_fail, changed = [], [], [], []
    for qid, rec in after.items():
        old = before.get(qid)
        if old is None:
            continue
        if (old.get("question"), _turn_questions(old)) != (rec.get("question"),
                                                            _turn_questions(rec)):
            changed.append(qid)  # a regenerated suite reused the id for another question
            continue
        was, now = bool(old["score"]["passed"]), bool(rec["score"]["passed"])
        row = {"id": qid, "kind": rec.get("kind"), "question": rec.get("question"),
               "before": old["answer"].get("answer", ""), "after": rec["answer"].get("answer", ""),
               "reasons": rec["score"].get("reasons") if not now else old["score"].get("reasons")}
        if now and not was:
            better.append(row)
        elif was and not now:
            worse.append(row)
        elif not now:
            same_fail.append(qid)
    old_overall = (previous.get("summary") or {}).get("overall") or {}
    new_overall = (current.get("summary") or {}).get("overall") or {}
    metrics = {}
    for name in COMPARED:
        a, b = old_overall.get(name), new_overall.get(name)
        metrics[name] = {"before": a, "after": b,
                         "delta": None if a is None or b is None else b - a}
    return {"better": better, "worse": worse, "still_failing": same_fail, "changed": changed,
            "added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after)),
            "metrics": metrics, "previous_started_at": previous.get("started_at")}


# ------------------------------------------------------------------------------ plots

def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def plot_accuracy_by_kind(result: Mapping[str, Any]) -> str:
    """Grouped bars: answer accuracy per question kind (current, and baseline when present)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_kind = result["summary"]["by_kind"]
    kinds = sorted(by_kind)
    current = [by_kind[k]["answer_accuracy"] or 0.0 for k in kinds]
    base = (result.get("baseline") or {}).get("summary", {}).get("by_kind", {})
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(kinds) + 2), 3.6))
    width = 0.4 if base else 0.7
    xs = range(len(kinds))
    ax.bar([x - (width / 2 if base else 0) for x in xs], current, width,
           label=result.get("pipeline", "current"), color="#2b6cb0")
    if base:
        ax.bar([x + width / 2 for x in xs],
               [(base.get(k) or {}).get("answer_accuracy") or 0.0 for k in kinds], width,
               label="naive baseline", color="#c05621")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xticks(list(xs), [f"{k}\n(n={by_kind[k]['questions']})" for k in kinds], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("answer accuracy")
    ax.set_title("Answer accuracy per question kind")
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def plot_latency(result: Mapping[str, Any]) -> str:
    """Box plots of per-question latency for each stage reported in ``timings_ms``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages: dict[str, list[float]] = {}
    for rec in result["records"]:
        for stage, value in (rec["score"].get("timings_ms") or {}).items():
            stages.setdefault(stage, []).append(float(value))
    names = sorted(stages, key=lambda s: (s in ("total", "wall"), s))
    fig, ax = plt.subplots(figsize=(7, 3.6))
    if names:
        ax.boxplot([stages[n] for n in names], tick_labels=names, showfliers=True)
        ax.set_yscale("symlog", linthresh=1.0)
    ax.set_ylabel("milliseconds (log)")
    ax.set_title("Latency per stage, one point per question")
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def plot_baseline(result: Mapping[str, Any]) -> str | None:
    """Grouped bars of headline metrics: current pipeline against the naive baseline."""
    base = (result.get("baseline") or {}).get("summary", {}).get("overall")
    if not base:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    now = result["summary"]["overall"]
    names = [n for n in PLOTTED if now.get(n) is not None or base.get(n) is not None]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    xs = list(range(len(names)))
    ax.bar([x - 0.2 for x in xs], [now.get(n) or 0.0 for n in names], 0.4,
           label=result.get("pipeline", "current"), color="#2b6cb0")
    ax.bar([x + 0.2 for x in xs], [base.get(n) or 0.0 for n in names], 0.4,
           label="naive baseline", color="#c05621")
    ax.set_xticks(xs, [n.replace("_", " ") for n in names], fontsize=8, rotation=25,
                  ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title("Current pipeline against the naive baseline")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


# ------------------------------------------------------------------------------ markdown

def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(result: Mapping[str, Any]) -> str:
    """The report as Markdown (headline metrics, per kind, latency, gate, failures, compare)."""
    o = result["summary"]["overall"]
    base = ((result.get("baseline") or {}).get("summary") or {}).get("overall")
    gate = result["gate"]
    lines = [f"# Evaluation: suite `{result['suite']}`, pipeline `{result['pipeline']}`", "",
             f"Run {result.get('started_at', '')}, {o['questions']} questions, "
             f"{fmt(result.get('seconds'), 1)} s. Gate: "
             f"**{'PASSED' if gate['passed'] else 'FAILED'}**.", "",
             "## Headline metrics", "",
             "| metric | " + result["pipeline"] + (" | naive baseline |" if base else " |"),
             "|---|---|" + ("---|" if base else "")]
    for key, label in HEADLINE:
        row = f"| {label} (`{key}`) | {fmt(o.get(key))} |"
        if base:
            row += f" {fmt(base.get(key))} |"
        lines.append(row)
    lines += ["", "## Per question kind", "",
              "| kind | n | accuracy | hit@k | MRR | faithfulness | abstention R | pass rate |",
              "|---|---|---|---|---|---|---|---|"]
    for kind, s in result["summary"]["by_kind"].items():
        lines.append(f"| {kind} | {s['questions']} | {fmt(s['answer_accuracy'])} | "
                     f"{fmt(s['hit_at_k'])} | {fmt(s['mrr'])} | "
                     f"{fmt(s['citation_faithfulness'])} | {fmt(s['abstention_recall'])} | "
                     f"{fmt(s['pass_rate'])} |")
    lines += ["", "## Latency (ms)", "", "| stage | p50 | p95 | mean |", "|---|---|---|---|"]
    for stage, s in o["latency_ms"].items():
        lines.append(f"| {stage} | {fmt(s['p50'], 1)} | {fmt(s['p95'], 1)} | "
                     f"{fmt(s['mean'], 1)} |")
    lines += ["", "## Gate", ""]
    if not gate["checks"]:
        lines.append("The suite file sets no thresholds.")
    for c in gate["checks"]:
        sign = ">=" if c["op"] == "min" else "<="
        lines.append(f"- {'PASS' if c['ok'] else 'FAIL'} `{c['metric']}` = {fmt(c['value'])} "
                     f"(needs {sign} {c['threshold']:g})")
    lines += ["", f"_{result.get('judge_note', '')}_", ""]
    ingest_failed = (result.get("ingest") or {}).get("failed") or []
    if ingest_failed:
        lines += [f"## Letters that failed to ingest ({len(ingest_failed)})", ""]
        lines += [f"- {f['source']}: {_md_cell(f['error'])}" for f in ingest_failed] + [""]
    failed = [r for r in result["records"] if not r["score"]["passed"]]
    lines += [f"## Failed questions ({len(failed)})", ""]
    for r in failed:
        lines += [f"### `{r['id']}` ({r['kind']})", "", f"**Q:** {r['question']}", "",
                  f"**Why:** {'; '.join(r['score']['reasons']) or 'see metrics'}", "",
                  "**Answer given:**", "", "> " + (r["answer"].get("answer") or "").replace(
                      "\n", "\n> "), ""]
    comparison = result.get("comparison")
    if comparison:
        lines += [f"## Compared with {comparison.get('previous_path', 'the previous run')}", "",
                  f"{len(comparison['better'])} better, {len(comparison['worse'])} worse, "
                  f"{len(comparison['still_failing'])} still failing, "
                  f"{len(comparison['added'])} new, {len(comparison['removed'])} removed, "
                  f"{len(comparison.get('changed', []))} with a different question under the "
                  "same id (not compared).", "",
                  "| metric | before | after | change |", "|---|---|---|---|"]
        for name, m in comparison["metrics"].items():
            delta = "n/a" if m["delta"] is None else f"{m['delta']:+.3f}"
            lines.append(f"| {name} | {fmt(m['before'])} | {fmt(m['after'])} | {delta} |")
        for label, rows in (("Worse", comparison["worse"]), ("Better", comparison["better"])):
            if rows:
                lines += ["", f"### {label}", ""]
                lines += [f"- `{r['id']}` ({r['kind']}): {_md_cell(r['question'])}" for r in rows]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ html

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;padding:0 1rem;color:#1a202c;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #e2e8f0;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #e2e8f0;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f7fafc}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#276749;font-weight:600}.fail{color:#c53030;font-weight:600}
.badge{display:inline-block;padding:.1rem .6rem;border-radius:.8rem;color:#fff}
.badge.pass{background:#38a169}.badge.fail{background:#e53e3e}
.plots img{max-width:100%;border:1px solid #e2e8f0;margin:.4rem 0}
.answer{white-space:pre-wrap;background:#f7fafc;border-left:3px solid #cbd5e0;padding:.4rem .7rem}
.quote{font-size:.85rem;color:#4a5568}.note{color:#4a5568;font-style:italic}
details{margin:.6rem 0;border:1px solid #e2e8f0;border-radius:.3rem;padding:.4rem .7rem}
summary{cursor:pointer}
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _num(value: Any) -> str:
    return f'<td class="num">{_e(fmt(value))}</td>'


def _failed_html(rec: Mapping[str, Any]) -> str:
    answer = rec["answer"]
    cites = "".join(
        f'<li class="quote">[{_e(c.get("marker"))}] {_e(c.get("source"))}, '
        f'{_e(c.get("section"))} ({_e(c.get("char_start"))}–{_e(c.get("char_end"))}): '
        f"“{_e(c.get('quote'))}”</li>" for c in answer.get("citations") or [])
    history = "".join(f"<li>{_e(t.get('question'))}</li>" for t in rec.get("history") or [])
    return (f"<details><summary><code>{_e(rec['id'])}</code> ({_e(rec['kind'])}): "
            f"{_e(rec['question'])} — <span class=\"fail\">"
            f"{_e('; '.join(rec['score']['reasons']) or 'failed')}</span></summary>"
            + (f"<p>Earlier turns:</p><ol>{history}</ol>" if history else "")
            + f"<p>Answer given{' (abstained)' if answer.get('abstained') else ''}:</p>"
            f'<div class="answer">{_e(answer.get("answer", ""))}</div>'
            + (f"<ol>{cites}</ol>" if cites else "")
            + (f"<p>Error: {_e(rec['error'])}</p>" if rec.get("error") else "")
            + "</details>")


def render_html(result: Mapping[str, Any]) -> str:
    """The report as one self-contained HTML page (inline CSS, base64 PNG plots)."""
    o = result["summary"]["overall"]
    base = ((result.get("baseline") or {}).get("summary") or {}).get("overall")
    gate = result["gate"]
    verdict = "pass" if gate["passed"] else "fail"
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>reportqa evaluation: {_e(result['suite'])}</title><style>{_CSS}</style>"
        "</head><body>",
        f"<h1>reportqa evaluation — suite <code>{_e(result['suite'])}</code>, pipeline "
        f"<code>{_e(result['pipeline'])}</code> <span class=\"badge {verdict}\">gate "
        f"{'passed' if gate['passed'] else 'FAILED'}</span></h1>",
        f"<p>Run {_e(result.get('started_at', ''))}: {o['questions']} questions on "
        f"{_e(result.get('ingest', {}).get('letters', '?'))} letters in "
        f"{_e(fmt(result.get('seconds'), 1))} s. The letters of the evaluation suites are "
        "synthetic apart from the real Portsmouth letter.</p>",
        "<h2>Headline metrics</h2><table><tr><th>metric</th>"
        f"<th>{_e(result['pipeline'])}</th>" + ("<th>naive baseline</th>" if base else "")
        + "</tr>",
    ]
    for key, label in HEADLINE:
        parts.append(f"<tr><td>{_e(label)} <code>{key}</code></td>{_num(o.get(key))}"
                     + (_num(base.get(key)) if base else "") + "</tr>")
    parts.append("</table>")
    parts.append("<h2>Release gate</h2>")
    if gate["checks"]:
        parts.append("<table><tr><th>metric</th><th>value</th><th>threshold</th><th></th></tr>")
        for c in gate["checks"]:
            sign = "≥" if c["op"] == "min" else "≤"
            parts.append(f"<tr><td><code>{_e(c['metric'])}</code></td>{_num(c['value'])}"
                         f"<td>{sign} {c['threshold']:g}</td><td class=\""
                         f"{'pass' if c['ok'] else 'fail'}\">{'pass' if c['ok'] else 'FAIL'}"
                         "</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>The suite file sets no thresholds.</p>")
    plots = [("Accuracy per question kind", plot_accuracy_by_kind(result)),
             ("Latency distribution", plot_latency(result)),
             ("Baseline against current", plot_baseline(result))]
    parts.append('<h2>Plots</h2><div class="plots">')
    for title, data in plots:
        if data:
            parts.append(f'<figure><img alt="{_e(title)}" src="data:image/png;base64,{data}">'
                         f"<figcaption>{_e(title)}</figcaption></figure>")
    parts.append("</div>")
    parts.append("<h2>Per question kind</h2><table><tr><th>kind</th><th>n</th><th>accuracy</th>"
                 "<th>hit@k</th><th>MRR</th><th>span hit@k</th><th>faithfulness</th>"
                 "<th>citation correctness</th><th>abstention R</th><th>list R/P</th>"
                 "<th>count exact</th><th>pass rate</th></tr>")
    for kind, s in result["summary"]["by_kind"].items():
        parts.append(
            f"<tr><td>{_e(kind)}</td>{_num(s['questions'])}{_num(s['answer_accuracy'])}"
            f"{_num(s['hit_at_k'])}{_num(s['mrr'])}{_num(s['span_hit_at_k'])}"
            f"{_num(s['citation_faithfulness'])}{_num(s['citation_correctness'])}"
            f"{_num(s['abstention_recall'])}<td class=\"num\">{_e(fmt(s['list_recall']))} / "
            f"{_e(fmt(s['list_precision']))}</td>{_num(s['count_exactness'])}"
            f"{_num(s['pass_rate'])}</tr>")
    parts.append("</table>")
    parts.append("<h2>Latency (ms)</h2><table><tr><th>stage</th><th>p50</th><th>p95</th>"
                 "<th>mean</th></tr>")
    for stage, s in o["latency_ms"].items():
        parts.append(f"<tr><td>{_e(stage)}</td><td class=\"num\">{fmt(s['p50'], 1)}</td>"
                     f"<td class=\"num\">{fmt(s['p95'], 1)}</td>"
                     f"<td class=\"num\">{fmt(s['mean'], 1)}</td></tr>")
    parts.append("</table>")
    parts.append(f"<p class=\"note\">{_e(result.get('judge_note', ''))}</p>")
    if o.get("judge"):
        parts.append("<p>" + ", ".join(f"{_e(k)} {fmt(v)}" for k, v in o["judge"].items())
                     + "</p>")
    ingest = result.get("ingest") or {}
    if ingest.get("failed"):
        parts.append("<h2>Letters that failed to ingest</h2><ul>" + "".join(
            f"<li>{_e(f['source'])}: {_e(f['error'])}</li>" for f in ingest["failed"])
            + "</ul>")
    failed = [r for r in result["records"] if not r["score"]["passed"]]
    parts.append(f"<h2 id=\"failed\">Failed questions ({len(failed)})</h2>")
    if not failed:
        parts.append("<p>Every question passed.</p>")
    parts.extend(_failed_html(r) for r in failed)
    comparison = result.get("comparison")
    if comparison:
        parts.append(f"<h2 id=\"compare\">Compared with "
                     f"{_e(comparison.get('previous_path', 'the previous run'))}</h2>"
                     f"<p>{len(comparison['better'])} better, {len(comparison['worse'])} worse, "
                     f"{len(comparison['still_failing'])} still failing, "
                     f"{len(comparison['added'])} new, {len(comparison['removed'])} removed, "
                     f"{len(comparison.get('changed', []))} with a different question under the "
                     "same id (not compared).</p><table><tr><th>metric</th><th>before</th>"
                     "<th>after</th><th>change</th></tr>")
        for name, m in comparison["metrics"].items():
            delta = m["delta"]
            cls = "" if not delta else (" pass" if delta > 0 else " fail")
            parts.append(f"<tr><td>{_e(name)}</td>{_num(m['before'])}{_num(m['after'])}"
                         f"<td class=\"num{cls}\">"
                         f"{'n/a' if delta is None else f'{delta:+.3f}'}</td></tr>")
        parts.append("</table>")
        for label, rows, cls in (("Worse", comparison["worse"], "fail"),
                                 ("Better", comparison["better"], "pass")):
            parts.append(f"<h3 class=\"{cls}\">{label} ({len(rows)})</h3>")
            if rows:
                parts.append("<table><tr><th>id</th><th>kind</th><th>question</th>"
                             "<th>answer before</th><th>answer now</th></tr>")
                parts.extend(f"<tr><td><code>{_e(r['id'])}</code></td><td>{_e(r['kind'])}</td>"
                             f"<td>{_e(r['question'])}</td><td>{_e(r['before'][:300])}</td>"
                             f"<td>{_e(r['after'][:300])}</td></tr>" for r in rows)
                parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_reports(result: Mapping[str, Any], out_dir: Path,
                  names: Sequence[str] = ("result.json", "report.md", "report.html")
                  ) -> dict[str, Path]:
    """Write the JSON, Markdown and HTML reports; returns their paths by format."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / names[0], "markdown": out_dir / names[1],
             "html": out_dir / names[2]}
    data = dict(result)
    data["reports"] = {k: str(v) for k, v in paths.items()}
    paths["json"].write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    paths["markdown"].write_text(render_markdown(data), encoding="utf-8")
    paths["html"].write_text(render_html(data), encoding="utf-8")
    return paths
