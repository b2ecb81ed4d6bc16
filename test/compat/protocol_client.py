#!/usr/bin/env python3
"""A client of the executor WebSocket protocol written from the protocol page alone, with the standard
library only (a minimal RFC 6455 client), to check that a server speaks the protocol as documented.

Usage: protocol_client.py ws://HOST:PORT/ws/mcp [TOKEN]
Prints one line per check and exits 0 when every check passed, 1 otherwise.
"""

import base64
import hashlib
import json
import os
import re
import socket
import struct
import sys
import time
from urllib.parse import urlparse

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMEOUT_S = 10


class ProtocolError(Exception):
    pass


class WebSocket:
    def __init__(self, url, token=None):
        parts = urlparse(url)
        if parts.scheme != "ws":
            raise ProtocolError("only ws:// URLs are supported")
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=TIMEOUT_S)
        key = base64.b64encode(os.urandom(16)).decode()
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {parts.hostname}:{parts.port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if token:
            lines.append(f"Authorization: Bearer {token}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ProtocolError("connection closed during the handshake")
            response += chunk
        head, self.buffer = response.split(b"\r\n\r\n", 1)
        head_lines = head.decode("latin-1").split("\r\n")
        if not head_lines[0].startswith("HTTP/1.1 101"):
            raise ProtocolError(f"handshake refused: {head_lines[0]}")
        headers = {}
        for line in head_lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != expected:
            raise ProtocolError("wrong Sec-WebSocket-Accept")

    def _read_exact(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ProtocolError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _send_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", length)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send_text(self, text):
        self._send_frame(0x1, text.encode())

    def recv_text(self):
        """The next complete text message; answers pings, joins fragments, raises on close."""
        message = b""
        while True:
            first, second = self._read_exact(2)
            fin, opcode = first & 0x80, first & 0x0F
            length = second & 0x7F
            if second & 0x80:
                raise ProtocolError("a server frame was masked")
            if length == 126:
                length = struct.unpack("!H", self._read_exact(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read_exact(8))[0]
            payload = self._read_exact(length)
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise ProtocolError(f"server closed the connection (code {code})")
            message += payload
            if fin:
                return message.decode()

    def close(self):
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
        finally:
            self.sock.close()


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, what, ok, got=None):
        print(("ok   " if ok else "FAIL ") + what + ("" if ok else f" (got {got!r})"))
        if not ok:
            self.failed += 1


def next_message(ws):
    """The next JSON-RPC frame that is not a heartbeat; heartbeats are answered with pong."""
    while True:
        frame = json.loads(ws.recv_text())
        if frame.get("method") == "ping":
            ws.send_text(json.dumps({"jsonrpc": "2.0", "method": "pong", "params": {}}))
            continue
        return frame


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    url = sys.argv[1]
    token = sys.argv[2] if len(sys.argv) > 2 else None
    checks = Checks()
    ws = WebSocket(url, token)

    connected = next_message(ws)
    params = connected.get("params", {})
    checks.check("first frame is connected", connected.get("method") == "connected", connected)
    checks.check("connected carries jsonrpc 2.0", connected.get("jsonrpc") == "2.0", connected)
    checks.check("connected has no id", "id" not in connected, connected)
    checks.check("session_id is a uuid", bool(UUID.match(str(params.get("session_id")))), params)
    checks.check("version is a string", isinstance(params.get("version"), str), params)
    checks.check(
        "capabilities are execute, control, stream",
        sorted(params.get("capabilities", [])) == ["control", "execute", "stream"],
        params,
    )

    ws.send_text(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "execute", "params": {"command": "echo hello"}}))
    result = next_message(ws)
    checks.check("execute answers with id 1", result.get("id") == 1, result)
    body = result.get("result", {})
    checks.check("execute result status is started", body.get("status") == "started", result)
    checks.check("execute result has an integer pid", isinstance(body.get("pid"), int), result)
    checks.check("execute result has an integer pgid", isinstance(body.get("pgid"), int), result)

    started = next_message(ws)
    checks.check("process.started follows the result", started.get("method") == "process.started", started)
    sp = started.get("params", {})
    checks.check("process.started status", sp.get("status") == "started", sp)
    checks.check("process.started pid matches", sp.get("pid") == body.get("pid"), sp)
    checks.check("process.started exit_code is null", "exit_code" in sp and sp["exit_code"] is None, sp)
    checks.check("process.started error is null", "error" in sp and sp["error"] is None, sp)

    output = []
    deadline = time.time() + TIMEOUT_S
    completed = None
    while time.time() < deadline:
        frame = next_message(ws)
        if frame.get("method") == "process.output":
            output.append(frame.get("params", {}))
        elif frame.get("method") == "process.completed":
            completed = frame.get("params", {})
            break
    checks.check("exactly one output line", len(output) == 1, output)
    if output:
        line = output[0]
        checks.check("output is stdout", line.get("type") == "stdout", line)
        checks.check("output keeps its newline", line.get("data") == "hello\n", line)
        checks.check("output is not truncated", line.get("truncated") is False, line)
        checks.check("short line has no chunk index", line.get("chunk_index") is None, line)
        checks.check("short line has no chunk total", line.get("total_chunks") is None, line)
    checks.check("process.completed arrives", completed is not None, completed)
    if completed is not None:
        checks.check("completed status", completed.get("status") == "completed", completed)
        checks.check("completed exit_code 0", completed.get("exit_code") == 0, completed)
        checks.check("completed error is null", completed.get("error") is None, completed)
        checks.check("completed pid matches", completed.get("pid") == body.get("pid"), completed)
        checks.check("completed pgid matches", completed.get("pgid") == body.get("pgid"), completed)
        elapsed = completed.get("execution_time")
        checks.check("execution_time in seconds", isinstance(elapsed, (int, float)) and 0 <= elapsed < 10, elapsed)
        checks.check("completed reason is exit", completed.get("reason") == "exit", completed)

    ws.send_text(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "no.such.method", "params": {}}))
    unknown = next_message(ws)
    error = unknown.get("error", {})
    checks.check("unknown method is -32601", error.get("code") == -32601 and unknown.get("id") == 2, unknown)
    checks.check("unknown method message", error.get("message") == "Unknown method: no.such.method", unknown)

    ws.send_text("{not json")
    invalid = next_message(ws)
    checks.check("invalid JSON is -32700", invalid.get("error", {}).get("code") == -32700, invalid)

    ws.send_text(json.dumps({"jsonrpc": "2.0", "id": 3, "method": "control", "params": {"type": "CANCEL"}}))
    idle = next_message(ws)
    checks.check("control without a process is refused", "error" in idle and idle.get("id") == 3, idle)

    ws.close()
    print("PASS" if checks.failed == 0 else f"{checks.failed} checks failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ProtocolError, OSError, ValueError) as error:
        print(f"FAIL {error}")
        sys.exit(1)
