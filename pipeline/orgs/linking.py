"""Alias linking inside one document: every ORG mention gets a canonical name.

Order of evidence (first that applies wins):

1. the mention is a gazetteer name or alias -> the gazetteer's canonical name;
2. the mention's *stem* (name without a trailing org suffix such as 科技/集团/有限公司)
   equals the stem of, or is a prefix of, a longer mention in the same document
   -> that mention's canonical name (``零跑`` -> ``零跑科技``; ``商汤科技`` -> ``商汤集团``
   when 商汤集团 is known);
3. otherwise the mention itself (simplified characters).

Why stems: news introduces a company once in full and then uses the short form;
the relation stage needs both mentions to point to the same subject.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

MIN_STEM = 2


def stem(name: str, suffixes: Iterable[str]) -> str:
    """Strip the longest known suffix repeatedly (股份有限公司, 集团, 控股 ...)."""
    ordered = sorted(suffixes, key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for suffix in ordered:
            if name.endswith(suffix) and len(name) - len(suffix) >= MIN_STEM:
                name = name[: -len(suffix)]
                changed = True
                break
    return name


def link_mentions(
    mentions: Sequence[str],
    gazetteer: dict[str, str],
    suffixes: Iterable[str],
    fold: Callable[[str], str],
) -> list[str]:
    """Canonical name for each mention (same order).

    ``gazetteer`` maps a folded name or alias to its canonical name; ``fold`` is the
    equal-length match form (traditional -> simplified, ASCII lower-case); ``suffixes``
    are given already folded.
    """
    suffixes = list(suffixes)
    folded = [fold(m) for m in mentions]
    canon: list[str | None] = [gazetteer.get(f) for f in folded]
    stems = [stem(f, suffixes) for f in folded]
    # Groups keyed by stem: the canonical of a group is its gazetteer canonical if any
    # member has one, else its longest (then first) full mention.
    by_stem: dict[str, str] = {}
    order = sorted(range(len(mentions)), key=lambda i: (canon[i] is None, -len(folded[i]), i))
    for i in order:
        key = stems[i]
        if len(key) < MIN_STEM or key in by_stem:
            continue
        if canon[i] is None and any(len(k) > len(key) and k.startswith(key) for k in by_stem):
            continue  # a short form of a longer name seen already: linked below
        by_stem[key] = canon[i] if canon[i] is not None else mentions[i]
    # A gazetteer canonical also defines its stem (商汤集团 -> 商汤) for 商汤科技.
    for i in range(len(mentions)):
        if canon[i] is not None:
            by_stem.setdefault(stem(fold(canon[i]), suffixes), canon[i])
    out: list[str] = []
    for i, mention in enumerate(mentions):
        if canon[i] is not None:
            out.append(canon[i])
            continue
        key = stems[i]
        linked = by_stem.get(key) if len(key) >= MIN_STEM else None
        if linked is None and len(folded[i]) >= MIN_STEM:
            # Prefix of a longer mention's stem (e.g. 宁德 -> 宁德时代).
            longer = [
                by_stem[k] for k in by_stem if len(k) > len(folded[i]) and k.startswith(folded[i])
            ]
            if len(set(longer)) == 1:
                linked = longer[0]
        out.append(linked if linked is not None else mention)
    return out
