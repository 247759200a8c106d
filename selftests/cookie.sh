#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cookie mode under load. A flooder sends initiations with a valid MAC1
# (anyone who knows the responder's public key can), each costing the
# responder a Diffie-Hellman, faster than it can answer: the responder is
# under load and must answer with cookie replies instead of computing. A
# real peer meanwhile gets a cookie too, sends its next initiation with
# MAC2, and gets through. Done with an idtun peer and with a stock
# wireguard.ko peer, so the cookie exchange interoperates both ways.

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup() {
	local n
	for n in ck1 ck2 ck3; do
		ip netns del $n 2>/dev/null
	done
	rm -f "$CHECK_OUT" "$CHECK_OUT".*
}
trap cleanup EXIT
load_idtun

# ck1: the responder (idtun). ck2: the real peer, 192.168.91.2. ck3: the
# flooder, 192.168.92.2, on its own link.
k1=$("$IDTUN" genkey)
k2=$("$IDTUN" genkey)
pub1=$(echo "$k1" | "$IDTUN" pubkey)
pub2=$(echo "$k2" | "$IDTUN" pubkey)
setup() {
	local n
	for n in ck1 ck2 ck3; do
		ip netns add $n && ip -n $n link set lo up || return
	done
	ip link add eth0 netns ck1 type veth peer eth0 netns ck2 &&
	ip link add eth1 netns ck1 type veth peer eth0 netns ck3 &&
	ip -n ck1 address add 192.168.91.1/24 dev eth0 &&
	ip -n ck1 address add 192.168.92.1/24 dev eth1 &&
	ip -n ck2 address add 192.168.91.2/24 dev eth0 &&
	ip -n ck3 address add 192.168.92.2/24 dev eth0 &&
	ip -n ck1 link set eth0 up && ip -n ck1 link set eth1 up &&
	ip -n ck2 link set eth0 up && ip -n ck3 link set eth0 up &&
	ip -n ck1 link add tun0 type idtun &&
	ip netns exec ck1 "$IDTUN" set tun0 listen-port 51820 private-key <(echo "$k1") \
		peer "$pub2" allowed-ips 10.91.0.2/32 &&
	ip -n ck1 address add 10.91.0.1/24 dev tun0 && ip -n ck1 link set tun0 up
}
check "responder, peer and flooder namespaces" setup

# peer KIND: the real peer in ck2, of KIND idtun or wg, configured with
# its own tool, on a fresh device.
peer() {
	local tool=$IDTUN
	ip -n ck2 link del tun0 2>/dev/null
	if [ "$1" = idtun ]; then
		ip -n ck2 link add tun0 type idtun || return
	else
		ip -n ck2 link add tun0 type wireguard || return
		tool=wg
	fi
	ip netns exec ck2 "$tool" set tun0 private-key <(echo "$k2") \
		peer "$pub1" endpoint 192.168.91.1:51820 allowed-ips 10.91.0.1/32 &&
	ip -n ck2 address add 10.91.0.2/24 dev tun0 && ip -n ck2 link set tun0 up
}

# flood SECONDS: initiations with a valid MAC1 from ck3 for SECONDS;
# prints how many were sent and how many cookie replies came back.
flood() {
	ip netns exec ck3 /usr/bin/python3 - "$pub1" "$1" <<'PY'
import base64, hashlib, os, socket, struct, sys, time

pub = base64.b64decode(sys.argv[1])
key = hashlib.blake2s(b"mac1----" + pub).digest()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
s.connect(("192.168.92.1", 51820))
# Made ahead, so a burst is as fast as sending: each message still costs
# the responder a Diffie-Hellman unless it is under load.
msgs = []
for _ in range(512):
    body = struct.pack("<I", 1) + os.urandom(4 + 32 + 48 + 28)
    msgs.append(body + hashlib.blake2s(body, key=key, digest_size=16).digest()
                + bytes(16))
sent = cookies = 0
end = time.monotonic() + float(sys.argv[2])
got = 0
while time.monotonic() < end:
    # Bursts of 1,024: enough for "under load" (512 queued). Once cookies
    # come back, a pause after each burst leaves room in the queue (4,096)
    # for a real peer's messages; until then (a slow sender, a fast
    # responder) the flood does not pause.
    for msg in msgs + msgs:
        try:
            s.send(msg)
            sent += 1
        except BlockingIOError:
            break
    if got:
        time.sleep(0.3)
    got = 0
    while True:
        try:
            reply = s.recv(256)
        except (BlockingIOError, ConnectionRefusedError):
            break
        if len(reply) == 64 and reply[0] == 3:
            got += 1
    cookies += got
print(sent, cookies)
PY
}

