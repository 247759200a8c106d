// SPDX-License-Identifier: GPL-2.0
/* Parsing the kernel's error messages: NLMSG_ERROR and NLMSG_DONE with extack. */

#include "nl.h"
#include "tap.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/idtun.h>
#include <linux/netlink.h>
#include <string.h>

static char req_buf[512], ack_buf[1024];

/* A request naming a device, as idtun show sends it. */
static struct nlmsghdr *make_request(uint32_t *ifname_off)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req_buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = 0x20;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 7;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = IDTUN_CMD_SET_DEVICE;
	mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_IFINDEX, 3);
	*ifname_off = nlh->nlmsg_len;
	mnl_attr_put_strz(nlh, IDTUN_A_DEVICE_IFNAME, "idtun0");
	return nlh;
}

/* An error as a kernel with NETLINK_CAP_ACK and NETLINK_EXT_ACK sends it. */
static struct nlmsghdr *make_error(const struct nlmsghdr *req, int error,
				   const char *msg, int64_t offset)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ack_buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	nlh->nlmsg_seq = req->nlmsg_seq;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg = *req;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	if (offset >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, (uint32_t)offset);
	return nlh;
}

static void test_error_with_extack(void)
{
	struct nlmsghdr *req, *ack;
	struct nl_error err;
	uint32_t off;
	char text[256];

	req = make_request(&off);
	ack = make_error(req, -ENODEV, "IDTUN_A_DEVICE_IFNAME: no such device", off);
	ok(nl_parse_error(ack, req, &err), "parses an error with extack");
	ok(err.error == -ENODEV, "error code");
	ok(!strcmp(err.msg, "IDTUN_A_DEVICE_IFNAME: no such device"), "message");
	ok(err.offset == (int32_t)off, "offset");
	ok(err.attr_type == IDTUN_A_DEVICE_IFNAME, "offset resolves to the attribute");
	nl_format_error(text, sizeof(text), &err);
	ok(!strcmp(text, "No such device: IDTUN_A_DEVICE_IFNAME: no such device (attribute 2)"),
	   "formatted: %s", text);
}

static void test_plain_ack(void)
{
	struct nlmsghdr *req, *ack;
	struct nl_error err;
	uint32_t off;

	req = make_request(&off);
	ack = make_error(req, 0, NULL, -1);
	ack->nlmsg_flags = NLM_F_CAPPED;
	ok(nl_parse_error(ack, req, &err) && err.error == 0 && !err.msg[0] &&
	   err.attr_type == -1, "parses a plain ACK");
}

static void test_offset_outside_request(void)
{
	struct nlmsghdr *req, *ack;
	struct nl_error err;
	uint32_t off;

	req = make_request(&off);
	ack = make_error(req, -EINVAL, "bad", req->nlmsg_len + 100);
	ok(nl_parse_error(ack, req, &err) && err.attr_type == -1,
	   "an offset past the request names no attribute");
	ack = make_error(req, -EINVAL, "bad", 2);
	ok(nl_parse_error(ack, req, &err) && err.attr_type == -1,
	   "an offset inside the header names no attribute");
}

static void test_done(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ack_buf);
	struct nl_error err;
	int *code;

	nlh->nlmsg_type = NLMSG_DONE;
	code = mnl_nlmsg_put_extra_header(nlh, sizeof(*code));
	*code = -EMSGSIZE;
	ok(nl_parse_error(nlh, NULL, &err) && err.error == -EMSGSIZE,
	   "a failed dump's DONE carries its error");
	*code = 0;
	ok(nl_parse_error(nlh, NULL, &err) && err.error == 0, "a clean DONE");
}

static void test_malformed(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ack_buf);
	struct nl_error err;
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	mnl_nlmsg_put_extra_header(nlh, 4);
	ok(!nl_parse_error(nlh, NULL, &err), "a truncated error is rejected");
	nlh = mnl_nlmsg_put_header(ack_buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = 5;
	ok(!nl_parse_error(nlh, NULL, &err), "a positive error code is rejected");
}

int main(void)
{
	tap_start();
	test_error_with_extack();
	test_plain_ack();
	test_offset_outside_request();
	test_done();
	test_malformed();
	return tap_end();
}
