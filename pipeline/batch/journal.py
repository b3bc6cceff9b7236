"""The resume journal: how far a run got, written atomically after each checkpoint.

The journal sits next to the output (``<output>.zhnews-resume.json``) and records how
many input records are fully accounted for (in the output or the errors file) and
the checkpoint state of each writer.  It is replaced atomically (write, fsync, rename)
only after the writers have made their data durable, so after a crash at any moment
the journal never claims more than what is on disk; ``--resume`` cuts the files back to
the journal's state and skips the records it counts.  The journal also holds a
fingerprint of the run's inputs and settings: resuming a different run is refused.
On success the journal is removed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pipeline.errors import Errors, UsageError

JOURNAL_VERSION = 1


def journal_path(output: str | os.PathLike[str]) -> Path:
    path = Path(str(output).rstrip("/"))
    return path.with_name(path.name + ".zhnews-resume.json")


def fingerprint(settings: dict[str, Any]) -> str:
    """A stable hash of what decides a run's output (not how many workers produce it)."""
    blob = json.dumps(settings, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(blob.encode("ascii")).hexdigest()


class Journal:
    """Read, write and remove the resume state of one output."""

    def __init__(self, output: str | os.PathLike[str], run_fingerprint: str) -> None:
        self.path = journal_path(output)
        self.fingerprint = run_fingerprint

    def load(self) -> dict[str, Any] | None:
        """The saved state, ``None`` when there is nothing to resume."""
        if not self.path.exists():
            return None
        try:
            state = json.loads(self.path.read_text(encoding="utf8"))
        except (OSError, ValueError) as err:
            raise UsageError(
                Errors.E001.format(path=self.path, reason=f"unreadable resume journal: {err}")
            ) from err
        if not isinstance(state, dict) or state.get("version") != JOURNAL_VERSION:
            raise UsageError(
                Errors.E001.format(path=self.path, reason="resume journal of another version")
            )
        if state.get("fingerprint") != self.fingerprint:
            raise UsageError(
                Errors.E001.format(
                    path=self.path,
                    reason="this journal belongs to a run with other inputs or settings; "
                    "rerun without --resume to start over",
                )
            )
        return state

    def save(self, state: dict[str, Any]) -> None:
        payload = dict(state, version=JOURNAL_VERSION, fingerprint=self.fingerprint)
        temporary = self.path.with_name(self.path.name + ".tmp")
        with open(temporary, "w", encoding="utf8") as handle:
            json.dump(payload, handle, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def remove(self) -> None:
        for path in (self.path, self.path.with_name(self.path.name + ".tmp")):
            if path.exists():
                path.unlink()
