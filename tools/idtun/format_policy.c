// SPDX-License-Identifier: GPL-2.0
/* identity show, identity list, policy list and monitor output; see format.h. */

#include "format.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

static void print_cgroup(FILE *f, const struct idtun_binding *b)
{
	if (b->cgroup && b->cgroup_id)
		fprintf(f, "%s (id %" PRIu64 ")", b->cgroup, b->cgroup_id);
	else if (b->cgroup)
		fputs(b->cgroup, f);
	else
		fprintf(f, "id %" PRIu64, b->cgroup_id);
}

static bool is_cgroup(const struct idtun_binding *b)
{
	return b->cgroup || !b->prefix.family;
}

/* "  cgroups: a, b" or "  prefixes: x, y" when there are any. */
static void print_bindings(FILE *f, const struct idtun_identity *id, bool cgroups,
			   const struct format_opts *o)
{
	char prefix[INET6_ADDRSTRLEN + 8];
	const char *sep = "";
	size_t i;

	for (i = 0; i < id->nbindings; i++) {
		const struct idtun_binding *b = &id->bindings[i];

		if (is_cgroup(b) != cgroups)
			continue;
		if (!*sep)
			fprintf(f, "  %s%s%s: ", C(o, BOLD), cgroups ? "cgroups" : "prefixes",
				C(o, RESET));
		fputs(sep, f);
		if (cgroups) {
			print_cgroup(f, b);
		} else {
			policy_prefix_text(prefix, sizeof(prefix), &b->prefix);
			fputs(prefix, f);
		}
		sep = ", ";
	}
	if (*sep)
		fputc('\n', f);
}

static void print_counters(FILE *f, const char *what, uint64_t packets, uint64_t bytes,
			   uint64_t dropped, const struct format_opts *o)
{
	if (!packets && !bytes && !dropped)
		return;
	fprintf(f, "  %s%s%s: %" PRIu64 " packet%s, ", C(o, BOLD), what, C(o, RESET), packets,
		packets == 1 ? "" : "s");
	format_bytes(f, bytes, o);
	fprintf(f, ", %" PRIu64 " dropped\n", dropped);
}

void format_identities(FILE *f, const struct idtun_device *dev, const struct format_opts *o)
{
	char label[POLICY_ID_LEN];
	size_t i;

	for (i = 0; i < dev->nidentities; i++) {
		const struct idtun_identity *id = &dev->identities[i];

		fprintf(f, "%s%s%sidentity%s: %s%s%s\n", i ? "\n" : "", C(o, GREEN), C(o, BOLD),
			C(o, RESET), C(o, GREEN),
			policy_identity_label(label, id->identity, id->name), C(o, RESET));
		print_bindings(f, id, true, o);
		print_bindings(f, id, false, o);
		print_counters(f, "sent", id->tx_packets, id->tx_bytes, id->tx_dropped, o);
		print_counters(f, "received", id->rx_packets, id->rx_bytes, id->rx_dropped, o);
	}
}

static void json_head(FILE *f, const struct idtun_device *dev)
{
	fputs("{\n  \"interface\": ", f);
	format_json_string(f, dev->name);
	fprintf(f, ",\n  \"ifindex\": %u,\n", dev->ifindex);
}

void format_identities_json(FILE *f, const struct idtun_device *dev)
{
	char prefix[INET6_ADDRSTRLEN + 8];
	const char *sep;
	size_t i, j;

	json_head(f, dev);
	fputs("  \"identities\": [", f);
	for (i = 0; i < dev->nidentities; i++) {
		const struct idtun_identity *id = &dev->identities[i];

		fprintf(f, "%s    {\n      \"identity\": %u,\n", i ? ",\n" : "\n", id->identity);
		format_json_key(f, id->name[0] ? id->name : NULL, 3, "name", false);
		fputs("      \"cgroups\": [", f);
		for (j = 0, sep = ""; j < id->nbindings; j++) {
			if (!is_cgroup(&id->bindings[j]))
				continue;
			fprintf(f, "%s{\"path\": ", sep);
			if (id->bindings[j].cgroup)
				format_json_string(f, id->bindings[j].cgroup);
			else
				fputs("null", f);
			fprintf(f, ", \"id\": %" PRIu64 "}", id->bindings[j].cgroup_id);
			sep = ", ";
		}
		fputs("],\n      \"prefixes\": [", f);
		for (j = 0, sep = ""; j < id->nbindings; j++) {
			if (is_cgroup(&id->bindings[j]))
				continue;
			policy_prefix_text(prefix, sizeof(prefix), &id->bindings[j].prefix);
			fprintf(f, "%s\"%s\"", sep, prefix);
			sep = ", ";
		}
		fprintf(f, "],\n"
			"      \"tx_packets\": %" PRIu64 ",\n      \"tx_bytes\": %" PRIu64 ",\n"
			"      \"tx_dropped\": %" PRIu64 ",\n      \"rx_packets\": %" PRIu64 ",\n"
			"      \"rx_bytes\": %" PRIu64 ",\n      \"rx_dropped\": %" PRIu64 "\n    }",
			id->tx_packets, id->tx_bytes, id->tx_dropped, id->rx_packets, id->rx_bytes,
			id->rx_dropped);
	}
	fputs(dev->nidentities ? "\n  ]\n}\n" : "]\n}\n", f);
}

