"""The host requirements of the vendor page that Testinfra can express, one test per (check, host):
the peer suite of `npm run bench -- --peers` (12 checks x every host). Host-side only, as Testinfra
is: no probes from the runner, no load balancers, database or Prometheus, no failover.
"""
import re

import pytest

ROLE_PORTS = {"cp": {7080, 7900}, "dp": {9080, 9443}}
MANAGEMENT_PORTS = {22}
GIB = 1024**3


def version_tuple(text, parts):
    return tuple(int(n) for n in re.findall(r"\d+", text)[:parts])


def test_architecture_is_x86_64(host):  # HW-01
    assert host.system_info.arch == "x86_64"


def test_at_least_2_cores(host):  # HW-02
    assert int(host.check_output("nproc")) >= 2


def test_at_least_4g_memory(host):  # HW-03 (MemTotal of a 4 GiB machine is about 3.6-3.8 GiB)
    kib = int(re.search(r"MemTotal:\s+(\d+) kB", host.file("/proc/meminfo").content_string).group(1))
    assert kib * 1024 >= 3.5 * GIB


def test_80gb_free_on_docker_root(host):  # HW-04
    root = host.check_output("docker info --format '{{.DockerRootDir}}'") or "/var/lib/docker"
    free = int(host.check_output(f"df -B1 --output=avail {root} | tail -n 1"))
    assert free >= 80e9


def test_centos_7_6_or_later(host):  # SW-01, SW-02
    release = host.file("/etc/centos-release").content_string
    assert version_tuple(release, 2) >= (7, 6)


def test_kernel_3_10_0_927_or_later(host):  # SW-03, SW-04
    assert version_tuple(host.check_output("uname -r"), 4) >= (3, 10, 0, 927)


def test_docker_engine_answers(host):  # SW-05
    assert host.run("docker info --format '{{.ServerVersion}}'").rc == 0


def test_selinux_enforcing(host):  # SEC-01, running mode
    assert host.check_output("getenforce") == "Enforcing"


def test_selinux_config_enforcing(host):  # SEC-01, persistent mode
    assert re.search(r"^SELINUX=enforcing$", host.file("/etc/selinux/config").content_string, re.M)


def test_firewall_drops_inbound_by_default(host):  # SEC-02: firewalld, iptables or nftables
    if host.run("firewall-cmd --state").rc == 0:
        target = re.search(r"^\s*target: (\S+)", host.check_output("firewall-cmd --list-all"), re.M)
        assert target and target.group(1) != "ACCEPT"
    elif "-P INPUT DROP" in host.iptables.rules("filter", "INPUT"):
        pass
    else:
        ruleset = host.check_output("nft list ruleset")
        assert re.search(r"type filter hook input priority [^;]+; policy drop;", ruleset)


def test_role_ports_listen(host, role):  # SEC-03 (on the host), PORT-01..04
    for port in sorted(ROLE_PORTS[role] | MANAGEMENT_PORTS):
        # "tcp://PORT" would demand IPv4 and IPv6; the lab's components listen on IPv4.
        assert host.socket(f"tcp://0.0.0.0:{port}").is_listening, f"nothing listens on 0.0.0.0:{port}"


def test_no_other_listener(host, role):  # SEC-04 (on the host)
    allowed = ROLE_PORTS[role] | MANAGEMENT_PORTS
    others = []
    for spec in host.socket.get_listening_sockets():
        match = re.match(r"tcp://(.*):(\d+)$", spec)
        if match and int(match.group(2)) not in allowed and not re.match(r"^(127\.|::1$)", match.group(1)):
            others.append(spec)
    assert others == []
