"""Testinfra side of `npm run bench -- --peers`: the same lab hosts the audit checks, the same key.

The hosts come from --hosts=paramiko://root@ADDRESS:PORT,...; API7_BENCH_ROLES maps each "ADDRESS:PORT"
to its role ("cp" or "dp", JSON): behind the latency relays every host is 127.0.0.1 on its own port. Testinfra's paramiko backend only warns about unknown host keys and never
reads known_hosts; the audit checks host keys strictly, so for a like-for-like run this file makes
every paramiko client load API7_BENCH_KNOWN_HOSTS and reject any other key.
"""
import json
import os

import paramiko
import pytest
from testinfra.backend.paramiko import ParamikoBackend

_KNOWN_HOSTS = os.environ.get("API7_BENCH_KNOWN_HOSTS")


if _KNOWN_HOSTS:
    _original_connect = paramiko.SSHClient.connect

    def _strict_connect(self, *args, **kwargs):
        self.load_host_keys(_KNOWN_HOSTS)
        self.set_missing_host_key_policy(paramiko.RejectPolicy())
        return _original_connect(self, *args, **kwargs)

    paramiko.SSHClient.connect = _strict_connect


@pytest.fixture(scope="module")
def role(host):
    roles = json.loads(os.environ.get("API7_BENCH_ROLES", "{}"))
    spec = host.backend.host
    endpoint = f"{spec.name}:{spec.port or 22}"
    if endpoint not in roles:
        pytest.fail(f"{endpoint}: no role in API7_BENCH_ROLES")
    return roles[endpoint]
