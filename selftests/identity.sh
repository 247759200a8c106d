#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Workload identities and policy, end to end on the tunnel harness:
#   - two cgroups on a sending through one tunnel: one reaches b, the other
#     is denied (its TCP connect fails), and the counters and the audit
#     events say who and why;
#   - labelled idtun<->idtun: b sees the sender's identity (skb->mark,
#     through nftables, and its monitor); an ingress rule on b lets one
#     identity through and blocks the other;
#   - a label outside what b allows for a is dropped and counted;
#   - a "Pod" namespace behind a gets its identity from a prefix binding;
#   - a binding goes away when its cgroup is removed;
#   - default deny: nothing crosses, and nothing leaves unencrypted;
#   - a stock wireguard.ko peer gets its configured identity, and policy
#     applies to its packets (idtun-wg only).
# Run with A=idtun B=idtun (the default) and A=idtun B=wg.

# shellcheck source=selftests/tunnel-lib.sh
. "$(dirname "$0")/tunnel-lib.sh"

TL_A=idtun
TL_B=idtun
tl_kinds_ok idtun

CG=/sys/fs/cgroup/idtun-test
MON_A=$TL_DIR/monitor-a.json
MON_B=$TL_DIR/monitor-b.json
BG_PIDS=()

stop_bg() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	BG_PIDS=()
}

id_cleanup() {
	stop_bg
	rmdir "$CG"/*/*/ "$CG"/*/ "$CG" 2>/dev/null
	tl_exit
}
trap id_cleanup EXIT

# idt SIDE ARGS...: the idtun tool in SIDE's namespace.
idt() {
	tl_in "$1" "$IDTUN" "${@:2}"
}

# in_cg NAME CMD...: CMD in cgroup NAME (under $CG), created on demand.
in_cg() {
	mkdir -p "$CG/$1"
	bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/$1" "${@:2}"
}

# tcp_connect NS ADDR PORT: a TCP connection within 3 seconds (a command,
# not a function, so that in_cg can run it).
tcp_connect() {
	ip netns exec "$1" "$PY" "$TL_DIR/connect.py" "$2" "$3"
}
cat >"$TL_DIR/connect.py" <<'EOF'
import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()
EOF

# ping_from CG NS ADDR: one ICMP echo answered, sent from cgroup CG.
ping_from() {
	in_cg "$1" ip netns exec "$2" ping -c 1 -W 2 "$3"
}

# monitor SIDE FILE: idtun monitor --json in the background.
monitor() {
	# Not through tl_in: $! must be the monitor itself (ip execs it), so
	# that stop_bg stops it and no old monitor writes into a new file.
	ip netns exec "tl-$1" "$IDTUN" monitor --json >"$2" 2>&1 &
	BG_PIDS+=($!)
	sleep 1
}

# event FILE PYTHON-EXPR: some event e (a dict) satisfies the expression.
event() {
	"$PY" - "$1" "$2" <<'EOF'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
sys.exit(0 if any(eval(sys.argv[2], {}, {"e": e}) for e in events) else 1)
EOF
}

# value SIDE PYTHON-EXPR ARGS...: EXPR over the JSON output j of `idtun
# ARGS... --json` in SIDE's namespace (d: the device, for show).
value() {
	local side=$1 expr=$2
	shift 2
	idt "$side" "$@" --json | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
d = j[0] if isinstance(j, list) else j
print(eval(sys.argv[1]))
' "$expr"
}

# positive DESC VALUE: VALUE is a number above 0.
positive() {
	check_true "$1 (${2:-nothing})" [ "${2:-0}" -gt 0 ]
}

# nft_packets SIDE TABLE CHAIN COMMENT: packets the counter of the rule with
# that comment saw (anonymous counters: the debug kernel has no objref).
nft_packets() {
	tl_in "$1" nft list chain inet "$2" "$3" |
		sed -n "s/.*counter packets \\([0-9]*\\) .*comment \"$4\".*/\\1/p"
}

# A TCP server on b's tunnel address, port 5000, answering forever.
start_server() {
	ip netns exec tl-b "$PY" -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.99.0.2", 5000))
s.listen(16)
while True:
    c, _ = s.accept()
    c.close()
' &
	BG_PIDS+=($!)
	wait_until 30 tl_listening b 5000
}

# ---- two cgroups on a, egress policy on a ---------------------------------

tl_pair -c || { tap_not_ok "tunnel pair"; tap_end; exit 1; }
check "a and b ping" tl_ping a 10.99.0.2
check "a TCP server on b" start_server

