"""The release gate: compare a run's metrics with the thresholds versioned in the suite file.

Thresholds live in ``suite.json`` under ``"thresholds"``. Each key is a metric name as
:func:`evals.metrics.metric_value` understands it (``"answer_accuracy"``, ``"list:list_recall"``
for one question kind, ``"latency_ms.total.p95"`` for a dotted path); each value is a minimum, or
``{"min": x}`` / ``{"max": y}``::

    "thresholds": {"answer_accuracy": 0.85, "citation_faithfulness": 1.0,
                   "abstention_recall": 0.9, "latency_ms.total.p95": {"max": 500}}

A metric the thresholds name but the run did not produce fails the gate (a silent pass would hide
a broken suite). ``python -m evals.gate RESULT.json [--suite SUITE]`` re-checks a saved result.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evals.errors import EvalError
from evals.metrics import metric_value


@dataclass
class Check:
    """One threshold compared with its measured value."""

    metric: str
    op: str
    threshold: float
    value: float | None
    ok: bool

    def describe(self) -> str:
        shown = "missing" if self.value is None else f"{self.value:.3f}"
        sign = ">=" if self.op == "min" else "<="
        return f"{self.metric} = {shown} (needs {sign} {self.threshold:g})"


@dataclass
class GateResult:
    """Every check, and whether all passed."""

    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def exit_code(self) -> int:
        """0 when the gate passes, 1 when a threshold is missed."""
        return 0 if self.passed else 1

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "checks": [asdict(c) for c in self.checks]}


def parse_thresholds(raw: Mapping[str, Any]) -> list[tuple[str, str, float]]:
    """Turn the suite's ``thresholds`` into ``(metric, "min"|"max", value)`` triples.

    Raises:
        EvalError: if a value is neither a number nor ``{"min": x}`` / ``{"max": y}``.
    """
    out = []
    for metric, spec in raw.items():
        if metric.startswith("_"):  # comments
            continue
        if isinstance(spec, bool):
            raise EvalError(f"threshold {metric!r} is a boolean; give a number or "
                            '{"min": x} / {"max": y} in the suite file')
        if isinstance(spec, int | float):
            out.append((metric, "min", float(spec)))
        elif isinstance(spec, Mapping) and spec and set(spec) <= {"min", "max"}:
            for op in ("min", "max"):
                if op in spec:
                    out.append((metric, op, float(spec[op])))
        else:
            raise EvalError(f"threshold {metric!r} = {spec!r} is not understood; give a number "
                            '(a minimum) or {"min": x} / {"max": y} in the suite file')
    return out


def check(summary: Mapping[str, Any], thresholds: Mapping[str, Any]) -> GateResult:
    """Compare ``summary`` (from :func:`evals.metrics.summarize`) with ``thresholds``."""
    result = GateResult()
    for metric, op, limit in parse_thresholds(thresholds):
        value = metric_value(summary, metric)
        if value is None:
            ok = False
        elif op == "min":
            ok = value >= limit - 1e-9
        else:
            ok = value <= limit + 1e-9
        result.checks.append(Check(metric=metric, op=op, threshold=limit, value=value, ok=ok))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Re-check a saved ``result.json`` against thresholds (its own, or a suite's)."""
    parser = argparse.ArgumentParser(prog="python -m evals.gate", description=main.__doc__)
    parser.add_argument("result", type=Path, help="result.json written by `reportqa eval`")
    parser.add_argument("--suite", help="suite name or suite.json whose thresholds to use")
    args = parser.parse_args(argv)
    data = json.loads(args.result.read_text(encoding="utf-8"))
    if args.suite:
        from evals.suite import load_suite

        thresholds = load_suite(args.suite).thresholds
    else:
        thresholds = data.get("thresholds") or {}
    gate = check(data["summary"], thresholds)
    for c in gate.checks:
        print(("PASS " if c.ok else "FAIL ") + c.describe())
    print("gate passed" if gate.passed else f"gate FAILED ({len(gate.failures)} check(s))")
    return gate.exit_code


if __name__ == "__main__":
    sys.exit(main())
