"""Load benchmarks, run by hand (`make bench`), never by the test suite; what they share: a
gunicorn to measure, and an account of who used the machine's CPU while a client drove it.

Only the standard library at import time: test discovery imports this package."""

import json
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HZ = os.sysconf("SC_CLK_TCK")

# POSTs a form to prefix .. token .. suffix, a different token on every request: from a file
# (each wrk thread = one Lua state takes every n-th line from the offset, so none is sent twice)
# or, without a file, made up. Field values favour the first choice, as residents' answers do.
# done() prints one JSON line that ``wrk_post`` parses.
POST_LUA = r"""
local threads, next_id = {}, 0
function setup(thread)
  thread:set("id", next_id); next_id = next_id + 1; table.insert(threads, thread)
end
function init(args)
  prefix, suffix, tag = args[1], args[2], args[3]
  local fields, choices, nthreads = {}, {}, tonumber(args[6])
  for f in string.gmatch(args[4], "[^,]+") do table.insert(fields, f) end
  for c in string.gmatch(args[5], "[^,]+") do table.insert(choices, c) end
  from_file, codes = args[8] ~= "", {}
  if from_file then
    local offset, i = tonumber(args[7]), 0
    for line in io.lines(args[8]) do
      if i >= offset and (i - offset) % nthreads == id then table.insert(codes, line) end
      i = i + 1
    end
  end
  math.randomseed(os.time() * 100 + id)
  bodies = {}
  for b = 1, 64 do
    local parts = {}
    for _, f in ipairs(fields) do
      local pick = 1
      if math.random() > 0.6 then pick = math.random(1, #choices) end
      table.insert(parts, f .. "=" .. choices[pick])
    end
    bodies[b] = table.concat(parts, "&")
  end
  headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  sent, exhausted, statuses = 0, 0, {}
end
function request()
  sent = sent + 1
  local token
  if from_file then
    token = codes[sent]
    if token == nil then exhausted = exhausted + 1; token = "EXHAUSTED" end
  else
    token = tag .. "t" .. id .. "n" .. sent
  end
  return wrk.format("POST", prefix .. token .. suffix, headers, bodies[math.random(1, 64)])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local sent_total, max_sent, exhausted_total, by_status = 0, 0, 0, {}
  for _, t in ipairs(threads) do
    local s = t:get("sent"); sent_total = sent_total + s; max_sent = math.max(max_sent, s)
    exhausted_total = exhausted_total + t:get("exhausted")
    for k, v in pairs(t:get("statuses")) do by_status[k] = (by_status[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(by_status) do table.insert(parts, '"' .. k .. '":' .. v) end
  local e = summary.errors
  io.write(string.format('BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
    '"sent":%d,"max_sent":%d,"exhausted":%d,"socket_errors":%d,"timeouts":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    sent_total, max_sent, exhausted_total, e.connect + e.read + e.write, e.timeout,
    table.concat(parts, ",")))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(
    wsgi: str, port: int, workers: int, log: Path, ping_path: str
) -> "subprocess.Popen[bytes]":
    """gunicorn as production runs it (sync workers, DEBUG off), in its own process group so
    that ``stop`` ends it and all its workers; returns once it answers HTTP on ``ping_path``."""
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "0"}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", wsgi),
                *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
                *("--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited:\n" + log.read_text(errors="replace"))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {ping_path} HTTP/1.0\r\n\r\n".encode())
                if s.recv(12).startswith(b"HTTP/"):
                    return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit("gunicorn did not answer within 30 s")


def stop(process: "subprocess.Popen[bytes] | None") -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, CPU ticks of the process and of its reaped children)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[1]), sum(map(int, fields[11:15])))
    return found


def tree_ticks(roots: set[int]) -> int:
    """CPU ticks of ``roots`` and all their descendants. A total, not per process: a process
    that exits hands its ticks to its parent, so totals taken before and after subtract."""
    table = process_table()
    members, grew = set(roots) & table.keys(), True
    while grew:
        more = {pid for pid, (parent, _t) in table.items() if parent in members} - members
        members |= more
        grew = bool(more)
    return sum(table[pid][1] for pid in members)


def busy_ticks() -> int:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values) - values[3] - values[4]  # all but idle and iowait


@dataclass
class CpuShares:
    """Who used the machine while a client ran: shares of all CPUs' time, and the server's
    CPU seconds."""

    server: float
    client: float
    others: float
    server_seconds: float


def run_measured(
    command: list[str], server_roots: set[int]
) -> "tuple[subprocess.CompletedProcess[str], CpuShares]":
    """Run the client ``command`` (a child of this process) and account for the CPU time of
    the server's process trees (``server_roots``), the client and everything else."""
    client = resource.getrusage(resource.RUSAGE_CHILDREN)
    server, busy, started = tree_ticks(server_roots), busy_ticks(), time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    capacity = (time.monotonic() - started) * HZ * (os.cpu_count() or 1)
    busy = busy_ticks() - busy
    server = tree_ticks(server_roots) - server
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_ticks = HZ * (after.ru_utime + after.ru_stime - client.ru_utime - client.ru_stime)
    others = max(0.0, busy - server - client_ticks)
    return done, CpuShares(
        server / capacity, client_ticks / capacity, others / capacity, server / HZ
    )


def wrk_post(
    url: str,
    path: tuple[str, str],
    form: tuple[list[str], list[str]],
    tokens: tuple[Path, int] | None,
    load: tuple[int, int, int, str | None],
    server_roots: set[int],
    workdir: Path,
) -> tuple[dict[str, Any], CpuShares]:
    """Drive ``url`` + prefix + token + suffix (``path``) with wrk: form (field names, choices),
    tokens (file, first line to use) or made up, load (connections, seconds, threads, CPUs to
    pin wrk to). Returns what done() printed and who used the CPU meanwhile."""
    (prefix, suffix), (fields, choices) = path, form
    connections, seconds, threads, cpus = load
    threads = min(threads, connections)
    script = workdir / "post.lua"
    script.write_text(POST_LUA)
    file, offset = tokens if tokens else (None, 0)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    command += ["--timeout", "10s", "-s", str(script), url + prefix, "--", prefix, suffix]
    command += [f"t{time.time_ns()}", ",".join(fields), ",".join(choices), str(threads)]
    command += [str(offset), str(file or "")]
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    done, cpu = run_measured(command, server_roots)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(line[6:])
    result["threads"] = threads
    return result, cpu


def machine(software: str) -> list[str]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    return [
        f"Machine: {os.cpu_count()} CPUs ({model}), {platform.platform()}",
        f"Python {platform.python_version()}, {software}",
    ]
