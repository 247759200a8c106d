// SPDX-License-Identifier: GPL-2.0
/* show and showconf output, byte for byte as wg(8) prints it; see format.h. */

#include "format.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netdb.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char *key_text(char buf[IDTUN_KEY_B64_LEN + 1], const uint8_t *key)
{
	key_to_base64(buf, key);
	return buf;
}

static const char *secret_text(char buf[IDTUN_KEY_B64_LEN + 1], const uint8_t *key,
			       const struct format_opts *o)
{
	return o->hide_keys ? "(hidden)" : key_text(buf, key);
}

static bool has_endpoint(const struct idtun_peer *peer)
{
	return peer->endpoint.addr.sa_family == AF_INET ||
	       peer->endpoint.addr.sa_family == AF_INET6;
}

void format_endpoint(char *out, size_t len, const union idtun_endpoint *ep)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	socklen_t salen = ep->addr.sa_family == AF_INET6 ? sizeof(ep->addr6) :
							   sizeof(ep->addr4);
	int ret;

	ret = getnameinfo(&ep->addr, salen, host, sizeof(host), serv, sizeof(serv),
			  NI_DGRAM | NI_NUMERICHOST | NI_NUMERICSERV);
	if (ret)
		snprintf(out, len, "%s", gai_strerror(ret));
	else if (ep->addr.sa_family == AF_INET6 && strchr(host, ':'))
		snprintf(out, len, "[%s]:%s", host, serv);
	else
		snprintf(out, len, "%s:%s", host, serv);
}

static const char *ip_text(char buf[INET6_ADDRSTRLEN], const struct idtun_allowedip *ip)
{
	if (!inet_ntop(ip->family, ip->addr, buf, INET6_ADDRSTRLEN))
		snprintf(buf, INET6_ADDRSTRLEN, "?");
	return buf;
}

static uint64_t handshake_sec(const struct idtun_peer *peer)
{
	return peer->last_handshake_ns / 1000000000ULL;
}

/* "1 year, 2 days, 1 minute, 3 seconds" */
static void print_duration(FILE *f, uint64_t left, const struct format_opts *o)
{
	static const struct {
		const char *name;
		uint64_t seconds;
	} units[] = {
		{ "year", 365 * 24 * 3600 },
		{ "day", 24 * 3600 },
		{ "hour", 3600 },
		{ "minute", 60 },
		{ "second", 1 },
	};
	bool first = true;
	uint64_t n;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		n = left / units[i].seconds;
		left %= units[i].seconds;
		if (!n)
			continue;
		fprintf(f, "%s%" PRIu64 " %s%s%s%s", first ? "" : ", ", n, C(o, CYAN),
			units[i].name, n == 1 ? "" : "s", C(o, RESET));
		first = false;
	}
}

static void print_ago(FILE *f, uint64_t when, const struct format_opts *o)
{
	uint64_t now = o->now < 0 ? 0 : (uint64_t)o->now;

	if (now == when) {
		fputs("Now", f);
	} else if (now < when) {
		fprintf(f, "(%sSystem clock wound backward; connection problems may ensue.%s)",
			C(o, RED), C(o, RESET));
	} else {
		print_duration(f, now - when, o);
		fputs(" ago", f);
	}
}

void format_bytes(FILE *f, uint64_t b, const struct format_opts *o)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	size_t i;

	if (b < 1024) {
		fprintf(f, "%u %sB%s", (unsigned int)b, C(o, CYAN), C(o, RESET));
		return;
	}
	for (i = 0; i < 3 && b >= (1024ULL << (10 * (i + 1))); i++)
		;
	v /= (double)(1024ULL << (10 * i));
	fprintf(f, "%.2f %s%s%s", v, C(o, CYAN), units[i], C(o, RESET));
}

/* "web (1001)", or "1001" without a name. */
static const char *identity_label(char out[POLICY_ID_LEN], uint32_t id,
				  const struct idtun_names *names)
{
	const struct idtun_name *n = names_by_id(names, id);

	return policy_identity_label(out, id, n ? n->name : NULL);
}

