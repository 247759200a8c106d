// SPDX-License-Identifier: GPL-2.0
/* Identities and rules as text; see policy.h. */

#include "policy.h"
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool policy_fail(char err[POLICY_ERR_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, POLICY_ERR_LEN, fmt, ap);
	va_end(ap);
	return false;
}

bool policy_names_lookup(void *ctx, const char *name, uint32_t *id,
			 char err[POLICY_ERR_LEN])
{
	const struct idtun_name *n = names_by_name(ctx, name);

	if (!n)
		return policy_fail(err, "unknown identity name '%s'", name);
	*id = n->identity;
	return true;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
	}
	return true;
}

bool policy_name_valid(const char *name, char err[POLICY_ERR_LEN])
{
	const char *p;

	if (!*name)
		return policy_fail(err, "empty identity name");
	if (strlen(name) > IDTUN_NAME_MAX)
		return policy_fail(err, "identity name '%s' is longer than %d characters", name,
			    IDTUN_NAME_MAX);
	for (p = name; *p; p++) {
		if (*p <= ' ' || *p > '~' || *p == ',' || *p == '#')
			return policy_fail(err, "invalid identity name '%s' (printable, without "
				    "blanks, ',' or '#')", name);
	}
	if (all_digits(name))
		return policy_fail(err, "identity name '%s' is a number", name);
	if (!strcmp(name, "any"))
		return policy_fail(err, "'any' cannot be an identity name");
	return true;
}

bool policy_parse_identity(uint32_t *id, const char *text, bool zero_ok,
			   const struct name_resolver *r, char err[POLICY_ERR_LEN])
{
	char *end;
	unsigned long long n;

	if (all_digits(text)) {
		errno = 0;
		n = strtoull(text, &end, 10);
		if (errno || *end || n > UINT32_MAX)
			return policy_fail(err, "invalid identity '%s' (0 to 4294967295)", text);
		if (!n && !zero_ok)
			return policy_fail(err, "identity 0 (unlabelled) is not allowed here");
		*id = (uint32_t)n;
		return true;
	}
	if (!*text)
		return policy_fail(err, "empty identity");
	if (!policy_name_valid(text, err))
		return false;
	if (!r)
		return policy_fail(err, "unknown identity name '%s'", text);
	if (!r->lookup(r->ctx, text, id, err))
		return false;
	if (!*id && !zero_ok)
		return policy_fail(err, "identity 0 (unlabelled) is not allowed here");
	return true;
}

const char *policy_identity_ref(char out[POLICY_ID_LEN], uint32_t id,
				const struct idtun_names *names)
{
	const struct idtun_name *n = names_by_id(names, id);
	char err[POLICY_ERR_LEN];

	if (n && policy_name_valid(n->name, err))
		snprintf(out, POLICY_ID_LEN, "%s", n->name);
	else
		snprintf(out, POLICY_ID_LEN, "%u", id);
	return out;
}

const char *policy_identity_label(char out[POLICY_ID_LEN], uint32_t id, const char *name)
{
	if (name && *name)
		snprintf(out, POLICY_ID_LEN, "%s (%u)", name, id);
	else
		snprintf(out, POLICY_ID_LEN, "%u", id);
	return out;
}

static const char *const actions[] = { "allow", "deny" };
static const char *const directions[] = { "egress", "ingress" };
static const char *const reasons[] = {
	"none", "no-identity", "policy", "label-missing", "label-malformed",
	"label-unexpected", "label-not-allowed",
};
static const char *const drops[] = {
	NULL, "no-identity", "egress-policy", "ingress-policy", "label-missing",
	"label-malformed", "label-unexpected", "label-not-allowed", "audit-suppressed",
};

#define NAME_OF(table, i) ((i) < sizeof(table) / sizeof(table[0]) ? table[i] : NULL)

int policy_choice(const char *text, const char *zero, const char *one)
{
	return !strcasecmp(text, zero) ? 0 : !strcasecmp(text, one) ? 1 : -1;
}

bool policy_parse_action(uint32_t *action, const char *text, char err[POLICY_ERR_LEN])
{
	int c = policy_choice(text, "allow", "deny");

	if (c < 0)
		return policy_fail(err, "invalid action '%s' (allow or deny)", text);
	*action = c ? IDTUN_ACTION_DENY : IDTUN_ACTION_ALLOW;
	return true;
}

const char *policy_action_name(uint32_t action)
{
	const char *s = NAME_OF(actions, action);

	return s ? s : "?";
}

