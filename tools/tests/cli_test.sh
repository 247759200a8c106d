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

# The configuration corpus through the command: every invalid file fails
# with its one line before the kernel is asked, every valid one gets there.
conf=$(cd "$(dirname "$0")/conf" && pwd)
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
"$idtun" help | grep -q "syncconf: Synchronizes configuration files"
ok $? "help lists the configuration commands"
"$idtun" --version | grep -qE '^idtun-tools v[0-9]+\.[0-9]+\.[0-9]+$'
ok $? "--version prints the release version"
tap_end