static void print_pretty_peer(FILE *f, const struct idtun_peer *peer,
			      const struct format_opts *o)
{
	char key[IDTUN_KEY_B64_LEN + 1], ip[INET6_ADDRSTRLEN], ep[NI_MAXHOST + NI_MAXSERV + 4];
	char id[POLICY_ID_LEN];
	size_t i;

	fprintf(f, "%s%speer%s: %s%s%s\n", C(o, YELLOW), C(o, BOLD), C(o, RESET),
		C(o, YELLOW), key_text(key, peer->public_key), C(o, RESET));
	if (peer->has & PEER_HAS_PRESHARED_KEY)
		fprintf(f, "  %spreshared key%s: %s\n", C(o, BOLD), C(o, RESET),
			secret_text(key, peer->preshared_key, o));
	if (has_endpoint(peer)) {
		format_endpoint(ep, sizeof(ep), &peer->endpoint);
		fprintf(f, "  %sendpoint%s: %s\n", C(o, BOLD), C(o, RESET), ep);
	}
	fprintf(f, "  %sallowed ips%s: ", C(o, BOLD), C(o, RESET));
	for (i = 0; i < peer->nips; i++)
		fprintf(f, "%s%s/%s%u%s", ip_text(ip, &peer->ips[i]), C(o, CYAN), C(o, RESET),
			peer->ips[i].cidr, i + 1 < peer->nips ? ", " : "\n");
	if (!peer->nips)
		fputs("(none)\n", f);
	if (handshake_sec(peer)) {
		fprintf(f, "  %slatest handshake%s: ", C(o, BOLD), C(o, RESET));
		print_ago(f, handshake_sec(peer), o);
		fputc('\n', f);
	}
	if (peer->rx_bytes || peer->tx_bytes) {
		fprintf(f, "  %stransfer%s: ", C(o, BOLD), C(o, RESET));
		format_bytes(f, peer->rx_bytes, o);
		fputs(" received, ", f);
		format_bytes(f, peer->tx_bytes, o);
		fputs(" sent\n", f);
	}
	if (peer->keepalive) {
		fprintf(f, "  %spersistent keepalive%s: every ", C(o, BOLD), C(o, RESET));
		print_duration(f, peer->keepalive, o);
		fputc('\n', f);
	}
	/* idtun's own, only when not the defaults. */
	if (peer->labels)
		fprintf(f, "  %slabels%s: on\n", C(o, BOLD), C(o, RESET));
	if (peer->identity)
		fprintf(f, "  %sidentity%s: %s\n", C(o, BOLD), C(o, RESET),
			identity_label(id, peer->identity, o->names));
	if (peer->naids) {
		fprintf(f, "  %sallowed identities%s: ", C(o, BOLD), C(o, RESET));
		for (i = 0; i < peer->naids; i++)
			fprintf(f, "%s%s", i ? ", " : "",
				identity_label(id, peer->aids[i].identity, o->names));
		fputc('\n', f);
	}
}

/* idtun's device settings and drop counters, each only when not the default. */
static void print_pretty_settings(FILE *f, const struct idtun_device *dev,
				  const struct format_opts *o)
{
	uint32_t egress = device_setting(dev, DEV_HAS_EGRESS_DEFAULT);
	uint32_t ingress = device_setting(dev, DEV_HAS_INGRESS_DEFAULT);
	uint32_t rate = device_setting(dev, DEV_HAS_AUDIT_RATE);
	const char *sep = "";
	char id[POLICY_ID_LEN];
	unsigned int i;

	if (dev->default_identity)
		fprintf(f, "  %sdefault identity%s: %s\n", C(o, BOLD), C(o, RESET),
			identity_label(id, dev->default_identity, o->names));
	if (dev->mark_mask)
		fprintf(f, "  %smark mask%s: 0x%x\n", C(o, BOLD), C(o, RESET), dev->mark_mask);
	if (egress != DEFAULT_ACTION)
		fprintf(f, "  %segress default%s: %s\n", C(o, BOLD), C(o, RESET),
			policy_action_name(egress));
	if (ingress != DEFAULT_ACTION)
		fprintf(f, "  %singress default%s: %s\n", C(o, BOLD), C(o, RESET),
			policy_action_name(ingress));
	if (rate != DEFAULT_AUDIT_RATE)
		fprintf(f, "  %saudit rate%s: %u\n", C(o, BOLD), C(o, RESET), rate);
	for (i = 1; i < IDTUN_A_DROPS_AUDIT_SUPPRESSED; i++) {
		if (!dev->drops[i])
			continue;
		if (!*sep)
			fprintf(f, "  %sdropped%s: ", C(o, BOLD), C(o, RESET));
		fprintf(f, "%s%" PRIu64 " %s", sep, dev->drops[i], policy_drop_name(i));
		sep = ", ";
	}
	if (*sep)
		fputc('\n', f);
	if (dev->drops[IDTUN_A_DROPS_AUDIT_SUPPRESSED])
		fprintf(f, "  %saudit suppressed%s: %" PRIu64 "\n", C(o, BOLD), C(o, RESET),
			dev->drops[IDTUN_A_DROPS_AUDIT_SUPPRESSED]);
}

