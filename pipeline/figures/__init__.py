"""MONEY / PERCENT / DATE recognition with normalised values (issue #3).

Rules are data (``configs/figures/*.yaml``) compiled once by :mod:`.rules`; matching
runs on an equal-length normalised copy of the text (:mod:`.textnorm`) so offsets
always index the text exactly as given; values come from the small normalisers
:mod:`.numbers`, :mod:`.money`, :mod:`.percent` and :mod:`.dates`.
"""

from __future__ import annotations
