"""Present a rule evaluation: rich tables on the terminal, JSON, displaCy HTML."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from pipeline.authoring.render import ents_html, page, rich_table, table_html
from pipeline.errors import Errors, ZhnewsError

RULE_HEADERS = (
    "rule",
    "label",
    "hits",
    "TP",
    "FP",
    "P",
    "R",
    "uniq",
    "lost",
    "ovl",
    "confl",
    "model±",
    "value",
    "file:line",
)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def rule_row(rule: dict[str, Any]) -> list[Any]:
    """One terminal row: counts, precision/recall, overlaps, where the rule lives."""
    where = (
        Path(rule["file"]).name + (f":{rule['line']}" if rule.get("line") else "")
        if rule.get("file")
        else ("(output)" if not rule.get("raw") else "")
    )
    return [
        rule["id"],
        rule["label"],
        rule["hits"],
        rule["tp"],
        rule["fp"],
        _pct(rule["precision"]),
        _pct(rule["recall"]),
        rule["unique"],
        rule["lost"],
        rule["overlaps"],
        rule["conflicts"],
        f"{rule['model_overlaps'] + rule['model_conflicts']}"
        if rule["kind"] == "entity"
        else f"ovr {rule.get('overridden', 0)}",
        _pct(rule.get("value_accuracy")),
        where,
    ]


def label_rows(labels: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """Per-label summary rows: gold, rule recall, final output P/R/F1."""
    return [
        [
            label,
            s["gold"],
            _pct(s["rule_recall"]),
            s["output"],
            _pct(s["precision"]),
            _pct(s["recall"]),
            _pct(s["f1"]),
        ]
        for label, s in labels.items()
    ]


def terminal():
    """A ``rich`` console; wide when the output is not a terminal (files, CI logs)."""
    import sys

    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 200)


def print_report(
    report: dict[str, Any], console, *, show_zero: bool = True, examples: int = 2
) -> None:
    """Print the report to a ``rich`` console."""
    rules = [r for r in report["rules"] if show_zero or r["hits"]]
    console.print(
        rich_table(
            f"Rules on {', '.join(report['gold'])} ({report['documents']} documents)",
            RULE_HEADERS,
            [rule_row(r) for r in rules],
        )
    )
    console.print(
        rich_table(
            "Final output per label",
            ("label", "gold", "rule recall", "output", "P", "R", "F1"),
            label_rows(report["labels"]),
        )
    )
    rel = report["relations"]
    console.print(
        f"Relations (figure + subject): gold {rel['gold']}, output {rel['output']}, "
        f"P {_pct(rel['precision'])} R {_pct(rel['recall'])} F1 {_pct(rel['f1'])}"
    )
    if examples:
        for rule in rules:
            shown = rule["false_positives"][:examples]
            if shown:
                console.print(f"[bold]{rule['id']}[/bold] false positives:")
                for ex in shown:
                    console.print(
                        f"   {ex['doc']}: {ex['context']}  [dim]({ex['note']})[/dim]",
                        markup=True,
                        highlight=False,
                    )
        for label, stats in report["labels"].items():
            for ex in stats["misses"][:examples]:
                console.print(
                    f"[bold]{label}[/bold] missed: {ex['doc']}: {ex['context']}", highlight=False
                )
    for warning in report.get("warnings", []):
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    if report["skipped"]:
        console.print(
            f"[yellow]{report['skipped']} gold records skipped ({len(report['problems'])} problems):[/yellow]"
        )
        for problem in report["problems"][:20]:
            console.print(f"  {problem}", highlight=False, markup=False)


def write_json(report: dict[str, Any], path: Path) -> None:
    """Write the report as JSON (top-level ``rules`` list)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf8")
    except OSError as err:
        raise ZhnewsError(Errors.E002.format(path=path, reason=err)) from err


def _examples_html(items: list[dict[str, Any]]) -> str:
    parts = []
    for ex in items:
        title = f"{ex['doc']} — {ex['note']}"
        parts.append(ents_html(ex["window"], ex["spans"], title=title))
    return "".join(parts)