void format_pretty(FILE *f, const struct idtun_device *dev, const struct format_opts *o)
{
	char key[IDTUN_KEY_B64_LEN + 1];
	size_t *order, i;

	fputs(C(o, RESET), f);
	fprintf(f, "%s%sinterface%s: %s%s%s\n", C(o, GREEN), C(o, BOLD), C(o, RESET),
		C(o, GREEN), dev->name, C(o, RESET));
	if (dev->has & DEV_HAS_PUBLIC_KEY)
		fprintf(f, "  %spublic key%s: %s\n", C(o, BOLD), C(o, RESET),
			key_text(key, dev->public_key));
	if (dev->has & DEV_HAS_PRIVATE_KEY)
		fprintf(f, "  %sprivate key%s: %s\n", C(o, BOLD), C(o, RESET),
			secret_text(key, dev->private_key, o));
	if (dev->listen_port)
		fprintf(f, "  %slistening port%s: %u\n", C(o, BOLD), C(o, RESET),
			dev->listen_port);
	if (dev->fwmark)
		fprintf(f, "  %sfwmark%s: 0x%x\n", C(o, BOLD), C(o, RESET), dev->fwmark);
	print_pretty_settings(f, dev, o);
	if (!dev->npeers)
		return;
	fputc('\n', f);
	order = calloc(dev->npeers, sizeof(*order));
	if (!order) {
		/* Out of memory: the kernel's order will do. */
		for (i = 0; i < dev->npeers; i++) {
			print_pretty_peer(f, &dev->peers[i], o);
			if (i + 1 < dev->npeers)
				fputc('\n', f);
		}
		return;
	}
	device_peer_order(dev, order);
	for (i = 0; i < dev->npeers; i++) {
		print_pretty_peer(f, &dev->peers[order[i]], o);
		if (i + 1 < dev->npeers)
			fputc('\n', f);
	}
	free(order);
}

static const char *const fields[] = {
	"public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys",
	"endpoints", "allowed-ips", "latest-handshakes", "persistent-keepalive",
	"transfer", "dump",
};

bool format_is_field(const char *field)
{
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!strcmp(field, fields[i]))
			return true;
	}
	return false;
}

static const char *maybe_key(char buf[IDTUN_KEY_B64_LEN + 1], const uint8_t *key,
			     bool have)
{
	return have ? key_text(buf, key) : "(none)";
}

static void print_fwmark(FILE *f, uint32_t fwmark, char end)
{
	if (fwmark)
		fprintf(f, "0x%x%c", fwmark, end);
	else
		fprintf(f, "off%c", end);
}

static void print_ips(FILE *f, const struct idtun_peer *peer, char sep, char end)
{
	char ip[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < peer->nips; i++)
		fprintf(f, "%s/%u%c", ip_text(ip, &peer->ips[i]), peer->ips[i].cidr,
			i + 1 < peer->nips ? sep : end);
	if (!peer->nips)
		fprintf(f, "(none)%c", end);
}

static void print_dump_peer(FILE *f, const struct idtun_peer *peer)
{
	char key[IDTUN_KEY_B64_LEN + 1], ep[NI_MAXHOST + NI_MAXSERV + 4];

	fprintf(f, "%s\t", key_text(key, peer->public_key));
	fprintf(f, "%s\t", maybe_key(key, peer->preshared_key,
				     peer->has & PEER_HAS_PRESHARED_KEY));
	if (has_endpoint(peer)) {
		format_endpoint(ep, sizeof(ep), &peer->endpoint);
		fprintf(f, "%s\t", ep);
	} else {
		fputs("(none)\t", f);
	}
	print_ips(f, peer, ',', '\t');
	fprintf(f, "%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t", handshake_sec(peer),
		peer->rx_bytes, peer->tx_bytes);
	if (peer->keepalive)
		fprintf(f, "%u\n", peer->keepalive);
	else
		fputs("off\n", f);
}

