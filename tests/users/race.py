"""Run acts at the same moment in real threads, each on its own database connection."""

import threading

from django.db import connection

from users.errors import ServiceError


def race(*acts):
    """Start every act together; return what each returned, a refusal's HTTP status, or the
    unexpected exception itself (a deadlock: a 503 waiting to happen)."""
    barrier = threading.Barrier(len(acts))
    outcomes = [None] * len(acts)

    def run(index, act):
        try:
            barrier.wait()
            outcomes[index] = act()
        except ServiceError as error:
            outcomes[index] = error.status
        except Exception as error:  # noqa: BLE001 - reported to the test as an outcome
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, act)) for i, act in enumerate(acts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
