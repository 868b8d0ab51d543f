import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

ROOT = Path(settings.BASE_DIR)
CLERKS = Path(__file__).with_name("clerks.py")


class EmbeddedDatabaseTests(SimpleTestCase):
    """The embedded default (no DATABASE_URL) under a clerk's quick autosaves: 3 of 5 saves
    used to fail with "database is locked" and the page blamed the network."""

    def test_concurrent_read_then_write_saves_all_succeed(self) -> None:
        with tempfile.TemporaryDirectory() as data_dir:
            env = {**os.environ, "DATA_DIR": data_dir}
            env.pop("DATABASE_URL", None)
            run = subprocess.run(
                [sys.executable, str(CLERKS)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
        journal, failed, _first = run.stdout.split(" ", 2)
        self.assertEqual(journal, "wal")
        self.assertEqual(failed, "0", run.stdout)
