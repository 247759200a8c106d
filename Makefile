# SPDX-License-Identifier: GPL-2.0
#
#   make                 build kmod/idtun.ko (against KDIR) and the tools
#   make install         install the tools, man page and module (DESTDIR=)
#   make dkms-install    register, build and install the module with DKMS
#   make check           install what the tests need, run every test
#   make demo            boot a VM and walk through identities and policy
#   make bench           benchmarks in a VM, with ratio targets
#
# KDIR defaults to the running kernel's build tree when it exists, else to
# the newest installed Debian linux-headers-*.

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
KDIR ?= $(shell scripts/kdir)
# Debian's 6.1 headers carry a stale include/config/kernel.release.
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
DESTDIR ?=
PREFIX ?= /usr

all: module tools

module:
	@test -n "$(KDIR)" || { echo "no kernel headers found: set KDIR or run scripts/deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

install: all
	install -D -m 0644 kmod/idtun.ko $(DESTDIR)/lib/modules/$(KVER)/extra/idtun.ko
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

# The module's sources as DKMS sees them: /usr/src/idtun-$(VERSION).
DKMS_SRCTREE ?= $(DESTDIR)/usr/src
DKMS_SRC := $(DKMS_SRCTREE)/idtun-$(VERSION)
dkms-src:
	install -d $(DKMS_SRC)/kmod/uapi/linux
	install -m 0644 dkms.conf Kbuild $(DKMS_SRC)/
	install -m 0644 kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.c)) kmod/*.h $(DKMS_SRC)/kmod/
	install -m 0644 kmod/uapi/linux/idtun.h $(DKMS_SRC)/kmod/uapi/linux/

# DKMS= lets a test point dkms at private trees (scripts/dkms-build).
DKMS ?= dkms
dkms-install: dkms-src
	@test -n "$(KVER)" || { echo "no kernel headers found: set KDIR" >&2; exit 1; }
	$(DKMS) status -m idtun -v $(VERSION) | grep -q . || $(DKMS) add -m idtun -v $(VERSION)
	$(DKMS) build -m idtun -v $(VERSION) -k $(KVER) --force
	$(DKMS) install -m idtun -v $(VERSION) -k $(KVER) --force

check:
	scripts/check

demo:
	scripts/demo

bench:
	scripts/bench

clean:
	$(MAKE) -C tools clean
	rm -rf build
	find kmod -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name modules.order -o -name Module.symvers | xargs rm -f
	rm -f modules.order Module.symvers

.PHONY: all module tools install dkms-src dkms-install check demo clean bench
