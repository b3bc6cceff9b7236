"""The one audited way to load model files: verified bytes first, then a data-only format.

Why: a model file is the easiest place to hide code.  ``pickle``/``joblib`` run
arbitrary code while loading, and a file replaced on disk (or truncated by a bad
copy) must never be half-used.  So every loader here

1. reads the file **once** into memory (size-capped) and checks its SHA-256 against
   the model card *before* parsing anything: the bytes that were verified are the
   bytes that are parsed (no window to swap the file in between);
2. parses only data formats: skops with an explicit, reviewed trusted-type list
   (after :func:`skops.io.get_untrusted_types`), ``.npz`` with ``allow_pickle=False``
   (object arrays are refused), or JSON;
3. refuses with ``ZhnewsError(Errors.E006)`` naming the file and the reason.

The model card is a JSON object next to the model with at least ``"sha256"`` (hex) of
the model file; a card describing several files may use
``"files": {"name": {"sha256": ...}}`` instead.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import Errors, ZhnewsError

__all__ = [
    "ALLOWED_SUFFIXES",
    "DENIED_TYPE_PREFIXES",
    "MAX_MODEL_BYTES",
    "expected_sha256",
    "file_record",
    "load_card",
    "load_json",
    "load_model_file",
    "load_npz",
    "load_skops",
    "read_verified",
    "sha256_bytes",
    "sha256_file",
]

#: Largest model file (and largest decompressed ``.npz`` content) we agree to read.
MAX_MODEL_BYTES = 512 * 1024 * 1024
#: Formats that hold data only.  Anything else (.pkl, .joblib, .pt, .bin ...) is refused.
ALLOWED_SUFFIXES = (".skops", ".npz", ".json")
#: Types that must never be trusted, whatever a caller's list says: they call code.
DENIED_TYPE_PREFIXES = (
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "builtins.getattr",
    "builtins.setattr",
    "builtins.__import__",
    "builtins.open",
    "builtins.breakpoint",
    "builtins.input",
    "os.",
    "posix.",
    "nt.",
    "subprocess.",
    "shutil.",
    "sys.",
    "importlib.",
    "pickle.",
    "joblib.",
    "dill.",
    "marshal.",
    "code.",
    "codecs.",
    "functools.partial",
    "operator.",
    "runpy.",
    "socket.",
    "ctypes.",
    "types.",
    "numpy.load",
    "numpy.lib.npyio",
)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _refuse(path: str | Path, reason: str) -> ZhnewsError:
    return ZhnewsError(Errors.E006.format(path=path, reason=reason))


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file, streamed (for writing model cards)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_record(path: str | Path) -> dict[str, Any]:
    """``{"file", "bytes", "sha256"}`` of a model file, for its model card."""
    path = Path(path)
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def read_verified(
    path: str | Path, *, sha256: str | None, max_bytes: int = MAX_MODEL_BYTES
) -> bytes:
    """Read ``path`` once and return its bytes only if their SHA-256 is ``sha256``.

    ``sha256`` is required: ``None`` (a card without a checksum) is refused, because an
    unverifiable model is exactly what a tampered one looks like.
    """
    path = Path(path)
    if sha256 is None:
        raise _refuse(path, "no SHA-256 to verify it against (the model card must record one)")
    expected = str(sha256).strip().lower()
    if not _HEX64.match(expected):
        raise _refuse(path, f"the expected SHA-256 {sha256!r} is not 64 hex digits")
    if not path.is_file():
        raise _refuse(path, "file not found")
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise _refuse(path, f"cannot read: {err}") from err
    if len(data) > max_bytes:
        raise _refuse(path, f"larger than the {max_bytes} byte limit")
    actual = sha256_bytes(data)
    if actual != expected:
        raise _refuse(
            path,
            f"SHA-256 {actual} does not match the model card ({expected}); "
            "the file was changed or corrupted, so it is not loaded",
        )
    return data


def load_card(card_path: str | Path) -> dict[str, Any]:
    """Read a model card (a JSON object)."""
    card_path = Path(card_path)
    if not card_path.is_file():
        raise _refuse(card_path, "model card not found")
    try:
        card = json.loads(card_path.read_text(encoding="utf8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
        raise _refuse(card_path, f"model card is not valid JSON: {err}") from err
    if not isinstance(card, dict):
        raise _refuse(card_path, "model card must be a JSON object")
    return card


def expected_sha256(card: Mapping[str, Any], model_path: str | Path) -> str | None:
    """The checksum a card records for ``model_path`` (``files[name].sha256`` or ``sha256``)."""
    name = Path(model_path).name
    files = card.get("files")
    if isinstance(files, Mapping) and isinstance(files.get(name), Mapping):
        value = files[name].get("sha256")
        return value if isinstance(value, str) else None
    model_file = card.get("model_file")
    if isinstance(model_file, str) and model_file != name:
        return None  # the card describes another file
    value = card.get("sha256")
    return value if isinstance(value, str) else None


def _audit_trusted(path: Path, trusted: Iterable[str]) -> list[str]:
    names = [str(t) for t in trusted]
    for name in names:
        if name.startswith(DENIED_TYPE_PREFIXES) or name in ("builtins.object", "builtins.type"):
            raise _refuse(path, f"type {name!r} can run code and may never be trusted")
    return names


def load_skops(path: str | Path, *, trusted: Iterable[str], sha256: str | None) -> Any:
    """Load a skops file whose every non-default type is in ``trusted`` (reviewed list)."""
    path = Path(path)
    allowed = _audit_trusted(path, trusted)
    data = read_verified(path, sha256=sha256)
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as err:  # any corrupt archive is refused, whatever the parser says
        raise _refuse(path, f"not a readable skops file: {err}") from err
    refused = sorted(set(untrusted) - set(allowed))
    if refused:
        raise _refuse(path, f"contains types outside the trusted list: {refused} (not loaded)")
    try:
        return sio.loads(data, trusted=sorted(set(untrusted)))
    except Exception as err:
        raise _refuse(path, f"cannot load skops content: {err}") from err


def load_npz(
    path: str | Path,
    *,
    sha256: str | None,
    keys: Iterable[str] | None = None,
    max_bytes: int = MAX_MODEL_BYTES,
) -> dict[str, np.ndarray]:
    """Load every array of an ``.npz`` (no pickle, no object arrays, size-capped).

    ``keys``, when given, is the exact set of arrays the file must hold.
    """
    path = Path(path)
    data = read_verified(path, sha256=sha256, max_bytes=max_bytes)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as err:
        raise _refuse(path, f"not an .npz archive: {err}") from err
    total = sum(info.file_size for info in infos)
    if total > max_bytes:
        raise _refuse(path, f"arrays would take {total} bytes (limit {max_bytes})")
    for info in infos:
        if not info.filename.endswith(".npy") or "/" in info.filename:
            raise _refuse(path, f"unexpected member {info.filename!r} in the archive")
    arrays: dict[str, np.ndarray] = {}
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            for name in npz.files:
                array = npz[name]
                if array.dtype.hasobject:
                    raise _refuse(path, f"array {name!r} holds Python objects")
                arrays[name] = array
    except ZhnewsError:
        raise
    except Exception as err:  # ValueError for object arrays, zip/format errors
        raise _refuse(path, f"cannot read arrays without pickle: {err}") from err
    if keys is not None and set(keys) != set(arrays):
        raise _refuse(path, f"holds arrays {sorted(arrays)}, expected exactly {sorted(set(keys))}")
    return arrays


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a model file")


def load_json(path: str | Path, *, sha256: str | None, max_bytes: int = MAX_MODEL_BYTES) -> Any:
    """Load a JSON model file (finite numbers only: NaN/Infinity are refused)."""
    path = Path(path)
    data = read_verified(path, sha256=sha256, max_bytes=max_bytes)
    try:
        value = json.loads(data.decode("utf8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise _refuse(path, f"not valid JSON: {err}") from err
    return value


def load_model_file(
    path: str | Path,
    *,
    card: str | Path | Mapping[str, Any] | None = None,
    trusted: Iterable[str] = (),
    sha256: str | None = None,
) -> Any:
    """Load ``path`` by its suffix, verified against ``sha256`` or the model ``card``.

    ``card`` defaults to ``<model>.card.json`` next to the model.  Suffixes other than
    :data:`ALLOWED_SUFFIXES` are refused without being opened.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise _refuse(
            path,
            f"format {suffix or '(none)'!r} is not allowed; only skops, .npz and JSON "
            "model files are loaded (pickle/joblib can run code)",
        )
    if sha256 is None:
        if card is None:
            card = path.with_name(path.name + ".card.json")
        card_data = card if isinstance(card, Mapping) else load_card(card)
        sha256 = expected_sha256(card_data, path)
    if suffix == ".skops":
        return load_skops(path, trusted=trusted, sha256=sha256)
    if suffix == ".npz":
        return load_npz(path, sha256=sha256)
    return load_json(path, sha256=sha256)
