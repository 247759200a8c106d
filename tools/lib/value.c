// SPDX-License-Identifier: GPL-2.0
/*
 * The values of settings, as the command line (set) and the configuration
 * files give them: keys, ports, endpoints, lists, identity settings. See
 * config.h.
 */

#include "config.h"
#include "cgroup.h"

#include <ctype.h>
#include <errno.h>
#include <linux/idtun.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>

#define fail policy_fail

bool config_parse_key(uint8_t key[IDTUN_KEY_LEN], const char *value, bool secret,
		      char err[CONFIG_ERR_LEN])
{
	if (key_from_base64(key, value))
		return true;
	sodium_memzero(key, IDTUN_KEY_LEN);
	if (secret)
		return fail(err, "invalid key (not 44 characters of base64)");
	return fail(err, "invalid key '%s'", value);
}

/* A decimal number at most max, as wg takes them: a digit first, no sign. */
static bool parse_number(unsigned long *out, const char *value, int base,
			 unsigned long max)
{
	char *end;

	if (!isdigit((unsigned char)value[0]))
		return false;
	errno = 0;
	*out = strtoul(value, &end, base);
	return !errno && !*end && *out <= max;
}

bool config_parse_port(uint16_t *port, const char *value, char err[CONFIG_ERR_LEN])
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_protocol = IPPROTO_UDP,
		.ai_flags = AI_PASSIVE,
	};
	struct addrinfo *res;
	unsigned long n;
	bool ok = false;

	if (parse_number(&n, value, 10, 65535)) {
		*port = (uint16_t)n;
		return true;
	}
	/* Like wg, a service name is a port too. */
	if (!*value || isdigit((unsigned char)value[0]) ||
	    getaddrinfo(NULL, value, &hints, &res))
		return fail(err, "invalid port '%s'", value);
	if (res->ai_family == AF_INET) {
		*port = ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port);
		ok = true;
	} else if (res->ai_family == AF_INET6) {
		*port = ntohs(((struct sockaddr_in6 *)res->ai_addr)->sin6_port);
		ok = true;
	}
	freeaddrinfo(res);
	return ok ? true : fail(err, "invalid port '%s'", value);
}

/* A 32-bit number in decimal, or hexadecimal with 0x. */
static bool parse_u32(uint32_t *out, const char *value)
{
	unsigned long n;
	int base = 10;

	if (strlen(value) > 2 && value[0] == '0' && value[1] == 'x')
		base = 16;
	if (!parse_number(&n, value, base, UINT32_MAX))
		return false;
	*out = (uint32_t)n;
	return true;
}

bool config_parse_fwmark(uint32_t *fwmark, const char *value, char err[CONFIG_ERR_LEN])
{
	if (!strcasecmp(value, "off")) {
		*fwmark = 0;
		return true;
	}
	if (!parse_u32(fwmark, value))
		return fail(err, "invalid fwmark '%s' (0 to 0xffffffff, or off)", value);
	return true;
}

bool config_parse_mark_mask(uint32_t *mask, const char *value, char err[CONFIG_ERR_LEN])
{
	if (!parse_u32(mask, value))
		return fail(err, "invalid mark mask '%s' (0 to 0xffffffff)", value);
	return true;
}

bool config_parse_audit_rate(uint32_t *rate, const char *value, char err[CONFIG_ERR_LEN])
{
	unsigned long n;

	if (!parse_number(&n, value, 10, 1000000))
		return fail(err, "invalid audit rate '%s' (0 to 1000000)", value);
	*rate = (uint32_t)n;
	return true;
}

bool config_parse_labels(uint8_t *labels, const char *value, char err[CONFIG_ERR_LEN])
{
	int c = policy_choice(value, "off", "on");

	if (c < 0)
		return fail(err, "invalid labels '%s' (on or off)", value);
	*labels = (uint8_t)c;
	return true;
}

/* One entry of a peer's list; remove: it came with a '-'. */
typedef bool (*list_entry_fn)(struct idtun_peer *peer, char *entry, bool remove,
			      const void *arg, char err[CONFIG_ERR_LEN]);

/*
 * The comma-separated entries of value, in order. With incremental, an
 * entry may start with '+' or '-', and then the list does not replace:
 * returns 1 if the list replaces the peer's, 0 if it adds, -1 on failure.
 */
static int parse_list(struct idtun_peer *peer, const char *value, bool incremental,
		      list_entry_fn fn, const void *arg, char err[CONFIG_ERR_LEN])
{
	char *list = strdup(value), *rest = list, *entry;
	bool replace = true, ok = true;

	if (!list)
		return fail(err, "%s", strerror(ENOMEM)) - 1;
	while (ok && (entry = strsep(&rest, ",")) && *value) {
		bool remove = false;

		if (incremental && (*entry == '+' || *entry == '-')) {
			remove = *entry == '-';
			replace = false;
			entry++;
		}
		ok = fn(peer, entry, remove, arg, err);
	}
	free(list);
	return ok ? replace : -1;
}

