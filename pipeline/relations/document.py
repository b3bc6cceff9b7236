"""Plain-Python view of one paragraph for the relation stage.

The relation rules and the classifier work on character offsets, not on pkuseg
tokens (a token such as ``增长10.8%`` would hide both the cue and the figure).  A
:class:`DocView` holds the text, its equal-length normalised copy, the entities
(from ``doc.ents`` or from gold annotations) and every mention and cue found by
the rules, each list sorted by start so that lookups are binary searches: the stage
stays linear in the paragraph length even with hundreds of figures.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

FIGURE_LABELS = ("MONEY", "PERCENT")
SENTENCE_BREAKS = frozenset("。!?！？\n")
# Breaks that end a "unit" of a report: a sentence or a ；-clause.  A unit that names a
# metric but no subject returns to the paragraph's main company (see linker).
UNIT_BREAKS = SENTENCE_BREAKS | frozenset(";；")
# A colon is not a clause break: in table-like text it joins a label to its value
# (营业收入：2122.26亿元).
CLAUSE_BREAKS = SENTENCE_BREAKS | frozenset(",;，；")
# A half-width full stop ends a sentence in text written with half-width punctuation
# (…37.51亿元.分行业看): after a Chinese character, % or ), and not before a letter or
# digit, so decimals, stock codes (300124.SZ) and abbreviations (Inc.) are no breaks.
# The lookbehind comes after the full stop (it checks the character before it, the stop
# included in its width): a pattern that starts with a character lets the regex engine
# skip to the next candidate character in C instead of trying every position.
_HALF_WIDTH_STOP = r"\.(?<![\x00-\x24\x26-\x28\x2a-\x7f]\.)(?![0-9A-Za-z])"
# The clause breaks and the half-width stop as one character class with the stop's two
# tests after it (each passes for any other character): replaces the alternation
# ``[breaks]|<_HALF_WIDTH_STOP>``, for which the regex engine has no first-character set
# and tries every position; a pattern that starts with a class skips to candidates in C.
_CLAUSE_RE = re.compile(
    "["
    + re.escape("".join(sorted(CLAUSE_BREAKS)) + ".")
    + r"](?<![\x00-\x24\x26-\x28\x2a-\x7f]\.)(?!(?<=\.)[0-9A-Za-z])"
)

# What each character _CLAUSE_RE matches breaks: a clause only (0), a unit (a ; or ；,
# the only unit breaks that end no sentence) or a sentence (the half-width stop too).
_UNIT_BREAK = 1
_SENTENCE_BREAK = 2
_BREAK_KIND = {ch: 0 for ch in CLAUSE_BREAKS}
_BREAK_KIND.update({ch: _UNIT_BREAK for ch in UNIT_BREAKS - SENTENCE_BREAKS})
_BREAK_KIND.update({ch: _SENTENCE_BREAK for ch in SENTENCE_BREAKS | {"."}})

_ONES = b"\x01" * 64
_START = attrgetter("start")
_END = attrgetter("end")


def sort_by_start_end(items: list) -> list:
    """Sort ``items`` in place by (start, end), ties in their order, and return it.

    Two stable sorts by int keys replace one by ``(start, end)``: the same order
    without a key tuple per item (on a long paragraph, a thousand objects at once for
    the cyclic GC to count, and a slower comparison).
    """
    items.sort(key=_END)
    items.sort(key=_START)
    return items


@dataclass(slots=True)
class Ent:
    """An entity in character offsets (a ``doc.ents`` span or a gold annotation)."""

    start: int
    end: int
    label: str
    text: str
    value: dict[str, Any] | None = None
    canonical: str | None = None


@dataclass(slots=True)
class Mention:
    """A segment, metric, anaphor or subject mention found by the relation rules."""

    start: int
    end: int
    text: str
    type: str  # SEGMENT | METRIC | ANAPHOR | ORG
    canonical: str | None = None
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The ``doc._.mentions`` form (JSON-friendly): :func:`mention_dicts` of one."""
        return mention_dicts((self,))[0]


