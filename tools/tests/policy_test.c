// SPDX-License-Identifier: GPL-2.0
/*
 * Identities and rules as text (policy.c): the rule grammar read and
 * written back, its errors, identity names and references; and cgroup
 * paths (cgroup.c) translated from a cgroup2 mount through mountinfo.
 */

#include "cgroup.h"
#include "policy.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

static struct idtun_names names;
static const struct name_resolver resolver = { policy_names_lookup, &names };

/* text parses, and prints back as want (NULL: as itself). */
static void round_trip(const char *text, const char *want)
{
	char err[POLICY_ERR_LEN] = "", out[POLICY_RULE_LEN] = "";
	struct idtun_rule rule;
	bool parsed = policy_parse_rule_text(&rule, text, true, &resolver, err);

	if (parsed)
		policy_rule_text(out, &rule, &names, true);
	want = want ? want : text;
	ok(parsed && !strcmp(out, want), "'%s' reads back as '%s'", text, want);
	if (!parsed || strcmp(out, want))
		printf("# got '%s' %s\n", out, err);
}

/* text fails with exactly want. */
static void bad(const char *text, bool need_action, const char *want)
{
	char err[POLICY_ERR_LEN] = "";
	struct idtun_rule rule;
	bool parsed = policy_parse_rule_text(&rule, text, need_action, &resolver, err);

	ok(!parsed && !strcmp(err, want), "'%s': %s", text, want);
	if (parsed || strcmp(err, want))
		printf("# got: %s\n", parsed ? "(parsed)" : err);
}

static void test_rules(void)
{
	char err[POLICY_ERR_LEN], out[POLICY_RULE_LEN];
	struct idtun_rule a, b;
	char *words[] = { "ingress", "from", "0", "deny", "#", "12", "packets" };

	round_trip("egress from web to 10.2.0.0/16 proto tcp port 443 deny", NULL);
	round_trip("egress deny", NULL);
	round_trip("ingress from 0 allow", "ingress from unlabelled allow");
	round_trip("ingress from 77 allow", NULL);
	round_trip("ingress from 3000 allow", NULL);	/* named "123": the number */
	round_trip("egress from any to any proto any allow", "egress allow");
	round_trip("egress proto 0 allow", "egress allow");
	round_trip("egress to ::/0 allow", NULL);
	round_trip("egress to 0.0.0.0/0 allow", NULL);
	round_trip("egress to fd00::1 deny", "egress to fd00::1/128 deny");
	round_trip("egress to 10.1.2.3/8 deny", "egress to 10.0.0.0/8 deny");
	round_trip("egress port 1000-2000 proto udp to 10.0.0.0/8 from db allow",
		   "egress from db to 10.0.0.0/8 proto udp port 1000-2000 allow");
	round_trip("egress proto 6 port 22-22 deny", "egress proto tcp port 22 deny");
	round_trip("egress proto 17 allow", "egress proto udp allow");
	round_trip("egress proto 132 port 9 allow", "egress proto sctp port 9 allow");
	round_trip("egress proto 136 port 0-65535 allow", "egress proto udplite allow");
	round_trip("egress proto udp port 0-65534 allow", NULL);
	round_trip("egress proto 58 allow", "egress proto ipv6-icmp allow");
	round_trip("egress proto 1 allow", "egress proto icmp allow");
	round_trip("egress proto 47 allow", NULL);
	round_trip("egress\tfrom  web   deny", "egress from web deny");
	round_trip("egress from web deny # 5 packets, 420 bytes", "egress from web deny");

	ok(policy_parse_rule(&a, words, 7, true, &resolver, err) &&
	   (a.has & RULE_HAS_IDENTITY) && a.identity == 0 && a.action == IDTUN_ACTION_DENY &&
	   a.direction == IDTUN_DIRECTION_INGRESS,
	   "words, as from argv; 'from 0' is identity 0, a '#' ends the rule");
	ok(policy_parse_rule_text(&b, "ingress deny", true, &resolver, err) &&
	   !(b.has & RULE_HAS_IDENTITY) && !rule_key_equal(&a, &b),
	   "no 'from' is any identity, another key than 'from 0'");
	ok(policy_parse_rule_text(&a, "egress from web to 10.0.0.0/8 allow", true, &resolver,
				  err) &&
	   policy_parse_rule_text(&b, "egress to 10.0.0.0/8 from 1001 deny", true, &resolver,
				  err) &&
	   rule_key_equal(&a, &b) && a.action != b.action,
	   "a rule's key is its match, not its action");
	ok(policy_parse_rule_text(&a, "egress from web to 10.0.0.0/8", false, &resolver, err) &&
	   !(a.has & RULE_HAS_ACTION) &&
	   policy_parse_rule_text(&b, "egress from web to 10.0.0.0/8 deny", false, &resolver,
				  err) &&
	   !(b.has & RULE_HAS_ACTION) && rule_key_equal(&a, &b),
	   "removing: the action is optional and ignored");
	policy_rule_text(out, &a, NULL, true);
	ok(!strcmp(out, "egress from 1001 to 10.0.0.0/8"), "without names, numbers: %s", out);

	bad("", true, "a rule starts with egress or ingress");
	bad("# only a comment", true, "a rule starts with egress or ingress");
	bad("out deny", true, "a rule starts with egress or ingress, not 'out'");
	bad("Egress deny", true, "a rule starts with egress or ingress, not 'Egress'");
	bad("egress DENY", true, "expected from, to, proto, port, allow or deny, not 'DENY'");
	bad("egress", true, "a rule ends with allow or deny");
	bad("egress from web", true, "a rule ends with allow or deny");
	bad("egress deny allow", true, "'allow' after the action 'deny'");
	bad("egress from", true, "'from' needs a value");
	bad("egress to 10.0.0.0/8 to any deny", true, "'to' given twice");
	bad("egress port 80 deny", true, "port needs proto tcp, udp, udplite or sctp");
	bad("egress proto icmp port 80 deny", true, "port needs proto tcp, udp, udplite or sctp");
	bad("egress proto any port 80 deny", true, "port needs proto tcp, udp, udplite or sctp");
	bad("egress proto tcp port 80- deny", true, "invalid port '80-' (N or N-M, 0 to 65535)");
	bad("egress proto tcp port -80 deny", true, "invalid port '-80' (N or N-M, 0 to 65535)");
	bad("egress proto tcp port 0x50 deny", true, "invalid port '0x50' (N or N-M, 0 to 65535)");
	bad("egress proto tcp port 000000080 deny", true,
	    "invalid port '000000080' (N or N-M, 0 to 65535)");
	bad("egress from nosuch deny", true, "unknown identity name 'nosuch'");
	bad("egress from -1 deny", true, "unknown identity name '-1'");
	bad("egress from a,b deny", true,
	    "invalid identity name 'a,b' (printable, without blanks, ',' or '#')");
	bad("egress to any6 deny", true, "invalid address 'any6'");
	bad("egress to 10.0.0.0/ deny", true, "invalid prefix length in '10.0.0.0/'");
	bad("egress with web deny", false,
	    "expected from, to, proto, port, allow or deny, not 'with'");
}

