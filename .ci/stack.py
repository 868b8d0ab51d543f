#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL, Redis and Celery worker.

    python3 .ci/stack.py [--install] [--no-worker] [--keep-data DIR] -- COMMAND...

--install  installs the Debian packages the tests and the benchmark need when they are missing
           (redis-server, chromium, fonts-noto-cjk, libreoffice-calc-nogui, postgresql, wrk):
           apt-get as root, or `sudo -n` otherwise.
Servers listen on free loopback ports; their data lives in a temporary directory removed at
the end. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
The command sees DATABASE_URL, TEST_DATABASE_NAME, REDIS_URL, SECRET_KEY and DATA_DIR.
Only the standard library is used: this runs before the virtualenv exists.
"""

import argparse
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DB_NAME = "campaign"
TEST_DB_NAME = "test_campaign"
PACKAGES = {
    # command or file that proves the package is there -> Debian package
    "redis-server": "redis-server",
    "chromium": "chromium",
    "chromedriver": "chromium-driver",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc": "fonts-noto-cjk",
    "libreoffice": "libreoffice-calc-nogui",
    "wrk": "wrk",
}


def log(message: str) -> None:
    print(f"[stack] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_root() -> bool:
    return os.geteuid() == 0


def install_packages() -> None:
    missing = sorted(
        {
            package
            for probe, package in PACKAGES.items()
            if not (Path(probe).exists() if probe.startswith("/") else shutil.which(probe))
        }
    )
    if not postgres_bindir():
        missing.append("postgresql")
    if not missing:
        return
    log(f"installing Debian packages: {' '.join(missing)}")
    prefix = [] if is_root() else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(
        [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
        check=True,
        env=env,
    )


def postgres_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def wait_for(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise SystemExit(f"[stack] {what} did not start within {timeout:.0f}s")


class Stack:
    def __init__(self, workdir: Path, worker: bool) -> None:
        self.workdir = workdir
        self.want_worker = worker
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.processes: list[subprocess.Popen[bytes]] = []
        self.pg_data = workdir / "pg"
        self.bindir = postgres_bindir()

    # --- PostgreSQL -----------------------------------------------------------------------
    def as_postgres(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if is_root() else args

    def start_postgres(self) -> None:
        if self.bindir is None:
            raise SystemExit("[stack] PostgreSQL is not installed (try --install)")
        self.pg_data.mkdir()
        if is_root():
            shutil.chown(self.workdir, "postgres")
            shutil.chown(self.pg_data, "postgres")
        subprocess.run(
            self.as_postgres(
                [
                    str(self.bindir / "initdb"),
                    "-D",
                    str(self.pg_data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # Durability is pointless for a database thrown away in minutes; speed is not.
        options = (
            f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -k {self.pg_data} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            self.as_postgres(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.pg_data),
                    "-o",
                    options,
                    "-l",
                    str(self.pg_data / "server.log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [
                str(self.bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.pg_port),
                "-U",
                "postgres",
                DB_NAME,
            ],
            check=True,
        )
        log(f"PostgreSQL {self.bindir.parent.name} on 127.0.0.1:{self.pg_port}")

    def stop_postgres(self) -> None:
        if self.bindir and (self.pg_data / "postmaster.pid").exists():
            subprocess.run(
                self.as_postgres(
                    [
                        str(self.bindir / "pg_ctl"),
                        "-D",
                        str(self.pg_data),
                        "-m",
                        "immediate",
                        "stop",
                    ]
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

    def spawn(self, args: list[str], log_path: Path, **kwargs: object) -> "subprocess.Popen[bytes]":
        """Start a server in its own process group, its output going to ``log_path``."""
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen(
                args, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
            )
        self.processes.append(process)
        return process

    # --- Redis ------------------------------------------------------------------------------
    def start_redis(self) -> None:
        redis = shutil.which("redis-server")
        if redis is None:
            raise SystemExit("[stack] redis-server is not installed (try --install)")
        self.spawn(
            [
                redis,
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            self.workdir / "redis.log",
        )
        wait_for(self.redis_answers, "Redis", 20)
        log(f"Redis on 127.0.0.1:{self.redis_port}")

    def redis_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    # --- Environment and worker --------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/{DB_NAME}",
            "TEST_DATABASE_NAME": TEST_DB_NAME,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "SECRET_KEY": "throwaway-test-stack-key",
            "DATA_DIR": str(self.workdir / "data"),
            "PYTHONUNBUFFERED": "1",
        }

    def start_worker(self) -> None:
        """The worker reads and writes the *test* database the suite creates; Django only
        connects when a task runs, after the suite has created it."""
        env = self.environment()
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{self.pg_port}/{TEST_DB_NAME}"
        env["DB_CONN_MAX_AGE"] = "0"
        self.worker_log = self.workdir / "worker.log"
        process = self.spawn(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "config",
                "worker",
                "-Q",
                "default,exports,recompute",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                "stack-worker@%h",
            ],
            self.worker_log,
            cwd=ROOT,
            env=env,
        )
        wait_for(
            lambda: b" ready." in self.worker_log.read_bytes() or process.poll() is not None,
            "Celery worker",
        )
        if process.poll() is not None:
            sys.stdout.write(self.worker_log.read_text(errors="replace"))
            raise SystemExit("[stack] Celery worker exited")
        log("Celery worker ready")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except (PermissionError, ProcessLookupError):
                    process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.stop_postgres()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--install", action="store_true", help="install missing Debian packages")
    parser.add_argument("--no-worker", action="store_true", help="do not start a Celery worker")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    if args.install:
        install_packages()

    workdir = Path(tempfile.mkdtemp(prefix="campaign-stack-"))
    stack = Stack(workdir, worker=not args.no_worker)
    status = 1
    try:
        stack.start_postgres()
        stack.start_redis()
        if stack.want_worker:
            stack.start_worker()
        log("running: " + " ".join(command))
        status = subprocess.run(command, cwd=ROOT, env=stack.environment()).returncode
    finally:
        stack.stop()
        if status != 0 and stack.want_worker and getattr(stack, "worker_log", None):
            tail = stack.worker_log.read_text(errors="replace").splitlines()[-40:]
            log("last lines of the worker log:\n" + "\n".join(tail))
        shutil.rmtree(workdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
