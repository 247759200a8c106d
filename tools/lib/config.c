// SPDX-License-Identifier: GPL-2.0
/* The WireGuard configuration format; see config.h. */

#include "config.h"

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

__attribute__((format(printf, 2, 3)))
static bool fail(char err[CONFIG_ERR_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, CONFIG_ERR_LEN, fmt, ap);
	va_end(ap);
	return false;
}

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

bool config_parse_fwmark(uint32_t *fwmark, const char *value, char err[CONFIG_ERR_LEN])
{
	unsigned long n;
	int base = 10;

	if (!strcasecmp(value, "off")) {
		*fwmark = 0;
		return true;
	}
	if (strlen(value) > 2 && value[0] == '0' && value[1] == 'x')
		base = 16;
	if (!parse_number(&n, value, base, UINT32_MAX))
		return fail(err, "invalid fwmark '%s' (0 to 0xffffffff, or off)", value);
	*fwmark = (uint32_t)n;
	return true;
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

static bool parse_prefix(struct idtun_allowedip *ip, char *text, char err[CONFIG_ERR_LEN])
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

bool config_parse_allowedips(struct idtun_peer *peer, const char *value,
			     bool incremental, char err[CONFIG_ERR_LEN])
{
	char *list = strdup(value), *rest = list, *entry;
	struct idtun_allowedip ip, masked;
	bool replace = true, ok = true;

	if (!list)
		return fail(err, "%s", strerror(ENOMEM));
	while ((entry = strsep(&rest, ",")) && *value) {
		bool remove = false;

		if (incremental && (*entry == '+' || *entry == '-')) {
			remove = *entry == '-';
			replace = false;
			entry++;
		}
		ok = parse_prefix(&ip, entry, err);
		if (!ok)
			break;
		ip.remove = remove;
		masked = ip;
		allowedip_mask(&masked);
		if (!allowedip_equal(&ip, &masked))
			fprintf(stderr, "Warning: AllowedIP has nonzero host part: %s\n", entry);
		if (peer_add_ip(peer, &ip)) {
			ok = fail(err, "%s", strerror(ENOMEM));
			break;
		}
	}
	free(list);
	if (ok && replace)
		peer->flags |= IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
	return ok;
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

/* The parser's state while it reads a file. */
struct config_ctx {
	struct idtun_device *dev;
	const char *name;
	unsigned int line;
	enum { SECTION_NONE, SECTION_INTERFACE, SECTION_PEER } section;
	unsigned int interface_line;
	unsigned int peer_line;		/* of the current [Peer] */
	bool peer_has_key;
	char *err;
};

__attribute__((format(printf, 2, 3)))
static bool ctx_fail(struct config_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(ctx->err, CONFIG_ERR_LEN, "%s:%u: ", ctx->name, ctx->line);
	if (n < 0 || n >= CONFIG_ERR_LEN)
		return false;
	va_start(ap, fmt);
	vsnprintf(ctx->err + n, CONFIG_ERR_LEN - n, fmt, ap);
	va_end(ap);
	return false;
}

/* Keys wg-quick(8) reads from [Interface]; wg itself never sees them. */
static const char *const wg_quick_keys[] = {
	"Address", "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown",
	"SaveConfig",
};

static const char *const interface_keys[] = { "PrivateKey", "ListenPort", "FwMark" };
static const char *const peer_keys[] = {
	"PublicKey", "PresharedKey", "AllowedIPs", "Endpoint", "PersistentKeepalive",
};

static bool in_list(const char *key, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcasecmp(key, list[i]))
			return true;
	}
	return false;
}

#define IN_LIST(key, list) in_list(key, list, sizeof(list) / sizeof(list[0]))

static bool end_peer(struct config_ctx *ctx)
{
	if (ctx->section != SECTION_PEER || ctx->peer_has_key)
		return true;
	ctx->line = ctx->peer_line;
	return ctx_fail(ctx, "[Peer] without a PublicKey");
}

static bool start_section(struct config_ctx *ctx, const char *line)
{
	if (!end_peer(ctx))
		return false;
	if (!strcasecmp(line, "[Interface]")) {
		if (ctx->interface_line)
			return ctx_fail(ctx, "a second [Interface] section (the first is at "
					"line %u)", ctx->interface_line);
		ctx->interface_line = ctx->line;
		ctx->section = SECTION_INTERFACE;
		return true;
	}
	if (!strcasecmp(line, "[Peer]")) {
		struct idtun_peer *peer = device_add_peer(ctx->dev);

		if (!peer)
			return ctx_fail(ctx, "%s", strerror(ENOMEM));
		/* A peer in a file is all it is: its allowed IPs are these. */
		peer->flags |= IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
		ctx->section = SECTION_PEER;
		ctx->peer_line = ctx->line;
		ctx->peer_has_key = false;
		return true;
	}
	return ctx_fail(ctx, "unknown section '%s'", line);
}

