#!/usr/bin/env python3
"""A real SMTP server for the test suite: aiosmtpd on 127.0.0.1, with TLS and AUTH as asked.

    server.py --port P --maildir DIR [--security plain|starttls|ssl] [--cert F --key F]
              [--behaviour normal|no-starttls|mail-451|rcpt-550|hang-data|slow-data|limit-421-after-N
                           |starttls-required|relay-denied|ehlo-504]

The credentials it accepts come from SMTP_TEST_USER and SMTP_TEST_PASSWORD. Every accepted
message is written to DIR as <n>.eml, with its envelope in <n>.json; DIR/session.log gets a line
for every connection made and lost and every command received (the command word only, and the
EHLO name), in order, so that a test can count connections and see how many were open at once.
Prints "READY" once it listens, and stops when its standard input closes, so it never outlives
the test.
"""
import argparse
import asyncio
import json
import logging
import os
import re
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--maildir", required=True)
parser.add_argument("--security", default="starttls", choices=["plain", "starttls", "ssl"])
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--behaviour", default="normal")
args = parser.parse_args()
BEHAVIOURS = ["normal", "no-starttls", "mail-451", "rcpt-550", "hang-data", "slow-data", "starttls-required",
              "relay-denied", "ehlo-504"]
limit = re.fullmatch(r"limit-421-after-(\d+)", args.behaviour)
if args.behaviour not in BEHAVIOURS and not limit:
    sys.exit("unknown behaviour " + args.behaviour)

session_log = open(os.path.join(args.maildir, "session.log"), "a", buffering=1)
log_lock = threading.Lock()


def note(line):
    with log_lock:
        session_log.write(line + "\n")


class CommandLog(logging.Handler):
    """aiosmtpd logs every line it reads as "peer >> line": keep the command word."""

    def emit(self, record):
        if ">>" in record.msg and len(record.args) == 2:
            peer, line = record.args
            word = line.split(b" ")[0].decode(errors="replace").upper()
            note("%s %s" % (peer[1] if isinstance(peer, tuple) else peer, word))


logging.getLogger("mail.log").setLevel(logging.INFO)
logging.getLogger("mail.log").addHandler(CommandLog())

USER = os.environ.get("SMTP_TEST_USER", "").encode()
PASSWORD = os.environ.get("SMTP_TEST_PASSWORD", "").encode()


class Handler:
    def __init__(self):
        self.count = 0
        self.mail_accepted = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        note("%s EHLO-NAME %s" % (session.peer[1], hostname))
        if args.behaviour == "ehlo-504":
            return ["504 5.5.2 <%s>: Helo command rejected: need fully-qualified hostname" % hostname]
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if args.behaviour == "mail-451":
            return "451 4.3.0 Temporary local problem, try again later"
        if args.behaviour == "starttls-required":
            return "530 5.7.0 Must issue a STARTTLS command first"
        if limit:
            if self.mail_accepted >= int(limit.group(1)):
                return "421 4.7.0 mx.test Error: too many messages from 127.0.0.1, try again later"
            self.mail_accepted += 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if args.behaviour == "rcpt-550":
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if args.behaviour == "relay-denied":
            return "554 5.7.1 <%s>: Relay access denied" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if args.behaviour == "hang-data":
            await asyncio.sleep(3600)
        if args.behaviour == "slow-data":
            await asyncio.sleep(0.5)
        self.count += 1
        base = os.path.join(args.maildir, str(self.count))
        # The envelope first and the message last, each renamed into place whole: a test that
        # lists the .eml files while the server is being stopped never sees half a message.
        with open(base + ".json.tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "mail_options": envelope.mail_options, "tls": session.ssl is not None,
                       "authenticated": bool(session.authenticated)}, f)
        os.rename(base + ".json.tmp", base + ".json")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Ok: queued as test%d" % self.count


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER and auth_data.password == PASSWORD
    return AuthResult(success=ok, handled=False)


context = None
if args.cert:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)

options = dict(hostname="127.0.0.1", port=args.port, authenticator=authenticator if USER else None,
               auth_require_tls=True, auth_required=bool(USER), decode_data=False)
if args.security == "ssl":
    options["ssl_context"] = context
    # aiosmtpd only counts STARTTLS as TLS and would hide AUTH on an implicit-TLS port.
    options["auth_require_tls"] = False
elif args.security == "starttls" and args.behaviour != "no-starttls":
    options["tls_context"] = context
    options["require_starttls"] = True
else:
    # plain, or a server that does not offer STARTTLS: AUTH must be allowed without TLS to
    # tempt a careless client.
    options["auth_require_tls"] = False

open_ports = {}


class LoggedSMTP(SMTP):
    """Logs each TCP connection once: STARTTLS hands the protocol a new transport (a second
    connection_made for the same peer), which is not a new connection."""

    def connection_made(self, transport):
        port = transport.get_extra_info("peername")[1]
        with log_lock:
            first = port not in open_ports
            open_ports[port] = self
        if first:
            note("%s CONNECT" % port)
        self.logged_port = port
        super().connection_made(transport)

    def connection_lost(self, error):
        with log_lock:
            last = open_ports.get(self.logged_port) is self
            if last:
                del open_ports[self.logged_port]
        if last:
            note("%s DISCONNECT" % self.logged_port)
        super().connection_lost(error)


class LoggedController(Controller):
    def factory(self):
        return LoggedSMTP(self.handler, **self.SMTP_kwargs)


controller = LoggedController(Handler(), **options)
controller.start()
# Controller.start() checks the server with a connection of its own; what follows is the test's.
note("- READY")
print("READY", flush=True)
sys.stdin.read()
controller.stop()
