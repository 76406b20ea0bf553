"""How evenly stock gunicorn (gthread) spreads bursts of keep-alive connections between its workers.

    python -m scripts.spread [--bursts 20] [--connections 16]

Starts gunicorn (gunicorn.conf.py, two workers) with and without ``reuse_port``, opens a burst of
keep-alive connections at once, makes one request on each, and counts how many each worker holds
(its sockets, from /proc). A burst where one worker holds more than three quarters of them is
"lopsided". Behind nginx the question is moot for the stack as `make serve` runs it (one worker per
instance, nginx balancing the instances); it matters for `make run` and for instances with more workers.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

from scripts.servers import HOST, serve


def held(pid: int, client_ports: set[int]) -> int:
    """How many of the clients' connections process ``pid`` holds (its sockets in /proc/net/tcp)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[9] in inodes and int(fields[2].split(":")[1], 16) in client_ports:
            count += 1
    return count


def burst(port: int, workers: list[int], connections: int) -> list[int]:
    socks = [socket.create_connection((HOST, port), timeout=5) for _ in range(connections)]
    try:
        for sock in socks:
            sock.sendall(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        for sock in socks:
            sock.recv(65536)
        ports = {sock.getsockname()[1] for sock in socks}
        return sorted((held(pid, ports) for pid in workers), reverse=True)
    finally:
        for sock in socks:
            sock.close()


def measure(db: Path, reuse_port: bool, bursts: int, connections: int) -> list[list[int]]:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "gunicorn.conf.py"
        text = (Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text()
        # Without the line to replace, both runs would measure the same setting.
        assert "reuse_port = True" in text, "gunicorn.conf.py no longer says 'reuse_port = True'"
        config.write_text(text.replace("reuse_port = True", f"reuse_port = {reuse_port}"))
        with serve(db, Path(tmp) / "log", workers=2, threads=4, config=config) as server:
            workers = server.wait_for_workers(2)
            time.sleep(1.0)
            spreads = []
            for _ in range(bursts):
                spreads.append(burst(server.port, workers, connections))
                time.sleep(0.3)
            return spreads


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.spread", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/claims.db"))
    parser.add_argument("--bursts", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    for reuse_port in (True, False):
        spreads = measure(args.db.resolve(), reuse_port, args.bursts, args.connections)
        lopsided = sum(1 for s in spreads if s[0] > 0.75 * args.connections)
        print(f"reuse_port={reuse_port}: {lopsided} of {len(spreads)} bursts lopsided; spreads {spreads}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
