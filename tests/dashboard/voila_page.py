"""Serve the dashboard with Voila as ``make dashboard`` does, and time its first chart.

Shared by the browser test (``test_browser.py``) and ``benchmarks/bench_dashboard.py``;
no pytest here. Nothing is written to the home directory: Jupyter's and IPython's
folders go to a temporary folder. The venv's labextensions stay visible and the
package's Voila template (``saz-offline``) is found first.

The first chart is the first ``vega-embed`` element that holds a drawn mark (SVG, or
a canvas); the time runs from the page request (just before the browser asks for the
page) until then.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from saz_geboortezorg.explore.dashboard import READY_MESSAGE
from saz_geboortezorg.present.templates import jupyter_path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "dashboard.ipynb"
CHROMIUM = "/usr/bin/chromium"
#: Chromium in containers: no sandbox (root), no GPU, no background traffic to Google
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--metrics-recording-only",
]
#: Voila's options, as ``make dashboard`` gives them
VOILA_OPTIONS = [
    "--no-browser",
    "--Voila.ip=127.0.0.1",
    "--template=saz-offline",
    "--strip_sources=True",
    "--show_tracebacks=True",  # a failing cell shows its traceback (the test fails on it)
    "--Voila.auto_token=True",  # a token is required and printed
]
#: Preheated kernels, as ``make dashboard``: one kernel runs the notebook before a visitor
#: arrives; the next one is started 3 s after a visitor took it (not during the first view)
PREHEAT_OPTIONS = [
    "--preheat_kernel=True",
    "--pool_size=1",
    "--VoilaKernelManager.fill_delay=3",
]
FIRST_CHART_JS = """() => !!document.querySelector(
    '.vega-embed svg.marks g.role-mark > *, .vega-embed canvas')"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Voila:
    """A Voila server on the dashboard notebook, in its own process group.

    Parameters
    ----------
    folder : Path
        Temporary folder for Jupyter's settings and the server's log (``voila.log``).
    preheat : bool
        With preheated kernels (:data:`PREHEAT_OPTIONS`), as ``make dashboard``.
    env : dict, optional
        Extra environment variables (``SAZ_GEBOORTEZORG_DATA`` for other data).
    options : list of str, optional
        More Voila options (later ones win: ``--VoilaKernelManager.fill_delay=600``).
    """

    def __init__(
        self,
        folder: Path,
        *,
        preheat: bool = True,
        env: dict | None = None,
        options: list[str] | None = None,
    ) -> None:
        self.port = free_port()
        self.log = Path(folder) / "voila.log"
        environment = dict(os.environ)
        for var, sub in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("IPYTHONDIR", "ipython"),
        ]:
            environment[var] = str(Path(folder) / sub)
        environment["JUPYTER_PATH"] = os.pathsep.join(
            p for p in [str(jupyter_path()), os.environ.get("JUPYTER_PATH", "")] if p
        )
        environment.update(env or {})
        given = [*VOILA_OPTIONS, *(PREHEAT_OPTIONS if preheat else []), *(options or [])]
        # Voila takes each option once: a later one replaces an earlier one of the same name
        chosen = {option.split("=", 1)[0]: option for option in given}
        cmd = [sys.executable, "-m", "voila", str(NOTEBOOK), f"--port={self.port}"]
        cmd += list(chosen.values())
        self.started = time.monotonic()
        with open(self.log, "w") as log_file:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=environment,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: Voila and its kernels stop together
            )

    def _wait(self, found, what: str, timeout: float):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"Voila exited with code {self.proc.returncode}:\n{self.log.read_text()}"
                )
            result = found()
            if result:
                return result
            time.sleep(0.1)
        raise RuntimeError(f"{what} not within {timeout} s:\n{self.log.read_text()}")

    def url(self, timeout: float = 60) -> str:
        """The URL with its token, as Voila prints it on start."""
        pattern = re.compile(rf"http://127\.0\.0\.1:{self.port}/\?token=([0-9a-f]{{16,}})")

        def printed():
            found = pattern.search(self.log.read_text())
            return found.group(0) if found else None

        url = self._wait(printed, "Voila printed no URL with a token", timeout)

        def listening():
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", self.port)) == 0

        self._wait(listening, "Voila did not accept connections", timeout)
        return url

    def wait_until_ready(self, timeout: float) -> float:
        """Wait until the preheated kernel has run the notebook up to the visitor
        (it writes READY_MESSAGE); seconds since the server was started."""
        self._wait(lambda: READY_MESSAGE in self.log.read_text(), "dashboard not ready", timeout)
        return time.monotonic() - self.started

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def open_timed(page, url: str, timeout_s: float) -> dict:
    """Ask for ``url`` in ``page`` and wait for the first drawn chart.

    Returns seconds from the request: ``page`` (the first byte of the page arrived)
    and ``first_chart``.
    """
    started = time.monotonic()
    page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    timings = {"page": time.monotonic() - started}
    page.wait_for_function(FIRST_CHART_JS, timeout=timeout_s * 1000, polling=50)
    timings["first_chart"] = time.monotonic() - started
    return timings


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages (2 cores here: above 2 is busy)."""
    return [round(x, 2) for x in os.getloadavg()]


def write_json(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
