#!/usr/bin/env python3
"""A scripted PostgreSQL peer for what a real server will not do: the machine in the middle that
answers "no TLS" to SSLRequest and asks for the password in clear (AuthenticationCleartextPassword),
then refuses the connection with a message that echoes the database name it was sent, as a real
server's "database … does not exist" does.

    peer.py --host H --port P --log FILE

Appends to FILE one line per event: "SSLREQUEST", "GSSENCREQUEST", "STARTUP key=value ...",
"PASSWORD <what it received>". Prints "READY" once it listens; stops when its standard input
closes, so it never outlives the test. One connection at a time.
"""
import argparse
import socket
import struct
import sys
import threading

parser = argparse.ArgumentParser()
parser.add_argument("--host", required=True)
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--log", required=True)
args = parser.parse_args()


def log(line):
    with open(args.log, "a") as f:
        f.write(line + "\n")


def read_exactly(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def error(message, code):
    fields = b"SFATAL\0VFATAL\0C" + code.encode() + b"\0M" + message.encode() + b"\0\0"
    return b"E" + struct.pack("!i", len(fields) + 4) + fields


def session(sock):
    while True:
        length, code = struct.unpack("!ii", read_exactly(sock, 8))
        if code == 80877103:
            log("SSLREQUEST")
            sock.sendall(b"N")
        elif code == 80877104:
            log("GSSENCREQUEST")
            sock.sendall(b"N")
        else:
            break
    body = read_exactly(sock, length - 8)
    parts = body.split(b"\0")
    params = dict(zip(parts[0::2], parts[1::2]))
    params = {k.decode(): v.decode(errors="replace") for k, v in params.items() if k}
    log("STARTUP " + " ".join(f"{k}={v}" for k, v in sorted(params.items())))
    sock.sendall(b"R" + struct.pack("!ii", 8, 3))
    kind = read_exactly(sock, 1)
    (length,) = struct.unpack("!i", read_exactly(sock, 4))
    payload = read_exactly(sock, length - 4)
    if kind == b"p":
        log("PASSWORD " + payload.rstrip(b"\0").decode(errors="replace"))
    sock.sendall(error(f'database "{params.get("database", "")}" does not exist', "3D000"))


def serve(listener):
    while True:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            try:
                session(connection)
            except (EOFError, OSError):
                pass


listener = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((args.host, args.port))
listener.listen(5)
threading.Thread(target=serve, args=(listener,), daemon=True).start()
print("READY", flush=True)
sys.stdin.read()
listener.close()
