"""One delivery run in a process of its own (``python -m tests.notifications.deliver_process``), with the
settings as JSON on stdin and the test run's clock as its argument (an ISO instant, so a run under ``--clock``
stamps its rows on the same clock as the test that reads them): the crash test kills it with SIGKILL in the
middle of an SMTP conversation."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime

from nastavnik import clock
from nastavnik.domain import load_models
from nastavnik.domain.notifications.delivery import deliver
from nastavnik.runtime import build_runtime
from nastavnik.settings import Settings


async def main() -> None:
    settings = Settings.model_validate(json.loads(sys.stdin.read()))
    load_models()
    runtime = await build_runtime(settings)
    try:
        with clock.pinned(datetime.fromisoformat(sys.argv[1]), tick=True):
            print(await deliver(runtime), flush=True)
    finally:
        await runtime.close()


if __name__ == "__main__":
    asyncio.run(main())
