#!/usr/bin/env python3
"""A hand-written SMTP server for the faults that a well-behaved server (aiosmtpd, Postfix)
cannot be made to commit. One connection at a time, on 127.0.0.1.

    hostile.py --port P --log FILE --behaviour B [--cert F --key F]

Behaviours:
  starttls-injection  after its 220 to STARTTLS it sends, in the same packet, the replies a man
                      in the middle would inject (EHLO, MAIL, RCPT, DATA, "250 accepted"); after
                      the handshake it answers honestly and refuses the recipient with 550.
  silent              accepts connections and never says a word (a relay that hangs).

Every command received is appended to FILE, one per line ("TLS" marks the handshake). Prints
"READY" once it listens, and stops when its standard input closes, so it never outlives the test.
"""
import argparse
import socket
import ssl
import sys
import threading

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--behaviour", required=True, choices=["starttls-injection", "silent"])
parser.add_argument("--cert")
parser.add_argument("--key")
args = parser.parse_args()


def log(line):
    with open(args.log, "a") as f:
        f.write(line + "\n")


class Session:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def send(self, text):
        self.sock.sendall(text.encode())

    def line(self):
        while b"\r\n" not in self.buffer:
            data = self.sock.recv(4096)
            if not data:
                return None
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        text = line.decode(errors="replace")
        log(text)
        return text


def starttls_injection(sock):
    s = Session(sock)
    s.send("220 hostile.test ESMTP\r\n")
    while True:
        command = s.line()
        if command is None:
            return
        verb = command.split(" ")[0].upper()
        if verb == "EHLO":
            s.send("250-hostile.test\r\n250 STARTTLS\r\n")
        elif verb == "STARTTLS":
            # One packet: the real 220, then what the injector wants read after the handshake.
            s.send("220 go ahead\r\n250 mx\r\n250 ok\r\n250 ok\r\n354 go\r\n250 2.0.0 accepted\r\n")
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(args.cert, args.key)
            try:
                s.sock = context.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                log("TLS FAILED")
                return
            log("TLS")
            break
        elif verb == "QUIT":
            s.send("221 bye\r\n")
            return
        else:
            s.send("503 5.5.1 STARTTLS first\r\n")
    # Honest from here: the recipient is refused.
    while True:
        command = s.line()
        if command is None:
            return
        verb = command.split(" ")[0].upper()
        if verb == "EHLO":
            s.send("250 hostile.test\r\n")
        elif verb == "MAIL":
            s.send("250 2.1.0 ok\r\n")
        elif verb == "RCPT":
            s.send("550 5.1.1 no such user\r\n")
        elif verb == "QUIT":
            s.send("221 bye\r\n")
            return
        else:
            s.send("503 5.5.1 bad sequence of commands\r\n")


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", args.port))
listener.listen(16)


def silent(sock):
    log("CONNECTED")
    while sock.recv(4096):
        pass


def handle(connection):
    try:
        {"starttls-injection": starttls_injection, "silent": silent}[args.behaviour](connection)
    except OSError:
        pass
    finally:
        connection.close()


def serve():
    while True:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=handle, args=(connection,), daemon=True).start()


threading.Thread(target=serve, daemon=True).start()
print("READY", flush=True)
sys.stdin.read()
listener.close()