const char *policy_direction_name(uint32_t direction)
{
	const char *s = NAME_OF(directions, direction);

	return s ? s : "?";
}

const char *policy_reason_name(uint32_t reason)
{
	return NAME_OF(reasons, reason);
}

const char *policy_drop_name(unsigned int type)
{
	return NAME_OF(drops, type);
}

static const struct {
	const char *name;
	uint8_t number;
} protocols[] = {
	{ "icmp", IPPROTO_ICMP },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "ipv6-icmp", IPPROTO_ICMPV6 },
	{ "sctp", IPPROTO_SCTP },
	{ "udplite", IPPROTO_UDPLITE },
};

const char *policy_proto_name(uint8_t protocol)
{
	size_t i;

	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++) {
		if (protocols[i].number == protocol)
			return protocols[i].name;
	}
	return NULL;
}

bool policy_proto_has_ports(uint8_t protocol)
{
	return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP ||
	       protocol == IPPROTO_SCTP || protocol == IPPROTO_UDPLITE;
}

static bool parse_proto(uint8_t *protocol, const char *text, char err[POLICY_ERR_LEN])
{
	unsigned long n;
	char *end;
	size_t i;

	if (!strcmp(text, "any")) {
		*protocol = 0;
		return true;
	}
	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++) {
		if (!strcasecmp(text, protocols[i].name)) {
			*protocol = protocols[i].number;
			return true;
		}
	}
	if (all_digits(text)) {
		errno = 0;
		n = strtoul(text, &end, 10);
		if (!errno && !*end && n <= 255) {
			*protocol = (uint8_t)n;
			return true;
		}
	}
	return policy_fail(err, "invalid protocol '%s' (tcp, udp, icmp, ipv6-icmp, sctp, udplite, "
		    "0 to 255, or any)", text);
}

static bool parse_port(const char *text, unsigned long *port)
{
	char *end;

	if (!all_digits(text) || strlen(text) > 5)
		return false;
	*port = strtoul(text, &end, 10);
	return *port <= 65535;
}

static bool parse_ports(struct idtun_rule *rule, const char *text, char err[POLICY_ERR_LEN])
{
	char buf[16];
	char *dash;
	unsigned long lo, hi;

	if (strlen(text) >= sizeof(buf))
		goto bad;
	strcpy(buf, text);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (!parse_port(buf, &lo))
		goto bad;
	hi = lo;
	if (dash && !parse_port(dash + 1, &hi))
		goto bad;
	if (hi < lo)
		goto bad;
	rule->port_min = (uint16_t)lo;
	rule->port_max = (uint16_t)hi;
	/* The whole range is no range: the kernel keys them alike. */
	if (lo || hi != 65535)
		rule->has |= RULE_HAS_PORTS;
	return true;
bad:
	return policy_fail(err, "invalid port '%s' (N or N-M, 0 to 65535)", text);
}

static bool parse_to(struct idtun_rule *rule, const char *text, char err[POLICY_ERR_LEN])
{
	char *copy;
	bool ok;

	if (!strcmp(text, "any")) {
		memset(&rule->to, 0, sizeof(rule->to));
		return true;
	}
	copy = strdup(text);
	if (!copy)
		return policy_fail(err, "%s", strerror(ENOMEM));
	ok = config_parse_prefix(&rule->to, copy, err);
	free(copy);
	if (ok)
		rule->to = config_masked(&rule->to, "rule destination", text);
	return ok;
}

enum { SEEN_FROM = 1, SEEN_TO = 2, SEEN_PROTO = 4, SEEN_PORT = 8 };

