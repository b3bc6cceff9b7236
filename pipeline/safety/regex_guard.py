"""Static rejection of rule regexes that can backtrack catastrophically, plus bounded matching.

Why: rule files are data that users edit, and Python's ``re`` is a backtracking engine.
One careless pattern such as ``(a+)+`` or ``(\\w+\\s?)*`` takes exponential time on a
string that *almost* matches, which would hang a batch job on one unlucky paragraph.
We therefore analyse every rule pattern when its file is loaded and refuse the
dangerous ones with the file, line and a reason a person can act on.

How: the pattern is parsed with the standard library's own parser (``re._parser``,
so the analysis sees exactly what ``re`` compiles) and turned into a Glushkov
*position automaton* whose edges carry multiplicities (how many distinct parse paths
produce the edge).  A backtracking matcher explores every path, so:

* **exponential** backtracking (EDA) exists iff some state has two different paths back
  to itself reading the same word: a parallel edge inside a cycle (``(a+)+``,
  ``(a*)*``, ``(\\w+\\s?)*``) or, in the product automaton, a pair of distinct states
  on a common cycle (``(a|a)*``, ``(a|ab|b)*``);
* **polynomial** backtracking (IDA, e.g. ``\\d+\\d+x``, ``.*a.*b``) exists iff two
  different loops can read the same word and the first can reach the second on it;
  checked in the triple product automaton.

Character classes are compared through a sample alphabet built from every literal and
range end in the pattern plus representatives of the Unicode categories; two classes
"overlap" when a sample character belongs to both.  Counted repeats are unrolled when
small and treated as unbounded loops otherwise (an over-approximation: safe side).
Atomic groups ``(?>...)`` and possessive quantifiers ``*+ ++ ?+ {m,n}+`` never give
characters back, so their inside is analysed on its own (for a possessive loop: one
iteration's body) and they are then treated as one opaque step; they are the
recommended fix for a refused pattern.  A backreference to a group of bounded length
is modelled as another copy of the group, a conditional ``(?(g)yes|no)`` as an
alternation; backreferences to unbounded groups are refused (they make matching
NP-hard and rules never need them).

Matching itself can stay bounded too: :func:`bounded_search` / :func:`bounded_finditer`
search windows of bounded length (cut at sentence breaks), so a long unbroken run that
a rule *almost* matches costs linear time overall, and a polynomial pattern a caller
explicitly allowed costs a bounded amount per window.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

try:  # Python >= 3.11
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

from pipeline.errors import Errors, ZhnewsError

__all__ = [
    "MAX_PATTERN_CHARS",
    "Finding",
    "RegexRejected",
    "bounded_finditer",
    "bounded_search",
    "check_pattern",
    "compile_rule_pattern",
    "findings_for",
]

#: Longest pattern (after sub-pattern expansion) we agree to analyse and compile.
MAX_PATTERN_CHARS = 50_000
#: Largest explicit repeat count accepted (``a{100000}`` is a memory/time bomb).
MAX_REPEAT_COUNT = 1_000
#: Counted repeats whose optional part is at most this long are unrolled exactly.
_UNROLL_OPTIONAL = 3
#: Fixed counts ``{n}`` up to this are unrolled exactly; above, modelled as a loop.
_UNROLL_FIXED = 32
#: Above this many positions the automaton is not built (refused as unverifiable).
_MAX_POSITIONS = 6_000
#: Work budget (visited product states) before giving up as unverifiable.
_MAX_WORK = 3_000_000

_CATEGORY_RE = {
    _c.CATEGORY_DIGIT: re.compile(r"\d"),
    _c.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    _c.CATEGORY_SPACE: re.compile(r"\s"),
    _c.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    _c.CATEGORY_WORD: re.compile(r"\w"),
    _c.CATEGORY_NOT_WORD: re.compile(r"\W"),
}
# Representatives of the classes a rule may use (CJK, full-width forms, other scripts'
# digits and spaces, astral plane, line separators), added to the sample alphabet.
_REPRESENTATIVES = (
    "中一龥亿万元點点％%０９Ａｚ\u3000\u00a0\u2028\u2029\u200béßΩЖ٣߃१\U00020000\U0001f600"
    "\ufeff\ud800\udfff\x00\x85"
)
_EXTRA_OPS = {"RANGE_UNI_IGNORE"}


class RegexRejected(ValueError):
    """A pattern the guard refuses; ``reason`` says why and how to fix it."""

    def __init__(self, reason: str, kind: str = "unverifiable") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


@dataclass(frozen=True)
class Finding:
    """One problem found in a pattern: ``kind`` is ``exponential``, ``polynomial``,
    ``backreference``, ``too_large`` or ``unverifiable``."""

    kind: str
    reason: str


# --------------------------------------------------------------------------- alphabet


def _collect_chars(tree: list, out: set[str]) -> None:
    """Every literal and range end in the parse tree (plus neighbours), for the sample."""
    for op, av in tree:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL"):
            out.update(_around(av))
        elif name == "IN":
            for sub_op, sub_av in av:
                sub = str(sub_op)
                if sub == "LITERAL":
                    out.update(_around(sub_av))
                elif sub in ("RANGE", "RANGE_UNI_IGNORE"):
                    out.update(_around(sub_av[0]))
                    out.update(_around(sub_av[1]))
        elif name == "SUBPATTERN":
            _collect_chars(av[3], out)
        elif name == "BRANCH":
            for alt in av[1]:
                _collect_chars(alt, out)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            _collect_chars(av[2], out)
        elif name in ("ASSERT", "ASSERT_NOT"):
            _collect_chars(av[1], out)
        elif name == "ATOMIC_GROUP":
            _collect_chars(av, out)


def _children(op: object, av) -> list[list]:
    """The sub-trees directly below one parse node."""
    name = str(op)
    if name == "SUBPATTERN":
        return [list(av[3])]
    if name == "BRANCH":
        return [list(alt) for alt in av[1]]
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        return [list(av[2])]
    if name in ("ASSERT", "ASSERT_NOT"):
        return [list(av[1])]
    if name == "ATOMIC_GROUP":
        return [list(av)]
    if name == "GROUPREF_EXISTS":
        return [list(x) for x in av[1:] if x is not None]
    return []


def _collect_groups(tree: list, out: dict[int, list]) -> None:
    """Capturing group number -> its body, so backreferences can be modelled."""
    for op, av in tree:
        if str(op) == "SUBPATTERN" and av[0] is not None:
            out[av[0]] = list(av[3])
        for child in _children(op, av):
            _collect_groups(child, out)


def _bounded(tree: list | None) -> bool:
    """True when ``tree`` can only match strings of bounded length (and has no refs)."""
    if tree is None:
        return False
    for op, av in tree:
        name = str(op)
        if name.startswith("GROUPREF"):
            return False
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and (
            av[1] == _c.MAXREPEAT or av[1] > _UNROLL_FIXED
        ):
            return False
        if not all(_bounded(child) for child in _children(op, av)):
            return False
    return True


def _around(code: int) -> list[str]:
    return [chr(c) for c in (code - 1, code, code + 1) if 0 <= c <= 0x10FFFF]


def _sample_alphabet(tree: list) -> list[str]:
    chars: set[str] = {chr(c) for c in range(128)}
    chars.update(_REPRESENTATIVES)
    _collect_chars(tree, chars)
    return sorted(chars)


class _CharSets:
    """Turns ``re`` character-set nodes into bitmasks over the sample alphabet.

    The alphabet is sorted by code point, so a range is a contiguous run of bits
    (found by bisection); categories are evaluated once per alphabet.  Case-insensitive
    sets take the slow, exact path (rare in rule files).
    """

    def __init__(self, alphabet: list[str]) -> None:
        self.alphabet = sorted(alphabet)
        self.codes = [ord(ch) for ch in self.alphabet]
        self.index = {ch: i for i, ch in enumerate(self.alphabet)}
        self.full = (1 << len(self.alphabet)) - 1
        self._categories: dict[object, int] = {}
        self._cache: dict[tuple, int] = {}

    def _variants(self, ch: str, ignorecase: bool) -> set[str]:
        return {ch, ch.lower(), ch.upper(), ch.swapcase()} if ignorecase else {ch}

    def _bit(self, code: int) -> int:
        i = self.index.get(chr(code))
        return 0 if i is None else 1 << i

    def _range(self, lo: int, hi: int) -> int:
        i = bisect_left(self.codes, lo)
        j = bisect_right(self.codes, hi)
        return ((1 << (j - i)) - 1) << i if j > i else 0

    def _category(self, cat: object) -> int:
        if cat not in self._categories:
            regex = _CATEGORY_RE.get(cat)
            # Unknown categories (line breaks) are assumed to match: the safe side.
            self._categories[cat] = (
                self.full if regex is None else self._where(lambda ch: bool(regex.match(ch)), False)
            )
        return self._categories[cat]

    def mask(self, op: object, av: object, ignorecase: bool, dotall: bool) -> int:
        name = str(op)
        key = (name, repr(av), ignorecase, dotall)
        if key not in self._cache:
            self._cache[key] = self._mask(name, av, ignorecase, dotall)
        return self._cache[key]

    def _mask(self, name: str, av: object, ignorecase: bool, dotall: bool) -> int:
        if name == "ANY":
            return self.full if dotall else self.full & ~self._bit(10)
        if ignorecase:
            return self._slow(name, av)
        if name == "LITERAL":
            return self._bit(av)  # type: ignore[arg-type]
        if name == "NOT_LITERAL":
            return self.full & ~self._bit(av)  # type: ignore[arg-type]
        if name == "IN":
            items = list(av)  # type: ignore[arg-type]
            negate = bool(items) and str(items[0][0]) == "NEGATE"
            if negate:
                items = items[1:]
            hit = 0
            for sub_op, sub_av in items:
                sub = str(sub_op)
                if sub == "LITERAL":
                    hit |= self._bit(sub_av)
                elif sub in ("RANGE", "RANGE_UNI_IGNORE"):
                    hit |= self._range(sub_av[0], sub_av[1])
                elif sub == "CATEGORY":
                    hit |= self._category(sub_av)
                else:  # anything unexpected: assume it matches everything (safe side)
                    hit = self.full
            return self.full & ~hit if negate else hit
        raise RegexRejected(f"unsupported character construct {name}")  # pragma: no cover

    def _slow(self, name: str, av: object) -> int:
        """Exact evaluation with case variants (case-insensitive patterns)."""
        if name == "LITERAL":
            return self._where(lambda ch: ord(ch) == av, True)
        if name == "NOT_LITERAL":
            return self.full & ~self._where(lambda ch: ord(ch) == av, True)
        items = list(av)  # type: ignore[arg-type]
        negate = bool(items) and str(items[0][0]) == "NEGATE"
        if negate:
            items = items[1:]
        hit = self._where(lambda ch: _in_set(ch, items), True)
        return self.full & ~hit if negate else hit

    def _where(self, test, ignorecase: bool) -> int:
        bits = 0
        for index, ch in enumerate(self.alphabet):
            if any(test(v) for v in self._variants(ch, ignorecase) if len(v) == 1):
                bits |= 1 << index
        return bits


def _in_set(ch: str, items: list) -> bool:
    code = ord(ch)
    for op, av in items:
        name = str(op)
        if name == "LITERAL" and code == av:
            return True
        if name in ("RANGE", "RANGE_UNI_IGNORE") and av[0] <= code <= av[1]:
            return True
        if name == "CATEGORY":
            regex = _CATEGORY_RE.get(av)
            # Unknown categories (line breaks) are assumed to match: the safe side.
            if regex is None or regex.match(ch):
                return True
    return False


# --------------------------------------------------------------------------- automaton


@dataclass
class _Frag:
    """Glushkov fragment: first/last positions with path counts, ways to match empty."""

    first: dict[int, int] = field(default_factory=dict)
    last: dict[int, int] = field(default_factory=dict)
    nullable: int = 1


def _sat(n: int) -> int:
    """Path counts only matter as 0, 1 or 'more than one'."""
    return 2 if n > 2 else n


def _add(into: dict[int, int], other: dict[int, int], times: int = 1) -> None:
    if times <= 0:
        return
    for key, count in other.items():
        into[key] = _sat(into.get(key, 0) + count * times)


class _Automaton:
    """Position automaton of one (sub)pattern; nested atomic parts are checked separately."""

    def __init__(self, charsets: _CharSets, flags: int, groups: dict[int, list]) -> None:
        self.charsets = charsets
        self.flags = flags
        self.groups = groups
        self.masks: list[int] = []
        self.follow: list[dict[int, int]] = []
        self.nested: list[list] = []  # atomic / lookaround bodies, checked on their own
        self.initial = _Frag()

    # -- building
    def build(self, tree: list) -> None:
        self.initial = self._seq(tree, self.flags)

    def _new(self, mask: int) -> _Frag:
        if len(self.masks) >= _MAX_POSITIONS:
            raise RegexRejected(
                "pattern too large to verify (more than "
                f"{_MAX_POSITIONS} character positions after unrolling repeats)",
                "too_large",
            )
        self.masks.append(mask)
        self.follow.append({})
        pos = len(self.masks) - 1
        return _Frag({pos: 1}, {pos: 1}, 0)

    def _link(self, last: dict[int, int], first: dict[int, int]) -> None:
        for p, cp in last.items():
            _add(self.follow[p], first, cp)

    def _concat(self, a: _Frag, b: _Frag) -> _Frag:
        self._link(a.last, b.first)
        first = dict(a.first)
        _add(first, b.first, a.nullable)
        last = dict(b.last)
        _add(last, a.last, b.nullable)
        return _Frag(first, last, _sat(a.nullable * b.nullable))

    def _alt(self, frags: list[_Frag]) -> _Frag:
        out = _Frag({}, {}, 0)
        for frag in frags:
            _add(out.first, frag.first)
            _add(out.last, frag.last)
            out.nullable = _sat(out.nullable + frag.nullable)
        return out

    def _seq(self, tree, flags: int) -> _Frag:
        frag = _Frag()
        for op, av in tree:
            frag = self._concat(frag, self._item(op, av, flags))
        return frag

    def _item(self, op, av, flags: int) -> _Frag:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            return self._new(self.charsets.mask(op, av, bool(flags & re.I), bool(flags & re.S)))
        if name == "AT":
            return _Frag()
        if name == "SUBPATTERN":
            _group, add_flags, del_flags, body = av
            return self._seq(body, (flags | add_flags) & ~del_flags)
        if name == "BRANCH":
            return self._alt([self._seq(alt, flags) for alt in av[1]])
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, body = av
            return self._repeat(low, high, body, flags)
        if name in ("POSSESSIVE_REPEAT", "ATOMIC_GROUP"):
            # Nothing outside can make the engine backtrack into these, but the inside
            # still backtracks while looking for its first match: check it on its own.
            # A possessive repeat X*+ never backtracks into earlier iterations either
            # (the loop can always stop there), so only one iteration's body counts.
            if name == "POSSESSIVE_REPEAT":
                low, high, body = av
                self.nested.append(list(body))
                frag = self._opaque(list(body), flags)
                if high == 0:
                    return _Frag()
                if low == 0:
                    frag.nullable = 1
                return frag
            self.nested.append(list(av))
            return self._opaque(list(av), flags)
        if name in ("ASSERT", "ASSERT_NOT"):
            self.nested.append(list(av[1]))
            return _Frag()
        if name in ("GROUPREF", "GROUPREF_IGNORE") and _bounded(self.groups.get(av)):
            # A reference to a group of bounded width is a bounded literal comparison;
            # model it as another copy of the group (an over-approximation).
            return self._seq(self.groups[av], flags)
        if name == "GROUPREF_EXISTS":
            # (?(g)yes|no): the engine picks one branch deterministically, so it is
            # (at worst) an alternation of the two.
            _group, yes, no = av
            return self._alt([self._seq(yes, flags), self._seq(no, flags) if no else _Frag()])
        if name in ("GROUPREF", "GROUPREF_IGNORE"):
            raise RegexRejected(
                "backreferences to groups of unbounded length are not allowed in rule "
                "patterns (they make matching time unbounded); match the alternatives "
                "explicitly",
                "backreference",
            )
        raise RegexRejected(f"unsupported regex construct {name}")  # pragma: no cover

    def _opaque(self, inner: list, flags: int) -> _Frag:
        """An atomic part never gives characters back: one step over its characters."""
        sub = _Automaton(self.charsets, flags, self.groups)
        sub.build(inner)
        mask = 0
        for m in sub.masks:
            mask |= m
        if not sub.masks:
            return _Frag()
        frag = self._new(mask)
        frag.nullable = 1 if sub.initial.nullable else 0
        return frag

    def _repeat(self, low: int, high: int, body, flags: int) -> _Frag:
        unbounded = high == _c.MAXREPEAT
        for count in (low, high):
            if count != _c.MAXREPEAT and count > MAX_REPEAT_COUNT:
                raise RegexRejected(
                    f"repeat count {count} exceeds {MAX_REPEAT_COUNT}; "
                    "use an unbounded repeat or a shorter count",
                    "too_large",
                )
        if high == 0:
            return _Frag()
        if not unbounded and high == low and high <= _UNROLL_FIXED:
            frag = _Frag()
            for _ in range(low):
                frag = self._concat(frag, self._seq(body, flags))
            return frag
        if not unbounded and high - low <= _UNROLL_OPTIONAL and low <= _UNROLL_FIXED:
            frag = _Frag()
            for _ in range(low):
                frag = self._concat(frag, self._seq(body, flags))
            return self._concat(frag, self._nested_optional(high - low, body, flags))
        # Unbounded, or too long to unroll: min(low, 1) mandatory copies then a loop.
        mandatory = 1 if low >= 1 else 0
        frag = _Frag()
        for _ in range(mandatory):
            frag = self._concat(frag, self._seq(body, flags))
        loop = self._seq(body, flags)
        self._link(loop.last, loop.first)
        starred = _Frag(dict(loop.first), dict(loop.last), 1)
        return self._concat(frag, starred)

    def _nested_optional(self, n: int, body, flags: int) -> _Frag:
        """``(?:b(?:b(?:b)?)?)?``: how the engine's counter behaves (no slot ambiguity)."""
        if n == 0:
            return _Frag()
        inner = self._concat(self._seq(body, flags), self._nested_optional(n - 1, body, flags))
        return _Frag(inner.first, inner.last, _sat(inner.nullable + 1))

    # -- analysis
    def sccs(self) -> list[list[int]]:
        """Strongly connected components with at least one internal edge (the loops)."""
        n = len(self.masks)
        index = [0] * n
        low = [0] * n
        on_stack = [False] * n
        seen = [False] * n
        stack: list[int] = []
        out: list[list[int]] = []
        counter = 1
        for root in range(n):
            if seen[root]:
                continue
            work = [(root, iter(self.follow[root]))]
            seen[root] = True
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack[root] = True
            while work:
                node, it = work[-1]
                advanced = False
                for nxt in it:
                    if not seen[nxt]:
                        seen[nxt] = True
                        index[nxt] = low[nxt] = counter
                        counter += 1
                        stack.append(nxt)
                        on_stack[nxt] = True
                        work.append((nxt, iter(self.follow[nxt])))
                        advanced = True
                        break
                    if on_stack[nxt]:
                        low[node] = min(low[node], index[nxt])
                if advanced:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        top = stack.pop()
                        on_stack[top] = False
                        comp.append(top)
                        if top == node:
                            break
                    members = set(comp)
                    if len(comp) > 1 or node in self.follow[node]:
                        out.append(sorted(members))
        return out


