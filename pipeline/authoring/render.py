"""displaCy and terminal views of what the pipeline did (``show``, ``rules eval --html``).

displaCy's ``ent`` style draws the spans; what it cannot show (normalised values,
sources, facts) goes into plain HTML tables next to it, and into ``rich`` tables on the
terminal.  All text placed into HTML is escaped: the input is untrusted news text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

from spacy import displacy

LABEL_COLOURS: dict[str, str] = {
    "ORG": "#7aecec",
    "MONEY": "#e4e7d2",
    "PERCENT": "#feca74",
    "DATE": "#bfe1d9",
    "SEGMENT": "#c887fb",
    "METRIC": "#ddd",
    "FP": "#ff9f9f",
    "MISS": "#9fc5ff",
    "GOLD": "#c7f5c7",
}

_CSS = """
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code { font-size: 0.9em; }
h2 { margin-top: 2em; }
"""


def _colour(label: str) -> str:
    return LABEL_COLOURS.get(label.split(":")[0], LABEL_COLOURS.get(label.split(":")[-1], "#eee"))


def ents_html(text: str, spans: Iterable[dict[str, Any]], title: str | None = None) -> str:
    """displaCy ``ent`` markup for character spans (overlapping spans are skipped)."""
    chosen: list[dict[str, Any]] = []
    last_end = -1
    hovers: list[str] = []
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        if span["start"] >= last_end and span["end"] > span["start"]:
            chosen.append({"start": span["start"], "end": span["end"], "label": span["label"]})
            hovers.append(_hover(span))
            last_end = span["end"]
    labels = sorted({s["label"] for s in chosen})
    options = {"ents": labels, "colors": {label: _colour(label) for label in labels}}
    doc = {"text": text, "ents": chosen, "title": title}
    markup = displacy.render(
        [doc], style="ent", manual=True, page=False, jupyter=False, options=options
    )
    # Values on hover: displaCy writes one <mark class="entity" per span, in order.
    parts = markup.split('<mark class="entity"')
    if len(parts) == len(hovers) + 1:
        markup = parts[0] + "".join(
            f'<mark class="entity" title="{html.escape(hover, quote=True)}"' + part
            for hover, part in zip(hovers, parts[1:], strict=True)
        )
    return markup


def _hover(span: dict[str, Any]) -> str:
    """Tooltip of a span: its value, canonical name and source when known."""
    bits = [value_text(span["value"])] if span.get("value") else []
    if span.get("canonical") and span.get("canonical") != span.get("text"):
        bits.append(f"= {span['canonical']}")
    if span.get("source"):
        bits.append(str(span["source"]))
    return " | ".join(bits)


def table_html(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain, escaped HTML table."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell_text(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, body: str) -> str:
    """A standalone HTML page."""
    return (
        f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>\n"
    )


def cell_text(value: Any) -> str:
    """Compact text of a table cell (dicts as JSON, None as empty)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}" if value != int(value) or abs(value) < 1 else f"{value:.0f}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def value_text(value: Any) -> str:
    """Human-readable normalised value (the part a reviewer checks)."""
    if not isinstance(value, dict):
        return cell_text(value)
    if "amount" in value:
        text = f"{value['amount']} {value.get('currency', '')}".strip()
        if "low" in value and "high" in value:
            text = f"{value['low']}–{value['high']} {value.get('currency', '')}".strip()
        if value.get("per"):
            text += f" /{value['per']}"
        return ("≈" if value.get("approximate") else "") + text
    if "unit" in value and "value" in value:
        if "low" in value and "high" in value:
            return f"{value['low']}–{value['high']} {value['unit']}"
        return f"{value['value']} {value['unit']}"
    if "start" in value and "end" in value:
        text = f"{value['start']}..{value['end']}"
        if value.get("granularity"):
            text += f" ({value['granularity']})"
        return text
    return cell_text(value)


ENTITY_HEADERS = ("start", "end", "label", "text", "value", "canonical", "source", "confidence")
FACT_HEADERS = (
    "figure",
    "subject",
    "type",
    "metric",
    "kind",
    "comparison",
    "direction",
    "period",
    "role",
    "source",
)


def entity_rows(record: dict[str, Any]) -> list[list[Any]]:
    """One row per entity of a schema-v1 record."""
    return [
        [
            e["start"],
            e["end"],
            e["label"],
            e["text"],
            value_text(e.get("value")),
            e.get("canonical"),
            e.get("source"),
            e.get("confidence"),
        ]
        for e in record.get("entities", [])
    ]


def fact_rows(record: dict[str, Any]) -> list[list[Any]]:
    """One row per relation (fact) of a schema-v1 record."""
    rows = []
    for r in record.get("relations", []):
        metric = r.get("metric")
        if isinstance(metric, dict):
            metric = metric.get("text")
        canon = r.get("metric_canonical")
        rows.append(
            [
                r["figure"]["text"],
                r["subject"].get("canonical") or r["subject"]["text"],
                r["subject"].get("type"),
                f"{metric} ({canon})" if metric and canon else metric,
                r.get("kind"),
                r.get("comparison"),
                r.get("direction"),
                (r.get("period") or {}).get("text"),
                r.get("role"),
                r.get("source"),
            ]
        )
    return rows


def record_spans(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Entities plus the segment/metric mentions used by facts, for displaCy."""
    spans = [dict(e) for e in record.get("entities", [])]
    for m in record.get("mentions", []) or []:
        if m.get("type") in ("SEGMENT", "METRIC"):
            spans.append({"start": m["start"], "end": m["end"], "label": m["type"]})
    return spans


def show_html(text: str, record: dict[str, Any], title: str) -> str:
    """The ``show`` page: displaCy view, entity table with values, facts table."""
    body = [
        ents_html(text, record_spans(record)),
        "<h2>Entities</h2>",
        table_html(ENTITY_HEADERS, entity_rows(record)),
        "<h2>Facts</h2>",
        table_html(FACT_HEADERS, fact_rows(record)),
    ]
    if record.get("unplaced"):
        body += [
            "<h2>Unplaced candidates</h2>",
            table_html(
                ("start", "end", "label", "source"),
                [
                    [u.get(k) for k in ("start", "end", "label", "source")]
                    for u in record["unplaced"]
                ],
            ),
        ]
    return page(title, "\n".join(body))


def rich_table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]):
    """A ``rich`` table (imported lazily: only terminal commands need it)."""
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(cell_text(c) for c in row))
    return table


def context(text: str, start: int, end: int, width: int = 20) -> str:
    """``…left【span】right…`` on one line, for examples in reports."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    snippet = (
        ("…" if left else "")
        + text[left:start]
        + "【"
        + text[start:end]
        + "】"
        + text[end:right]
        + ("…" if right < len(text) else "")
    )
    return snippet.replace("\n", " ")
