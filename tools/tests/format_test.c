// SPDX-License-Identifier: GPL-2.0
/*
 * show and showconf output of the fixed model (model.h) against the golden
 * files in tests/golden, which were checked byte for byte against wg(8)
 * (tests/wg_crosscheck.sh). IDTUN_UPDATE_GOLDEN=1 rewrites them.
 */

#include "format.h"
#include "model.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#ifndef TESTS_DIR
#error "TESTS_DIR: the tools/tests directory"
#endif

enum what { PRETTY, FIELD, CONF, JSON };

static void golden(const char *name, const struct idtun_device *dev, enum what what,
		   const char *field, bool with_name, const struct format_opts *o)
{
	char path[512], *got = NULL, *want = NULL;
	size_t len = 0, wlen = 0;
	FILE *m = open_memstream(&got, &len), *f;

	switch (what) {
	case PRETTY:
		format_pretty(m, dev, o);
		break;
	case FIELD:
		format_field(m, dev, field, with_name);
		break;
	case CONF:
		format_conf(m, dev);
		break;
	case JSON:
		format_json(m, dev, o, 0);
		fputc('\n', m);
		break;
	}
	fclose(m);
	snprintf(path, sizeof(path), "%s/golden/%s", TESTS_DIR, name);
	if (getenv("IDTUN_UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		if (f) {
			fwrite(got, 1, len, f);
			fclose(f);
		}
	}
	f = fopen(path, "r");
	if (f) {
		m = open_memstream(&want, &wlen);
		for (int c; (c = getc(f)) != EOF;)
			putc(c, m);
		fclose(m);
		fclose(f);
	}
	ok(want && len == wlen && !memcmp(got, want, len), "%s", name);
	if (!want || len != wlen || memcmp(got, want, len))
		printf("# got:\n%s# want:\n%s", got, want ? want : "(no file)\n");
	free(got);
	free(want);
}

static const char *const fields[] = {
	"public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys",
	"endpoints", "allowed-ips", "latest-handshakes", "persistent-keepalive",
	"transfer", "dump",
};

int main(void)
{
	struct format_opts plain = { .hide_keys = true, .now = MODEL_NOW };
	struct format_opts color = { .color = true, .hide_keys = true, .now = MODEL_NOW };
	struct format_opts keys = { .hide_keys = false, .now = MODEL_NOW };
	struct idtun_device dev, empty;
	char name[128];
	size_t i;

	tap_start();
	model_device(&dev);
	model_empty(&empty);
	golden("pretty", &dev, PRETTY, NULL, false, &plain);
	golden("pretty-color", &dev, PRETTY, NULL, false, &color);
	golden("pretty-keys", &dev, PRETTY, NULL, false, &keys);
	golden("empty-pretty", &empty, PRETTY, NULL, false, &plain);
	golden("empty-pretty-color", &empty, PRETTY, NULL, false, &color);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		ok(format_is_field(fields[i]), "%s is a field", fields[i]);
		snprintf(name, sizeof(name), "field-%s", fields[i]);
		golden(name, &dev, FIELD, fields[i], false, &plain);
		snprintf(name, sizeof(name), "field-%s-all", fields[i]);
		golden(name, &dev, FIELD, fields[i], true, &plain);
		snprintf(name, sizeof(name), "empty-field-%s", fields[i]);
		golden(name, &empty, FIELD, fields[i], false, &plain);
	}
	ok(!format_is_field("bogus") && !format_is_field("") && !format_is_field("Dump"),
	   "other words are no fields");
	golden("showconf", &dev, CONF, NULL, false, &plain);
	golden("empty-showconf", &empty, CONF, NULL, false, &plain);
	golden("json", &dev, JSON, NULL, false, &plain);
	golden("json-keys", &dev, JSON, NULL, false, &keys);
	golden("empty-json", &empty, JSON, NULL, false, &plain);
	device_free(&dev);
	device_free(&empty);
	return tap_end();
}
