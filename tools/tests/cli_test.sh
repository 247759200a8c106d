#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The idtun command's key subcommands and argument errors, run against the
# given binary (the ASan+UBSan build in make check), with stock wg as the
# reference for key derivation.
#
# usage: tools/tests/cli_test.sh IDTUN
set -u
idtun=${1:?usage: cli_test.sh IDTUN}
n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

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
out=$("$idtun" set idtun0 listen-port 1 2>&1)
[ $? = 1 ] && [[ $out == *"Invalid argument: listen-port"* ]]
ok $? "set names an option it does not know"
"$idtun" --version | grep -qE '^idtun-tools v[0-9]+\.[0-9]+\.[0-9]+$'
ok $? "--version prints the release version"
echo "1..$n"
[ "$failed" = 0 ]