check "name 1001 web" idt a identity add 1001 web
check "name 1002 db" idt a identity add 1002 db
check "name 1004 pod" idt a identity add 1004 pod
check_fails "a name taken by another identity is refused" "name" \
	idt a identity add 1005 web
check_fails "an all-digit name is refused" "name|digit" idt a identity add 1006 1234
check_output "the names, listed" "$(printf '1001\tweb\n1002\tdb\n1004\tpod')" \
	idt a identity list
mkdir -p "$CG/web/worker" "$CG/db"
check "bind web's cgroup by its path" \
	idt a identity bind tun-a web cgroup /idtun-test/web
# ip netns exec mounts a sysfs of its own, without the cgroup2 mount:
# nsenter keeps the mounts.
check "bind db's cgroup by its directory in cgroupfs" \
	nsenter --net=/run/netns/tl-a "$IDTUN" identity bind tun-a db cgroup "$CG/db"
check_output "identity show lists web's cgroup" "/idtun-test/web" \
	value a '[i for i in j["identities"] if i["identity"] == 1001][0]["cgroups"][0]["path"]' \
	identity show tun-a

monitor a "$MON_A"
check "egress default deny" idt a policy default tun-a egress deny
check "allow web to b over TCP port 5000" \
	idt a policy add tun-a egress from web to 10.99.0.2/32 proto tcp port 5000 allow
check "web connects" in_cg web ip netns exec tl-a "$PY" "$TL_DIR/connect.py" 10.99.0.2 5000
check "web's descendant cgroup connects too" in_cg web/worker ip netns exec tl-a "$PY" "$TL_DIR/connect.py" 10.99.0.2 5000
check_fails "db's connect fails" "" in_cg db ip netns exec tl-a "$PY" "$TL_DIR/connect.py" 10.99.0.2 5000
check_fails "an unbound process's connect fails" "" tcp_connect tl-a 10.99.0.2 5000

positive "the rule counted web's packets" \
	"$(value a '[r for r in j["rules"] if r["identity"] == 1001][0]["packets"]' policy list tun-a)"
positive "db's identity counted dropped packets" \
	"$(value a '[i for i in j["identities"] if i["identity"] == 1002][0]["tx_dropped"]' identity show tun-a)"
positive "web's identity counted sent packets" \
	"$(value a '[i for i in j["identities"] if i["identity"] == 1001][0]["tx_packets"]' identity show tun-a)"
positive "the device counted egress policy drops" \
	"$(value a 'd["drops"]["egress_policy"]' show tun-a)"
check "audit: web's new flow allowed" event "$MON_A" \
	'e["direction"] == "egress" and e["action"] == "allow" and e["identity"] == 1001 and e.get("name") == "web" and e.get("dport") == 5000 and "rule" in e'
check "audit: db denied by policy" event "$MON_A" \
	'e["direction"] == "egress" and e["action"] == "deny" and e["reason"] == "policy" and e["identity"] == 1002 and e["protocol"] == 6 and e.get("dport") == 5000'

# A cgroup that goes away takes its binding with it.
mkdir -p "$CG/tmp"
check "bind a short-lived cgroup" idt a identity bind tun-a 1003 cgroup /idtun-test/tmp
check "the binding is listed" \
	bash -c "ip netns exec tl-a $IDTUN identity show tun-a | grep -q idtun-test/tmp"
rmdir "$CG/tmp"
check "the binding is gone soon after rmdir" wait_until 5 \
	bash -c "! ip netns exec tl-a $IDTUN identity show tun-a | grep -q idtun-test/tmp"

check "egress default allow again" idt a policy default tun-a egress allow
check "policy flush" idt a policy flush tun-a
check_output "no rules left" "0" value a 'len(j["rules"])' policy list tun-a

# ---- labelled idtun <-> idtun ----------------------------------------------

check "labels on at a, b may claim 2001" \
	tl_set a peer "${TL_PUB[b]}" labels on allowed-identities 2001
check "b's default identity 2001" idt b set tun-b default-identity 2001
check "labels on at b, a may claim web, db and pod" \
	tl_set b peer "${TL_PUB[a]}" labels on allowed-identities 1001,1002,1004
check_fails "a's own unidentified ping is dropped" "" tl_in a ping -c 1 -W 1 10.99.0.2
positive "a counted it as no identity" "$(value a 'd["drops"]["no_identity"]' show tun-a)"
check "a's default identity 1005" idt a set tun-a default-identity 1005
check_fails "b does not let a claim 1005" "" tl_in a ping -c 1 -W 1 10.99.0.2
positive "b counted the label it does not allow" \
	"$(value b 'd["drops"]["label_not_allowed"]' show tun-b)"