def _exponential(auto: _Automaton, comp: list[int], budget: list[int]) -> bool:
    """True when two different paths lead from a state back to itself on one word."""
    members = set(comp)
    succ = {p: [q for q in auto.follow[p] if q in members] for p in comp}
    for p in comp:
        for q in succ[p]:
            if auto.follow[p][q] >= 2:
                return True
    masks = auto.masks

    def step(pair: tuple[int, int]) -> Iterator[tuple[int, int]]:
        a, b = pair
        for x in succ[a]:
            mx = masks[x]
            for y in succ[b]:
                if mx & masks[y]:
                    yield (x, y)

    # Off-diagonal pairs reachable from the diagonal ...
    forward: set[tuple[int, int]] = set()
    todo = [(p, p) for p in comp]
    seen = set(todo)
    while todo:
        pair = todo.pop()
        budget[0] -= 1
        if budget[0] < 0:
            raise RegexRejected("pattern too complex to verify; simplify it or split the rule")
        for nxt in step(pair):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
                if nxt[0] != nxt[1]:
                    forward.add(nxt)
    if not forward:
        return False
    # ... that can also get back to the diagonal.
    pred: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for pair in seen:
        for nxt in step(pair):
            pred.setdefault(nxt, []).append(pair)
    back = [(p, p) for p in comp]
    reached = set(back)
    while back:
        pair = back.pop()
        for prev in pred.get(pair, ()):
            if prev not in reached:
                reached.add(prev)
                if prev[0] != prev[1] and prev in forward:
                    return True
                back.append(prev)
    return False