void format_policy(FILE *f, const struct idtun_device *dev, const struct idtun_names *names)
{
	char rule[POLICY_RULE_LEN];
	size_t i;

	fprintf(f, "default egress %s\ndefault ingress %s\n",
		policy_action_name(device_setting(dev, DEV_HAS_EGRESS_DEFAULT)),
		policy_action_name(device_setting(dev, DEV_HAS_INGRESS_DEFAULT)));
	for (i = 0; i < dev->nrules; i++) {
		const struct idtun_rule *r = &dev->rules[i];

		fputs(policy_rule_text(rule, r, names, true), f);
		if (r->has & RULE_HAS_COUNTERS)
			fprintf(f, "\t# %" PRIu64 " packets, %" PRIu64 " bytes", r->packets,
				r->bytes);
		fputc('\n', f);
	}
}

void format_policy_json(FILE *f, const struct idtun_device *dev,
			const struct idtun_names *names)
{
	char text[POLICY_RULE_LEN], id[POLICY_ID_LEN], prefix[INET6_ADDRSTRLEN + 8];
	const struct idtun_name *n;
	size_t i;

	json_head(f, dev);
	fprintf(f, "  \"egress_default\": \"%s\",\n  \"ingress_default\": \"%s\",\n",
		policy_action_name(device_setting(dev, DEV_HAS_EGRESS_DEFAULT)),
		policy_action_name(device_setting(dev, DEV_HAS_INGRESS_DEFAULT)));
	fputs("  \"rules\": [", f);
	for (i = 0; i < dev->nrules; i++) {
		const struct idtun_rule *r = &dev->rules[i];
		bool has_id = r->has & RULE_HAS_IDENTITY, ports = r->has & RULE_HAS_PORTS;

		fprintf(f, "%s    {\n", i ? ",\n" : "\n");
		format_json_key(f, policy_rule_text(text, r, names, true), 3, "rule", false);
		fprintf(f, "      \"direction\": \"%s\",\n", policy_direction_name(r->direction));
		snprintf(id, sizeof(id), "%u", r->identity);
		fprintf(f, "      \"identity\": %s,\n", has_id ? id : "null");
		n = has_id ? names_by_id(names, r->identity) : NULL;
		format_json_key(f, n ? n->name : NULL, 3, "name", false);
		if (r->to.family)
			policy_prefix_text(prefix, sizeof(prefix), &r->to);
		format_json_key(f, r->to.family ? prefix : NULL, 3, "to", false);
		if (r->protocol)
			fprintf(f, "      \"protocol\": %u,\n", r->protocol);
		else
			fputs("      \"protocol\": null,\n", f);
		if (ports)
			fprintf(f, "      \"port_min\": %u,\n      \"port_max\": %u,\n", r->port_min,
				r->port_max);
		else
			fputs("      \"port_min\": null,\n      \"port_max\": null,\n", f);
		fprintf(f, "      \"action\": \"%s\",\n", policy_action_name(r->action));
		fprintf(f, "      \"packets\": %" PRIu64 ",\n      \"bytes\": %" PRIu64 "\n    }",
			r->packets, r->bytes);
	}
	fputs(dev->nrules ? "\n  ]\n}\n" : "]\n}\n", f);
}

void format_names(FILE *f, const struct idtun_names *names)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		fprintf(f, "%u\t%s\n", names->v[i].identity, names->v[i].name);
}

void format_names_json(FILE *f, const struct idtun_names *names)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < names->n; i++) {
		fprintf(f, "%s  {\"identity\": %u, \"name\": ", i ? ",\n" : "\n",
			names->v[i].identity);
		format_json_string(f, names->v[i].name);
		fputc('}', f);
	}
	fputs(names->n ? "\n]\n" : "]\n", f);
}

/* name, or the number when there is none (a newer kernel's value, say). */
static const char *name_or_number(char out[12], const char *name, uint32_t v)
{
	if (name)
		return name;
	snprintf(out, 12, "%u", v);
	return out;
}

static const char *addr_text(char out[INET6_ADDRSTRLEN], uint16_t family, const uint8_t *addr)
{
	if (!family || !inet_ntop(family, addr, out, INET6_ADDRSTRLEN))
		snprintf(out, INET6_ADDRSTRLEN, "?");
	return out;
}