bool policy_parse_rule(struct idtun_rule *rule, char *const *words, size_t n,
		       bool need_action, const struct name_resolver *r,
		       char err[POLICY_ERR_LEN])
{
	static const char *const options[] = { "from", "to", "proto", "port" };
	unsigned int seen = 0, bit;
	const char *w, *v;
	size_t i, o;

	memset(rule, 0, sizeof(*rule));
	for (i = 0; i < n; i++) {
		if (words[i][0] == '#') {
			n = i;
			break;
		}
	}
	if (!n)
		return policy_fail(err, "a rule starts with egress or ingress");
	if (!strcmp(words[0], "egress"))
		rule->direction = IDTUN_DIRECTION_EGRESS;
	else if (!strcmp(words[0], "ingress"))
		rule->direction = IDTUN_DIRECTION_INGRESS;
	else
		return policy_fail(err, "a rule starts with egress or ingress, not '%s'", words[0]);
	for (i = 1; i < n; i++) {
		w = words[i];
		if (!strcmp(w, "allow") || !strcmp(w, "deny")) {
			policy_parse_action(&rule->action, w, err);
			rule->has |= RULE_HAS_ACTION;
			if (i + 1 < n)
				return policy_fail(err, "'%s' after the action '%s'", words[i + 1], w);
			break;
		}
		for (o = 0; o < sizeof(options) / sizeof(options[0]); o++) {
			if (!strcmp(w, options[o]))
				break;
		}
		if (o == sizeof(options) / sizeof(options[0]))
			return policy_fail(err, "expected from, to, proto, port, allow or deny, not '%s'",
				    w);
		bit = 1u << o;
		if (seen & bit)
			return policy_fail(err, "'%s' given twice", w);
		seen |= bit;
		if (i + 1 >= n)
			return policy_fail(err, "'%s' needs a value", w);
		v = words[++i];
		if (bit == SEEN_FROM) {
			if (strcmp(v, "any")) {
				if (!policy_parse_identity(&rule->identity, v, true, r, err))
					return false;
				rule->has |= RULE_HAS_IDENTITY;
			}
		} else if (bit == SEEN_TO) {
			if (!parse_to(rule, v, err))
				return false;
		} else if (bit == SEEN_PROTO) {
			if (!parse_proto(&rule->protocol, v, err))
				return false;
		} else if (!parse_ports(rule, v, err)) {
			return false;
		}
	}
	if ((seen & SEEN_PORT) && !policy_proto_has_ports(rule->protocol))
		return policy_fail(err, "port needs proto tcp, udp, udplite or sctp");
	if (need_action && !(rule->has & RULE_HAS_ACTION))
		return policy_fail(err, "a rule ends with allow or deny");
	if (!need_action)
		rule->has &= ~(uint32_t)RULE_HAS_ACTION;
	return true;
}

bool policy_parse_rule_text(struct idtun_rule *rule, const char *text, bool need_action,
			    const struct name_resolver *r, char err[POLICY_ERR_LEN])
{
	char *copy = strdup(text), *p, **words = NULL, **w;
	size_t n = 0;
	bool ok;

	if (!copy)
		return policy_fail(err, "%s", strerror(ENOMEM));
	for (p = strtok(copy, " \t\r\n"); p; p = strtok(NULL, " \t\r\n")) {
		w = realloc(words, (n + 1) * sizeof(*words));
		if (!w) {
			free(words);
			free(copy);
			return policy_fail(err, "%s", strerror(ENOMEM));
		}
		words = w;
		words[n++] = p;
	}
	ok = policy_parse_rule(rule, words, n, need_action, r, err);
	free(words);
	free(copy);
	return ok;
}

void policy_prefix_text(char *out, size_t len, const struct idtun_allowedip *ip)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(ip->family, ip->addr, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	snprintf(out, len, "%s/%u", addr, ip->cidr);
}

const char *policy_rule_text(char out[POLICY_RULE_LEN], const struct idtun_rule *rule,
			     const struct idtun_names *names, bool with_action)
{
	char id[POLICY_ID_LEN], prefix[INET6_ADDRSTRLEN + 8];
	const char *proto = policy_proto_name(rule->protocol);
	size_t len = 0;

#define ADD(...) (len += (size_t)snprintf(out + len, len < POLICY_RULE_LEN ? \
			POLICY_RULE_LEN - len : 0, __VA_ARGS__))
	out[0] = '\0';
	ADD("%s", policy_direction_name(rule->direction));
	if (rule->has & RULE_HAS_IDENTITY)
		ADD(" from %s", policy_identity_ref(id, rule->identity, names));
	if (rule->to.family) {
		policy_prefix_text(prefix, sizeof(prefix), &rule->to);
		ADD(" to %s", prefix);
	}
	if (rule->protocol && proto)
		ADD(" proto %s", proto);
	else if (rule->protocol)
		ADD(" proto %u", rule->protocol);
	if ((rule->has & RULE_HAS_PORTS) && rule->port_min == rule->port_max)
		ADD(" port %u", rule->port_min);
	else if (rule->has & RULE_HAS_PORTS)
		ADD(" port %u-%u", rule->port_min, rule->port_max);
	if (with_action && (rule->has & RULE_HAS_ACTION))
		ADD(" %s", policy_action_name(rule->action));
#undef ADD
	return out;
}