def report_html(report: dict[str, Any]) -> str:
    """The ``--html`` page: tables, then each rule's examples rendered by displaCy."""
    body = [
        f"<p>Gold: {html.escape(', '.join(report['gold']))} — {report['documents']} documents, {report['skipped']} skipped.</p>",
        table_html(RULE_HEADERS, [rule_row(r) for r in report["rules"]]),
        "<h2>Final output per label</h2>",
        table_html(
            ("label", "gold", "rule recall", "output", "P", "R", "F1"), label_rows(report["labels"])
        ),
    ]
    for rule in report["rules"]:
        if not rule["false_positives"] and not rule["misses"] and not rule.get("value_errors"):
            continue
        body.append(
            f'<h2 id="{html.escape(rule["id"])}">{html.escape(rule["id"])} ({html.escape(rule["label"])})</h2>'
        )
        if rule["false_positives"]:
            body.append("<h3>False positives</h3>" + _examples_html(rule["false_positives"]))
        if rule["misses"]:
            body.append("<h3>Near misses</h3>" + _examples_html(rule["misses"]))
        if rule.get("value_errors"):
            body.append("<h3>Wrong values</h3>" + _examples_html(rule["value_errors"]))
    for label, stats in report["labels"].items():
        if stats["misses"]:
            body.append(
                f"<h2>{html.escape(label)}: found by no rule or model</h2>"
                + _examples_html(stats["misses"])
            )
    if report["problems"]:
        body.append(
            "<h2>Skipped gold records</h2><pre>"
            + html.escape("\n".join(report["problems"]))
            + "</pre>"
        )
    return page("zhnews rules eval", "\n".join(body))


def write_html(report: dict[str, Any], path: Path) -> None:
    """Write the HTML view."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report_html(report), encoding="utf8")
    except OSError as err:
        raise ZhnewsError(Errors.E002.format(path=path, reason=err)) from err


def _num(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _arrow(old: Any, new: Any) -> str:
    return _num(new) if old == new else f"{_num(old)} → {_num(new)}"


def compare_rows(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[list[list[Any]], list[list[Any]]]:
    """Rules and labels whose scores differ between two reports (new rules included)."""
    before = {r["id"]: r for r in old.get("rules", [])}
    after = {r["id"]: r for r in new.get("rules", [])}
    keys = ("hits", "tp", "fp", "precision", "recall")
    rules = []
    for rid in sorted(set(before) | set(after)):
        a, b = before.get(rid), after.get(rid)
        if a is not None and b is not None and all(a.get(k) == b.get(k) for k in keys):
            continue
        status = "new" if a is None else ("removed" if b is None else "changed")
        a, b = a or {}, b or {}
        label = b.get("label") or a.get("label")
        rules.append([rid, label, status, *(_arrow(a.get(k), b.get(k)) for k in keys)])
    labels = []
    for label in sorted(set(old.get("labels", {})) | set(new.get("labels", {}))):
        a = old.get("labels", {}).get(label, {})
        b = new.get("labels", {}).get(label, {})
        fields = ("gold", "output", "precision", "recall", "f1")
        if any(a.get(k) != b.get(k) for k in fields):
            labels.append([label, *(_arrow(a.get(k), b.get(k)) for k in fields)])
    ra, rb = old.get("relations", {}), new.get("relations", {})
    if any(ra.get(k) != rb.get(k) for k in ("output", "tp", "f1")):
        labels.append(
            [
                "relations",
                *(
                    _arrow(ra.get(k), rb.get(k))
                    for k in ("gold", "output", "precision", "recall", "f1")
                ),
            ]
        )
    return rules, labels


def print_comparison(old: dict[str, Any], new: dict[str, Any], console, name: str) -> None:
    """Print what changed since the report in ``name``."""
    rules, labels = compare_rows(old, new)
    console.print(
        rich_table(
            f"Changes since {name}: rules",
            ("rule", "label", "status", "hits", "TP", "FP", "P", "R"),
            rules,
        )
    )
    console.print(
        rich_table(
            f"Changes since {name}: final output",
            ("label", "gold", "output", "P", "R", "F1"),
            labels,
        )
    )
