"""A throwaway dovecot IMAP server for tests (like tests/support/pg.py does for PostgreSQL).

`running_dovecot` writes a config into a temporary folder — loopback on a free port, one
static user in a passwd-file, maildir under the folder, its log in a file — and runs
`dovecot -F -c CONFIG` as a child process; with `tls` it also serves STARTTLS and IMAPS
with a trustme certificate. Messages are delivered by IMAP APPEND (`deliver`).
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aioimaplib

USER, PASSWORD = "tagihan", "rahasia-uji"


def find_dovecot() -> str | None:
    """The dovecot binary, or None when it is not installed."""
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.path.exists(p)), None
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def close(imap: aioimaplib.IMAP4) -> None:
    """Log out and close the socket: aioimaplib leaves the transport open after LOGOUT,
    and the garbage collector's ResourceWarning would fail whichever test runs then."""
    try:
        await imap.logout()
    finally:
        transport = getattr(imap.protocol, "transport", None)
        if transport is not None:
            transport.close()


@dataclass
class Dovecot:
    """A running dovecot on loopback with one user (`USER` / `PASSWORD`)."""

    port: int
    folder: Path
    tls_port: int | None = None
    #: Trusts the server's certificate (with `tls`).
    client_context: ssl.SSLContext | None = field(default=None, repr=False)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log(self) -> str:
        """What dovecot logged so far."""
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    async def client(self) -> aioimaplib.IMAP4:
        """A logged-in plain client, INBOX selected."""
        imap = aioimaplib.IMAP4(host="127.0.0.1", port=self.port, timeout=10)
        await imap.wait_hello_from_server()
        assert (await imap.login(USER, PASSWORD)).result == "OK", self.log[-2000:]
        assert (await imap.select("INBOX")).result == "OK"
        return imap

    async def deliver(self, raw: bytes, *, seen: bool = False) -> None:
        """Put one message into INBOX by IMAP APPEND."""
        imap = await self.client()
        try:
            response = await imap.append(raw, mailbox="INBOX", flags="(\\Seen)" if seen else None)
            assert response.result == "OK", response
        finally:
            await close(imap)

    async def flags(self) -> list[str]:
        """The flags of every message in INBOX, in order (e.g. "\\Seen" or "")."""
        imap = await self.client()
        try:
            response = await imap.fetch("1:*", "(FLAGS)")
        finally:
            await close(imap)
        found = []
        for line in response.lines:
            text = bytes(line).decode(errors="replace")
            if "FETCH" in text and "FLAGS (" in text:
                found.append(text.split("FLAGS (", 1)[1].split(")", 1)[0])
        return found


def _config(folder: Path, port: int, tls_port: int | None, cert: tuple[Path, Path] | None) -> str:
    """dovecot.conf for one unprivileged, throwaway instance."""
    me = pwd.getpwuid(os.getuid())
    if os.getuid() == 0:
        # As root, dovecot's own processes run as its system users; mail as nobody.
        mail_user = pwd.getpwnam("nobody")
        login_user, internal_user = "dovenull", "dovecot"
    else:
        mail_user, login_user, internal_user = me, me.pw_name, me.pw_name
    group = grp.getgrgid(mail_user.pw_gid).gr_name
    ssl_lines = "ssl = no\n"
    imaps = "  inet_listener imaps {\n    port = 0\n  }\n"
    if cert is not None:
        ssl_lines = f"ssl = yes\nssl_cert = <{cert[0]}\nssl_key = <{cert[1]}\n"
        imaps = f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {tls_port}\n  }}\n"
    return f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
info_log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name}
first_valid_uid = 1
first_valid_gid = 1
disable_plaintext_auth = no
auth_mechanisms = plain login
{ssl_lines}
mail_location = maildir:{folder}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={folder}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
{imaps}}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
# group {group} owns the maildir
"""


def _wait_listening(port: int, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (folder / "dovecot.log").read_text(errors="replace")
            raise RuntimeError(f"dovecot exited ({process.returncode}):\n{log[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)  # setup, not a test: waiting for the server process to listen
    raise RuntimeError("dovecot did not start listening")


@contextlib.contextmanager
def running_dovecot(binary: str, *, tls: bool = False) -> Iterator[Dovecot]:
    """Start dovecot in a temporary folder; stop it and remove the folder after."""
    folder = Path(tempfile.mkdtemp(prefix="tagih-dovecot-"))
    os.chmod(folder, 0o755)  # dovecot's unprivileged processes read the config and sockets
    for sub in ("run", "state", "mail", "home"):
        (folder / sub).mkdir()
    (folder / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = _free_port()
    tls_port = _free_port() if tls else None
    cert = None
    client_context = None
    if tls:
        import trustme

        ca = trustme.CA()
        server = ca.issue_cert("127.0.0.1", "localhost")
        server.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
        for blob in server.cert_chain_pems[1:]:
            with open(folder / "cert.pem", "ab") as out:
                out.write(blob.bytes())
        server.private_key_pem.write_to_path(str(folder / "key.pem"))
        cert = (folder / "cert.pem", folder / "key.pem")
        client_context = ssl.create_default_context()
        ca.configure_trust(client_context)
    if os.getuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for sub in ("mail", "home"):
            os.chown(folder / sub, nobody.pw_uid, nobody.pw_gid)
    config = folder / "dovecot.conf"
    config.write_text(_config(folder, port, tls_port, cert))
    with open(folder / "stderr.log", "wb") as stderr:  # the child keeps its own copy
        process = subprocess.Popen(
            [binary, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        _wait_listening(port, process, folder)
        yield Dovecot(port, folder, tls_port, client_context, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


async def empty_inbox(server: Dovecot) -> None:
    """Delete every message in INBOX (each test starts with an empty mailbox)."""
    imap = await server.client()
    try:
        if (await imap.search("ALL")).lines[0].strip():
            await imap.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
            await imap.expunge()
    finally:
        await close(imap)
