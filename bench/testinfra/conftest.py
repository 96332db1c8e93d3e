"""Testinfra side of `npm run bench -- --peers`: the same lab hosts the audit checks, the same key.

The hosts come from --hosts=paramiko://root@ADDRESS,...; API7_BENCH_ROLES maps each address to its
role ("cp" or "dp", JSON). Testinfra's paramiko backend only warns about unknown host keys and never
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
    address = host.backend.host.name
    if address not in roles:
        pytest.fail(f"{address}: no role in API7_BENCH_ROLES")
    return roles[address]
