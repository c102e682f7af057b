"""An optional virus scan of every upload by ClamAV's daemon, clamd (`core.files.check`).

On when `CLAMD_SOCKET` (a Unix socket) or `CLAMD_HOST` (with `CLAMD_PORT`, 3310) is set; off
otherwise. It fails closed: when clamd cannot be reached, times out or answers anything but a
verdict, the upload is refused and the failure logged.

The INSTREAM protocol is written here rather than taken from a library: the Python clients of
clamd (`clamd`, `pyclamd`) are no longer maintained, and the protocol is a few lines. Send
`zINSTREAM\\0`, then the file in chunks, each prefixed by its length as 4 bytes in network order,
then a chunk of length 0; clamd answers one NUL-terminated line: `stream: OK`,
`stream: <signature> FOUND`, or `... ERROR` (e.g. the file is over its StreamMaxLength).
"""

import logging
import socket
import struct

from django.conf import settings

logger = logging.getLogger(__name__)
CHUNK = 64 * 1024
MAX_REPLY = 4096


class Infected(Exception):
    def __init__(self, signature):
        super().__init__(signature)
        self.signature = signature


class Unavailable(Exception):
    pass


def configured():
    return bool(getattr(settings, "CLAMD_SOCKET", "") or getattr(settings, "CLAMD_HOST", ""))


def _connect():
    timeout = getattr(settings, "CLAMD_TIMEOUT", 30)
    path = getattr(settings, "CLAMD_SOCKET", "")
    if path:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(path)
        except OSError:
            connection.close()
            raise
        return connection
    return socket.create_connection(
        (settings.CLAMD_HOST, int(getattr(settings, "CLAMD_PORT", 3310))), timeout=timeout
    )


def _where():
    return getattr(settings, "CLAMD_SOCKET", "") or (
        f"{settings.CLAMD_HOST}:{getattr(settings, 'CLAMD_PORT', 3310)}"
    )


def scan(stream):
    """Return None when the file is clean or no scanner is configured; raise Infected with the
    signature's name, or Unavailable."""
    if not configured():
        return None
    stream.seek(0)
    reply = b""
    try:
        with _connect() as connection:
            try:
                connection.sendall(b"zINSTREAM\0")
                while chunk := stream.read(CHUNK):
                    connection.sendall(struct.pack("!L", len(chunk)) + chunk)
                connection.sendall(struct.pack("!L", 0))
            except (BrokenPipeError, ConnectionResetError):
                pass  # clamd hangs up on a stream it refuses (over StreamMaxLength): read why
            while not reply.endswith(b"\0") and len(reply) < MAX_REPLY:
                part = connection.recv(MAX_REPLY)
                if not part:
                    break
                reply += part
    except OSError as error:  # refused, missing socket, timeout, connection reset
        logger.error("Upload refused: clamd at %s cannot be reached (%s)", _where(), error)
        raise Unavailable(str(error)) from error
    finally:
        stream.seek(0)
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer == "stream: OK":
        return None
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        signature = answer.removeprefix("stream: ").removesuffix(" FOUND").strip()
        logger.warning("Upload refused: clamd found %s", signature)
        raise Infected(signature)
    logger.error("Upload refused: clamd at %s answered %r", _where(), answer)
    raise Unavailable(answer)
