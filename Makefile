# SPDX-License-Identifier: GPL-2.0-only
# One entry point: build, check, demo, bench, fuzz, install. Out-of-tree: everything lands in $(BUILD).
#   make                 build $(BUILD)/iotsense
#   make check           set up a fresh Debian 12 (ci/setup), build, run every test suite
#   make check SANITIZE=1  the same with ASan+UBSan in user space
#   make fuzz FUZZ_SECONDS=N   run every libFuzzer harness for N seconds
#   make V=1             show the commands
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

BUILD ?= build
ifdef O
BUILD := $(O)
endif
ARCH ?= x86
CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
DATADIR ?= $(PREFIX)/share/iotsense
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/iotsense
UNITDIR ?= $(PREFIX)/lib/systemd/system
SANITIZE ?= 0

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wextra -Werror \
	-Wno-unused-parameter -Wno-missing-field-initializers \
	-I$(BUILD) -Iheaders -Ibpf -Ivmlinux/$(ARCH)

USER_CFLAGS := -g -O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -fno-strict-aliasing -Iheaders -Iuser -I$(BUILD) $(EXTRA_CFLAGS)
USER_LDLIBS := -lxdp -lbpf -lelf -lz -lpcap -lcrypto -lyaml -lpcre2-8 -ljansson -lsqlite3 -lmicrohttpd -lcurl \
	-lpthread $(EXTRA_LDLIBS)
ifeq ($(SANITIZE),1)
USER_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
USER_LDFLAGS += -fsanitize=address,undefined
endif

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
BPF_DEPS := $(wildcard bpf/lib/*.h headers/*.h)

# Everything in user/ but main.c goes into one archive that the tests link too.
LIB_SRCS := $(filter-out user/main.c,$(wildcard user/*.c user/*/*.c))
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
LIB := $(BUILD)/libiotsense.a