/* One line per peer: [name TAB] public-key TAB <field> */
static void print_peer_field(FILE *f, const struct idtun_device *dev,
			     const struct idtun_peer *peer, const char *field)
{
	char key[IDTUN_KEY_B64_LEN + 1], ep[NI_MAXHOST + NI_MAXSERV + 4];

	if (!strcmp(field, "dump")) {
		print_dump_peer(f, peer);
		return;
	}
	if (!strcmp(field, "peers")) {
		fprintf(f, "%s\n", key_text(key, peer->public_key));
		return;
	}
	fprintf(f, "%s\t", key_text(key, peer->public_key));
	if (!strcmp(field, "preshared-keys")) {
		fprintf(f, "%s\n", maybe_key(key, peer->preshared_key,
					     peer->has & PEER_HAS_PRESHARED_KEY));
	} else if (!strcmp(field, "endpoints")) {
		if (has_endpoint(peer)) {
			format_endpoint(ep, sizeof(ep), &peer->endpoint);
			fprintf(f, "%s\n", ep);
		} else {
			fputs("(none)\n", f);
		}
	} else if (!strcmp(field, "allowed-ips")) {
		print_ips(f, peer, ' ', '\n');
	} else if (!strcmp(field, "latest-handshakes")) {
		fprintf(f, "%" PRIu64 "\n", handshake_sec(peer));
	} else if (!strcmp(field, "transfer")) {
		fprintf(f, "%" PRIu64 "\t%" PRIu64 "\n", peer->rx_bytes, peer->tx_bytes);
	} else if (!strcmp(field, "persistent-keepalive")) {
		if (peer->keepalive)
			fprintf(f, "%u\n", peer->keepalive);
		else
			fputs("off\n", f);
	}
	(void)dev;
}

void format_field(FILE *f, const struct idtun_device *dev, const char *field,
		  bool with_name)
{
	char key[IDTUN_KEY_B64_LEN + 1];
	size_t i;

	if (!strcmp(field, "dump")) {
		if (with_name)
			fprintf(f, "%s\t", dev->name);
		fprintf(f, "%s\t", maybe_key(key, dev->private_key,
					     dev->has & DEV_HAS_PRIVATE_KEY));
		fprintf(f, "%s\t", maybe_key(key, dev->public_key,
					     dev->has & DEV_HAS_PUBLIC_KEY));
		fprintf(f, "%u\t", dev->listen_port);
		print_fwmark(f, dev->fwmark, '\n');
	} else if (!strcmp(field, "public-key") || !strcmp(field, "private-key") ||
		   !strcmp(field, "listen-port") || !strcmp(field, "fwmark")) {
		if (with_name)
			fprintf(f, "%s\t", dev->name);
		if (!strcmp(field, "public-key"))
			fprintf(f, "%s\n", maybe_key(key, dev->public_key,
						     dev->has & DEV_HAS_PUBLIC_KEY));
		else if (!strcmp(field, "private-key"))
			fprintf(f, "%s\n", maybe_key(key, dev->private_key,
						     dev->has & DEV_HAS_PRIVATE_KEY));
		else if (!strcmp(field, "listen-port"))
			fprintf(f, "%u\n", dev->listen_port);
		else
			print_fwmark(f, dev->fwmark, '\n');
		return;
	}
	for (i = 0; i < dev->npeers; i++) {
		if (with_name)
			fprintf(f, "%s\t", dev->name);
		print_peer_field(f, dev, &dev->peers[i], field);
	}
}