static void test_names(void)
{
	char err[POLICY_ERR_LEN], out[POLICY_ID_LEN];
	uint32_t id = 7;

	ok(policy_name_valid("web", err) && policy_name_valid("ns/sa:web-1.x_y@z", err),
	   "names: printable without blanks, commas or #");
	ok(!policy_name_valid("", err) && !policy_name_valid("a b", err) &&
	   !policy_name_valid("a#b", err) && !policy_name_valid("caf\xc3\xa9", err) &&
	   !policy_name_valid("12", err) && !policy_name_valid("any", err),
	   "no empty names, blanks, '#', non-ASCII, numbers or 'any'");
	ok(policy_name_valid("any1", err) && policy_name_valid("Any", err) &&
	   policy_name_valid("1a", err), "'any1', 'Any' and '1a' are names");
	ok(policy_parse_identity(&id, "0", true, NULL, err) && id == 0 &&
	   !policy_parse_identity(&id, "0", false, NULL, err) &&
	   !strcmp(err, "identity 0 (unlabelled) is not allowed here"),
	   "identity 0 where it may be, not where it may not");
	ok(!policy_parse_identity(&id, "unlabelled", false, &resolver, err) &&
	   !strcmp(err, "identity 0 (unlabelled) is not allowed here"),
	   "nor by a name of 0");
	ok(policy_parse_identity(&id, "4294967295", false, NULL, err) && id == 4294967295u &&
	   !policy_parse_identity(&id, "4294967296", false, NULL, err),
	   "identities up to 2^32-1");
	ok(!policy_parse_identity(&id, "web", false, NULL, err) &&
	   !strcmp(err, "unknown identity name 'web'"), "no resolver: every name is unknown");
	ok(!strcmp(policy_identity_ref(out, 1001, &names), "web") &&
	   !strcmp(policy_identity_ref(out, 3000, &names), "3000") &&
	   !strcmp(policy_identity_ref(out, 9, &names), "9") &&
	   !strcmp(policy_identity_ref(out, 9, NULL), "9"),
	   "references: the name when it reads back as one, else the number");
	ok(!strcmp(policy_identity_label(out, 1001, "web"), "web (1001)") &&
	   !strcmp(policy_identity_label(out, 9, ""), "9"), "labels: \"web (1001)\"");
}

