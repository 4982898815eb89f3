"""A real SMTP server for the mail tests (tests/it/mail.rs): aiosmtpd on 127.0.0.1,
each message it accepts written whole to a folder, one .eml file per message.

    server.py PORT FOLDER [--user USER --password PASSWORD] [--refuse ADDRESS]

With --user, the server offers AUTH PLAIN/LOGIN over plain text (tests only) and
accepts nothing without that login. With --refuse, RCPT TO that address gets a
permanent 550. It prints "ready" once it accepts connections, and runs until killed.
"""

import argparse
import os
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Saver:
    def __init__(self, folder, refuse):
        self.folder = folder
        self.refuse = refuse
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = f"{time.time_ns()}-{self.count}"
        temporary = os.path.join(self.folder, name + ".tmp")
        with open(temporary, "wb") as out:
            out.write(envelope.content)
        # A whole file or none: the test never reads half a message.
        os.rename(temporary, os.path.join(self.folder, name + ".eml"))
        return "250 Message accepted for delivery"


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        # handled=False: aiosmtpd answers a failure with 535 itself.
        return AuthResult(success=ok, handled=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("folder")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--refuse")
    args = parser.parse_args()
    options = {}
    if args.user:
        options = dict(
            authenticator=Authenticator(args.user, args.password or ""),
            auth_require_tls=False,
            auth_required=True,
        )
    controller = Controller(
        Saver(args.folder, args.refuse),
        hostname="127.0.0.1",
        port=args.port,
        **options,
    )
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
