#!/usr/bin/env bash
# Runs before `npm test` (npm's pretest): the Debian packages the self-tests use, the Docker
# engine and the lab images. As root on Debian a missing package is installed; elsewhere this
# says exactly what is missing. Nothing is downloaded when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Docker engine and the image builder for the lab, a real sshd (and sudo) for the transport
# tests, PostgreSQL, Prometheus and haproxy for the probe and failover tests, nmap for the sweep benchmark,
# ansible-core for ansible-inventory (the inventory tests compare the suite's reading with it),
# iproute2 and iptables for the delayed-SYN-ACK probe test (a network namespace, NFQUEUE), and
# Testinfra with its paramiko backend, the peer of `npm run bench -- --peers` (with ansible-core).
packages=(docker.io mmdebstrap openssh-server openssh-client sudo postgresql prometheus haproxy openssl nmap util-linux python3 ansible-core
  iproute2 iptables python3-testinfra python3-paramiko)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
    echo "self-tests need these Debian packages: ${missing[*]}" >&2
    echo "install them (apt-get install -y ${missing[*]}) or run npm test as root on Debian" >&2
    exit 1
  fi
  echo "tests: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Docker engine up and lab images built (cached by a hash of their inputs).
npm run --silent lab -- prepare
