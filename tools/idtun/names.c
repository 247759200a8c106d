// SPDX-License-Identifier: GPL-2.0
/* Identity names of the network namespace: read once, resolved, set. */

#include "idtun.h"
#include "ipc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static struct idtun_names cache;
static bool fetched;
static int fetch_error;

const struct idtun_names *netns_names(int *error)
{
	struct nl_error err;
	struct nl nl;
	int ret;

	if (!fetched) {
		fetched = true;
		ret = nl_open_idtun(&nl);
		if (!ret) {
			ret = ipc_get_names(&nl, &cache, &err);
			nl_close(&nl);
		}
		/* Without the module, the namespace has no names. */
		fetch_error = ret == -ENOENT ? 0 : ret;
	}
	*error = fetch_error;
	return fetch_error ? NULL : &cache;
}

static bool lookup(void *ctx, const char *name, uint32_t *id, char err[POLICY_ERR_LEN])
{
	const struct idtun_names *names;
	int error;

	(void)ctx;
	names = netns_names(&error);
	if (!names) {
		snprintf(err, POLICY_ERR_LEN, "cannot look up identity name '%s': %s", name,
			 strerror(-error));
		return false;
	}
	return policy_names_lookup((void *)names, name, id, err);
}

const struct name_resolver netns_resolver = { lookup, NULL };

static int set_name(struct nl *nl, uint32_t id, const char *name)
{
	struct nl_error err;
	char text[512];
	int ret = ipc_set_name(nl, id, name, &err);

	if (ret) {
		nl_format_error(text, sizeof(text), &err);
		fprintf(stderr, "%s: Unable to %s identity %u: %s\n", prog,
			*name ? "name" : "unname", id, text);
	}
	return ret;
}

int set_names(const struct idtun_names *want)
{
	struct idtun_names now = { 0 };
	const struct idtun_name *held, *had;
	struct nl_error err;
	struct nl nl;
	char text[512];
	size_t i;
	int ret;

	if (!want->n)
		return 0;
	ret = open_idtun(&nl);
	if (ret)
		return ret;
	ret = ipc_get_names(&nl, &now, &err);
	if (ret) {
		nl_format_error(text, sizeof(text), &err);
		fprintf(stderr, "%s: Unable to read identity names: %s\n", prog, text);
	}
	for (i = 0; !ret && i < want->n; i++) {
		had = names_by_id(&now, want->v[i].identity);
		if (had && !strcmp(had->name, want->v[i].name))
			continue;
		/* A name is unique in the namespace: take it from its holder first. */
		held = names_by_name(&now, want->v[i].name);
		if (held)
			ret = set_name(&nl, held->identity, "");
		if (!ret)
			ret = set_name(&nl, want->v[i].identity, want->v[i].name);
	}
	names_free(&now);
	nl_close(&nl);
	return ret;
}