def _polynomial(auto: _Automaton, c1: list[int], c2: list[int], budget: list[int]) -> bool:
    """True when loop ``c1`` can read a word w, move to loop ``c2`` on w, and loop there on w."""
    s1, s2 = set(c1), set(c2)
    masks, follow = auto.masks, auto.follow
    for p in c1:
        for q in c2:
            start = (p, p, q)
            todo = [start]
            seen = {start}
            while todo:
                a, b, c = todo.pop()
                budget[0] -= 1
                if budget[0] < 0:
                    raise RegexRejected(
                        "pattern too complex to verify; simplify it or split the rule"
                    )
                for x in follow[a]:
                    if x not in s1:
                        continue
                    mx = masks[x]
                    for z in follow[c]:
                        if z not in s2:
                            continue
                        mxz = mx & masks[z]
                        if not mxz:
                            continue
                        for y in follow[b]:
                            if not mxz & masks[y]:
                                continue
                            nxt = (x, y, z)
                            if nxt == (p, q, q):
                                return True
                            if nxt not in seen:
                                seen.add(nxt)
                                todo.append(nxt)
    return False


def _reachable(auto: _Automaton, sources: list[int]) -> set[int]:
    seen = set(sources)
    todo = list(sources)
    while todo:
        p = todo.pop()
        for q in auto.follow[p]:
            if q not in seen:
                seen.add(q)
                todo.append(q)
    return seen


