"""``stageline render --watch``: a live preview on localhost that redraws on every save.

A watcher thread looks at the blueprint file's size, time and identity every ``interval``
seconds and draws it again when they change. The page served at ``/`` carries a small script
that listens to ``/events`` (Server-Sent Events) and reloads when a new drawing is ready,
keeping the reader's pan, zoom, filters and traced action. ``/version`` answers the number of
the drawing being served.

When the file cannot be drawn, the preview shows the located problems in place of the drawing
(rather than the last good drawing, which would hide that the save did not take) and comes back
by itself as soon as the file is fixed. Editors that save by writing a new file and renaming it
leave the file missing for a moment: the watcher waits for it to come back.

Only the standard library is used; the server listens on 127.0.0.1 unless told otherwise and
answers only requests addressed to it by that address or ``localhost``.
"""

from __future__ import annotations

import html
import os
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from stageline.errors import Problem, RenderError, StageLineError

__all__ = ["Preview", "serve_forever"]

#: How long a missing file is waited for before the preview reports it missing.
_MISSING_GRACE = 1.0
#: How often an idle event stream is sent a comment, so closed connections are noticed.
_KEEPALIVE = 15.0

Signature = tuple[int, int, int, int] | None


class Preview:
    """A live preview of one blueprint file, served over HTTP while the context is open.

    ``render(path)`` returns the HTML page for the file; a :class:`StageLineError` it raises
    is shown as a page of located problems.
    """

    def __init__(
        self,
        path: Path,
        render: Callable[[Path], str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        interval: float = 0.25,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.render = render
        self.host = host
        self.port = port
        self.interval = interval
        self.echo = echo
        self.url = ""
        self._page = ""
        self._version = 0
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []

    # ---- Life cycle

    def start(self) -> None:
        """Draw the file, start serving and start watching."""
        if self._server is not None:
            return
        self._stopping.clear()
        signature = _signature(self.path)
        self._redraw()
        try:
            kind = _Server6 if ":" in self.host else _Server
            server = kind((self.host, self.port), _Handler)
        except OSError as exc:
            raise RenderError(
                Problem(
                    "render.port",
                    f"the preview cannot listen on {self.host}:{self.port}: {exc.strerror or exc}",
                    hint="pick another --port, or 0 for a free one",
                )
            ) from exc
        server.preview = self
        self._server = server
        bound, port = server.server_address[:2]
        self.port = int(port)
        host = bound.decode() if isinstance(bound, bytes) else str(bound)
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}/"
        serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        watching = threading.Thread(target=self._watch, args=(signature,), daemon=True)
        self._threads = [serving, watching]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop watching and serving; open event streams are closed."""
        server = self._server
        if server is None:
            return
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        server.shutdown()
        server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        self._server = None

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # ---- State

    @property
    def version(self) -> int:
        """The number of the drawing served now: 1 for the first, one more for each change."""
        with self._changed:
            return self._version

    def current(self) -> tuple[int, str]:
        """The version and page served now."""
        with self._changed:
            return self._version, self._page

    def wait(self, version: int, timeout: float) -> int:
        """The version once it differs from ``version``, or after ``timeout`` or when stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != version or self._stopping.is_set(), timeout)
            return self._version

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # ---- Drawing and watching

    def _redraw(self) -> None:
        problems: list[str] = []
        try:
            text = self.render(self.path)
        except StageLineError as exc:
            problems = [str(p) for p in exc.problems]
        except Exception as exc:  # a bug in Stageline must not stop the preview
            problems = [f"{self.path}: internal error: {type(exc).__name__}: {exc}"]
        if problems:
            text = _error_page(self.path, problems)
        with self._changed:
            if text == self._page:
                return
            self._page = text
            self._version += 1
            version = self._version
            self._changed.notify_all()
        if self.echo is None:
            return
        for line in problems:
            self.echo(line)
        if version > 1 and not problems:
            self.echo(f"Redrawn {self.path} (version {version})")

    def _watch(self, seen: Signature) -> None:
        missing_since: float | None = None
        while not self._stopping.wait(self.interval):
            now = _signature(self.path)
            if now is None:
                # Editors save by rename: give the file a moment to come back.
                if missing_since is None:
                    missing_since = time.monotonic()
                if seen is None or time.monotonic() - missing_since < max(_MISSING_GRACE, 4 * self.interval):
                    continue
            else:
                missing_since = None
            if now == seen:
                continue
            seen = now
            self._redraw()


