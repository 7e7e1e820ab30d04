"""A TCP proxy whose open connections can be silenced, as a crashed host or a network partition
silences them: no byte flows either way any more, yet no socket is closed."""

from __future__ import annotations

import socket
import threading


class SilenceableProxy:
    """Forwards ``127.0.0.1:<port>`` to ``host:upstream_port``, each connection in two threads."""

    def __init__(self, host: str, upstream_port: int) -> None:
        self._upstream = (host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._silenced: list[threading.Event] = []
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def silence_open_connections(self) -> None:
        """From now on, what the connections open at this moment carry is dropped; connections
        made later flow as usual."""
        for silenced in self._silenced:
            silenced.set()

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            upstream = socket.create_connection(self._upstream)
            silenced = threading.Event()
            self._silenced.append(silenced)
            self.connections += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink, silenced), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket, silenced: threading.Event) -> None:
    while True:
        try:
            data = source.recv(65536)
            if not data:
                sink.close()
                return
            if not silenced.is_set():
                sink.sendall(data)
        except OSError:
            return