/* idtun's [Interface] keys not at their defaults; f NULL only counts them. */
static size_t conf_interface_idtun(FILE *f, const struct idtun_device *dev,
				   const struct idtun_names *names)
{
	uint32_t egress = device_setting(dev, DEV_HAS_EGRESS_DEFAULT);
	uint32_t ingress = device_setting(dev, DEV_HAS_INGRESS_DEFAULT);
	uint32_t rate = device_setting(dev, DEV_HAS_AUDIT_RATE);
	char id[POLICY_ID_LEN];
	size_t n = 0;

	if (dev->default_identity && ++n && f)
		fprintf(f, "DefaultIdentity = %s\n",
			policy_identity_ref(id, dev->default_identity, names));
	if (dev->mark_mask && ++n && f)
		fprintf(f, "MarkMask = 0x%x\n", dev->mark_mask);
	if (egress != DEFAULT_ACTION && ++n && f)
		fprintf(f, "EgressDefault = %s\n", policy_action_name(egress));
	if (ingress != DEFAULT_ACTION && ++n && f)
		fprintf(f, "IngressDefault = %s\n", policy_action_name(ingress));
	if (rate != DEFAULT_AUDIT_RATE && ++n && f)
		fprintf(f, "AuditRate = %u\n", rate);
	return n;
}

/* idtun's [Peer] keys not at their defaults; f NULL only counts them. */
static size_t conf_peer_idtun(FILE *f, const struct idtun_peer *peer,
			      const struct idtun_names *names)
{
	char id[POLICY_ID_LEN];
	size_t n = 0, i;

	if (peer->labels && ++n && f)
		fputs("Labels = on\n", f);
	if (peer->identity && ++n && f)
		fprintf(f, "Identity = %s\n", policy_identity_ref(id, peer->identity, names));
	if (peer->naids && ++n && f) {
		fputs("AllowedIdentities = ", f);
		for (i = 0; i < peer->naids; i++)
			fprintf(f, "%s%s", policy_identity_ref(id, peer->aids[i].identity, names),
				i + 1 < peer->naids ? ", " : "\n");
	}
	return n;
}

static void conf_peer_wg(FILE *f, const struct idtun_peer *peer, char key[IDTUN_KEY_B64_LEN + 1])
{
	char ep[NI_MAXHOST + NI_MAXSERV + 4], ip[INET6_ADDRSTRLEN];
	size_t j;

	if (peer->has & PEER_HAS_PRESHARED_KEY)
		fprintf(f, "PresharedKey = %s\n", key_text(key, peer->preshared_key));
	if (peer->nips) {
		fputs("AllowedIPs = ", f);
		for (j = 0; j < peer->nips; j++)
			fprintf(f, "%s/%u%s", ip_text(ip, &peer->ips[j]), peer->ips[j].cidr,
				j + 1 < peer->nips ? ", " : "\n");
	}
	if (has_endpoint(peer)) {
		format_endpoint(ep, sizeof(ep), &peer->endpoint);
		fprintf(f, "Endpoint = %s\n", ep);
	}
	if (peer->keepalive)
		fprintf(f, "PersistentKeepalive = %u\n", peer->keepalive);
}

/* An [Identity] section, if it has anything to say; false if not. */
static bool conf_identity(FILE *f, const struct idtun_identity *id, bool sep)
{
	char err[POLICY_ERR_LEN], prefix[INET6_ADDRSTRLEN + 8];
	bool named = id->name[0] && policy_name_valid(id->name, err);
	const char *comma = "";
	size_t i;

	if (!named && !id->nbindings)
		return false;
	fprintf(f, "%s[Identity]\nIdentity = %u\n", sep ? "\n" : "", id->identity);
	if (named)
		fprintf(f, "Name = %s\n", id->name);
	for (i = 0; i < id->nbindings; i++) {
		if (id->bindings[i].cgroup)
			fprintf(f, "Cgroup = %s\n", id->bindings[i].cgroup);
		else if (!id->bindings[i].prefix.family)
			fprintf(f, "# Cgroup with id %" PRIu64 ", outside this cgroup namespace\n",
				id->bindings[i].cgroup_id);
	}
	for (i = 0; i < id->nbindings; i++) {
		if (id->bindings[i].cgroup || !id->bindings[i].prefix.family)
			continue;
		policy_prefix_text(prefix, sizeof(prefix), &id->bindings[i].prefix);
		fprintf(f, "%s%s", *comma ? comma : "Prefix = ", prefix);
		comma = ", ";
	}
	if (*comma)
		fputc('\n', f);
	return true;
}