static bool aid_entry(struct idtun_peer *peer, char *entry, bool remove, const void *arg,
		      char err[CONFIG_ERR_LEN])
{
	uint32_t id;

	if (!policy_parse_identity(&id, entry, false, arg, err))
		return false;
	return !peer_add_aid(peer, id, remove) || fail(err, "%s", strerror(ENOMEM));
}

bool config_parse_allowed_identities(struct idtun_peer *peer, const char *value,
				     bool incremental, const struct name_resolver *r,
				     char err[CONFIG_ERR_LEN])
{
	int replace = parse_list(peer, value, incremental, aid_entry, r, err);

	if (replace > 0)
		peer->flags |= IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES;
	return replace >= 0;
}

bool config_parse_keepalive(uint16_t *seconds, const char *value,
			    char err[CONFIG_ERR_LEN])
{
	unsigned long n;

	if (!strcasecmp(value, "off")) {
		*seconds = 0;
		return true;
	}
	if (!parse_number(&n, value, 10, 65535))
		return fail(err, "invalid interval '%s' (0 to 65535, or off)", value);
	*seconds = (uint16_t)n;
	return true;
}

bool config_parse_prefix(struct idtun_allowedip *ip, char *text, char err[CONFIG_ERR_LEN])
{
	char *slash = strchr(text, '/');
	unsigned long cidr;

	memset(ip, 0, sizeof(*ip));
	if (slash)
		*slash = '\0';
	if (strchr(text, ':')) {
		if (inet_pton(AF_INET6, text, &ip->ip6) == 1)
			ip->family = AF_INET6;
	} else if (inet_pton(AF_INET, text, &ip->ip4) == 1) {
		ip->family = AF_INET;
	}
	if (slash)
		*slash = '/';
	if (!ip->family)
		return fail(err, "invalid address '%s'", text);
	cidr = ip->family == AF_INET ? 32 : 128;
	if (slash && !parse_number(&cidr, slash + 1, 10, cidr))
		return fail(err, "invalid prefix length in '%s'", text);
	ip->cidr = (uint8_t)cidr;
	return true;
}

struct idtun_allowedip config_masked(const struct idtun_allowedip *ip, const char *what,
				     const char *text)
{
	struct idtun_allowedip masked = *ip;

	allowedip_mask(&masked);
	if (!allowedip_equal(ip, &masked))
		fprintf(stderr, "Warning: %s has nonzero host part: %s\n", what, text);
	return masked;
}

static bool ip_entry(struct idtun_peer *peer, char *entry, bool remove, const void *arg,
		     char err[CONFIG_ERR_LEN])
{
	struct idtun_allowedip ip;

	(void)arg;
	if (!config_parse_prefix(&ip, entry, err))
		return false;
	ip.remove = remove;
	/* The kernel keeps the network part; the warning says so. */
	config_masked(&ip, "AllowedIP", entry);
	return !peer_add_ip(peer, &ip) || fail(err, "%s", strerror(ENOMEM));
}

bool config_parse_allowedips(struct idtun_peer *peer, const char *value,
			     bool incremental, char err[CONFIG_ERR_LEN])
{
	int replace = parse_list(peer, value, incremental, ip_entry, NULL, err);

	if (replace > 0)
		peer->flags |= IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
	return replace >= 0;
}

static int resolution_retries(void)
{
	const char *v = getenv("IDTUN_ENDPOINT_RESOLUTION_RETRIES");
	unsigned long n;

	if (!v)
		v = getenv("WG_ENDPOINT_RESOLUTION_RETRIES");
	if (!v)
		return 15;
	if (!strcmp(v, "infinity"))
		return -1;
	if (!parse_number(&n, v, 10, 0x7fffffff))
		return 15;
	return (int)n;
}

static bool resolve(union idtun_endpoint *endpoint, const char *host,
		    const char *port, const char *value, char err[CONFIG_ERR_LEN])
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_protocol = IPPROTO_UDP,
	};
	unsigned int delay = 1000000;
	int retries = resolution_retries(), ret;
	struct addrinfo *res;
	bool ok = false;

	for (;;) {
		ret = getaddrinfo(host, port, &hints, &res);
		if (!ret)
			break;
		/* Only answers that may change are worth waiting for. */
		if (ret == EAI_NONAME || ret == EAI_FAIL || ret == EAI_SERVICE ||
#ifdef EAI_NODATA
		    ret == EAI_NODATA ||
#endif
		    !retries)
			return fail(err, "'%s': %s", value,
				    ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
		if (retries > 0)
			retries--;
		fprintf(stderr, "Endpoint '%s': %s; trying again in %.2f seconds\n", value,
			ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret),
			delay / 1e6);
		usleep(delay);
		delay = delay * 6 / 5 > 20000000 ? 20000000 : delay * 6 / 5;
	}
	memset(endpoint, 0, sizeof(*endpoint));
	if ((res->ai_family == AF_INET && res->ai_addrlen == sizeof(endpoint->addr4)) ||
	    (res->ai_family == AF_INET6 && res->ai_addrlen == sizeof(endpoint->addr6))) {
		memcpy(endpoint, res->ai_addr, res->ai_addrlen);
		ok = true;
	}
	freeaddrinfo(res);
	return ok ? true : fail(err, "'%s': neither an IPv4 nor an IPv6 address", value);
}

