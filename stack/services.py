"""The processes of the local production stack, each started and stopped by its pid.

Every process runs in its own session (so a signal reaches its children too), writes
its output to `<run>/log/<name>.log`, and records its pid in `<run>/pids/<name>.pid`
so `make prod-stop` can end exactly what `make prod` started. Everything listens on
127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path("/usr/lib/postgresql")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout:.0f}s")


@dataclass
class Proc:
    """One process of the stack."""

    name: str
    args: list[str]
    run_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int | None = None
    cwd: Path = ROOT
    user: str | None = None  # run as this user (PostgreSQL refuses to run as root)
    stop_signal: int = signal.SIGTERM
    process: subprocess.Popen | None = None

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "pids" / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "log" / f"{self.name}.log"

    def start(self, wait: bool = True, timeout: float = 30.0) -> Proc:
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        args = self.args
        if self.user and os.geteuid() == 0:
            args = ["runuser", "-u", self.user, "--", *args]
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                args,
                cwd=self.cwd,
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        # The pid and what it runs: `make prod-stop` ends it only if it still runs that.
        self.pid_file.write_text(f"{self.process.pid}\n{Path(args[0]).name}\n")
        if wait and self.port:
            wait_for_port(self.port, timeout, self.process)
        return self

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        """Send `signum` to the process group (the server and its workers)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None:
            return
        self.signal(self.stop_signal)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait(timeout=5)
        self.pid_file.unlink(missing_ok=True)

    def kill(self) -> None:
        """SIGKILL, as a crash would: no clean-up at all."""
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)


def stop_recorded(run_dir: Path) -> list[str]:
    """End every process whose pid `make prod` recorded (for `make prod-stop`)."""
    stopped = []
    pids = sorted((run_dir / "pids").glob("*.pid")) if (run_dir / "pids").is_dir() else []
    for pid_file in pids:
        try:
            pid_text, _, program = pid_file.read_text().partition("\n")
            pid = int(pid_text)
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if program.strip() and program.strip() in command:  # not a recycled pid
                os.killpg(pid, signal.SIGTERM)
                stopped.append(f"{pid_file.stem} ({pid})")
        except (ValueError, OSError):
            pass
        pid_file.unlink(missing_ok=True)
    return stopped


def pg_binary(name: str) -> str:
    versions = sorted(PG_BIN.glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for folder in versions:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} not found (apt-get install postgresql)")
    return found


def private_postgres(run_dir: Path, port: int) -> Proc:
    """A throw-away PostgreSQL cluster of our own (for drills that restart it)."""
    home = run_dir / "pg"  # owned by postgres when we are root (it refuses to run as root)
    data = home / "data"
    user = "postgres" if os.geteuid() == 0 else None
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if user:
            for folder in (home, data):
                shutil.chown(folder, user)
        command = [pg_binary("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        if user:
            command = ["runuser", "-u", user, "--", *command]
        subprocess.run(command, check=True, capture_output=True)
    socket_dir = home / "sock"
    socket_dir.mkdir(exist_ok=True)
    if user:
        shutil.chown(socket_dir, user)
    args = [
        pg_binary("postgres"),
        "-D",
        str(data),
        "-p",
        str(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        f"unix_socket_directories={socket_dir}",
        "-c",
        "fsync=off",
        "-c",
        "max_connections=100",
    ]
    # SIGINT is PostgreSQL's "fast" shutdown (SIGTERM waits for every client to leave).
    return Proc("postgres", args, run_dir, port=port, user=user, stop_signal=signal.SIGINT)


def private_redis(run_dir: Path, port: int) -> Proc:
    args = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
    args += ["--appendonly", "no", "--dir", str(run_dir)]
    return Proc("redis", args, run_dir, port=port)


def smtp_sink(run_dir: Path, port: int, delay: float = 0.0) -> Proc:
    """aiosmtpd writing every message it accepts into the Maildir `<run>/mail`."""
    args = [sys.executable, "-m", "stack.mailsink", str(run_dir / "mail"), str(port), str(delay)]
    return Proc("smtp", args, run_dir, port=port)


def s3_server(run_dir: Path, port: int) -> Proc:
    """moto's S3-compatible server: the media bucket both app servers share."""
    moto = Path(sys.executable).with_name("moto_server")
    args = [str(moto), "-H", "127.0.0.1", "-p", str(port)]
    return Proc("s3", args, run_dir, port=port)
