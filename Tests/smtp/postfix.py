#!/usr/bin/env python3
"""Postfix from Debian as the operator's relay, in a directory of its own, for the test suite and
`make bench`: STARTTLS with AUTH on one loopback port, implicit TLS with AUTH on another, SASL by
Dovecot (auth service only), every message delivered into one Maildir. The system's own Postfix
and Dovecot are never touched. Needs root (Postfix's master runs as root and drops privileges).

    postfix.py --dir DIR --cert F --key F --user U --password P [--set name=value ...]

Prints "READY <starttls-port> <tls-port>" once both ports answer, then reads commands on standard
input, one a line, answering "OK" (or "ERROR reason"):

    stop            stop Postfix (the ports refuse connections)
    start           start it again
    set NAME=VALUE  change main.cf and reload

and stops everything when its standard input closes, so it never outlives the test or bench that
started it. Mail lands in DIR/vmail/example.com/all/{new,cur}; Postfix logs to DIR/maillog.
"""
import argparse
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--cert", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--user", required=True)
parser.add_argument("--password", required=True)
parser.add_argument("--set", action="append", default=[])
args = parser.parse_args()

D = os.path.abspath(args.dir)
CONF = os.path.join(D, "conf")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port):
    """Something listens on 127.0.0.1:port. Read from the kernel's table rather than by
    connecting, which would show up in Postfix's log as a session of its own."""
    with open("/proc/net/tcp") as table:
        for row in table.readlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            if state == "0A" and local == "0100007F:%04X" % port:
                return True
    return False