/* The names of dev's identities, as its [Identity] sections give them. */
static void identity_names(const struct idtun_device *dev, struct idtun_names *names)
{
	char err[POLICY_ERR_LEN];
	size_t i;

	memset(names, 0, sizeof(*names));
	for (i = 0; i < dev->nidentities; i++) {
		if (dev->identities[i].name[0] && policy_name_valid(dev->identities[i].name, err))
			names_set(names, dev->identities[i].identity, dev->identities[i].name);
	}
}

void format_conf_part(FILE *f, const struct idtun_device *dev, enum conf_part part)
{
	char key[IDTUN_KEY_B64_LEN + 1], rule[POLICY_RULE_LEN];
	const struct idtun_peer *peer;
	struct idtun_names names;
	bool sep = false;	/* a blank line is due before the next section */
	size_t i;

	identity_names(dev, &names);
	if (part != CONF_IDTUN || conf_interface_idtun(NULL, dev, &names)) {
		fputs("[Interface]\n", f);
		if (part != CONF_IDTUN) {
			if (dev->listen_port)
				fprintf(f, "ListenPort = %u\n", dev->listen_port);
			if (dev->fwmark)
				fprintf(f, "FwMark = 0x%x\n", dev->fwmark);
			if (dev->has & DEV_HAS_PRIVATE_KEY)
				fprintf(f, "PrivateKey = %s\n", key_text(key, dev->private_key));
		}
		if (part != CONF_WG)
			conf_interface_idtun(f, dev, &names);
		fputc('\n', f);
	}
	for (i = 0; i < dev->npeers; i++) {
		peer = &dev->peers[i];
		if (part == CONF_IDTUN && !conf_peer_idtun(NULL, peer, &names))
			continue;
		fprintf(f, "%s[Peer]\nPublicKey = %s\n", sep ? "\n" : "",
			key_text(key, peer->public_key));
		if (part != CONF_IDTUN)
			conf_peer_wg(f, peer, key);
		if (part != CONF_WG)
			conf_peer_idtun(f, peer, &names);
		sep = true;
	}
	sodium_memzero(key, sizeof(key));
	if (part != CONF_WG) {
		for (i = 0; i < dev->nidentities; i++)
			sep |= conf_identity(f, &dev->identities[i], sep);
		if (dev->nrules)
			fprintf(f, "%s[Policy]\n", sep ? "\n" : "");
		for (i = 0; i < dev->nrules; i++)
			fprintf(f, "Rule = %s\n", policy_rule_text(rule, &dev->rules[i], &names, true));
	}
	names_free(&names);
}

void format_conf(FILE *f, const struct idtun_device *dev)
{
	format_conf_part(f, dev, CONF_WG);
}

void format_json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void format_json_key(FILE *f, const char *value_or_null, int level, const char *name,
		     bool last)
{
	fprintf(f, "%*s\"%s\": ", level * 2, "", name);
	if (value_or_null)
		format_json_string(f, value_or_null);
	else
		fputs("null", f);
	fputs(last ? "\n" : ",\n", f);
}

static void json_peer(FILE *f, const struct idtun_peer *peer, const struct format_opts *o,
		      int level)
{
	char key[IDTUN_KEY_B64_LEN + 1], ip[INET6_ADDRSTRLEN], ep[NI_MAXHOST + NI_MAXSERV + 4];
	int in = (level + 1) * 2;
	size_t i;

	fprintf(f, "%*s{\n", level * 2, "");
	format_json_key(f, key_text(key, peer->public_key), level + 1, "public_key", false);
	format_json_key(f, peer->has & PEER_HAS_PRESHARED_KEY ?
		 secret_text(key, peer->preshared_key, o) : NULL,
		 level + 1, "preshared_key", false);
	if (has_endpoint(peer))
		format_endpoint(ep, sizeof(ep), &peer->endpoint);
	format_json_key(f, has_endpoint(peer) ? ep : NULL, level + 1, "endpoint", false);
	fprintf(f, "%*s\"allowed_ips\": [", in, "");
	for (i = 0; i < peer->nips; i++)
		fprintf(f, "%s\"%s/%u\"", i ? ", " : "", ip_text(ip, &peer->ips[i]),
			peer->ips[i].cidr);
	fputs("],\n", f);
	fprintf(f, "%*s\"latest_handshake\": %" PRIu64 ",\n", in, "", handshake_sec(peer));
	fprintf(f, "%*s\"latest_handshake_ns\": %" PRIu64 ",\n", in, "",
		peer->last_handshake_ns);
	fprintf(f, "%*s\"rx_bytes\": %" PRIu64 ",\n", in, "", peer->rx_bytes);
	fprintf(f, "%*s\"tx_bytes\": %" PRIu64 ",\n", in, "", peer->tx_bytes);
	fprintf(f, "%*s\"persistent_keepalive\": %u,\n", in, "", peer->keepalive);
	fprintf(f, "%*s\"protocol_version\": %u,\n", in, "", peer->protocol_version);
	fprintf(f, "%*s\"labels\": %s,\n", in, "", peer->labels ? "true" : "false");
	fprintf(f, "%*s\"identity\": %u,\n", in, "", peer->identity);
	fprintf(f, "%*s\"allowed_identities\": [", in, "");
	for (i = 0; i < peer->naids; i++)
		fprintf(f, "%s%u", i ? ", " : "", peer->aids[i].identity);
	fputs("]\n", f);
	fprintf(f, "%*s}", level * 2, "");
	sodium_memzero(key, sizeof(key));
}

