// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration files: the WireGuard format and idtun's companion
 * sections, several files merged; see config.h. The values are parsed in
 * value.c.
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

/* The parser's state while it reads the files. */
enum section { SECTION_NONE, SECTION_INTERFACE, SECTION_PEER, SECTION_IDENTITY, SECTION_POLICY };

struct config_ctx {
	struct idtun_device *dev;
	const char *name;		/* of the file being read */
	unsigned int line;
	enum section section;
	unsigned int interface_line;
	unsigned int section_line;	/* of the current [Peer] or [Identity] */
	bool peer_has_key, peer_named_ips;
	size_t file_first_peer;		/* peers before it come from earlier files */
	struct idtun_identity ident;	/* the current [Identity], until its end */
	bool ident_has_id;
	unsigned int ident_name_line, ident_bind_line;
	const struct idtun_names *defined;	/* the names the files give */
	const struct name_resolver *resolver;	/* the others */
	struct name_resolver names;		/* both */
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

/* Names the files give first, then the resolver's. */
static bool lookup_name(void *data, const char *name, uint32_t *id, char err[CONFIG_ERR_LEN])
{
	struct config_ctx *ctx = data;
	const struct idtun_name *n = names_by_name(ctx->defined, name);

	if (n) {
		*id = n->identity;
		return true;
	}
	if (ctx->resolver)
		return ctx->resolver->lookup(ctx->resolver->ctx, name, id, err);
	return fail(err, "unknown identity name '%s'", name);
}

/* Keys wg-quick(8) reads from [Interface]; wg itself never sees them. */
static const char *const wg_quick_keys[] = {
	"Address", "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown",
	"SaveConfig",
};

static const char *const interface_keys[] = {
	"PrivateKey", "ListenPort", "FwMark",
	"DefaultIdentity", "MarkMask", "EgressDefault", "IngressDefault", "AuditRate",
};
static const char *const peer_keys[] = {
	"PublicKey", "PresharedKey", "AllowedIPs", "Endpoint", "PersistentKeepalive",
	"Labels", "Identity", "AllowedIdentities",
};
static const char *const identity_keys[] = { "Identity", "Name", "Cgroup", "Prefix" };
static const char *const policy_keys[] = { "Rule" };

#define LEN(list) (sizeof(list) / sizeof(list[0]))

static const struct {
	const char *name;
	const char *const *keys;
	size_t nkeys;
} sections[] = {
	[SECTION_NONE] = { "", NULL, 0 },
	[SECTION_INTERFACE] = { "[Interface]", interface_keys, LEN(interface_keys) },
	[SECTION_PEER] = { "[Peer]", peer_keys, LEN(peer_keys) },
	[SECTION_IDENTITY] = { "[Identity]", identity_keys, LEN(identity_keys) },
	[SECTION_POLICY] = { "[Policy]", policy_keys, LEN(policy_keys) },
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

#define IN_LIST(key, list) in_list(key, list, LEN(list))

/* The first section a key belongs in, SECTION_NONE for no key at all. */
static enum section section_of(const char *key)
{
	enum section s;

	if (IN_LIST(key, wg_quick_keys))
		return SECTION_INTERFACE;
	for (s = SECTION_INTERFACE; s <= SECTION_POLICY; s++) {
		if (in_list(key, sections[s].keys, sections[s].nkeys))
			return s;
	}
	return SECTION_NONE;
}

/* A [Peer] of a later file adds what it names to the same peer of an earlier one. */
static int merge_peer(struct idtun_peer *into, const struct idtun_peer *from, bool named_ips)
{
	size_t i;

	if (from->has & PEER_HAS_PRESHARED_KEY)
		memcpy(into->preshared_key, from->preshared_key, IDTUN_KEY_LEN);
	if (from->endpoint.addr.sa_family)
		into->endpoint = from->endpoint;
	if (from->has & PEER_HAS_KEEPALIVE)
		into->keepalive = from->keepalive;
	if (from->has & PEER_HAS_LABELS)
		into->labels = from->labels;
	if (from->has & PEER_HAS_IDENTITY)
		into->identity = from->identity;
	into->has |= from->has;
	if (named_ips) {
		into->nips = 0;
		into->flags |= from->flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
		for (i = 0; i < from->nips; i++) {
			if (peer_add_ip(into, &from->ips[i]))
				return -ENOMEM;
		}
	}
	if (from->flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES) {
		into->naids = 0;
		into->flags |= IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES;
		for (i = 0; i < from->naids; i++) {
			if (peer_add_aid(into, from->aids[i].identity, false))
				return -ENOMEM;
		}
	}
	return 0;
}

static bool end_peer(struct config_ctx *ctx)
{
	struct idtun_device *dev = ctx->dev;
	struct idtun_peer *peer = &dev->peers[dev->npeers - 1];
	size_t i;

	if (!ctx->peer_has_key) {
		ctx->line = ctx->section_line;
		return ctx_fail(ctx, "[Peer] without a PublicKey");
	}
	for (i = ctx->file_first_peer; i-- > 0;) {
		if (memcmp(dev->peers[i].public_key, peer->public_key, IDTUN_KEY_LEN))
			continue;
		if (merge_peer(&dev->peers[i], peer, ctx->peer_named_ips))
			return ctx_fail(ctx, "%s", strerror(ENOMEM));
		peer_free(peer);
		dev->npeers--;
		break;
	}
	return true;
}

static void reset_identity(struct config_ctx *ctx)
{
	while (ctx->ident.nbindings)
		binding_free(&ctx->ident.bindings[--ctx->ident.nbindings]);
	free(ctx->ident.bindings);
	memset(&ctx->ident, 0, sizeof(ctx->ident));
	ctx->ident_has_id = false;
}

static bool end_identity(struct config_ctx *ctx)
{
	struct idtun_identity *id = &ctx->ident;
	const struct idtun_name *other;
	size_t i;

	if (!ctx->ident_has_id) {
		ctx->line = ctx->section_line;
		return ctx_fail(ctx, "[Identity] without an Identity");
	}
	if (id->name[0]) {
		other = names_by_name(&ctx->dev->names, id->name);
		if (other && other->identity != id->identity) {
			ctx->line = ctx->ident_name_line;
			return ctx_fail(ctx, "Name: '%s' is already the name of identity %u",
					id->name, other->identity);
		}
		if (names_set(&ctx->dev->names, id->identity, id->name))
			return ctx_fail(ctx, "%s", strerror(ENOMEM));
	}
	if (id->nbindings && !id->identity) {
		ctx->line = ctx->ident_bind_line;
		return ctx_fail(ctx, "identity 0 (unlabelled) cannot be bound");
	}
	for (i = 0; i < id->nbindings; i++) {
		id->bindings[i].identity = id->identity;
		if (device_add_binding(ctx->dev, &id->bindings[i]))
			return ctx_fail(ctx, "%s", strerror(ENOMEM));
	}
	reset_identity(ctx);
	return true;
}

static bool end_section(struct config_ctx *ctx)
{
	if (ctx->section == SECTION_PEER)
		return end_peer(ctx);
	if (ctx->section == SECTION_IDENTITY)
		return end_identity(ctx);
	return true;
}

static bool start_section(struct config_ctx *ctx, const char *line)
{
	enum section s;

	if (!end_section(ctx))
		return false;
	for (s = SECTION_INTERFACE; s <= SECTION_POLICY; s++) {
		if (!strcasecmp(line, sections[s].name))
			break;
	}
	if (s > SECTION_POLICY)
		return ctx_fail(ctx, "unknown section '%s'", line);
	if (s == SECTION_INTERFACE) {
		if (ctx->interface_line)
			return ctx_fail(ctx, "a second [Interface] section (the first is at "
					"line %u)", ctx->interface_line);
		ctx->interface_line = ctx->line;
	} else if (s == SECTION_PEER) {
		struct idtun_peer *peer = device_add_peer(ctx->dev);

		if (!peer)
			return ctx_fail(ctx, "%s", strerror(ENOMEM));
		/* A peer in a file is all it is: its allowed IPs are these. */
		peer->flags |= IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
		ctx->peer_has_key = false;
		ctx->peer_named_ips = false;
	}
	ctx->section = s;
	ctx->section_line = ctx->line;
	return true;
}

static bool interface_value(struct config_ctx *ctx, const char *key, const char *value,
			    char *err)
{
	struct idtun_device *dev = ctx->dev;
	bool ok = true;

	if (!strcasecmp(key, "PrivateKey")) {
		ok = config_parse_key(dev->private_key, value, true, err);
		dev->has |= DEV_HAS_PRIVATE_KEY;
	} else if (!strcasecmp(key, "ListenPort")) {
		ok = config_parse_port(&dev->listen_port, value, err);
		dev->has |= DEV_HAS_LISTEN_PORT;
	} else if (!strcasecmp(key, "FwMark")) {
		ok = config_parse_fwmark(&dev->fwmark, value, err);
		dev->has |= DEV_HAS_FWMARK;
	} else {
		config_device_setting(dev, key, false, value, &ctx->names, &ok, err);
	}
	return ok;
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
		ctx->peer_named_ips = true;
		return config_parse_allowedips(peer, value, false, err);
	} else if (!strcasecmp(key, "Endpoint")) {
		return config_parse_endpoint(&peer->endpoint, value, err);
	} else if (!strcasecmp(key, "PersistentKeepalive")) {
		if (!config_parse_keepalive(&peer->keepalive, value, err))
			return false;
		peer->has |= PEER_HAS_KEEPALIVE;
	} else if (!strcasecmp(key, "Labels")) {
		if (!config_parse_labels(&peer->labels, value, err))
			return false;
		peer->has |= PEER_HAS_LABELS;
	} else if (!strcasecmp(key, "Identity")) {
		if (!policy_parse_identity(&peer->identity, value, true, &ctx->names, err))
			return false;
		peer->has |= PEER_HAS_IDENTITY;
	} else if (!strcasecmp(key, "AllowedIdentities")) {
		return config_parse_allowed_identities(peer, value, false, &ctx->names, err);
	}
	return true;
}

static bool identity_number(uint32_t *id, const char *value, char *err)
{
	if (!isdigit((unsigned char)*value))
		return fail(err, "invalid identity '%s' (a number)", value);
	return policy_parse_identity(id, value, true, NULL, err);
}

static bool identity_value(struct config_ctx *ctx, const char *key, const char *value,
			   char *err)
{
	struct idtun_identity *id = &ctx->ident;
	struct idtun_binding b = { 0 };
	char *list, *rest, *entry;
	bool ok = true;

	if (!strcasecmp(key, "Identity")) {
		if (ctx->ident_has_id)
			return fail(err, "a second Identity in one [Identity] section");
		ctx->ident_has_id = identity_number(&id->identity, value, err);
		return ctx->ident_has_id;
	}
	if (!strcasecmp(key, "Name")) {
		if (!policy_name_valid(value, err))
			return false;
		snprintf(id->name, sizeof(id->name), "%s", value);
		ctx->ident_name_line = ctx->line;
		return true;
	}
	if (!id->nbindings)
		ctx->ident_bind_line = ctx->line;
	if (!strcasecmp(key, "Cgroup")) {
		if (!cgroup_path(&b.cgroup, value, err, CONFIG_ERR_LEN))
			return false;
		ok = !identity_add_binding(id, &b) || fail(err, "%s", strerror(ENOMEM));
		free(b.cgroup);
		return ok;
	}
	/* Prefix: a list, like AllowedIPs. */
	list = strdup(value);
	if (!list)
		return fail(err, "%s", strerror(ENOMEM));
	rest = list;
	while (ok && (entry = strsep(&rest, ","))) {
		ok = config_parse_prefix(&b.prefix, entry, err);
		if (!ok)
			break;
		b.prefix = config_masked(&b.prefix, "Prefix", entry);
		ok = !identity_add_binding(id, &b) || fail(err, "%s", strerror(ENOMEM));
	}
	free(list);
	return ok;
}

static bool policy_value(struct config_ctx *ctx, const char *value, char *err)
{
	struct idtun_rule rule;

	if (!policy_parse_rule_text(&rule, value, true, &ctx->names, err))
		return false;
	return !device_add_rule(ctx->dev, &rule) || fail(err, "%s", strerror(ENOMEM));
}

/* Keys whose values keep their inner blanks (and lose the outer ones). */
static const char *const raw_keys[] = { "Rule", "Cgroup" };

static char *raw_value(char *raw)
{
	char *v = strchr(raw, '='), *end;

	for (v++; isspace((unsigned char)*v); v++)
		;
	end = v + strlen(v);
	while (end > v && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return v;
}

/*
 * One line: line with its blanks and comment removed, raw with only its
 * comment removed.
 */
static bool parse_line(struct config_ctx *ctx, char *line, char *raw)
{
	char err[CONFIG_ERR_LEN], *value = strchr(line, '=');
	const char *key = line;
	enum section owner;
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
	owner = section_of(key);
	if (owner == SECTION_NONE)
		return ctx_fail(ctx, "unknown key '%s'", key);
	if (ctx->section == SECTION_NONE)
		return ctx_fail(ctx, "key '%s' outside a section", key);
	if (!in_list(key, sections[ctx->section].keys, sections[ctx->section].nkeys))
		return ctx_fail(ctx, "key '%s' belongs in %s, not %s", key, sections[owner].name,
				sections[ctx->section].name);
	if (IN_LIST(key, raw_keys))
		value = raw_value(raw);
	/* As in wg: "AllowedIPs =" is a mistake, not an empty list. */
	if (!*value)
		return ctx_fail(ctx, "%s: empty value", key);
	switch (ctx->section) {
	case SECTION_INTERFACE:
		ok = interface_value(ctx, key, value, err);
		break;
	case SECTION_PEER:
		ok = peer_value(ctx, key, value, err);
		break;
	case SECTION_IDENTITY:
		ok = identity_value(ctx, key, value, err);
		break;
	default:
		ok = policy_value(ctx, value, err);
		break;
	}
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

/*
 * Calls fn on every line of file: a NUL-terminated copy without the
 * newline, and its length (a NUL inside shows as a shorter strlen). Stops
 * at the first false. The copies are wiped: they may hold keys.
 */
static bool each_line(const struct config_file *file,
		      bool (*fn)(void *arg, char *line, size_t len), void *arg)
{
	const char *p = file->text, *end = file->text + file->len, *nl;
	char *line = NULL, *bigger;
	size_t cap = 0, len;
	bool ok = true;

	while (ok && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = (size_t)((nl ? nl : end) - p);
		if (len + 1 > cap) {
			bigger = malloc(len + 1);
			if (!bigger) {
				ok = false;
				break;
			}
			if (line) {
				sodium_memzero(line, cap);
				free(line);
			}
			line = bigger;
			cap = len + 1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		ok = fn(arg, line, len);
		p = nl ? nl + 1 : end;
	}
	if (line) {
		sodium_memzero(line, cap);
		free(line);
	}
	return ok;
}

static bool parse_one(void *arg, char *line, size_t len)
{
	struct config_ctx *ctx = arg;
	char *raw;
	bool ok;

	ctx->line++;
	if (strlen(line) != len)
		return ctx_fail(ctx, "NUL byte in the line");
	raw = strdup(line);
	if (!raw)
		return ctx_fail(ctx, "%s", strerror(ENOMEM));
	raw[strcspn(raw, "#")] = '\0';
	strip(line);
	ok = parse_line(ctx, line, raw);
	sodium_memzero(raw, strlen(raw));
	free(raw);
	return ok;
}

/* Pass one: only the names [Identity] sections give, errors left for pass two. */
struct scan {
	struct idtun_names *names;
	bool in_identity, has_id;
	uint32_t id;
	char name[IDTUN_NAME_MAX + 1];
	bool nomem;
};

static void scan_commit(struct scan *s)
{
	if (s->in_identity && s->has_id && s->name[0] &&
	    names_set(s->names, s->id, s->name))
		s->nomem = true;
	s->has_id = false;
	s->name[0] = '\0';
}

static bool scan_one(void *arg, char *line, size_t len)
{
	char err[CONFIG_ERR_LEN], *value;
	struct scan *s = arg;

	(void)len;
	strip(line);
	if (line[0] == '[') {
		scan_commit(s);
		s->in_identity = !strcasecmp(line, "[Identity]");
		return true;
	}
	value = strchr(line, '=');
	if (!s->in_identity || !value)
		return true;
	*value++ = '\0';
	if (!strcasecmp(line, "Identity"))
		s->has_id = identity_number(&s->id, value, err);
	else if (!strcasecmp(line, "Name") && policy_name_valid(value, err))
		snprintf(s->name, sizeof(s->name), "%s", value);
	return true;
}

bool config_parse_files(struct idtun_device *dev, const struct config_file *files,
			size_t nfiles, bool append, const struct name_resolver *r,
			char err[CONFIG_ERR_LEN])
{
	struct idtun_names defined = { 0 };
	struct config_ctx ctx = {
		.dev = dev, .err = err, .defined = &defined, .resolver = r,
	};
	struct scan scan = { .names = &defined };
	bool ok = true;
	size_t i;

	err[0] = '\0';
	ctx.names.lookup = lookup_name;
	ctx.names.ctx = &ctx;
	for (i = 0; i < nfiles; i++) {
		each_line(&files[i], scan_one, &scan);
		scan_commit(&scan);
		scan.in_identity = false;
	}
	if (scan.nomem) {
		names_free(&defined);
		return fail(err, "%s", strerror(ENOMEM));
	}
	if (!append) {
		dev->flags |= IDTUN_DEVICE_FLAGS_REPLACE_PEERS |
			      IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS |
			      IDTUN_DEVICE_FLAGS_REPLACE_RULES;
		dev->has |= DEV_HAS_PRIVATE_KEY | DEV_HAS_LISTEN_PORT | DEV_HAS_FWMARK |
			    DEV_HAS_IDTUN;
		dev->audit_rate = DEFAULT_AUDIT_RATE;
		dev->egress_default = dev->ingress_default = DEFAULT_ACTION;
	}
	for (i = 0; ok && i < nfiles; i++) {
		ctx.name = files[i].name;
		ctx.line = 0;
		ctx.section = SECTION_NONE;
		ctx.interface_line = 0;
		ctx.file_first_peer = dev->npeers;
		ok = each_line(&files[i], parse_one, &ctx);
		if (!ok && !err[0])
			ok = ctx_fail(&ctx, "%s", strerror(ENOMEM));
		if (ok)
			ok = end_section(&ctx);
		ctx.section = SECTION_NONE;
	}
	reset_identity(&ctx);
	names_free(&defined);
	return ok;
}

bool config_read(struct config_file *file, FILE *f, const char *name,
		 char err[CONFIG_ERR_LEN])
{
	char buf[4096], *text;
	size_t n;

	memset(file, 0, sizeof(*file));
	file->name = name;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		text = malloc(file->len + n + 1);
		if (!text) {
			config_file_free(file);
			sodium_memzero(buf, sizeof(buf));
			return fail(err, "%s: %s", name, strerror(ENOMEM));
		}
		if (file->text)
			memcpy(text, file->text, file->len);
		memcpy(text + file->len, buf, n);
		text[file->len + n] = '\0';
		n += file->len;
		config_file_free(file);
		file->name = name;
		file->text = text;
		file->len = n;
	}
	sodium_memzero(buf, sizeof(buf));
	if (ferror(f)) {
		config_file_free(file);
		return fail(err, "%s: read error: %s", name, strerror(errno));
	}
	return true;
}

void config_file_free(struct config_file *file)
{
	if (file->text) {
		sodium_memzero(file->text, file->len);
		free(file->text);
	}
	memset(file, 0, sizeof(*file));
}

bool config_parse(struct idtun_device *dev, FILE *f, const char *name, bool append,
		  char err[CONFIG_ERR_LEN])
{
	struct config_file file;
	bool ok;

	if (!config_read(&file, f, name, err))
		return false;
	ok = config_parse_files(dev, &file, 1, append, NULL, err);
	config_file_free(&file);
	return ok;
}
