"""As many sessions at once as the server has request threads (issue 19: the 16th of 100
concurrent logins waited 30 s for a pooled connection and answered 500)."""

from __future__ import annotations

import threading

from sqlalchemy import text

from kraftsamling.store import Database

REQUEST_THREADS = 40  # AnyIO's default thread limiter, which runs the app's sync work


def test_every_request_thread_gets_a_connection_at_once(database: Database) -> None:
    barrier = threading.Barrier(REQUEST_THREADS + 1, timeout=20)
    errors: list[BaseException] = []

    def request() -> None:
        try:
            with database.session() as session:
                session.execute(text("SELECT 1"))  # holds a connection, as a login does
                barrier.wait()  # every thread holds one at the same time
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(REQUEST_THREADS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
