"""Hugging Face ``datasets`` as input: local files, saved datasets, or the Hub.

``NAME_OR_PATH`` is opened with ``datasets.load_from_disk`` when it is a directory
written by ``Dataset.save_to_disk``, as a local data file (``.parquet``, ``.jsonl``,
``.json``, ``.csv``) with the matching builder, and otherwise with
``datasets.load_dataset`` (a Hub name, which needs the network, or a dataset script-free
folder).  With ``streaming`` rows are read lazily, so a dataset larger than memory or
disk can be processed.  Rows go through the same checks as JSONL records; ``line`` in
the errors file is the 1-based row number within the split.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import Errors, UsageError
from pipeline.io.records import Fields, InputItem, item_from_mapping

_BUILDERS = {".parquet": "parquet", ".jsonl": "json", ".json": "json", ".csv": "csv"}


def _is_saved_dataset(path: Path) -> bool:
    return path.is_dir() and (
        (path / "dataset_dict.json").exists() or (path / "state.json").exists()
    )


def _pick_split(dataset: Any, split: str | None, name: str) -> tuple[Any, str]:
    """A ``DatasetDict`` needs a split: the one asked for, else ``train`` or the only one."""
    import datasets

    if not isinstance(dataset, (datasets.DatasetDict, datasets.IterableDatasetDict)):
        return dataset, split or "train"
    splits = list(dataset.keys())
    if split is None:
        split = "train" if "train" in splits else (splits[0] if len(splits) == 1 else None)
        if split is None:
            raise UsageError(
                Errors.E001.format(
                    path=name, reason=f"choose a split with --split: {', '.join(splits)}"
                )
            )
    if split not in splits:
        raise UsageError(
            Errors.E001.format(
                path=name, reason=f"no split '{split}' (splits: {', '.join(splits)})"
            )
        )
    return dataset[split], split


def open_dataset(
    name: str, *, split: str | None = None, streaming: bool = False
) -> tuple[Any, str]:
    """Open a dataset split; unreadable sources are usage errors naming the source."""
    import datasets

    path = Path(name)
    try:
        if _is_saved_dataset(path):
            dataset = datasets.load_from_disk(str(path))
        elif path.is_file() and path.suffix.lower() in _BUILDERS:
            dataset = datasets.load_dataset(
                _BUILDERS[path.suffix.lower()], data_files=str(path), streaming=streaming
            )
        else:
            dataset = datasets.load_dataset(name, split=split, streaming=streaming)
    except UsageError:
        raise
    except Exception as err:  # datasets raises many kinds of errors for a bad source
        raise UsageError(
            Errors.E001.format(path=name, reason=f"{type(err).__name__}: {err}")
        ) from err
    dataset, chosen = _pick_split(dataset, split, name)
    if streaming and hasattr(dataset, "to_iterable_dataset"):
        dataset = dataset.to_iterable_dataset()
    return dataset, chosen


def _columns(dataset: Any) -> list[str] | None:
    names = getattr(dataset, "column_names", None)
    if names is None and getattr(dataset, "features", None) is not None:
        names = list(dataset.features)
    return list(names) if names is not None else None


@dataclass
class CheckedDataset:
    """A dataset split that passed :func:`check_dataset`."""

    dataset: Any
    name: str
    split: str
    fields: Fields

    def items(self) -> Iterator[InputItem]:
        source = f"dataset:{self.name}[{self.split}]"
        for row_number, row in enumerate(self.dataset, start=1):
            item = item_from_mapping(
                row,
                self.fields,
                source=source,
                line=row_number,
                default_id=f"{self.split}:{row_number - 1}",
            )
            item.size = len(item.text or "")
            yield item


def check_dataset(
    name: str,
    *,
    split: str | None,
    fields: Fields,
    explicit: Fields | None = None,
    streaming: bool = False,
) -> CheckedDataset:
    """Open ``name`` and check that the text (and any field the user named) exists."""
    explicit = explicit or Fields("", "", "")
    dataset, chosen = open_dataset(name, split=split, streaming=streaming)
    columns = _columns(dataset)
    if columns is not None:
        wanted = [fields.text] + [
            getattr(fields, k) for k in ("id", "date") if getattr(explicit, k)
        ]
        for column in wanted:
            if column not in columns:
                raise UsageError(
                    Errors.E003.format(
                        field=column, path=name, line=0, fields=", ".join(columns) or "none"
                    )
                )
    return CheckedDataset(dataset, name, chosen, fields)
