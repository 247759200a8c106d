// SPDX-License-Identifier: GPL-2.0
/* idtun: configure idtun tunnel devices, the way wg(8) configures WireGuard. */

#include "idtun.h"

#include <stdio.h>
#include <string.h>

const char *prog;

static const struct {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *help;
} subcommands[] = {
	{ "show", show_main, "Shows the current configuration and device information" },
	{ "showconf", showconf_main,
	  "Shows the current configuration of a given idtun interface, for use with `setconf'" },
	{ "set", set_main,
	  "Change the current configuration, add peers, remove peers, or change peers" },
	{ "setconf", setconf_main, "Applies configuration files to an idtun interface" },
	{ "addconf", setconf_main, "Appends configuration files to an idtun interface" },
	{ "syncconf", setconf_main, "Synchronizes configuration files to an idtun interface" },
	{ "identity", identity_main,
	  "Names identities, binds cgroups and prefixes to them, shows their counters" },
	{ "policy", policy_main, "Adds, removes and lists the policy rules of an idtun interface" },
	{ "monitor", monitor_main, "Prints the audit events of idtun interfaces as they happen" },
	{ "genkey", genkey_main, "Generates a new private key and writes it to stdout" },
	{ "genpsk", genpsk_main, "Generates a new preshared key and writes it to stdout" },
	{ "pubkey", pubkey_main, "Reads a private key from stdin and writes a public key to stdout" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", prog);
	fprintf(f, "Available subcommands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %s: %s\n", subcommands[i].name, subcommands[i].help);
	fprintf(f, "You may pass `--help' to any of these subcommands to view usage.\n");
}

int main(int argc, char *argv[])
{
	size_t i;

	prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	if (argc == 1) {
		char *show_argv[] = { argv[0], NULL };

		return show_main(1, show_argv);
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version") ||
	    !strcmp(argv[1], "version")) {
		printf("idtun-tools v%s\n", IDTUN_TOOL_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].main(argc - 1, argv + 1);
	}
	fprintf(stderr, "Invalid subcommand: `%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