for kind in idtun wg; do
	if [ $kind = wg ] && ! modprobe wireguard 2>/dev/null &&
		[ ! -d /sys/module/wireguard ]; then
		tap_skip "cookie exchange with stock WireGuard" "no wireguard module"
		continue
	fi
	check "$kind peer set up" peer $kind
	flood 30 >"$CHECK_OUT.flood" &
	flooder=$!
	sleep 3
	# The first initiation meets a cookie; the retransmission, 5 s later,
	# carries MAC2 and is answered.
	check "$kind peer gets through while the responder is under load" \
		ip netns exec ck2 ping -c 1 -W 25 10.91.0.1
	wait "$flooder"
	read -r sent cookies <"$CHECK_OUT.flood"
	echo "# flooder: $sent initiations sent, $cookies cookie replies"
	check_true "the responder answered the flood with cookies ($cookies)" \
		[ "${cookies:-0}" -gt 0 ]
	check "$kind peer and responder talk after the flood" \
		ip netns exec ck1 ping -c 2 -W 5 10.91.0.2
done
# Rate limiting: the flooder opens a cookie reply (it knows the public key
# that encrypts it) and floods with a valid MAC2. Under load, a source
# gets 20 such messages a second: the rest are dropped and counted, with
# no Diffie-Hellman spent on them.
ratelimit_flood() {
	ip netns exec ck3 /usr/bin/python3 - "$IDTUN_TOP/scripts" "$pub1" <<'PY'
import base64, os, socket, struct, sys, time

sys.path.insert(0, sys.argv[1])
import wgref

pub = base64.b64decode(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
s.connect(("192.168.92.1", 51820))
mac1s, cookie = {}, None

def initiation(index, cookie=None):
    body = struct.pack("<II", 1, index) + os.urandom(32 + 48 + 28)
    return wgref.add_macs(body + bytes(32), pub, cookie)

# Load first, and a cookie out of it.
msgs = [initiation(n) for n in range(1, 513)]
for n, msg in enumerate(msgs, 1):
    mac1s[n] = msg[116:132]
end = time.monotonic() + 30
while cookie is None and time.monotonic() < end:
    for msg in msgs:
        try:
            s.send(msg)
        except BlockingIOError:
            break
    while cookie is None:
        try:
            reply = s.recv(256)
        except (BlockingIOError, ConnectionRefusedError):
            break
        index = struct.unpack("<I", reply[4:8])[0]
        if len(reply) == 64 and reply[0] == 3 and index in mac1s:
            cookie = wgref.open_cookie_reply(reply, mac1s[index], pub)
if cookie is None:
    sys.exit("no cookie reply")
# Then valid MAC2s, as fast as we can, for 8 seconds.
msgs = [initiation(0, cookie) for _ in range(512)]
sent = 0
end = time.monotonic() + 8
while time.monotonic() < end:
    for msg in msgs:
        try:
            s.send(msg)
            sent += 1
        except BlockingIOError:
            time.sleep(0.001)
            break
print(sent)
PY
}
dropped0=$(ip netns exec ck1 cat /sys/class/net/tun0/statistics/rx_dropped)
ratelimit_flood >"$CHECK_OUT.rl" 2>&1
dropped=$(($(ip netns exec ck1 cat /sys/class/net/tun0/statistics/rx_dropped) - dropped0))
sent=$(tail -n 1 "$CHECK_OUT.rl")
echo "# flooder with a cookie: $sent initiations with MAC2; the responder dropped $dropped"
check_true "a flooder with a valid cookie is rate limited ($dropped of $sent dropped)" \
	[ "$dropped" -ge 100 ]
check "the real peer still gets through afterwards" \
	ip netns exec ck2 ping -c 1 -W 25 10.91.0.1
check "the responder still answers netlink" ip netns exec ck1 "$IDTUN" show tun0
tap_end