check "b lets a claim 1005 too" tl_set b peer "${TL_PUB[a]}" allowed-identities +1005
check "ping with labels" tl_ping a 10.99.0.2

check "b writes identities into the mark" idt b set tun-b mark-mask 0xffff0000
tl_in b nft -f - <<-'EOF'
	table inet idt {
		chain in {
			type filter hook input priority 0;
			meta mark & 0xffff0000 == 0x03e90000 counter comment "web"
			meta mark & 0xffff0000 == 0x03ea0000 counter comment "db"
		}
	}
EOF
monitor b "$MON_B"
check "web pings b" ping_from web tl-a 10.99.0.2
positive "b's nftables saw web's mark" "$(nft_packets b idt in web)"
check "b's monitor names the sender" event "$MON_B" \
	'e["direction"] == "ingress" and e["action"] == "allow" and e["identity"] == 1001 and e["saddr"] == "10.99.0.1"'

check "b denies db on ingress" idt b policy add tun-b ingress from 1002 deny
check_fails "db's ping dies at b" "" ping_from db tl-a 10.99.0.2
check "web's still passes" ping_from web tl-a 10.99.0.2
check "b's monitor: db denied on ingress" event "$MON_B" \
	'e["direction"] == "ingress" and e["action"] == "deny" and e["reason"] == "policy" and e["identity"] == 1002'
positive "b counted ingress policy drops" "$(value b 'd["drops"]["ingress_policy"]' show tun-b)"
check_output "db's packets never reached b's stack" "0" nft_packets b idt in db

# A sender that binds a cgroup to an identity b does not allow for it.
check "a binds db's cgroup to 1099" idt a identity bind tun-a 1099 cgroup /idtun-test/db
before=$(value b 'd["drops"]["label_not_allowed"]' show tun-b)
check_fails "1099's ping is dropped at b" "" ping_from db tl-a 10.99.0.2
after=$(value b 'd["drops"]["label_not_allowed"]' show tun-b)
check_true "b counted it ($before -> $after)" [ "$after" -gt "$before" ]
check "b's monitor: 1099 not allowed" event "$MON_B" \
	'e["action"] == "deny" and e["reason"] == "label-not-allowed" and e["identity"] == 1099'

# A Pod behind a, forwarded by a: its identity comes from its address.
check "bind the Pod's prefix to pod" idt a identity bind tun-a pod prefix 10.98.0.2/32
check "the Pod pings b" tl_in c ping -c 1 -W 2 10.99.0.2
check "b saw the Pod's identity" event "$MON_B" \
	'e["direction"] == "ingress" and e["identity"] == 1004 and e["saddr"] == "10.98.0.2"'

# ---- changing what is configured -------------------------------------------

# b takes back an identity it let a claim, then gives it again.
check "b no longer lets a claim pod" tl_set b peer "${TL_PUB[a]}" allowed-identities -1004
check_output "b lets a claim 1001, 1002 and 1005" "[1001, 1002, 1005]" \
	value b 'd["peers"][0]["allowed_identities"]' show tun-b
before=$(value b 'd["drops"]["label_not_allowed"]' show tun-b)
check_fails "the Pod's ping is dropped at b" "" tl_in c ping -c 1 -W 2 10.99.0.2
after=$(value b 'd["drops"]["label_not_allowed"]' show tun-b)
check_true "b counted it ($before -> $after)" [ "$after" -gt "$before" ]
check "b lets a claim pod again" tl_set b peer "${TL_PUB[a]}" allowed-identities +1004
check "the Pod pings b again" tl_in c ping -c 1 -W 2 10.99.0.2

# setconf replaces a's bindings and rules with those of the files, and
# syncconf brings the saved ones back.

# a_bindings: a's bindings, "IDENTITY CGROUP-OR-PREFIX" a line, sorted.
a_bindings() {
	value a '"\n".join(sorted("%d %s" % (i["identity"], b) for i in j["identities"]
		for b in [str(c["path"]) for c in i["cgroups"]] + i["prefixes"]))' \
		identity show tun-a
}

# a_config: a's bindings and rules, a line each, sorted.
a_config() {
	a_bindings &&
		value a '"\n".join(sorted(r["rule"] for r in j["rules"]))' policy list tun-a
}

