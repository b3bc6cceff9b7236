"""Input readers (JSONL, .txt, directories, stdin, Hugging Face datasets) and writers.

Readers turn every input record into an :class:`~pipeline.io.records.InputItem`, good
or rejected with a reason; writers append records so that a crash can be resumed
without a corrupt or duplicated line (see :mod:`pipeline.batch.journal`).
"""

from pipeline.io.readers import check_inputs, iter_items
from pipeline.io.records import Fields, InputItem, error_record

__all__ = ["Fields", "InputItem", "check_inputs", "error_record", "iter_items"]
