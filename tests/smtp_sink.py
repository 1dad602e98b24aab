"""A minimal SMTP server on loopback that keeps what it receives (a test double for the
organisation's mail relay, which cannot run here). Enough of RFC 5321 for smtplib."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes
from email.message import Message


class SmtpSink:
    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[Message] = []
        self.received = threading.Condition()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write((line + "\r\n").encode())

            def handle(self) -> None:
                self.reply("220 sink ESMTP")
                while raw := self.rfile.readline():
                    command = raw.decode(errors="replace").strip().upper()
                    if command.startswith(("EHLO", "HELO")):
                        self.reply("250 sink")
                    elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                        self.reply("250 OK")
                    elif command == "DATA":
                        self.reply("354 end with .")
                        data = bytearray()
                        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                            data += line[1:] if line.startswith(b"..") else line
                        with sink.received:
                            sink.messages.append(message_from_bytes(bytes(data)))
                            sink.received.notify_all()
                        self.reply("250 queued")
                    elif command == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 not implemented")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(self, count: int, timeout: float = 60) -> list[Message]:
        with self.received:
            self.received.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
