"""The kiosk's background tasks: results and failures back to their callbacks, and a task cancelled
before it ever ran (a screen left at once) leaves no coroutine unawaited behind."""

from __future__ import annotations

import asyncio
import gc
import warnings

import pytest

from kiosk.tasks import TaskRunner


async def _answer(value: int) -> int:
    await asyncio.sleep(0)
    return value


async def _fail() -> None:
    raise ValueError("refused")


async def test_results_and_failures_reach_their_callbacks() -> None:
    reported: list[BaseException] = []
    runner = TaskRunner(reported.append)
    got: list[object] = []
    await runner.run(_answer(7), got.append)
    failing = runner.run(_fail(), got.append, got.append)
    await asyncio.wait([failing])
    unhandled = runner.run(_fail())
    await asyncio.wait([unhandled])
    await asyncio.sleep(0)
    assert got[0] == 7 and isinstance(got[1], ValueError)
    assert [type(exc) for exc in reported] == [ValueError]


@pytest.mark.parametrize("wrap", [False, True])
async def test_a_task_cancelled_before_it_ran_leaves_no_coroutine_unawaited(wrap: bool) -> None:
    gc.collect()  # what earlier tests of this process left unawaited is not this test's
    runner = TaskRunner(lambda exc: None)
    done: list[object] = []
    coro = _answer(1)
    # Any awaitable is accepted; a plain coroutine is the common case.
    awaitable = asyncio.ensure_future(coro) if wrap else coro
    task = runner.run(awaitable, done.append, done.append)
    task.cancel()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert task.cancelled() and done == []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del awaitable, task, coro
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message) and "_answer" in str(w.message)]