_FIX_HINT = (
    "make the repeated parts unable to match the same text (disjoint character "
    "classes or a mandatory separator), or use an atomic group (?>...) / possessive "
    "quantifier (*+, ++) so the engine cannot backtrack into it"
)


def _analyse(
    tree: list, charsets: _CharSets, flags: int, budget: list[int], groups: dict[int, list]
) -> list[Finding]:
    auto = _Automaton(charsets, flags, groups)
    auto.build(tree)
    findings: list[Finding] = []
    loops = auto.sccs()
    for comp in loops:
        if _exponential(auto, comp, budget):
            findings.append(
                Finding(
                    "exponential",
                    "nested or overlapping quantifiers can match the same text in "
                    "exponentially many ways (like (a+)+ or (a|a)*), so matching can "
                    f"take forever on a near-miss; {_FIX_HINT}",
                )
            )
            break
    if not findings:
        for c1 in loops:
            reach = _reachable(auto, c1)
            for c2 in loops:
                if c2 is c1 or c2[0] not in reach or set(c1) & set(c2):
                    continue
                if _polynomial(auto, c1, c2, budget):
                    findings.append(
                        Finding(
                            "polynomial",
                            "two quantified parts in sequence can match the same text "
                            "(like \\d+\\d+ or .*a.*b), so matching time grows "
                            f"polynomially with the text length; {_FIX_HINT}",
                        )
                    )
                    break
            if findings:
                break
    for inner in auto.nested:
        for finding in _analyse(inner, charsets, flags, budget, groups):
            if finding not in findings:
                findings.append(finding)
    return findings


