#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Replayed handshake and transport messages. A relay between two idtun
# peers records what passes, then sends recorded messages again: an
# initiation whose timestamp is not newer than the last accepted gets no
# response and changes nothing, a replayed transport message is not
# delivered twice, and the tunnel carries on.

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup() {
	ip netns del rp1 2>/dev/null
	ip netns del rp2 2>/dev/null
	[ -z "${relay:-}" ] || kill "$relay" 2>/dev/null
	rm -f "$CHECK_OUT" "$CHECK_OUT".*
}
trap cleanup EXIT
load_idtun

# rp1 (192.168.94.1) runs idtun on port 51820 and the relay on 40000; its
# peer's endpoint is the relay, which forwards to rp2 (192.168.94.2:51820)
# and back. Commands come to the relay on a FIFO.
check "two idtun peers and a relay between them" \
	idtun_pair rp1 rp2 94 192.168.94.1:40000 ""

mkfifo "$CHECK_OUT.cmd"
ip netns exec rp1 /usr/bin/python3 - "$CHECK_OUT.cmd" >"$CHECK_OUT.relay" 2>&1 <<'PY' &
import os, select, socket, sys

relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
relay.bind(("192.168.94.1", 40000))
a, b = ("192.168.94.1", 51820), ("192.168.94.2", 51820)
cmd = open(sys.argv[1], "r")
seen = {}            # message type -> first message of that type
replies = 0          # responses (type 2) from b since the last command
while True:
    r, _, _ = select.select([relay, cmd], [], [])
    if cmd in r:
        line = cmd.readline().strip()
        if not line:
            continue
        if line == "count":
            print("responses", replies, flush=True)
        elif line.startswith("replay "):
            t = int(line.split()[1])
            relay.sendto(seen[t], b)
            print("replayed", t, len(seen[t]), flush=True)
        replies = 0
        continue
    data, src = relay.recvfrom(65536)
    seen.setdefault(data[0], data)
    if src == a:
        relay.sendto(data, b)
    else:
        if data[0] == 2:
            replies += 1
        relay.sendto(data, a)
PY
relay=$!
exec 9>"$CHECK_OUT.cmd"
say() {
	echo "$1" >&9
	sleep 2
}

check "a handshake and pings through the relay" \
	ip netns exec rp1 ping -c 3 -W 5 10.94.0.2
hs=$(ip netns exec rp2 "$IDTUN" show tun0 latest-handshakes | cut -f2)
say count
say "replay 1"
say count
check_output "a replayed initiation gets no response" "responses 0" \
	sh -c "grep responses '$CHECK_OUT.relay' | tail -n 1"
check_output "and does not count as a handshake" "$hs" sh -c \
	"ip netns exec rp2 '$IDTUN' show tun0 latest-handshakes | cut -f2"
delivered=$(ip netns exec rp2 nstat -az IcmpInEchos | awk '/IcmpInEchos/ { print $2 }')
dropped=$(ip netns exec rp2 cat /sys/class/net/tun0/statistics/rx_dropped)
say "replay 4"
say count
check_output "a replayed transport message is not delivered again" "$delivered" \
	sh -c "ip netns exec rp2 nstat -az IcmpInEchos | awk '/IcmpInEchos/ { print \$2 }'"
check_output "but dropped and counted" "$((dropped + 1))" \
	ip netns exec rp2 cat /sys/class/net/tun0/statistics/rx_dropped
check "the tunnel carries on" ip netns exec rp1 ping -c 2 -W 5 10.94.0.2
exec 9>&-
tap_end