def wait_for(check, what, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError("%s did not happen within %d s" % (what, seconds))


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def instance_processes():
    """Postfix's master and every process it started (smtpd, qmgr, …)."""
    try:
        with open(os.path.join(D, "queue", "pid", "master.pid")) as f:
            master = int(f.read().strip())
    except (OSError, ValueError):
        return []
    found = [master]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def stop_postfix(linger=True):
    """`postfix stop`: the master and the queue manager go; an smtpd in the middle of a session
    finishes it (a message it can no longer queue gets a 4xx, so the client learns of the outage
    at a message's boundary, as with a real restart) and then exits. Without `linger` (the end),
    what is still there after a few seconds is killed."""
    processes = instance_processes()
    postfix("stop")
    if linger:
        return
    deadline = time.time() + 5
    while time.time() < deadline and any(alive(pid) for pid in processes):
        time.sleep(0.05)
    for pid in processes:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def postfix(*command):
    # Postfix reports to syslog, and to stderr only on a terminal: `script` gives it one.
    line = " ".join(["postfix", "-c", CONF] + list(command))
    # (Its standard input is not ours: `script` would pass our commands on to Postfix.)
    result = subprocess.run(["script", "-eqc", line, "/dev/null"], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stdout.strip() or result.stderr.strip() or line + " failed")


# Postfix's processes run as the postfix user: every directory above ours must let it through.
parent = os.path.dirname(D)
while parent != "/":
    if os.stat(parent).st_mode & 0o001 == 0:
        raise SystemExit("postfix.py: %s is closed to other users; Postfix cannot reach %s" % (parent, D))
    parent = os.path.dirname(parent)

starttls_port, tls_port = free_port(), free_port()
for sub in ["conf", "queue", "data", "vmail", "dovecot-run", "dovecot-state"]:
    os.makedirs(os.path.join(D, sub), exist_ok=True)
nobody = pwd.getpwnam("nobody")
os.chown(os.path.join(D, "vmail"), nobody.pw_uid, nobody.pw_gid)
postfix_user = pwd.getpwnam("postfix")
os.chown(os.path.join(D, "data"), postfix_user.pw_uid, postfix_user.pw_gid)
os.chmod(os.path.join(D, "data"), 0o700)
# The server's key, readable by Postfix's unprivileged processes, in our directory.
shutil.copy(args.cert, os.path.join(D, "cert.pem"))
shutil.copy(args.key, os.path.join(D, "key.pem"))

main_cf = f"""compatibility_level = 3.6
config_directory = {CONF}
queue_directory = {D}/queue
data_directory = {D}/data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.test
mydomain = test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
virtual_mailbox_domains = example.com
virtual_mailbox_base = {D}/vmail
virtual_mailbox_maps = regexp:{CONF}/vmailbox
virtual_uid_maps = static:{nobody.pw_uid}
virtual_gid_maps = static:{nobody.pw_gid}
smtpd_tls_cert_file = {D}/cert.pem
smtpd_tls_key_file = {D}/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = {D}/auth
maillog_file = {D}/maillog
maillog_file_prefixes = {D}
# Loopback is exempt from anvil's rate limits unless this is empty.
smtpd_client_event_limit_exceptions =
"""
main_cf += "".join(setting + "\n" for setting in args.set)
with open(os.path.join(CONF, "main.cf"), "w") as f:
    f.write(main_cf)
with open(os.path.join(CONF, "vmailbox"), "w") as f:
    f.write("/.*/ example.com/all/\n")
services = """pickup fifo n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr fifo n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
tlsmgr unix - - n 1000? 1 tlsmgr
showq unix n - n - - showq
"""
with open(os.path.join(CONF, "master.cf"), "w") as f:
    f.write(f"127.0.0.1:{starttls_port} inet n - n - - smtpd\n")
    f.write(f"127.0.0.1:{tls_port} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes\n")
    f.write(services)

with open(os.path.join(D, "passwd"), "w") as f:
    f.write("%s:{PLAIN}%s\n" % (args.user, args.password))
with open(os.path.join(D, "dovecot.conf"), "w") as f:
    f.write(f"""base_dir = {D}/dovecot-run
state_dir = {D}/dovecot-state
protocols =
ssl = no
log_path = {D}/dovecot.log
auth_mechanisms = plain login
disable_plaintext_auth = no
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {D}/passwd
}}
userdb {{
  driver = static
  args = uid={nobody.pw_uid} gid={nobody.pw_gid} home=/nonexistent
}}
service auth {{
  unix_listener {D}/auth {{
    mode = 0666
  }}
}}
""")

dovecot = subprocess.Popen(["dovecot", "-c", os.path.join(D, "dovecot.conf"), "-F"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
running = False
try:
    wait_for(lambda: os.path.exists(os.path.join(D, "auth")), "Dovecot's auth socket")
    postfix("start")
    running = True
    wait_for(lambda: answers(starttls_port) and answers(tls_port), "Postfix listening")
    print("READY %d %d" % (starttls_port, tls_port), flush=True)
    for line in sys.stdin:
        command = line.strip()
        try:
            if command == "stop":
                stop_postfix()
                running = False
            elif command == "start":
                # An smtpd left over from `stop` holds the port until its client has gone.
                wait_for(lambda: not answers(starttls_port) and not answers(tls_port), "the old sessions ending", 60)
                # A cleanup stopped while writing leaves its half-written file (named pid.time,
                # where finished ones have a queue id) for a message nobody was told was
                # accepted; Postfix's start-up check refuses to run with one there.
                incoming = os.path.join(D, "queue", "incoming")
                for name in os.listdir(incoming):
                    if "." in name:
                        os.remove(os.path.join(incoming, name))
                postfix("start")
                running = True
                wait_for(lambda: answers(starttls_port) and answers(tls_port), "Postfix listening")
            elif command.startswith("set "):
                subprocess.run(["postconf", "-c", CONF, "-e", command[4:]], stdin=subprocess.DEVNULL, check=True)
                postfix("reload")
                time.sleep(0.5)
            else:
                raise RuntimeError("unknown command " + command)
            print("OK", flush=True)
        except Exception as error:  # a failed command is the test's to report
            try:
                with open(os.path.join(D, "maillog")) as log:
                    tail = " | ".join(line.strip() for line in log.readlines()[-4:])
            except OSError:
                tail = ""
            print("ERROR %s; maillog: %s" % (error, tail), flush=True)
finally:
    if running:
        try:
            stop_postfix(linger=False)
        except RuntimeError:
            postfix("abort")
    dovecot.terminate()
    dovecot.wait(10)