/* A drop reason as a JSON key: "egress_policy". */
static void json_drop_key(FILE *f, unsigned int type)
{
	const char *p;

	fputc('"', f);
	for (p = policy_drop_name(type); *p; p++)
		fputc(*p == '-' ? '_' : *p, f);
	fputs("\": ", f);
}

static void json_settings(FILE *f, const struct idtun_device *dev, int level)
{
	int in = level * 2;
	unsigned int i;

	fprintf(f, "%*s\"default_identity\": %u,\n", in, "", dev->default_identity);
	fprintf(f, "%*s\"mark_mask\": %u,\n", in, "", dev->mark_mask);
	fprintf(f, "%*s\"egress_default\": \"%s\",\n", in, "",
		policy_action_name(device_setting(dev, DEV_HAS_EGRESS_DEFAULT)));
	fprintf(f, "%*s\"ingress_default\": \"%s\",\n", in, "",
		policy_action_name(device_setting(dev, DEV_HAS_INGRESS_DEFAULT)));
	fprintf(f, "%*s\"audit_rate\": %u,\n", in, "", device_setting(dev, DEV_HAS_AUDIT_RATE));
	fprintf(f, "%*s\"drops\": {", in, "");
	for (i = 1; i <= IDTUN_A_DROPS_MAX; i++) {
		fputs(i > 1 ? ", " : "", f);
		json_drop_key(f, i);
		fprintf(f, "%" PRIu64, dev->drops[i]);
	}
	fputs("},\n", f);
}

void format_json(FILE *f, const struct idtun_device *dev, const struct format_opts *o,
		 int level)
{
	char key[IDTUN_KEY_B64_LEN + 1];
	int in = (level + 1) * 2;
	size_t i;

	fprintf(f, "%*s{\n", level * 2, "");
	fprintf(f, "%*s\"interface\": ", in, "");
	format_json_string(f, dev->name);
	fputs(",\n", f);
	fprintf(f, "%*s\"ifindex\": %u,\n", in, "", dev->ifindex);
	format_json_key(f, dev->has & DEV_HAS_PUBLIC_KEY ? key_text(key, dev->public_key) : NULL,
		 level + 1, "public_key", false);
	format_json_key(f, dev->has & DEV_HAS_PRIVATE_KEY ?
		 secret_text(key, dev->private_key, o) : NULL,
		 level + 1, "private_key", false);
	fprintf(f, "%*s\"listen_port\": %u,\n", in, "", dev->listen_port);
	fprintf(f, "%*s\"fwmark\": %u,\n", in, "", dev->fwmark);
	json_settings(f, dev, level + 1);
	fprintf(f, "%*s\"peers\": [", in, "");
	for (i = 0; i < dev->npeers; i++) {
		fputs(i ? ",\n" : "\n", f);
		json_peer(f, &dev->peers[i], o, level + 2);
	}
	if (dev->npeers)
		fprintf(f, "\n%*s", in, "");
	fputs("]\n", f);
	fprintf(f, "%*s}", level * 2, "");
	sodium_memzero(key, sizeof(key));
}
