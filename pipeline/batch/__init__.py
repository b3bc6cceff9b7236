"""Batch processing at scale: worker pool, ordering, resume, progress, Dask, huge documents.

:func:`pipeline.batch.runner.run_extract` is ``zhnews extract`` as a function; the
engines (:mod:`~pipeline.batch.pool`, :mod:`~pipeline.batch.dask_engine`) all run
:func:`pipeline.batch.work.process_docs`, which is why their outputs are identical.
"""