# Tests mirror the tree: tests/unit/decoders/test_ssh.c tests user/decoders/ssh.c.
UNIT_SRCS := $(wildcard tests/unit/test_*.c tests/unit/*/test_*.c)
UNIT_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
BPFT_SRCS := $(wildcard tests/bpf/test_*.c)
BPFT_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(BPFT_SRCS))

# A decoder is a file in user/decoders that defines `const struct decoder dec_<name>`.
DECODERS := $(sort $(patsubst user/decoders/%.c,%,$(shell grep -l '^const struct decoder dec_' user/decoders/*.c 2>/dev/null)))
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(DECODERS))
FUZZ_SECONDS ?= 30

.PHONY: all setup check test unit-test bpf-test demo accuracy bench kernel-matrix fuzz fuzz-build install uninstall man container clean
all: $(BUILD)/iotsense

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_DEPS) | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BUILD)/obj/%.o: %.c $(SKELS) $(wildcard headers/*.h user/*.h user/*/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

# The dashboard's files are embedded with .incbin (user/api/dashboard.c): an edit to one of them rebuilds it.
$(BUILD)/obj/user/api/dashboard.o: $(wildcard user/api/dashboard/*)

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/iotsense: $(BUILD)/obj/user/main.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(USER_LDFLAGS) -o $@ $^ $(USER_LDLIBS)

$(BUILD)/tests/%: tests/%.c $(LIB) tests/lib/testlib.h
	$(call msg,TEST-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -Itests/lib $(USER_LDFLAGS) -o $@ $< $(LIB) $(USER_LDLIBS)

# bench/run's drivers, linked like the tests, and its own BPF programs (loaded by path, no skeleton).
$(BUILD)/bench/%: bench/%.c $(LIB)
	$(call msg,BENCH-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(LIB) $(USER_LDLIBS)

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf:
	$(Q)mkdir -p $@

setup:
	$(Q)bash ci/setup

# The output senders' driver for the e2e output tests (tests/lib/collectors.sh), built like the tests so that
# SANITIZE=1 builds it with the sanitizers too.
OUTPUTS_DRIVER := $(BUILD)/tests/e2e-bin/outputs_driver
$(OUTPUTS_DRIVER): tests/unit/outputs/outputs_driver.c $(LIB)
	$(call msg,TEST-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(LIB) $(USER_LDLIBS)

unit-test: $(UNIT_BINS) $(OUTPUTS_DRIVER)
bpf-test: $(BPFT_BINS) $(BUILD)/iotsense

# The README's test command: install what a fresh Debian 12 lacks, build, run every suite.
check: setup
	$(Q)$(MAKE) --no-print-directory all unit-test bpf-test
	$(Q)BUILD=$(BUILD) bash tests/run

test: all unit-test bpf-test
	$(Q)BUILD=$(BUILD) bash tests/run

demo: setup
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) bash ci/demo

# Recall of the facts in ../shared/corpus/truth.tsv, per capture and per protocol.
accuracy: all
	$(Q)python3 tests/corpus/accuracy.py --iotsense $(BUILD)/iotsense --corpus ../shared/corpus $(ACCURACY_ARGS)

bench: all
	$(Q)BUILD=$(BUILD) bash bench/run

# The BPF tests on Debian 12's stock kernel (6.1, booted in qemu) and on the host; see tests/kernel/README.md.
kernel-matrix: all bpf-test
	$(Q)BUILD=$(BUILD) bash ci/kernel-matrix

# libFuzzer harnesses: one binary per decoder from one generic harness. The decoders are compiled once with the
# sanitizers and fuzzer coverage (fuzzer-no-link), then linked into each harness: seconds per binary, not minutes.
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -Iuser -Iheaders
DEC_FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzzobj/%.o,$(wildcard user/decoders/*.c))
$(BUILD)/fuzzobj/%.o: %.c $(wildcard user/decoders/*.h) $(wildcard headers/*.h)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)clang $(FUZZ_CFLAGS) -c -o $@ $<

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_decoder.c tests/fuzz/fuzz_ctx.h $(DEC_FUZZ_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -DFUZZ_DECODER='"$*"' -o $@ $< $(DEC_FUZZ_OBJS) -lcrypto

# The fingerprint rule loader (classify.c) with the rules it loads run against fixed observations.
$(BUILD)/fuzz/fuzz_rules: tests/fuzz/fuzz_rules.c user/classify.c user/classify.h
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iuser -Iheaders -o $@ $< user/classify.c -lyaml -lpcre2-8

# The vulnerability feeds: NVD/KEV parsers, version comparator, CPE parsing, rule and feed-file loaders.
FEEDS_FUZZ_SRCS := $(wildcard user/vulns/*.c) user/lib/jsonw.c user/lib/utf8.c user/lib/hmap.c user/classify.c
$(BUILD)/fuzz/fuzz_feeds: tests/fuzz/fuzz_feeds.c $(FEEDS_FUZZ_SRCS) $(wildcard user/vulns/*.h)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iuser -Iheaders -o $@ $< $(FEEDS_FUZZ_SRCS) -ljansson -lyaml -lpcre2-8 -lz

# The alert rules and IOC list loaders (by hand: `tests/fuzz/run alert_rules`); the engine with what it links.
$(BUILD)/fuzz/fuzz_alert_rules: tests/fuzz/fuzz_alert_rules.c $(wildcard user/*.h user/*/*.h user/assess/*.c)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iuser -Iheaders -o $@ $< $(wildcard user/assess/*.c user/decoders/*.c user/lib/*.c user/vulns/*.c) \
		user/inventory.c user/classify.c user/oui.c -lyaml -lpcre2-8 -ljansson -lz -lcrypto -lxdp -lbpf -lelf

# The record renderings and syslog framing: every rendering read back with the strict parsers of the unit tests.
OUTPUTS_FUZZ_SRCS := user/lib/utf8.c user/outputs/format.c $(wildcard user/outputs/fmt_*.c) user/outputs/syslog.c
$(BUILD)/fuzz/fuzz_outputs: tests/fuzz/fuzz_outputs.c $(OUTPUTS_FUZZ_SRCS) $(wildcard user/outputs/*.h) \
		tests/unit/outputs/fmt_test.h
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iuser -Iheaders -Itests/lib -Itests/unit/outputs -o $@ $< $(OUTPUTS_FUZZ_SRCS) -ljansson -lcrypto

# The daemon's config reader (by hand: `tests/fuzz/run config`), with the format names it checks against.
CONFIG_FUZZ_SRCS := user/config.c user/lib/yamldoc.c user/outputs/format.c $(wildcard user/outputs/fmt_*.c) user/lib/jsonw.c user/lib/utf8.c
$(BUILD)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(CONFIG_FUZZ_SRCS) user/config.h
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iuser -Iheaders -o $@ $< $(CONFIG_FUZZ_SRCS) -lyaml -ljansson -lcrypto

# The API below libmicrohttpd (api_precheck, api_dispatch, every route) over a store it makes at start.
API_FUZZ_SRCS := $(wildcard user/api/*.c user/store/*.c user/lib/*.c) user/contain.c user/loader.c user/attach.c user/ports.c
$(BUILD)/fuzz/fuzz_api: tests/fuzz/fuzz_api.c $(API_FUZZ_SRCS) $(SKELS) $(wildcard user/*.h user/*/*.h user/api/dashboard/*)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iuser -Iheaders -I$(BUILD) -o $@ $< $(API_FUZZ_SRCS) \
		-ljansson -lsqlite3 -lmicrohttpd -lcrypto -lxdp -lbpf -lelf -lz

# Every harness: one per decoder, then the other inputs (feeds, rules, alert rules and IOC lists, record
# renderings, the config, the API). `make fuzz FUZZ_SECONDS=N` runs each for N seconds (CI: a few each).
FUZZ_OTHERS := feeds rules alert_rules outputs config api
fuzz-build: $(FUZZ_BINS) $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_OTHERS))
fuzz: fuzz-build
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run $(DECODERS) $(FUZZ_OTHERS)

# The man page: options from the binary's own help, prose from docs/man/iotsense.8.md (one source each).
$(BUILD)/iotsense.8: $(BUILD)/iotsense docs/man/iotsense.8.md docs/man/mkman.py
	$(call msg,MAN,$@)
	$(Q)python3 docs/man/mkman.py $(BUILD)/iotsense docs/man/iotsense.8.md >$@

man: $(BUILD)/iotsense.8

# A gateway install: PREFIX (default /usr/local), DESTDIR for staging. The binary finds the rules next to itself
# (<prefix>/sbin -> <prefix>/share/iotsense/rules), so keep DATADIR under PREFIX; the config is installed only
# where there is none, never over an edited one.
DOCS := README.md docs/*.md
install: all $(BUILD)/iotsense.8
	install -D -m 0755 $(BUILD)/iotsense $(DESTDIR)$(PREFIX)/sbin/iotsense
	install -d -m 0755 $(DESTDIR)$(DATADIR)
	cp -R rules $(DESTDIR)$(DATADIR)/
	find $(DESTDIR)$(DATADIR)/rules -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
	install -D -m 0644 $(BUILD)/iotsense.8 $(DESTDIR)$(MANDIR)/man8/iotsense.8
	install -d -m 0755 $(DESTDIR)$(DOCDIR)
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' deploy/systemd/iotsense.service >$(DESTDIR)$(UNITDIR)/iotsense.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/iotsense.service
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/iotsense
	[ -e $(DESTDIR)$(SYSCONFDIR)/iotsense/iotsense.yaml ] || \
		install -m 0644 deploy/iotsense.yaml $(DESTDIR)$(SYSCONFDIR)/iotsense/iotsense.yaml

# The container image without a registry: a debootstrap'd Debian 12 base, buildah build, smoke test
# (docs/container.md). Not part of check: it takes minutes and several hundred MB.
container:
	$(Q)bash ci/container-build

# Removes what install put there, except the config (edited by its owner) and the state in /var/lib/iotsense.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/iotsense $(DESTDIR)$(MANDIR)/man8/iotsense.8 \
		$(DESTDIR)$(UNITDIR)/iotsense.service
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(BUILD)