# save_a: a's configuration, whole and its WireGuard half.
save_a() {
	idt a showconf tun-a >"$TL_DIR/a.conf" &&
		idt a showconf --wg tun-a >"$TL_DIR/a-wg.conf"
}

check "a allows web to b" idt a policy add tun-a egress from web to 10.99.0.0/24 allow
saved=$(a_config)
printf '%s\n' "$saved" | sed 's/^/# a before setconf: /'
check "showconf saves a's configuration" save_a
cat >"$TL_DIR/a-new.idtun" <<EOF
[Interface]
DefaultIdentity = 1005

[Peer]
PublicKey = ${TL_PUB[b]}
Labels = on
AllowedIdentities = 2001

[Identity]
Identity = 1001
Cgroup = /idtun-test/db

[Policy]
Rule = egress from 1005 to 10.99.0.2/32 proto icmp deny
EOF
check "setconf with new bindings and rules" \
	idt a setconf tun-a "$TL_DIR/a-wg.conf" "$TL_DIR/a-new.idtun"
check_output "a's bindings are the file's: db's cgroup is web's identity" \
	"1001 /idtun-test/db" a_bindings
check_output "a's rules are the file's one rule" "egress 1005 10.99.0.2/32 1 deny" \
	value a '"\n".join("%s %d %s %d %s" % (r["direction"], r["identity"], r["to"],
		r["protocol"], r["action"])
		for r in j["rules"])' policy list tun-a
web_before=$(nft_packets b idt in web)
check "db's cgroup pings b as web" ping_from db tl-a 10.99.0.2
web_after=$(nft_packets b idt in web)
check_true "b's nftables saw web's mark ($web_before -> $web_after)" \
	[ "${web_after:-0}" -gt "${web_before:-0}" ]
before=$(value a 'd["drops"]["egress_policy"]' show tun-a)
check_fails "web's cgroup, now unbound, sends as 1005 and is denied" "" \
	ping_from web tl-a 10.99.0.2
check_fails "the Pod, its prefix unbound, is denied too" "" tl_in c ping -c 1 -W 2 10.99.0.2
after=$(value a 'd["drops"]["egress_policy"]' show tun-a)
check_true "a counted both at egress ($before -> $after)" [ "$after" -ge $((before + 2)) ]
check "syncconf back to the saved configuration" idt a syncconf tun-a "$TL_DIR/a.conf"
check_output "a's bindings and rules are those saved" "$saved" a_config
check "web pings b again" ping_from web tl-a 10.99.0.2
check "the Pod pings b once more" tl_in c ping -c 1 -W 2 10.99.0.2
check "flush a's rules" idt a policy flush tun-a

# ---- 10,000 rules ----------------------------------------------------------

