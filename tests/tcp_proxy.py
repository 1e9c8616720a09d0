"""A loopback TCP proxy in front of a real server, which a test can cut, hang and restore."""

import contextlib
import socket
import threading

OPEN, CUT, HANG = "open", "cut", "hang"


class TcpProxy:
    """Forwards 127.0.0.1:<port> to the target. Cut: every connection is dropped and new ones are
    closed at once (a stopped database). Hang: connections are dropped and new ones are accepted
    but never answered (a database that is up but stuck)."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.mode = OPEN
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept_forever, daemon=True).start()

    def cut(self) -> None:
        self._switch(CUT)

    def hang(self) -> None:
        self._switch(HANG)

    def restore(self) -> None:
        self._switch(OPEN)

    def close(self) -> None:
        self._switch(CUT)
        self.listener.close()

    def _switch(self, mode: str) -> None:
        with self.lock:
            self.mode = mode
            dropped, self.sockets = self.sockets, set()
        for sock in dropped:
            _close(sock)

    def _accept_forever(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                mode = self.mode
                if mode == HANG:
                    self.sockets.add(client)
            if mode == CUT:
                _close(client)
            elif mode == OPEN:
                self._forward(client)

    def _forward(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _close(client)
            return
        upstream.settimeout(None)
        with self.lock:
            still_open = self.mode == OPEN
            if still_open:
                self.sockets.update((client, upstream))
        if not still_open:
            _close(client)
            _close(upstream)
            return
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    _close(source)
    _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