/* The names an event knows: its identity's, which is its rule's too. */
static void event_names(const struct idtun_event *ev, struct idtun_names *names,
			struct idtun_name *one)
{
	one->identity = ev->identity;
	snprintf(one->name, sizeof(one->name), "%s", ev->name);
	names->v = one;
	names->n = ev->name[0] ? 1 : 0;
	names->cap = 1;
}

static void print_endpoint(FILE *f, const struct idtun_event *ev, const uint8_t *addr,
			   bool has_port, uint16_t port)
{
	char text[INET6_ADDRSTRLEN];

	addr_text(text, ev->family, addr);
	if (!has_port)
		fputs(text, f);
	else if (ev->family == AF_INET6)
		fprintf(f, "[%s]:%u", text, port);
	else
		fprintf(f, "%s:%u", text, port);
}

void format_event(FILE *f, const struct idtun_event *ev)
{
	char key[IDTUN_KEY_B64_LEN + 1], id[POLICY_ID_LEN], proto[12], rule[POLICY_RULE_LEN];
	char reason[12];
	struct idtun_names names;
	struct idtun_name one;

	event_names(ev, &names, &one);
	if (ev->name[0])
		snprintf(id, sizeof(id), "%s(%u)", ev->name, ev->identity);
	else
		snprintf(id, sizeof(id), "%u", ev->identity);
	fprintf(f, "%s %s %s %s %s ", policy_direction_name(ev->direction),
		policy_action_name(ev->action), name_or_number(reason, policy_reason_name(ev->reason), ev->reason), ev->ifname, id);
	if (ev->family) {
		fprintf(f, "%s ", name_or_number(proto, policy_proto_name(ev->protocol), ev->protocol));
		print_endpoint(f, ev, ev->saddr, ev->has_sport, ev->sport);
		fputs(" -> ", f);
		print_endpoint(f, ev, ev->daddr, ev->has_dport, ev->dport);
	} else {
		fputc('-', f);	/* no packet to describe */
	}
	if (ev->has_peer) {
		key_to_base64(key, ev->peer);
		fprintf(f, " peer %s", key);
	}
	if (ev->has_rule)
		fprintf(f, " rule \"%s\"", policy_rule_text(rule, &ev->rule, &names, true));
	else if (ev->reason == IDTUN_REASON_NONE || ev->reason == IDTUN_REASON_POLICY)
		fputs(" default", f);
	if (ev->suppressed)
		fprintf(f, " suppressed %" PRIu64, ev->suppressed);
	fputc('\n', f);
}

void format_event_json(FILE *f, const struct idtun_event *ev, const struct timespec *when)
{
	char key[IDTUN_KEY_B64_LEN + 1], addr[INET6_ADDRSTRLEN], rule[POLICY_RULE_LEN];
	char stamp[32], reason[12];
	struct idtun_names names;
	struct idtun_name one;
	struct tm tm;

	event_names(ev, &names, &one);
	gmtime_r(&when->tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "{\"time\":\"%s.%03ldZ\",\"ifname\":", stamp, when->tv_nsec / 1000000);
	format_json_string(f, ev->ifname);
	fprintf(f, ",\"ifindex\":%u,\"direction\":\"%s\",\"action\":\"%s\",\"reason\":\"%s\","
		"\"identity\":%u", ev->ifindex, policy_direction_name(ev->direction),
		policy_action_name(ev->action), name_or_number(reason, policy_reason_name(ev->reason), ev->reason), ev->identity);
	if (ev->name[0]) {
		fputs(",\"name\":", f);
		format_json_string(f, ev->name);
	}
	if (ev->has_peer) {
		key_to_base64(key, ev->peer);
		fprintf(f, ",\"peer\":\"%s\"", key);
	}
	if (ev->family) {
		fprintf(f, ",\"family\":\"%s\"", ev->family == AF_INET ? "inet" : "inet6");
		fprintf(f, ",\"saddr\":\"%s\"", addr_text(addr, ev->family, ev->saddr));
		fprintf(f, ",\"daddr\":\"%s\"", addr_text(addr, ev->family, ev->daddr));
		fprintf(f, ",\"protocol\":%u", ev->protocol);
	}
	if (ev->has_sport)
		fprintf(f, ",\"sport\":%u", ev->sport);
	if (ev->has_dport)
		fprintf(f, ",\"dport\":%u", ev->dport);
	fprintf(f, ",\"suppressed\":%" PRIu64, ev->suppressed);
	if (ev->has_rule) {
		fputs(",\"rule\":", f);
		format_json_string(f, policy_rule_text(rule, &ev->rule, &names, true));
	}
	fputs("}\n", f);
}