"$PY" - "$TL_DIR/rules.conf" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("[Policy]\n")
    for i in range(9999):
        f.write("Rule = egress from %d to 10.%d.%d.0/24 proto tcp port %d allow\n"
                % (20000 + i, 100 + i // 250, i % 250, 1 + i % 60000))
    f.write("Rule = egress from 1005 to 10.99.0.2/32 allow\n")
EOF
check "10,000 rules load" idt a addconf tun-a "$TL_DIR/rules.conf"
check_output "10,000 rules listed" "10000" value a 'len(j["rules"])' policy list tun-a
check "egress default deny under 10,000 rules" idt a policy default tun-a egress deny
check "a's traffic still passes" tl_ping a 10.99.0.2
tl_iperf "iperf3 a->b with 10,000 rules" a b 10.99.0.2
check "flush 10,000 rules" idt a policy flush tun-a
check "one rule" idt a policy add tun-a egress from 1005 to 10.99.0.2/32 allow
tl_iperf "iperf3 a->b with 1 rule" a b 10.99.0.2
check "egress default allow" idt a policy default tun-a egress allow

# ---- audit: who may listen, and the rate limit -----------------------------

check_fails "an unprivileged user cannot join the audit group" "CAP_NET_ADMIN" \
	ip netns exec tl-a setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all "$IDTUN" monitor
stop_bg
monitor a "$MON_A"
check "no rules" idt a policy flush tun-a
check "audit rate 1 per second, egress default deny" \
	idt a set tun-a audit-rate 1 egress-default deny
check_fails "a flood of denied pings" "" tl_in a ping -c 40 -i 0.02 -W 1 10.99.0.2
positive "suppressed events counted" "$(value a 'd["drops"]["audit_suppressed"]' show tun-a)"
sleep 1.5
check_fails "one more denied ping" "" tl_in a ping -c 1 -W 1 10.99.0.2
check "the next event says how many were suppressed" event "$MON_A" \
	'e["action"] == "deny" and e["suppressed"] > 0'
denies=$(grep -c '"action":"deny"' "$MON_A")
if [ "$denies" -le 5 ]; then
	tap_ok "at most a burst and a few events went out ($denies)"
else
	tap_not_ok "at most a burst and a few events went out ($denies)"
	grep '"action":"deny"' "$MON_A" | cut -c1-200 | sed 's/^/# /'
fi
check "audit rate back to 100, egress default allow" \
	idt a set tun-a audit-rate 100 egress-default allow

# ---- a stock WireGuard peer ------------------------------------------------

stop_bg

if modprobe wireguard 2>/dev/null || [ -d /sys/module/wireguard ]; then
	TL_B=wg
	tl_pair || { tap_not_ok "tunnel pair with wireguard.ko"; tap_end; exit 1; }
	check "idtun-wg: ping" tl_ping a 10.99.0.2
	check "idtun-wg: b gets identity 2000 at a" tl_set a peer "${TL_PUB[b]}" identity 2000
	check "idtun-wg: a's ingress default deny" idt a policy default tun-a ingress deny
	check_fails "idtun-wg: b cannot reach a" "" tl_in b ping -c 1 -W 2 10.99.0.1
	check "idtun-wg: allow 2000's ICMP to a" \
		idt a policy add tun-a ingress from 2000 to 10.99.0.1/32 proto icmp allow
	check "idtun-wg: b reaches a" tl_in b ping -c 1 -W 2 10.99.0.1
	positive "idtun-wg: the rule counted b's echo requests" \
		"$(value a '[r for r in j["rules"] if r["identity"] == 2000][0]["packets"]' policy list tun-a)"
	positive "idtun-wg: identity 2000 counted received packets" \
		"$(value a '[i for i in j["identities"] if i["identity"] == 2000][0]["rx_packets"]' identity show tun-a)"
	check "idtun-wg: b's identity at a becomes 2002" tl_set a peer "${TL_PUB[b]}" identity 2002
	check_output "idtun-wg: a shows b as 2002" "2002" value a 'd["peers"][0]["identity"]' show tun-a
	before=$(value a 'd["drops"]["ingress_policy"]' show tun-a)
	check_fails "idtun-wg: as 2002, b cannot reach a" "" tl_in b ping -c 1 -W 2 10.99.0.1
	after=$(value a 'd["drops"]["ingress_policy"]' show tun-a)
	check_true "idtun-wg: a counted the ingress drop ($before -> $after)" [ "$after" -gt "$before" ]
	check "idtun-wg: b's identity back to 2000" tl_set a peer "${TL_PUB[b]}" identity 2000
	check "idtun-wg: b reaches a again" tl_in b ping -c 1 -W 2 10.99.0.1
	check_output "idtun-wg: b saw nothing it could not read" "0" \
		tl_in b cat /sys/class/net/tun-b/statistics/rx_errors
	TL_B=idtun
else
	tap_skip "idtun-wg: stock peer's identity" "no wireguard module in this kernel"
fi

# ---- default deny: nothing crosses, nothing leaks --------------------------

stop_bg
tl_pair || { tap_not_ok "tunnel pair"; tap_end; exit 1; }
check "a and b ping before the lockdown" tl_ping a 10.99.0.2
tl_in a nft -f - <<-'EOF'
	table inet leak {
		chain out {
			type filter hook output priority 0;
			oifname "eth0" meta l4proto icmp counter comment "plain"
			oifname "eth0" udp sport 51820 @th,64,8 == 4 udp length > 40 counter comment "payload"
		}
	}
EOF
check "a denies both ways by default" \
	idt a set tun-a egress-default deny ingress-default deny
check_fails "a cannot ping b" "" tl_in a ping -c 3 -i 0.3 -W 1 10.99.0.2
check_fails "b cannot ping a" "" tl_in b ping -c 3 -i 0.3 -W 1 10.99.0.1
check_output "no plaintext ICMP left a's underlay" "0" nft_packets a leak out plain
check_output "a sent no data message with a payload" "0" nft_packets a leak out payload
positive "a counted the egress drops" "$(value a 'd["drops"]["egress_policy"]' show tun-a)"
positive "a counted the ingress drops" "$(value a 'd["drops"]["ingress_policy"]' show tun-a)"

tap_end
