"""Coded error messages, in one place (spaCy's ``Errors`` convention).

Raise as ``ZhnewsError(Errors.E001.format(...))``; the code makes a message easy to
search for in logs and issues.
"""

from __future__ import annotations


class ZhnewsError(ValueError):
    """A problem a user can act on (bad input, bad rule file, bad model file)."""


class UsageError(ZhnewsError):
    """Bad command-line usage or unusable paths: exit status 2 before work starts."""


class Errors:
    E001 = "[E001] Cannot read input '{path}': {reason}"
    E002 = "[E002] Cannot write output '{path}': {reason}"
    E003 = "[E003] Unknown field '{field}' in '{path}' line {line}: fields present are {fields}"
    E004 = "[E004] pkuseg model not found at '{path}'. Run `make setup` (or `zhnews setup`) to fetch it, or pass --pkuseg-model / set ZHNEWS_PKUSEG_MODEL."
    E005 = "[E005] Rule file '{path}' line {line}: {reason}"
    E006 = "[E006] Model file '{path}' refused: {reason}"
    E007 = "[E007] Config file '{path}' is invalid: {reason}"
    E008 = "[E008] Unsupported output format for '{path}': use .jsonl, .json or .parquet"
    E009 = "[E009] '{path}' line {line}: {reason}"
    E010 = "[E010] pip could not download {requirement}: {reason}"
    E011 = "[E011] {path} has SHA-256 {actual}, expected {expected}; refusing to use it."
    E012 = "[E012] {path} has no regular file {member}"
    E013 = "[E013] Text cannot be processed: {reason}"
