"""A separate process that appends events (for the multi-process tests).

Usage: python -m tests.support.append_worker DATABASE_URL PREFIX COUNT
Registers COUNT companies PREFIX-0..N and appends COUNT amendments to measure "shared",
from 4 threads through a started writer, then prints "ok <stored>".
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

from services.bootstrap import bootstrap
from services.settings import Settings
from services.write.parsing import parse_envelope
from services.write.writer import Item
from tests.support import builders as b


def main(url: str, prefix: str, count: int) -> None:
    container = bootstrap(Settings(database_url=url))
    container.writer.start()

    def one(i: int) -> int:
        container.writer.append([Item(parse_envelope(b.company(f"{prefix}-{i}")))], prefix)
        control = "ban" if i % 2 else "license_required"
        container.writer.append(
            [
                Item(
                    parse_envelope(
                        b.amendment("shared", effective_at="2025-06-01", control=control)
                    )
                )
            ],
            prefix,
        )
        return 2

    with ThreadPoolExecutor(4) as pool:
        stored = sum(pool.map(one, range(count)))
    container.close()
    print(f"ok {stored}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