def mention_dicts(mentions: Iterable[Mention]) -> list[dict[str, Any]]:
    """:meth:`Mention.as_dict` of every mention, in order.

    Why a loop here rather than a method call per mention: a long paragraph reports
    about a thousand mentions, and the call was a fifth of building each dict.
    """
    out: list[dict[str, Any]] = []
    append = out.append
    for m in mentions:
        d: dict[str, Any] = {
            "start": m.start,
            "end": m.end,
            "text": m.text,
            "type": m.type,
            "canonical": m.canonical,
            "source": m.source,
        }
        extra = m.extra
        if extra:  # (most segments have no extra: one test instead of two lookups)
            if "metric_type" in extra:
                d["metric_type"] = extra["metric_type"]
            if "refers_to" in extra:
                d["refers_to"] = extra["refers_to"]
        append(d)
    return out


@dataclass(slots=True)
class Cue:
    """A cue word hit (comparison, change, to, from, share, rate, market)."""

    start: int
    end: int
    category: str
    value: str
    text: str


@dataclass(slots=True)
class Subject:
    """A subject candidate: an ORG, a segment, or an anaphor resolved to one of them."""

    start: int  # where it is mentioned (the anaphor's own offsets for anaphors)
    end: int
    type: str  # ORG | SEGMENT
    key: str  # comparison key (canonical company / normalised segment name)
    canonical: str
    ref_start: int  # the mention reported as the subject (the referent for anaphors)
    ref_end: int
    ref_text: str
    company: str | None
    via_anaphor: bool = False
    followed_by: str = ""  # suffix cue that ended a segment name (业务/板块/...)
    source: str = ""  # the rule that found the mention
    after_entity: bool = False  # a metric-head name glued to an entity (百度核心收入)


