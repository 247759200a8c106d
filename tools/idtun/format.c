// SPDX-License-Identifier: GPL-2.0
/* show and showconf output, byte for byte as wg(8) prints it; see format.h. */

#include "format.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netdb.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define RESET "\x1b[0m"
#define BOLD "\x1b[1m"
#define RED "\x1b[31m"
#define GREEN "\x1b[32m"
#define YELLOW "\x1b[33m"
#define CYAN "\x1b[36m"

/* A colour code, or nothing when colours are off. */
#define C(o, code) ((o)->color ? (code) : "")

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

static void print_bytes(FILE *f, uint64_t b, const struct format_opts *o)
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

static void print_pretty_peer(FILE *f, const struct idtun_peer *peer,
			      const struct format_opts *o)
{
	char key[IDTUN_KEY_B64_LEN + 1], ip[INET6_ADDRSTRLEN], ep[NI_MAXHOST + NI_MAXSERV + 4];
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
		print_bytes(f, peer->rx_bytes, o);
		fputs(" received, ", f);
		print_bytes(f, peer->tx_bytes, o);
		fputs(" sent\n", f);
	}
	if (peer->keepalive) {
		fprintf(f, "  %spersistent keepalive%s: every ", C(o, BOLD), C(o, RESET));
		print_duration(f, peer->keepalive, o);
		fputc('\n', f);
	}
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

void format_conf(FILE *f, const struct idtun_device *dev)
{
	char key[IDTUN_KEY_B64_LEN + 1], ep[NI_MAXHOST + NI_MAXSERV + 4];
	const struct idtun_peer *peer;
	size_t i;

	fputs("[Interface]\n", f);
	if (dev->listen_port)
		fprintf(f, "ListenPort = %u\n", dev->listen_port);
	if (dev->fwmark)
		fprintf(f, "FwMark = 0x%x\n", dev->fwmark);
	if (dev->has & DEV_HAS_PRIVATE_KEY)
		fprintf(f, "PrivateKey = %s\n", key_text(key, dev->private_key));
	fputc('\n', f);
	for (i = 0; i < dev->npeers; i++) {
		peer = &dev->peers[i];
		fprintf(f, "[Peer]\nPublicKey = %s\n", key_text(key, peer->public_key));
		if (peer->has & PEER_HAS_PRESHARED_KEY)
			fprintf(f, "PresharedKey = %s\n", key_text(key, peer->preshared_key));
		if (peer->nips) {
			fputs("AllowedIPs = ", f);
			for (size_t j = 0; j < peer->nips; j++) {
				char ip[INET6_ADDRSTRLEN];

				fprintf(f, "%s/%u%s", ip_text(ip, &peer->ips[j]), peer->ips[j].cidr,
					j + 1 < peer->nips ? ", " : "\n");
			}
		}
		if (has_endpoint(peer)) {
			format_endpoint(ep, sizeof(ep), &peer->endpoint);
			fprintf(f, "Endpoint = %s\n", ep);
		}
		if (peer->keepalive)
			fprintf(f, "PersistentKeepalive = %u\n", peer->keepalive);
		if (i + 1 < dev->npeers)
			fputc('\n', f);
	}
	sodium_memzero(key, sizeof(key));
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

static void json_key(FILE *f, const char *secret_or_null, int level, const char *name,
		     bool last)
{
	fprintf(f, "%*s\"%s\": ", level * 2, "", name);
	if (secret_or_null)
		format_json_string(f, secret_or_null);
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
	json_key(f, key_text(key, peer->public_key), level + 1, "public_key", false);
	json_key(f, peer->has & PEER_HAS_PRESHARED_KEY ?
		 secret_text(key, peer->preshared_key, o) : NULL,
		 level + 1, "preshared_key", false);
	if (has_endpoint(peer))
		format_endpoint(ep, sizeof(ep), &peer->endpoint);
	json_key(f, has_endpoint(peer) ? ep : NULL, level + 1, "endpoint", false);
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
	fprintf(f, "%*s\"protocol_version\": %u\n", in, "", peer->protocol_version);
	fprintf(f, "%*s}", level * 2, "");
	sodium_memzero(key, sizeof(key));
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
	json_key(f, dev->has & DEV_HAS_PUBLIC_KEY ? key_text(key, dev->public_key) : NULL,
		 level + 1, "public_key", false);
	json_key(f, dev->has & DEV_HAS_PRIVATE_KEY ?
		 secret_text(key, dev->private_key, o) : NULL,
		 level + 1, "private_key", false);
	fprintf(f, "%*s\"listen_port\": %u,\n", in, "", dev->listen_port);
	fprintf(f, "%*s\"fwmark\": %u,\n", in, "", dev->fwmark);
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
