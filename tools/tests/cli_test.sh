#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The idtun command without a kernel module: key subcommands, argument and
# configuration errors (all caught before the kernel is asked), listing; run
# against the given binary (the ASan+UBSan build in make check), with stock
# wg as the reference for key derivation.
#
# usage: tools/tests/cli_test.sh IDTUN
set -u
idtun=${1:?usage: cli_test.sh IDTUN}
idtun=$(cd "$(dirname "$idtun")" && pwd)/$(basename "$idtun")
# shellcheck source=tools/tests/tap.sh
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
key=$("$idtun" genkey)
ok $? "genkey succeeds"
[ ${#key} = 44 ] && [ "$(echo "$key" | base64 -d | wc -c)" = 32 ]
ok $? "genkey prints 32 bytes in 44 characters of base64"
[ "$(echo "$key" | "$idtun" pubkey)" = "$(echo "$key" | wg pubkey)" ]
ok $? "pubkey agrees with wg pubkey"
[ "$(printf '%s  \n\n' "$key" | "$idtun" pubkey)" = "$(echo "$key" | wg pubkey)" ]
ok $? "pubkey accepts trailing whitespace"
psk=$("$idtun" genpsk)
[ ${#psk} = 44 ] && [ "$psk" != "$("$idtun" genpsk)" ]
ok $? "genpsk prints fresh 44-character keys"
out=$(echo "not a key" | "$idtun" pubkey 2>&1)
[ $? = 1 ] && [[ $out == *"Key is not the correct length or format"* ]]
ok $? "pubkey rejects garbage with one line and status 1"
out=$(printf '%s\n%s\n' "$key" "$key" | "$idtun" pubkey 2>&1)
[ $? = 1 ] && [[ $out == *"not the correct length"* ]]
ok $? "pubkey rejects two keys"
out=$(echo "$key" | "$idtun" pubkey extra 2>&1)
[ $? = 1 ] && [[ $out == *"Usage:"* ]]
ok $? "pubkey takes no arguments"
out=$("$idtun" bogus 2>&1)
[ $? = 1 ] && [[ $out == *"Invalid subcommand: \`bogus'"* ]]
ok $? "unknown subcommand named"
out=$("$idtun" set 2>&1)
[ $? = 1 ] && [[ $out == *"Usage:"* ]]
ok $? "set without an interface: usage"
out=$("$idtun" set idtun0 bogus 1 2>&1)
[ $? = 1 ] && [ "$out" = "idtun: Invalid argument: bogus" ]
ok $? "set names an option it does not know"

# Everything is parsed and checked before the kernel is asked; this host
# has no idtun module, so a request that gets that far says so.
unloaded="idtun: the idtun kernel module is not loaded"
K1=NtZubLQhKZLkr2PNGRN0mtdjhAEQsAgKHObNRuEhl0M=
# expect DESCRIPTION WANT ARGS...: exit status 1 and exactly WANT on stderr
# (WANT ending in * matches a prefix).
expect() {
	local desc=$1 want=$2 out rc match=1
	shift 2
	out=$("$idtun" "$@" 2>&1 >/dev/null)
	rc=$?
	# shellcheck disable=SC2053 # WANT may be a pattern
	[[ $out == $want ]] && match=0
	[ "$rc" = 1 ] && [ "$match" = 0 ]
	ok $? "$desc"
	[ "$match" = 0 ] || echo "# got: $out"
}
expect "set: a valid request reaches the kernel" "$unloaded*" \
	set idtun0 listen-port 51820 fwmark 0x10 private-key <(echo "$key") \
	peer "$K1" preshared-key <(echo "$psk") endpoint 192.0.2.1:51820 \
	persistent-keepalive 25 allowed-ips "10.0.0.1/32, fd00::/64" update-only
expect "set: peer removal" "$unloaded*" set idtun0 peer "$K1" remove
expect "set: incremental allowed-ips" "$unloaded*" \
	set idtun0 peer "$K1" allowed-ips +10.0.0.3/32,-10.0.0.1/32
expect "set: empty key files remove keys" "$unloaded*" \
	set idtun0 private-key /dev/null peer "$K1" preshared-key /dev/null
expect "set: bad peer key" "idtun: peer: invalid key 'abc'" set idtun0 peer abc
expect "set: bad CIDR" "idtun: allowed-ips: invalid prefix length in '10.0.0.0/33'" \
	set idtun0 peer "$K1" allowed-ips 10.0.0.0/33
expect "set: bad address" "idtun: allowed-ips: invalid address '10.0.0.300'" \
	set idtun0 peer "$K1" allowed-ips 10.0.0.1,10.0.0.300
expect "set: bad port" "idtun: listen-port: invalid port '65536'" \
	set idtun0 listen-port 65536
expect "set: bad fwmark" "idtun: fwmark: invalid fwmark 'x' (0 to 0xffffffff, or off)" \
	set idtun0 fwmark x
expect "set: bad keepalive" \
	"idtun: persistent-keepalive: invalid interval '70000' (0 to 65535, or off)" \
	set idtun0 peer "$K1" persistent-keepalive 70000
expect "set: endpoint without a port" "idtun: endpoint: missing port in '192.0.2.1'" \
	set idtun0 peer "$K1" endpoint 192.0.2.1
expect "set: missing key file" \
	"idtun: private-key: cannot open '/nonexistent': No such file or directory" \
	set idtun0 private-key /nonexistent
expect "set: a key file with junk" "idtun: preshared-key: '/dev/fd/*' does not hold a key*" \
	set idtun0 peer "$K1" preshared-key <(echo "$psk junk")
expect "set: device options come before peers" "idtun: Invalid argument: listen-port" \
	set idtun0 peer "$K1" listen-port 1
expect "set: an option without its value" "idtun: Invalid argument: endpoint" \
	set idtun0 peer "$K1" endpoint
expect "set: name too long" "idtun: Interface name \`abcdefghijklmnopq' is too long" \
	set abcdefghijklmnopq
expect "show: unknown device without the module" "$unloaded*" show idtun0
expect "show: unknown field" "Invalid parameter: \`bogus'*" show idtun0 bogus
expect "show: --json takes no field" "Usage: *" show --json idtun0 dump
expect "showconf: usage" 'Usage: idtun showconf \[--wg | --idtun\] <interface>' showconf
expect "setconf: usage" \
	'Usage: idtun setconf <interface> <configuration filename> \[<configuration filename>...\]' \
	setconf idtun0
expect "setconf: missing file" "idtun: /nonexistent.conf: No such file or directory" \
	setconf idtun0 /nonexistent.conf

# Identities, policy and the idtun settings of set: every argument is
# checked first; names resolve in the namespace, which without the module
# has none.
expect "set: default identity by an unknown name" \
	"idtun: default-identity: unknown identity name 'web'" set idtun0 default-identity web
expect "set: idtun settings reach the kernel" "$unloaded*" \
	set idtun0 default-identity 1001 mark-mask 0xff00 egress-default deny \
	ingress-default Allow audit-rate 0 peer "$K1" labels on identity 0 \
	allowed-identities "+1001, -1002"
expect "set: bad mark mask" "idtun: mark-mask: invalid mark mask '0x1ffffffff' (0 to 0xffffffff)" \
	set idtun0 mark-mask 0x1ffffffff
expect "set: bad default action" "idtun: egress-default: invalid action 'drop' (allow or deny)" \
	set idtun0 egress-default drop
expect "set: bad audit rate" "idtun: audit-rate: invalid audit rate '-1' (0 to 1000000)" \
	set idtun0 audit-rate -1
expect "set: bad labels" "idtun: labels: invalid labels 'yes' (on or off)" \
	set idtun0 peer "$K1" labels yes
expect "set: peer identity by an unknown name" "idtun: identity: unknown identity name 'db'" \
	set idtun0 peer "$K1" identity db
expect "set: identity 0 cannot be allowed" \
	"idtun: allowed-identities: identity 0 (unlabelled) is not allowed here" \
	set idtun0 peer "$K1" allowed-identities 1,0
expect "set: peer options need a peer" "idtun: Invalid argument: labels" set idtun0 labels on
expect "set: device options come before peers (idtun's too)" \
	"idtun: Invalid argument: audit-rate" set idtun0 peer "$K1" audit-rate 5

expect "identity: usage" "Usage: idtun identity *" identity
expect "identity: unknown verb" "idtun: Invalid argument: rename*" identity rename 1 web
expect "identity add: a number first" "idtun: identity: invalid identity 'web' (a number)" \
	identity add web 1001
expect "identity add: a name that is a number" "idtun: name: identity name '42' is a number" \
	identity add 1001 42
expect "identity add: a name with a blank" \
	"idtun: name: invalid identity name 'a b' (printable, without blanks, ',' or '#')" \
	identity add 1001 "a b"
expect "identity add: reaches the kernel" "$unloaded*" identity add 1001 web
expect "identity del: an unknown name" "idtun: identity: unknown identity name 'web'" \
	identity del web
expect "identity del: by number, reaches the kernel" "$unloaded*" identity del 1001
expect "identity bind: cgroup or prefix" \
	"idtun: Invalid argument: socket (expected cgroup or prefix)" \
	identity bind idtun0 1001 socket 5
expect "identity bind: an unknown name" "idtun: identity: unknown identity name 'web'" \
	identity bind idtun0 web cgroup /system.slice/web.service
expect "identity bind: not identity 0" \
	"idtun: identity: identity 0 (unlabelled) is not allowed here" \
	identity bind idtun0 0 prefix 10.0.0.0/8
expect "identity bind: a relative cgroup path" "idtun: cgroup: invalid cgroup 'web.service'*" \
	identity bind idtun0 1001 cgroup web.service
expect "identity bind: a bad prefix" "idtun: prefix: invalid prefix length in '10.0.0.0/40'" \
	identity bind idtun0 1001 prefix 10.0.0.0/40
expect "identity bind: reaches the kernel" "$unloaded*" \
	identity bind idtun0 1001 cgroup /system.slice/web.service
expect "identity unbind: reaches the kernel" "$unloaded*" \
	identity unbind idtun0 1001 prefix 10.1.0.0/24
expect "identity bind: too few arguments" "Usage: idtun identity *" identity bind idtun0 1001 cgroup
expect "identity show: reaches the kernel" "$unloaded*" identity show idtun0 --json
expect "identity show: only --json" "Usage: idtun identity *" identity show idtun0 --yaml
out=$("$idtun" identity list) && [ -z "$out" ] && [ "$("$idtun" identity list --json)" = "[]" ]
ok $? "identity list: without the module the namespace has no names"

expect "policy: usage" "Usage: idtun policy *" policy
expect "policy add: a bad direction" \
	"idtun: rule: a rule starts with egress or ingress, not 'outbound'" \
	policy add idtun0 outbound deny
expect "policy add: no action" "idtun: rule: a rule ends with allow or deny" \
	policy add idtun0 egress to 10.0.0.0/8
expect "policy add: port without proto" "idtun: rule: port needs proto tcp, udp, udplite or sctp" \
	policy add idtun0 egress to 10.0.0.0/8 port 443 allow
expect "policy add: port with icmp" "idtun: rule: port needs proto tcp, udp, udplite or sctp" \
	policy add idtun0 egress proto icmp port 1 allow
expect "policy add: an unknown name" "idtun: rule: unknown identity name 'web'" \
	policy add idtun0 egress from web deny
expect "policy add: a word too many" "idtun: rule: 'to' after the action 'deny'" \
	policy add idtun0 egress deny to any
expect "policy add: an unknown word" \
	"idtun: rule: expected from, to, proto, port, allow or deny, not 'via'" \
	policy add idtun0 egress via 10.0.0.1 deny
expect "policy add: a bad protocol" \
	"idtun: rule: invalid protocol 'gre' (tcp, udp, icmp, ipv6-icmp, sctp, udplite, 0 to 255, or any)" \
	policy add idtun0 egress proto gre deny
expect "policy add: a bad port range" "idtun: rule: invalid port '9-1' (N or N-M, 0 to 65535)" \
	policy add idtun0 egress proto tcp port 9-1 deny
expect "policy add: reaches the kernel" "$unloaded*" \
	policy add idtun0 egress from 1001 to 10.2.0.0/16 proto tcp port 443 allow
expect "policy add: one quoted argument, a listing's comment" "$unloaded*" \
	policy add idtun0 "ingress from 0 deny	# 5 packets, 420 bytes"
expect "policy add: a listing's default line" "$unloaded*" policy add idtun0 default egress deny
expect "policy del: without the action" "$unloaded*" policy del idtun0 egress from 1001
expect "policy del: a bad rule" "idtun: rule: a rule starts with egress or ingress" \
	policy del idtun0
expect "policy default: bad words" \
	"idtun: default: expected egress or ingress, then allow or deny" \
	policy default idtun0 outbound deny
expect "policy default: bad action" "idtun: default: invalid action 'drop' (allow or deny)" \
	policy default idtun0 egress drop
expect "policy default: reaches the kernel" "$unloaded*" policy default idtun0 ingress deny
expect "policy flush: reaches the kernel" "$unloaded*" policy flush idtun0
expect "policy flush: nothing more" "Usage: idtun policy *" policy flush idtun0 now
expect "policy list: reaches the kernel" "$unloaded*" policy list idtun0 --json
expect "monitor: reaches the kernel" "$unloaded*" monitor idtun0 --json
expect "monitor: usage" "Usage: idtun monitor [[]<interface>] [[]--json]" monitor --yaml
expect "showconf --idtun: reaches the kernel" "$unloaded*" showconf --idtun idtun0
expect "showconf --wg: reaches the kernel" "$unloaded*" showconf --wg idtun0

# A wg file and its companion; an error in the second names the second.
conf=$(cd "$(dirname "$0")/conf" && pwd)
expect "setconf: two files reach the kernel" "$unloaded*" \
	setconf idtun0 "$conf/valid/full.conf" "$conf/valid/idtun-companion.conf"
expect "syncconf: an error in the second file names it" \
	"idtun: $conf/invalid/idtun-labels.conf:3: Labels: invalid labels 'yes' (on or off)" \
	syncconf idtun0 "$conf/valid/full.conf" "$conf/invalid/idtun-labels.conf"
expect "addconf: a missing second file" "idtun: /nonexistent.conf: No such file or directory" \
	addconf idtun0 "$conf/valid/full.conf" /nonexistent.conf

# The configuration corpus through the command: every invalid file fails
# with its one line before the kernel is asked, every valid one gets there.
for f in "$conf"/invalid/*.conf; do
	want="idtun: $(cat "${f%.conf}.err")"
	for cmd in setconf addconf syncconf; do
		out=$(cd "$conf/invalid" && IDTUN_ENDPOINT_RESOLUTION_RETRIES=0 \
			"$idtun" "$cmd" idtun0 "$(basename "$f")" 2>&1)
		[ $? = 1 ] && [ "$out" = "$want" ]
		ok $? "$cmd $(basename "$f"): $want"
	done
done
for f in "$conf"/valid/*.conf; do
	out=$("$idtun" setconf idtun0 "$f" 2>&1)
	[ $? = 1 ] && [[ $out == *"$unloaded"* ]]
	ok $? "setconf $(basename "$f") gets as far as the kernel"
done

# Listing uses rtnetlink, which works without the module: no devices here.
[ -z "$("$idtun" show interfaces)" ] && [ -z "$("$idtun" show all dump)" ] &&
	[ -z "$("$idtun")" ]
ok $? "no idtun devices: show, show interfaces and show all print nothing"
[ "$("$idtun" show --json)" = "[]" ] && [ "$("$idtun" show --json interfaces)" = "[]" ]
ok $? "no idtun devices: JSON lists are empty"
"$idtun" help | grep -q "syncconf: Synchronizes configuration files" &&
	"$idtun" help | grep -q "identity: " && "$idtun" help | grep -q "policy: " &&
	"$idtun" help | grep -q "monitor: "
ok $? "help lists the configuration, identity, policy and monitor commands"
"$idtun" --version | grep -qE '^idtun-tools v[0-9]+\.[0-9]+\.[0-9]+$'
ok $? "--version prints the release version"
tap_end