class DocView:
    """Text, normalised copy, entities, mentions and cues with offset lookups."""

    def __init__(self, text: str, norm: str, ents: list[Ent]) -> None:
        self.text = text
        self.norm = norm
        self.ents = sort_by_start_end(list(ents))
        self.figures: list[Ent] = []
        self.dates: list[Ent] = []
        self.orgs: list[Ent] = []
        by_label = {"MONEY": self.figures, "PERCENT": self.figures, "DATE": self.dates}
        by_label["ORG"] = self.orgs
        covered = self.covered = bytearray(len(text))
        for ent in self.ents:  # one pass: split by label and mark covered characters
            bucket = by_label.get(ent.label)
            if bucket is not None:
                bucket.append(ent)
            n = ent.end - ent.start
            covered[ent.start : ent.end] = _ONES[:n] if n <= len(_ONES) else b"\x01" * n
        # one pass over the break characters outside entities: clause, unit and
        # sentence breaks (each list sorted, a subset of the one before)
        clause: list[int] = []
        unit: list[int] = []
        sentence: list[int] = []
        self.semicolons: list[int] = []  # every ; and ； (entities included)
        for m in _CLAUSE_RE.finditer(norm):
            i = m.start()
            kind = _BREAK_KIND[m.group()]  # (one lookup replaces three set tests)
            if kind == _UNIT_BREAK:
                self.semicolons.append(i)
            if covered[i]:
                continue
            clause.append(i)
            if kind:
                unit.append(i)
                if kind == _SENTENCE_BREAK:
                    sentence.append(i)
        self.clause_breaks = clause
        self.sentence_breaks = sentence
        self.unit_breaks = unit
        self.metrics: list[Mention] = []
        self.segments: list[Mention] = []
        self.anaphors: list[Mention] = []
        self.cues: list[Cue] = []
        self.subjects: list[Subject] = []
        self.segment_counts: dict[str, int] = {}
        self._cue_starts: list[int] = []
        self._metric_starts: list[int] = []
        self._subject_starts: list[int] = []
        self._segment_starts: list[int] = []
        self._date_starts = list(map(_START, self.dates))
        self._figure_starts = list(map(_START, self.figures))
        # offset -> its positions in the arrays above (features.offset_positions)
        self.positions: dict[int, tuple[int, int, int, int, int, int]] = {}

    # -- finalisation --------------------------------------------------------------
    def index(self) -> None:
        """Sort mention lists and build the start arrays used by the lookups."""
        self.metrics.sort(key=_START)
        self.segments.sort(key=_START)
        self.anaphors.sort(key=_START)
        # by start, the longer cue first: two stable sorts with C-level keys replace
        # one with a key function building a tuple per cue
        self.cues.sort(key=_END, reverse=True)  # (reverse keeps ties in order)
        self.cues.sort(key=_START)
        self._cue_starts = list(map(_START, self.cues))
        self._metric_starts = list(map(_START, self.metrics))
        self._segment_starts = list(map(_START, self.segments))
        self.index_subjects()

    def index_subjects(self) -> None:
        """Sort the subjects and build their start array (after :func:`build_subjects`,
        which adds subjects but leaves the mention lists as :meth:`index` sorted them)."""
        sort_by_start_end(self.subjects)
        self._subject_starts = list(map(_START, self.subjects))
        self.positions = {}

    # -- boundaries ----------------------------------------------------------------
    def sentence_start(self, pos: int) -> int:
        """Offset just after the last sentence break before ``pos``."""
        i = bisect_left(self.sentence_breaks, pos)
        return self.sentence_breaks[i - 1] + 1 if i else 0

    def sentence_end(self, pos: int) -> int:
        """Offset of the first sentence break at or after ``pos`` (exclusive end)."""
        i = bisect_left(self.sentence_breaks, pos)
        return self.sentence_breaks[i] if i < len(self.sentence_breaks) else len(self.text)

    def unit_start(self, pos: int) -> int:
        """Offset just after the last sentence or ；-clause break before ``pos``."""
        i = bisect_left(self.unit_breaks, pos)
        return self.unit_breaks[i - 1] + 1 if i else 0

    def clause_start(self, pos: int) -> int:
        """Offset just after the last clause break before ``pos``."""
        i = bisect_left(self.clause_breaks, pos)
        return self.clause_breaks[i - 1] + 1 if i else 0

    def clause_end(self, pos: int) -> int:
        """Offset of the first clause break at or after ``pos``."""
        i = bisect_left(self.clause_breaks, pos)
        return self.clause_breaks[i] if i < len(self.clause_breaks) else len(self.text)

    def breaks_between(self, a: int, b: int, sentence: bool = True) -> int:
        """Number of sentence (or clause) breaks in ``[a, b)``."""
        arr = self.sentence_breaks if sentence else self.clause_breaks
        return bisect_left(arr, b) - bisect_left(arr, a)

    # -- range queries ---------------------------------------------------------------
    def cues_in(self, a: int, b: int) -> list[Cue]:
        """Cue hits starting in ``[a, b)``."""
        return self.cues[bisect_left(self._cue_starts, a) : bisect_left(self._cue_starts, b)]

    def metrics_in(self, a: int, b: int) -> list[Mention]:
        """Metric mentions starting in ``[a, b)``."""
        lo = bisect_left(self._metric_starts, a)
        return self.metrics[lo : bisect_left(self._metric_starts, b)]

    def figures_between(self, a: int, b: int) -> int:
        """Number of figures starting in ``[a, b)``."""
        return bisect_left(self._figure_starts, b) - bisect_left(self._figure_starts, a)

    def subjects_between(self, a: int, b: int) -> int:
        """Number of subject mentions starting in ``[a, b)``."""
        return bisect_left(self._subject_starts, b) - bisect_left(self._subject_starts, a)

    def segments_between(self, a: int, b: int) -> int:
        """Number of segment mentions starting in ``[a, b)``."""
        return bisect_left(self._segment_starts, b) - bisect_left(self._segment_starts, a)

    def subject_index_before(self, pos: int) -> int:
        """Index of the first subject starting at or after ``pos``."""
        return bisect_left(self._subject_starts, pos)

    def dates_before(self, pos: int) -> int:
        """Index just past the last DATE starting before ``pos``."""
        return bisect_left(self._date_starts, pos)

    def dates_after(self, pos: int) -> int:
        """Index of the first DATE starting at or after ``pos``."""
        return bisect_right(self._date_starts, pos - 1)
