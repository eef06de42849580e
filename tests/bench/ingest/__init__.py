"""docs/performance.md ingest figures: single events in process and over HTTP, and batches over HTTP.

`inprocess`: `ingest_single_concurrent`; `over_http`: `ingest_single_http` (wrk) and
`ingest_batch` (httpx).
"""

from tests.bench.ingest.inprocess import ingest_single_concurrent
from tests.bench.ingest.over_http import ingest_batch, ingest_single_http

__all__ = ["ingest_batch", "ingest_single_concurrent", "ingest_single_http"]