bool config_parse_endpoint(union idtun_endpoint *endpoint, const char *value,
			   char err[CONFIG_ERR_LEN])
{
	char *text = strdup(value), *host, *port;
	unsigned long n;
	bool ok;

	if (!text)
		return fail(err, "%s", strerror(ENOMEM));
	if (text[0] == '[') {
		host = text + 1;
		port = strchr(host, ']');
		if (!port) {
			free(text);
			return fail(err, "missing ']' in '%s'", value);
		}
		*port++ = '\0';
		if (*port++ != ':' || !*port) {
			free(text);
			return fail(err, "missing port in '%s'", value);
		}
	} else {
		host = text;
		port = strrchr(text, ':');
		if (!port || !port[1] || port == text) {
			free(text);
			return fail(err, "missing %s in '%s'", port == text ? "host" : "port",
				    value);
		}
		*port++ = '\0';
	}
	/* getaddrinfo takes 65536 for port 0: numbers are checked here. */
	if (isdigit((unsigned char)*port) && !parse_number(&n, port, 10, 65535)) {
		free(text);
		return fail(err, "invalid port in '%s'", value);
	}
	ok = resolve(endpoint, host, port, value, err);
	free(text);
	return ok;
}

bool config_read_keyfile(uint8_t key[IDTUN_KEY_LEN], const char *path,
			 char err[CONFIG_ERR_LEN])
{
	char text[IDTUN_KEY_B64_LEN + 1];
	size_t len;
	FILE *f;
	int c;
	bool ok = false;

	f = fopen(path, "r");
	if (!f)
		return fail(err, "cannot open '%s': %s", path, strerror(errno));
	len = fread(text, 1, IDTUN_KEY_B64_LEN, f);
	text[len] = '\0';
	if (len == 0 && !ferror(f)) {
		/* /dev/null or an empty file: no key. */
		memset(key, 0, IDTUN_KEY_LEN);
		ok = true;
		goto out;
	}
	while ((c = getc(f)) != EOF) {
		if (!isspace(c))
			break;
	}
	if (ferror(f)) {
		fail(err, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (c != EOF || !key_from_base64(key, text)) {
		fail(err, "'%s' does not hold a key (44 characters of base64)", path);
		goto out;
	}
	ok = true;
out:
	sodium_memzero(text, sizeof(text));
	fclose(f);
	return ok;
}

/* idtun's device settings: configuration key, `set` option, parser. */
static const struct {
	const char *key, *option;
	uint32_t has;
	enum { V_IDENTITY, V_MASK, V_ACTION, V_RATE } kind;
} idtun_settings[] = {
	{ "DefaultIdentity", "default-identity", DEV_HAS_DEFAULT_IDENTITY, V_IDENTITY },
	{ "MarkMask", "mark-mask", DEV_HAS_MARK_MASK, V_MASK },
	{ "EgressDefault", "egress-default", DEV_HAS_EGRESS_DEFAULT, V_ACTION },
	{ "IngressDefault", "ingress-default", DEV_HAS_INGRESS_DEFAULT, V_ACTION },
	{ "AuditRate", "audit-rate", DEV_HAS_AUDIT_RATE, V_RATE },
};

bool config_device_setting(struct idtun_device *dev, const char *name, bool option,
			   const char *value, const struct name_resolver *r, bool *ok,
			   char err[CONFIG_ERR_LEN])
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < sizeof(idtun_settings) / sizeof(idtun_settings[0]); i++) {
		if (option ? !strcmp(name, idtun_settings[i].option) :
			     !strcasecmp(name, idtun_settings[i].key))
			break;
	}
	if (i == sizeof(idtun_settings) / sizeof(idtun_settings[0]))
		return false;
	switch (idtun_settings[i].kind) {
	case V_IDENTITY:
		*ok = policy_parse_identity(&v, value, true, r, err);
		break;
	case V_MASK:
		*ok = config_parse_mark_mask(&v, value, err);
		break;
	case V_ACTION:
		*ok = policy_parse_action(&v, value, err);
		break;
	default:
		*ok = config_parse_audit_rate(&v, value, err);
		break;
	}
	device_set(dev, device_setting_of(idtun_settings[i].has), v);
	return true;
}
