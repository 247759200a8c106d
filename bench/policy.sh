#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark: what identities and policy cost on the data path. TCP
# throughput (iperf3, the median of several runs) through:
#   wg          two stock wireguard.ko devices: the reference
#   idtun       two idtun devices, no identities, no rules
#   labels-1    labels on both ways, egress default deny, 1 rule
#   labels-10k  the same with 10,000 rules (the same one allows)
# and the memory 10,000 rules take. Under TCG only ratios within one run
# mean anything; each target is a ratio, and a run that misses one fails.
#
# usage: bench/policy.sh [-k KERNEL]  (starts itself in the VM)

# shellcheck source=selftests/tunnel-lib.sh
. "$(dirname "$0")/../selftests/tunnel-lib.sh"

RUNS=${BENCH_RUNS:-3}
TL_IPERF_TIME=${BENCH_TIME:-4}
# Targets: a throughput at least this share of another's.
TARGET_RULES=0.85	# 10,000 rules against 1
TARGET_LABELS=0.80	# labels and 1 rule against plain idtun
TARGET_WG=0.50		# plain idtun against wireguard.ko
TARGET_RULE_BYTES=2048	# kernel memory per rule, at most (2 vCPUs)
declare -A MBPS

idt() {
	tl_in "$1" "$IDTUN" "${@:2}"
}

# measure NAME: the median of RUNS iperf3 runs a->b, in MBPS[NAME].
measure() {
	local name=$1 i rates=()
	for ((i = 0; i < RUNS; i++)); do
		tl_iperf "$name run $i" a b 10.99.0.2
		rates+=("${TL_IPERF_MBPS:-0}")
	done
	MBPS[$name]=$(printf '%s\n' "${rates[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
	echo "# $name: median ${MBPS[$name]} Mbit/s"
}

# target DESC A B MIN: MBPS[A] / MBPS[B] is at least MIN.
target() {
	local ratio
	ratio=$(awk -v a="${MBPS[$2]:-0}" -v b="${MBPS[$3]:-0}" \
		'BEGIN { if (b > 0) printf "%.2f", a / b; else print 0 }')
	check_true "$1: $2/$3 = $ratio (target >= $4)" \
		awk -v r="$ratio" -v m="$4" 'BEGIN { exit !(r >= m) }'
}

mem_kb() {
	awk '/^(Slab|Percpu|VmallocUsed):/ { s += $2 } END { print s }' /proc/meminfo
}

tl_kinds_ok idtun
if modprobe wireguard 2>/dev/null || [ -d /sys/module/wireguard ]; then
	TL_A=wg TL_B=wg
	tl_pair && check "wg: ping" tl_ping a 10.99.0.2 && measure wg
fi

TL_A=idtun TL_B=idtun
tl_pair || { tap_not_ok "idtun pair"; tap_end; exit 1; }
check "idtun: ping" tl_ping a 10.99.0.2
measure idtun

check "labels both ways, identities 1 and 2" \
	bash -c "ip netns exec tl-a $IDTUN set tun-a default-identity 1 peer ${TL_PUB[b]} labels on allowed-identities 2 &&
		ip netns exec tl-b $IDTUN set tun-b default-identity 2 peer ${TL_PUB[a]} labels on allowed-identities 1"
check "egress default deny, 1 rule" \
	bash -c "ip netns exec tl-a $IDTUN policy default tun-a egress deny &&
		ip netns exec tl-a $IDTUN policy add tun-a egress from 1 to 10.99.0.2/32 proto tcp port 5201 allow"
check "labels-1: ping is denied, TCP 5201 is not" \
	bash -c "! ip netns exec tl-a ping -c 1 -W 1 10.99.0.2"
measure labels-1

# The rules sit where the lookup goes: 5,000 more of identity 1's under
# 10.0.0.0/8, 2,999 of any identity, and 2,000 on the destination's own
# prefix, each for other ports (compiled into one port map).
"$PY" - "$TL_DIR/rules.conf" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("[Policy]\n")
    for i in range(5000):
        f.write("Rule = egress from 1 to 10.%d.%d.0/24 proto tcp port %d allow\n"
                % (100 + i // 250, i % 250, 1 + i))
    for i in range(2999):
        f.write("Rule = egress to 10.%d.%d.0/24 proto udp deny\n"
                % (150 + i // 250, i % 250))
    for i in range(2000):
        f.write("Rule = egress from 1 to 10.99.0.2/32 proto tcp port %d allow\n"
                % (10000 + i))
PY
sync
before=$(mem_kb)
start=$(date +%s.%N)
check "load 9,999 more rules" idt a addconf tun-a "$TL_DIR/rules.conf"
end=$(date +%s.%N)
after=$(mem_kb)
check_output "10,000 rules" "10000" bash -c \
	"ip netns exec tl-a $IDTUN policy list tun-a | grep -c '^egress'"
per_rule=$(((after - before) * 1024 / 9999))
echo "# 9,999 rules loaded in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s;" \
	"kernel memory +$((after - before)) kB"
check_true "memory per rule: $per_rule bytes (target <= $TARGET_RULE_BYTES)" \
	[ "$per_rule" -le "$TARGET_RULE_BYTES" ]
measure labels-10k

target "rule count does not slow the data path" labels-10k labels-1 "$TARGET_RULES"
target "labels and policy cost little" labels-1 idtun "$TARGET_LABELS"
[ -z "${MBPS[wg]:-}" ] || target "idtun against wireguard.ko" idtun wg "$TARGET_WG"
tap_end
