#!/usr/bin/env python3
"""A real SMTP server for the test suite: aiosmtpd on 127.0.0.1, with TLS and AUTH as asked.

    server.py --port P --maildir DIR [--security plain|starttls|ssl] [--cert F --key F]
              [--behaviour normal|no-starttls|mail-451|rcpt-550|hang-data]

The credentials it accepts come from SMTP_TEST_USER and SMTP_TEST_PASSWORD. Every accepted
message is written to DIR as <n>.eml, with its envelope in <n>.json. Prints "READY" once it
listens, and stops when its standard input closes, so it never outlives the test.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--maildir", required=True)
parser.add_argument("--security", default="starttls", choices=["plain", "starttls", "ssl"])
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--behaviour", default="normal", choices=["normal", "no-starttls", "mail-451", "rcpt-550", "hang-data"])
args = parser.parse_args()

USER = os.environ.get("SMTP_TEST_USER", "").encode()
PASSWORD = os.environ.get("SMTP_TEST_PASSWORD", "").encode()


class Handler:
    def __init__(self):
        self.count = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if args.behaviour == "mail-451":
            return "451 4.3.0 Temporary local problem, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if args.behaviour == "rcpt-550":
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if args.behaviour == "hang-data":
            await asyncio.sleep(3600)
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

controller = Controller(Handler(), **options)
controller.start()
print("READY", flush=True)
sys.stdin.read()
controller.stop()
