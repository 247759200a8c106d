#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Holds the idtun tool against stock wg(8), without a kernel module: wg
# talks to a stand-in userspace implementation's control socket
# (wg_uapi.py), so
#   - every tests/conf/valid file, given to `wg setconf`, must reach the
#     socket as the request config_test expects (.expect files, but for
#     the lines starting with '+': what only idtun has); idtun-*.conf use
#     idtun's own keys, which stock wg rejects, and are skipped;
#   - the golden model, served to `wg show` and `wg showconf`, must print
#     exactly the golden files format_test checks.
# Needs root (it creates /var/run/wireguard/idtunx0.sock) and wg; not part
# of make check. Run it after changing a golden file or the corpus.
#
# usage: tools/tests/wg_crosscheck.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
dev=idtunx0
sock=/var/run/wireguard/$dev.sock
tmp=$(mktemp -d)
# shellcheck source=tools/tests/tap.sh
. "$(dirname "$0")/tap.sh"

mkdir -p /var/run/wireguard
/usr/bin/python3 "$here/wg_uapi.py" serve "$sock" "$tmp/state" "$tmp/log" &
server=$!
trap 'kill $server; rm -rf "$tmp" "$sock"' EXIT
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$sock" ] && break; sleep 0.2; done

echo "TAP version 13"
for conf in "$here"/conf/valid/*.conf; do
	name=$(basename "$conf" .conf)
	if [[ $name == idtun-* ]]; then
		n=$((n + 1))
		echo "ok $n - valid/$name.conf # SKIP idtun's own keys"
		continue
	fi
	rm -f "$tmp/log"
	# wg-quick's own keys are wg-quick's to strip.
	grep -viE '^[[:space:]]*(Address|DNS|MTU|Table|PreUp|PostUp|PreDown|PostDown|SaveConfig)[[:space:]]*=' \
		"$conf" >"$tmp/conf"
	wg setconf "$dev" "$tmp/conf" 2>/dev/null &&
		/usr/bin/python3 "$here/wg_uapi.py" describe "$tmp/log" >"$tmp/got" &&
		diff -u <(grep -v '^+' "$here/conf/valid/$name.expect") "$tmp/got"
	ok $? "wg setconf parses valid/$name.conf as idtun does"
done

golden=$here/golden
now=1700000063
to_wg() { sed "s/idtun0/$dev/g" "$1"; }
# Fields carry absolute times: serve the model's own.
/usr/bin/python3 "$here/wg_uapi.py" state "$golden/field-dump-all" 0 >"$tmp/state"
for f in public-key private-key listen-port fwmark peers preshared-keys endpoints \
	allowed-ips latest-handshakes persistent-keepalive transfer dump; do
	diff -u <(to_wg "$golden/field-$f") <(wg show "$dev" "$f")
	ok $? "wg show DEV $f"
	if [ "$f" = endpoints ]; then
		# wg 1.0.20210914 names the device only before the first peer
		# here, unlike every other field; idtun names it on every line.
		n=$((n + 1))
		echo "ok $n - wg show all $f # SKIP wg omits the device name after the first line"
		continue
	fi
	diff -u <(to_wg "$golden/field-$f-all") <(wg show all "$f")
	ok $? "wg show all $f"
done
diff -u <(to_wg "$golden/showconf") <(wg showconf "$dev")
ok $? "wg showconf"
# The pretty format counts from now: move the handshakes by as much.
for _ in 1 2 3; do
	t=$(date +%s)
	/usr/bin/python3 "$here/wg_uapi.py" state "$golden/field-dump-all" $((t - now)) >"$tmp/state"
	WG_COLOR_MODE=never wg show "$dev" >"$tmp/pretty"
	WG_COLOR_MODE=always wg show "$dev" >"$tmp/pretty-color"
	WG_COLOR_MODE=never WG_HIDE_KEYS=never wg show "$dev" >"$tmp/pretty-keys"
	[ "$(date +%s)" = "$t" ] && break
done
for f in pretty pretty-color pretty-keys; do
	diff -u <(to_wg "$golden/$f") "$tmp/$f"
	ok $? "wg show DEV ($f)"
done
tap_end
