#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed and forged messages at an idtun device's port: truncated and
# oversized messages of every type, wrong type words, random bytes where
# MACs, indices, ciphertexts and cookies go, and empty datagrams. Each is
# dropped and counted in the device's statistics; none disturbs a working
# tunnel (whose peer's traffic flows before, during and after). Kernel
# reports, leaks and crashes fail the run on every kernel.

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup() {
	ip netns del mf1 2>/dev/null
	ip netns del mf2 2>/dev/null
	rm -f "$CHECK_OUT"
}
trap cleanup EXIT
load_idtun

check "two idtun devices, one knowing the other's endpoint" \
	idtun_pair mf1 mf2 88 "" 192.168.88.1:51820
check "the tunnel works" ip netns exec mf2 ping -c 2 -W 5 10.88.0.1

# stat NS FIELD: a counter of tun0 in NS, from ip -s -j link.
stat() {
	ip -n "$1" -s -j link show tun0 | /usr/bin/python3 -c \
		"import json,sys; print(json.load(sys.stdin)[0]['stats64']['rx']['$2'])"
}
errors0=$(stat mf1 errors)
dropped0=$(stat mf1 dropped)

# The forger: every kind of wrong message, from the other namespace's
# address, while the legitimate peer pings from the same address.
forge() {
	ip netns exec mf2 /usr/bin/python3 - 192.168.88.1 51820 <<'PY'
import os, random, socket, struct, sys

rng = random.Random(1)
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = 0

def send(b):
    global sent
    s.sendto(b, (host, port))
    sent += 1

def word(t, rest=b"\0\0\0"):
    return bytes([t]) + rest

sizes = {1: 148, 2: 92, 3: 64, 4: 32}
send(b"")                                        # empty datagram
for t in range(0, 8):                            # every type, every length
    for n in (1, 3, 4, 5, 15, 16, 31, 32, 33, 63, 64, 65, 91, 92, 93,
              147, 148, 149, 200):
        send(word(t) + os.urandom(max(0, n - 4)))
for t in (1, 2, 3, 4):                           # right size, reserved bytes set
    send(word(t, b"\x01\0\0") + os.urandom(sizes[t] - 4))
for _ in range(300):                             # right sizes, random contents
    t = rng.choice((1, 2, 3, 4))
    n = sizes[t] if t != 4 else 32 + 16 * rng.randrange(0, 80)
    send(word(t) + os.urandom(n - 4))
for _ in range(100):                             # data for unknown sessions
    send(word(4) + struct.pack("<IQ", rng.getrandbits(32),
                               rng.getrandbits(64)) + os.urandom(48))
for _ in range(100):                             # random bytes, any length
    send(os.urandom(rng.randrange(1, 1400)))
print(sent)
PY
}
{ ip netns exec mf2 ping -q -i 0.2 -c 40 -W 5 10.88.0.1 >"$CHECK_OUT.ping" 2>&1; } &
pinger=$!
sent=$(forge)
wait "$pinger"
echo "# forged $sent datagrams"
check "the peer's traffic flowed meanwhile" grep -q ' 0% packet loss' "$CHECK_OUT.ping"
rm -f "$CHECK_OUT.ping"
errors=$(($(stat mf1 errors) - errors0))
dropped=$(($(stat mf1 dropped) - dropped0))
echo "# rx errors +$errors, rx dropped +$dropped"
check_true "malformed messages are counted as receive errors ($errors)" [ "$errors" -gt 100 ]
check_true "forged handshakes and data for unknown sessions are counted as dropped ($dropped)" \
	[ "$dropped" -gt 100 ]
check "the tunnel still works afterwards, both ways" sh -c \
	'ip netns exec mf1 ping -c 2 -W 5 10.88.0.2 && ip netns exec mf2 ping -c 2 -W 5 10.88.0.1'
check "the device still answers netlink" ip netns exec mf1 "$IDTUN" show tun0
tap_end