def _signature(path: Path) -> Signature:
    """What tells one save of ``path`` from the next; None when the file is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


_ERROR_STYLE = """\
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: #1f2933; background: #f4f6f8; }
main { max-width: 960px; margin: 48px auto; padding: 28px 32px; background: #fff; border: 1px solid #e1e6eb;
  border-top: 4px solid #b42318; border-radius: 8px; }
h1 { margin: 0 0 4px; font-size: 20px; color: #102a43; }
p { margin: 0 0 18px; color: #52606d; }
ul { margin: 0; padding: 0; list-style: none; }
li { padding: 8px 12px; margin: 0 0 6px; background: #fef3f2; border-radius: 6px; color: #7a271a;
  font: 13.5px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
"""


def _error_page(path: Path, problems: list[str]) -> str:
    """A page listing the located problems that keep ``path`` from being drawn."""
    items = "\n".join(f"<li>{html.escape(p)}</li>" for p in problems)
    count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
    name = html.escape(path.name)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{name}: {count}</title>\n<style>\n{_ERROR_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{name} cannot be drawn</h1>\n"
        f"<p>{count}. The preview redraws as soon as the file is saved again.</p>\n"
        f'<ul class="sl-problems">\n{items}\n</ul>\n</main>\n</body>\n</html>\n'
    )


# The script added to every served page: reload when a new drawing is ready, keeping the view.
_LIVE = """\
<script>
(() => {
  "use strict";
  const version = %d;
  const key = "stageline-preview-view";
  try {
    const saved = sessionStorage.getItem(key);
    sessionStorage.removeItem(key);
    if (saved && window.stageline) window.stageline.restore(JSON.parse(saved));
  } catch (err) { /* no storage: start from the whole drawing */ }
  const events = new EventSource("/events");
  events.onmessage = (e) => {
    if (Number(e.data) === version) return;
    events.close();
    try {
      if (window.stageline) sessionStorage.setItem(key, JSON.stringify(window.stageline.state()));
    } catch (err) { /* reload without the view */ }
    location.reload();
  };
})();
</script>
"""


def _live(page: str, version: int) -> str:
    """``page`` with the reload script added at the end of its body."""
    script = _LIVE % version
    at = page.lower().rfind("</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    preview: Preview


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "StagelinePreview"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the terminal shows what the reader needs (redraws and problems)."""

    def _allowed_host(self) -> bool:
        # Pages on other sites cannot reach the preview through a name that resolves to it.
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.partition("]")[0] + "]" if host.startswith("[") else host.partition(":")[0]
        bound = self.server.server_address[0]
        bound = (bound.decode() if isinstance(bound, bytes) else str(bound)).lower()
        return name in {"localhost", "127.0.0.1", "[::1]", bound, f"[{bound}]"}

    def _send(self, status: int, body: str, kind: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        preview = self.server.preview
        if not self._allowed_host():
            self._send(403, "This preview answers on localhost only.\n", "text/plain")
            return
        route = self.path.split("?", 1)[0]
        if route in {"/", "/index.html"}:
            version, page = preview.current()
            self._send(200, _live(page, version), "text/html")
        elif route == "/version":
            self._send(200, f"{preview.version}\n", "text/plain")
        elif route == "/events":
            self._events(preview)
        else:
            self._send(404, "Not found.\n", "text/plain")

    def _events(self, preview: Preview) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        self.close_connection = True
        version = preview.version
        try:
            self.wfile.write(f"retry: 1000\ndata: {version}\n\n".encode())
            self.wfile.flush()
            while True:
                now = preview.wait(version, _KEEPALIVE)
                if preview.stopping:
                    break
                if now == version:
                    self.wfile.write(b": still here\n\n")
                else:
                    version = now
                    self.wfile.write(f"data: {version}\n\n".encode())
                self.wfile.flush()
        except OSError:
            return  # the reader closed the page


def serve_forever(
    path: Path,
    render: Callable[[Path], str],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve a live preview of ``path`` until Ctrl-C, telling the reader where it is."""
    with Preview(Path(path), render, host=host, port=port, echo=echo) as preview:
        echo(f"Previewing {path} at {preview.url} (redraws on every save; Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            echo("Preview stopped.")
