"""Run under the embedded default (SQLite in DATA_DIR) as a script, never imported: several
clerks' autosaves at once, each a transaction that reads and then writes, as the item saves do.
Prints the journal mode and the number of saves that failed."""

import os
import sys
import threading
import time

CLERKS, SAVES = 5, 8


def main() -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.db import connection, connections, transaction

    failures: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS autosave (clerk INTEGER, n INTEGER)")
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]

    def clerk(number: int) -> None:
        try:
            for _ in range(SAVES):
                try:
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.execute("SELECT COUNT(*) FROM autosave WHERE clerk = %s", [number])
                        seen = cursor.fetchone()[0]
                        time.sleep(0.01)
                        cursor.execute("INSERT INTO autosave VALUES (%s, %s)", [number, seen + 1])
                except Exception as exc:  # every failure is what the test counts
                    failures.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(CLERKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(journal, len(failures), failures[:1])


if __name__ == "__main__":
    main()