@lru_cache(maxsize=4096)
def findings_for(pattern: str, flags: int = 0) -> tuple[Finding, ...]:
    """All problems with ``pattern`` (empty when it is safe); cached per pattern."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return (
            Finding(
                "too_large",
                f"pattern is {len(pattern)} characters long (limit {MAX_PATTERN_CHARS})",
            ),
        )
    try:
        parsed = _p.parse(pattern, flags)
    except re.error as err:
        return (Finding("invalid", f"not a valid regular expression: {err}"),)
    except RecursionError:
        return (Finding("too_large", "pattern is nested too deeply to parse"),)
    tree = list(parsed)
    flags = flags | parsed.state.flags
    charsets = _CharSets(_sample_alphabet(tree))
    try:
        groups: dict[int, list] = {}
        _collect_groups(tree, groups)
        return tuple(_analyse(tree, charsets, flags, [_MAX_WORK], groups))
    except RegexRejected as err:
        return (Finding(err.kind, err.reason),)
    except RecursionError:
        return (Finding("too_large", "pattern is nested too deeply to verify"),)


def check_pattern(pattern: str, flags: int = 0, *, allow_polynomial: bool = False) -> None:
    """Raise :class:`RegexRejected` when ``pattern`` may backtrack catastrophically.

    ``allow_polynomial`` accepts patterns whose worst case is polynomial (the caller
    then matches with :func:`bounded_finditer`); exponential ones are always refused.
    """
    for finding in findings_for(pattern, flags):
        if allow_polynomial and finding.kind == "polynomial":
            continue
        raise RegexRejected(finding.reason)


def compile_rule_pattern(
    pattern: str,
    *,
    path: str | Path,
    line: int | str,
    flags: int = 0,
    allow_polynomial: bool = False,
) -> re.Pattern[str]:
    """Check and compile a pattern from a rule file, or raise ``E005`` (file, line, reason).

    The one function rule loaders call instead of ``re.compile``.
    """
    if not isinstance(pattern, str):
        raise ZhnewsError(
            Errors.E005.format(path=path, line=line, reason="pattern must be a string")
        )
    try:
        check_pattern(pattern, flags, allow_polynomial=allow_polynomial)
        return re.compile(pattern, flags)
    except RegexRejected as err:
        reason = f"unsafe regular expression {_clip(pattern)!r}: {err.reason}"
    except (re.error, OverflowError, RecursionError) as err:
        reason = f"not a valid regular expression {_clip(pattern)!r}: {err}"
    raise ZhnewsError(Errors.E005.format(path=path, line=line, reason=reason))


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- bounded matching

_BREAKS = re.compile(r"[。！？；!?;\n]")
#: Default window: worst-case cost per window is O(window^k) for a pattern of degree k.
DEFAULT_WINDOW = 1_000
#: Default overlap between hard-cut windows: longer than any real figure expression.
DEFAULT_OVERLAP = 100


def _window(text: str, start: int, max_window: int, overlap: int) -> tuple[int, int, bool]:
    """``(end, limit, hard)`` of the window starting at ``start``.

    The window ends after the last sentence break in its second half when there is
    one; otherwise it is cut hard and matches starting in its last ``overlap``
    characters (beyond ``limit``) are left to the next window, which sees them whole.
    """
    n = len(text)
    end = min(n, start + max_window)
    if end == n:
        return end, end, False
    cut = None
    for m in _BREAKS.finditer(text, start + max_window // 2, end):
        cut = m.end()
    if cut is not None:
        return cut, cut, False
    return end, end - overlap, True


def bounded_search(
    regex: re.Pattern[str],
    text: str,
    pos: int = 0,
    *,
    max_window: int = DEFAULT_WINDOW,
    overlap: int = DEFAULT_OVERLAP,
) -> re.Match[str] | None:
    """Like ``regex.search(text, pos)`` but each attempt sees at most ``max_window`` chars.

    Why: even a linear-per-attempt pattern costs O(n^2) over a run of n characters it
    almost matches (a 40,000-digit string with no unit after it), and a polynomial
    pattern costs O(n^k); bounding n per window makes the total linear in the text.
    The ``re.Match`` is on the original ``text`` (``pos``/``endpos`` keep offsets and
    lookbehind context).  Differences from ``search`` are limited to matches crossing
    a sentence break (。！？；) or longer than ``overlap`` crossing a hard cut inside
    an unbroken run of ``max_window`` characters: neither occurs in real figures.
    """
    if max_window <= overlap:
        raise ValueError("max_window must be larger than overlap")
    n = len(text)
    start = max(0, pos)
    while start < n:
        end, limit, hard = _window(text, start, max_window, overlap)
        m = regex.search(text, start, end)
        if m is not None and (not hard or m.start() < limit):
            if hard and m.end() > limit:
                # The cut may have shortened it: look again with a full window from it.
                again = regex.search(text, m.start(), min(n, m.start() + max_window))
                if again is not None:
                    return again
            return m
        start = limit if hard else end
    return None


def bounded_finditer(
    regex: re.Pattern[str],
    text: str,
    *,
    max_window: int = DEFAULT_WINDOW,
    overlap: int = DEFAULT_OVERLAP,
) -> Iterator[re.Match[str]]:
    """Like ``regex.finditer(text)`` (left to right, non-overlapping) over bounded windows.

    See :func:`bounded_search`; for patterns that must stay although they are
    polynomial, and for any matching over very long unbroken text.
    """
    pos = 0
    n = len(text)
    while pos < n:
        m = bounded_search(regex, text, pos, max_window=max_window, overlap=overlap)
        if m is None:
            return
        yield m
        pos = m.end() if m.end() > m.start() else m.end() + 1