static char *from_mountinfo(const char *text, const char *real)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	char *out = cgroup_from_mountinfo(f, real);

	fclose(f);
	return out;
}

static void check_path(const char *text, const char *real, const char *want)
{
	char *got = from_mountinfo(text, real);

	ok(want ? got && !strcmp(got, want) : !got, "%s -> %s", real, want ? want : "(none)");
	if (want ? !got || strcmp(got, want) : !!got)
		printf("# got %s\n", got ? got : "(none)");
	free(got);
}

static void test_cgroups(void)
{
	static const char mountinfo[] =
		"22 1 0:21 / / rw - ext4 /dev/sda1 rw\n"
		"31 22 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw\n"
		"42 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
		"50 22 0:38 /kubepods/pod\\040a /run/pod\\040cg rw master:3 - cgroup2 cgroup2 rw\n";
	char err[256], *path, *big;
	struct statfs sf;

	check_path(mountinfo, "/sys/fs/cgroup/unified", "/");
	check_path(mountinfo, "/sys/fs/cgroup/unified/system.slice/web.service",
		   "/system.slice/web.service");
	check_path(mountinfo, "/sys/fs/cgroup/unifiedx/a", NULL);
	check_path(mountinfo, "/sys/fs/cgroup/cpu/a", NULL);
	check_path(mountinfo, "/run/pod cg/c1", "/kubepods/pod a/c1");
	check_path(mountinfo, "/run/pod cg", "/kubepods/pod a");
	check_path("1 0 0:1 / / rw - cgroup2 none rw\n", "/a/b", "/a/b");

	ok(cgroup_path(&path, "/system.slice/web.service//", err, sizeof(err)) &&
	   !strcmp(path, "/system.slice/web.service"), "a path as /proc/self/cgroup shows it");
	free(path);
	ok(cgroup_path(&path, "/", err, sizeof(err)) && !strcmp(path, "/"), "the root");
	free(path);
	ok(!cgroup_path(&path, "system.slice", err, sizeof(err)) && !path,
	   "a relative path that is no cgroup2 directory: %s", err);
	big = calloc(1, CGROUP_PATH_LEN_MAX + 2);
	memset(big, 'a', CGROUP_PATH_LEN_MAX + 1);
	big[0] = '/';
	ok(!cgroup_path(&path, big, err, sizeof(err)) &&
	   !strcmp(err, "cgroup path longer than 4000 characters"), "at most 4000 characters");
	big[CGROUP_PATH_LEN_MAX] = '\0';
	ok(cgroup_path(&path, big, err, sizeof(err)), "4000 characters");
	free(path);
	free(big);

	/* This machine's own cgroup2 mount, where there is one. */
	if (!statfs("/sys/fs/cgroup", &sf) && sf.f_type == CGROUP2_SUPER_MAGIC) {
		ok(cgroup_path(&path, "/sys/fs/cgroup", err, sizeof(err)) && !strcmp(path, "/"),
		   "/sys/fs/cgroup is the root of its cgroup2 mount");
		free(path);
	} else if (!statfs("/sys/fs/cgroup/unified", &sf) && sf.f_type == CGROUP2_SUPER_MAGIC) {
		ok(cgroup_path(&path, "/sys/fs/cgroup/unified/", err, sizeof(err)) &&
		   !strcmp(path, "/"), "/sys/fs/cgroup/unified is the root of its cgroup2 mount");
		free(path);
	} else {
		printf("ok %d - this machine's cgroup2 mount # SKIP none\n", ++tap_count);
	}
}

int main(void)
{
	tap_start();
	if (names_set(&names, 0, "unlabelled") || names_set(&names, 1001, "web") ||
	    names_set(&names, 1002, "db") || names_set(&names, 3000, "123"))
		abort();
	test_rules();
	test_names();
	test_cgroups();
	names_free(&names);
	return tap_end();
}
