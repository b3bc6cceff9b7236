"""The set of characters a regex can start with (its FIRST set), from its parse tree.

The figure component scans each document once with a master regex; putting a
one-character lookahead of each rule's FIRST set in front of that rule lets the regex
engine reject a position with one character-class test per rule instead of walking
into every rule's optional prefixes.  Computed, not hand-written, so it can never miss
a rule's starting character.  Zero-width items (lookarounds, anchors) are skipped;
anything whose start cannot be bounded (``.``, ``\\w``, negated classes, back
references) makes the result ``None`` ("could start anywhere").
"""

from __future__ import annotations

import re

try:  # the stdlib's own regex parse tree (Python 3.11+ names, then 3.10)
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

_MAX_RANGE = 5000  # a wider character range is treated as "anything"


def _class_chars(items) -> set[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            chars.add(chr(av))
        elif op is C.RANGE:
            lo, hi = av
            if hi - lo > _MAX_RANGE:
                return None
            chars.update(chr(c) for c in range(lo, hi + 1))
        else:  # NEGATE, CATEGORY (\s, \d ...): unbounded
            return None
    return chars


Guard = set[str] | None  # characters the *position* must hold (from a lookahead)


def _meet(a: Guard, b: Guard) -> Guard:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _first_seq(items) -> tuple[set[str] | None, bool, Guard]:
    """FIRST set of a sequence, whether it can match empty, and a position guard.

    The guard is what the character at the sequence's start position must be (None:
    anything).  Lookaheads (``(?=[...])``) add guards without consuming; a guard of
    a later item applies whenever every item before it matched empty, which is the
    only case in which that item supplies the match's first character.
    """
    result: set[str] = set()
    cumulative: Guard = None
    for op, av in items:
        first, nullable, guard = _first_item(op, av)
        cumulative = _meet(cumulative, guard)
        if first is None:
            if cumulative is None:
                return None, False, None
            first = set(cumulative)
        result |= first if cumulative is None else first & cumulative
        if not nullable:
            return result, False, set(result)
    return result, True, (None if cumulative is None else result | cumulative)


def _first_item(op, av) -> tuple[set[str] | None, bool, Guard]:
    if op is C.LITERAL:
        return {chr(av)}, False, {chr(av)}
    if op is C.IN:
        chars = _class_chars(av)
        return chars, False, chars
    if op is C.ASSERT and av[0] == 1:  # lookahead: a guard on this position
        _first, _nullable, guard = _first_seq(av[1].data)
        return set(), True, guard
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return set(), True, None
    if op is C.BRANCH:
        union: set[str] = set()
        nullable = False
        position: set[str] | None = set()  # what the position char can be, any branch
        for alternative in av[1]:
            first, empty, guard = _first_seq(alternative.data)
            if first is None:
                return None, False, None
            union |= first
            nullable = nullable or empty
            position = None if position is None or guard is None else position | guard
        return union, nullable, position
    if op is C.SUBPATTERN:
        return _first_seq(av[-1].data)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        first, empty, guard = _first_seq(sub.data)
        if first is None:
            return None, False, None
        return first, empty or low == 0, (guard if low > 0 else None)
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _first_seq(av.data)
    if op is C.GROUPREF_EXISTS:
        _group, yes, no = av
        first_yes, empty_yes, guard_yes = _first_seq(yes.data)
        if no is None:
            return first_yes, True, None
        first_no, empty_no, guard_no = _first_seq(no.data)
        if first_yes is None or first_no is None:
            return None, False, None
        guard = None if guard_yes is None or guard_no is None else guard_yes | guard_no
        return first_yes | first_no, empty_yes or empty_no, guard
    return None, False, None  # ANY, NOT_LITERAL, GROUPREF, CATEGORY ...


def first_chars(pattern: str) -> frozenset[str] | None:
    """Characters a match of ``pattern`` can start with; None if unbounded or empty-able.

    >>> sorted(first_chars(r"(?<![0-9])(?:人民币|[0-9])+元"))
    ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '人']
    >>> first_chars(r"a?") is None
    True
    """
    first, nullable, _guard = _first_seq(P.parse(pattern).data)
    if first is None or nullable or not first:
        return None
    return frozenset(first)


def char_class(chars: frozenset[str]) -> str:
    """A regex character class matching exactly ``chars``."""
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"