static bool interface_value(struct config_ctx *ctx, const char *key, const char *value,
			    char *err)
{
	struct idtun_device *dev = ctx->dev;

	if (!strcasecmp(key, "PrivateKey")) {
		if (!config_parse_key(dev->private_key, value, true, err))
			return false;
		dev->has |= DEV_HAS_PRIVATE_KEY;
	} else if (!strcasecmp(key, "ListenPort")) {
		if (!config_parse_port(&dev->listen_port, value, err))
			return false;
		dev->has |= DEV_HAS_LISTEN_PORT;
	} else if (!strcasecmp(key, "FwMark")) {
		if (!config_parse_fwmark(&dev->fwmark, value, err))
			return false;
		dev->has |= DEV_HAS_FWMARK;
	}
	return true;
}

static bool peer_value(struct config_ctx *ctx, const char *key, const char *value,
		       char *err)
{
	struct idtun_peer *peer = &ctx->dev->peers[ctx->dev->npeers - 1];

	if (!strcasecmp(key, "PublicKey")) {
		if (!config_parse_key(peer->public_key, value, false, err))
			return false;
		ctx->peer_has_key = true;
	} else if (!strcasecmp(key, "PresharedKey")) {
		if (!config_parse_key(peer->preshared_key, value, true, err))
			return false;
		peer->has |= PEER_HAS_PRESHARED_KEY;
	} else if (!strcasecmp(key, "AllowedIPs")) {
		return config_parse_allowedips(peer, value, false, err);
	} else if (!strcasecmp(key, "Endpoint")) {
		return config_parse_endpoint(&peer->endpoint, value, err);
	} else if (!strcasecmp(key, "PersistentKeepalive")) {
		if (!config_parse_keepalive(&peer->keepalive, value, err))
			return false;
		peer->has |= PEER_HAS_KEEPALIVE;
	}
	return true;
}

/* One line, with its whitespace and comment already removed. */
static bool parse_line(struct config_ctx *ctx, char *line)
{
	char err[CONFIG_ERR_LEN], *value = strchr(line, '=');
	const char *key = line;
	bool ok;

	if (!*line)
		return true;
	if (line[0] == '[')
		return start_section(ctx, line);
	if (!value || value == line)
		return ctx_fail(ctx, "expected 'Key = Value', got '%s'", line);
	*value++ = '\0';
	if (ctx->section == SECTION_INTERFACE && IN_LIST(key, wg_quick_keys))
		return true;
	if (!IN_LIST(key, interface_keys) && !IN_LIST(key, peer_keys) &&
	    !IN_LIST(key, wg_quick_keys))
		return ctx_fail(ctx, "unknown key '%s'", key);
	if (ctx->section == SECTION_NONE)
		return ctx_fail(ctx, "key '%s' outside a section", key);
	if (ctx->section == SECTION_INTERFACE && !IN_LIST(key, interface_keys))
		return ctx_fail(ctx, "key '%s' belongs in [Peer], not [Interface]", key);
	if (ctx->section == SECTION_PEER && !IN_LIST(key, peer_keys))
		return ctx_fail(ctx, "key '%s' belongs in [Interface], not [Peer]", key);
	/* As in wg: "AllowedIPs =" is a mistake, not an empty list. */
	if (!*value)
		return ctx_fail(ctx, "%s: empty value", key);
	if (ctx->section == SECTION_INTERFACE)
		ok = interface_value(ctx, key, value, err);
	else
		ok = peer_value(ctx, key, value, err);
	if (!ok)
		return ctx_fail(ctx, "%s: %s", key, err);
	return true;
}

/* Drops the comment and every blank, as wg does: "Allowed IPs" is not a key. */
static void strip(char *line)
{
	char *in, *out = line;

	for (in = line; *in && *in != '#'; in++) {
		if (!isspace((unsigned char)*in))
			*out++ = *in;
	}
	*out = '\0';
}

bool config_parse(struct idtun_device *dev, FILE *f, const char *name, bool append,
		  char err[CONFIG_ERR_LEN])
{
	struct config_ctx ctx = { .dev = dev, .name = name, .err = err };
	size_t cap = 0;
	char *line = NULL;
	ssize_t len;
	bool ok = true;

	if (!append) {
		dev->flags |= IDTUN_DEVICE_FLAGS_REPLACE_PEERS;
		dev->has |= DEV_HAS_PRIVATE_KEY | DEV_HAS_LISTEN_PORT | DEV_HAS_FWMARK;
	}
	while (ok && (len = getline(&line, &cap, f)) >= 0) {
		ctx.line++;
		if (memchr(line, '\0', (size_t)len)) {
			ok = ctx_fail(&ctx, "NUL byte in the line");
			break;
		}
		strip(line);
		ok = parse_line(&ctx, line);
	}
	if (ok && ferror(f))
		ok = ctx_fail(&ctx, "read error: %s", strerror(errno));
	if (ok)
		ok = end_peer(&ctx);
	if (line) {
		sodium_memzero(line, cap);
		free(line);
	}
	return ok;
}
