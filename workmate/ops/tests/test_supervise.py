"""scripts/supervise.sh, which ./run uses to keep the worker and the clock running."""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from django.conf import settings

SUPERVISE = settings.BASE_DIR / "scripts" / "supervise.sh"


def start(tmp_path, command: str, **env: str) -> subprocess.Popen:
    script = f'source "{SUPERVISE}"; supervise worker bash -c {command!r}'
    return subprocess.Popen(
        ["bash", "-c", script],
        cwd=tmp_path,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(predicate, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def stop(supervisor: subprocess.Popen) -> tuple[int, str]:
    supervisor.send_signal(signal.SIGTERM)
    _out, err = supervisor.communicate(timeout=15)
    return supervisor.returncode, err


def test_a_crashed_process_is_restarted_with_growing_pauses_and_said_loudly(tmp_path):
    runs = tmp_path / "runs"
    supervisor = start(
        tmp_path,
        f"date +%s.%N >> {runs}; exit 3",
        SUPERVISE_BACKOFF="1",
        SUPERVISE_MAX_BACKOFF="2",
    )
    wait_for(lambda: runs.exists() and len(runs.read_text().split()) >= 4)
    status, err = stop(supervisor)

    assert status == 0
    starts = [float(line) for line in runs.read_text().split()]
    pauses = [later - earlier for earlier, later in itertools.pairwise(starts)]
    # 1 s, then 2 s, then held at the 2 s maximum.
    assert 0.9 < pauses[0] < 1.9
    assert 1.9 < pauses[1] < 2.9
    assert 1.9 < pauses[2] < 2.9
    assert "!!! " in err
    # How long it lived is whole seconds by the clock, so a run straddling a second says 1 s.
    assert re.search(r"worker exited with status 3 after [01] s; restarting in 1 s", err)
    assert re.search(r"worker exited with status 3 after [01] s; restarting in 2 s", err)


def test_stopping_the_supervisor_stops_its_process_without_a_restart(tmp_path):
    pid_file = tmp_path / "pid"
    supervisor = start(tmp_path, f"echo $$ > {pid_file}; exec sleep 300")
    wait_for(lambda: pid_file.exists() and pid_file.read_text().strip())
    child = int(pid_file.read_text())

    status, err = stop(supervisor)

    assert status == 0
    assert "exited" not in err
    try:
        os.kill(child, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError(f"the supervised process {child} is still running")


def test_a_terminal_interrupt_does_not_reach_the_supervised_process(tmp_path):
    # Ctrl-C goes to ./run's whole process group; ./run then stops each supervisor, so
    # the worker must not see the interrupt first and look as if it had crashed.
    pid_file = tmp_path / "pid"
    supervisor = start(tmp_path, f"echo $$ > {pid_file}; exec sleep 300")
    wait_for(lambda: pid_file.exists() and pid_file.read_text().strip())
    child = int(pid_file.read_text())

    assert os.getsid(child) != os.getsid(supervisor.pid)
    status, _err = stop(supervisor)
    assert status == 0


def test_the_supervised_process_does_not_outlive_a_supervisor_killed_outright(tmp_path):
    # In a session of its own, the worker would otherwise go on running unowned after a
    # kill -9 of ./run's process group, and a second ./run would start another one.
    pid_file = tmp_path / "pid"
    supervisor = start(tmp_path, f"echo $$ > {pid_file}; exec sleep 300")
    wait_for(lambda: pid_file.exists() and pid_file.read_text().strip())
    child = int(pid_file.read_text())

    supervisor.kill()
    supervisor.communicate(timeout=15)

    def gone() -> bool:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return True
        try:  # A zombie until init reaps it: its state in /proc is Z.
            return Path(f"/proc/{child}/stat").read_text().split(")")[-1].split()[0] == "Z"
        except FileNotFoundError:
            return True

    try:
        wait_for(gone, timeout=10)
    finally:
        if not gone():
            os.kill(child, signal.SIGKILL)


def test_stopping_during_the_pause_after_a_crash_returns_at_once(tmp_path):
    runs = tmp_path / "runs"
    supervisor = start(tmp_path, f"echo run >> {runs}; exit 1", SUPERVISE_BACKOFF="30")
    wait_for(lambda: runs.exists())
    time.sleep(0.3)
    started = time.monotonic()

    status, err = stop(supervisor)

    assert status == 0
    assert time.monotonic() - started < 5
    assert runs.read_text().split() == ["run"]
    assert "restarting in 30 s" in err
