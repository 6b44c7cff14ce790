# nginx-sts: build the dynamic module against Debian's packaged nginx, the
# pure-C core, stsctl and the unit tests; run the demo and the test suites.
#
#   make            module + stsctl + unit tests (into $(BUILD))
#   make test       install missing deps, check them, build, run every test
#   make run        install missing deps, build, start the demo gateway
#   make unit       C unit tests and the fuzz seeds replayed, only
#   make test-nginx the Test::Nginx suites t/*.t only; under OpenResty's
#                   Test::Nginx with TEST_NGINX_LIB=/path/to/test-nginx/lib
#   make asan       the Test::Nginx suite on a sanitized nginx
#   make install    module into Debian's modules path, stsctl, man page
#   make deb        Debian packages (libnginx-mod-http-sts, nginx-sts-tools)
#   make fuzz       build the libFuzzer targets (FUZZ_SECONDS=N runs them)
#   make clean

BUILD      ?= build
NGINX_SRC  ?= /usr/share/nginx/src
NGINX_BIN  ?= /usr/sbin/nginx
CC         ?= cc

ROOT       := $(abspath .)
ABS_BUILD  := $(abspath $(BUILD))

WARN       := -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
              -Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes
HARDEN     := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC
OPT        ?= -O2 -g
CORE_CFLAGS = -std=c99 -D_DEFAULT_SOURCE $(OPT) $(WARN) $(HARDEN) $(EXTRA_CFLAGS)
CORE_LIBS  := -lcrypto -ljansson -lz

CORE_SRCS  := $(sort $(wildcard src/core/*.c))
CORE_HDRS  := $(wildcard src/core/*.h)
CORE_OBJS  := $(patsubst src/core/%.c,$(BUILD)/core/%.o,$(CORE_SRCS))
CLI_SRCS   := $(sort $(wildcard src/cli/*.c))
CLI_HDRS   := $(wildcard src/cli/*.h)
UNIT_SRCS  := $(sort $(wildcard t/unit/test_*.c))
UNIT_BINS  := $(patsubst t/unit/%.c,$(BUILD)/t/%,$(UNIT_SRCS))
GLUE_SRCS  := $(wildcard src/*.c src/*.h)

MODULE     := $(BUILD)/ngx_http_sts_module.so
STSCTL     := $(BUILD)/stsctl

.PHONY: all module core cli unit test test-nginx run stop deps clean fuzz bench \
        asan install deb lint depcheck

PREFIX     ?= /usr/local
DESTDIR    ?=
MODULES_DIR ?= /usr/lib/nginx/modules
VERSION    := $(shell sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)

FUZZ_SRCS  := $(sort $(wildcard t/fuzz/fuzz_*.c))
FUZZ_BINS  := $(patsubst t/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
# every fuzz target also as a plain program replaying its seeds (make unit)
REPLAY_BINS := $(patsubst t/fuzz/fuzz_%.c,$(BUILD)/t/test_fuzz_%,$(FUZZ_SRCS))
FUZZ_CC    ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=c99 \
              -D_DEFAULT_SOURCE -Isrc/core

all: module cli $(UNIT_BINS) $(REPLAY_BINS)

core: $(BUILD)/libstscore.a

cli: $(STSCTL)

module: $(MODULE)

$(BUILD)/core/%.o: src/core/%.c $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(BUILD)/libstscore.a: $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

# stsctl also speaks to Redis (stsctl revoke): hiredis, as the module
$(STSCTL): $(CLI_SRCS) $(CLI_HDRS) $(BUILD)/libstscore.a
	$(CC) $(CORE_CFLAGS) -Isrc/core -o $@ $(CLI_SRCS) \
	    $(BUILD)/libstscore.a $(CORE_LIBS) -lhiredis

$(BUILD)/t/%: t/unit/%.c $(wildcard t/unit/*.h) $(BUILD)/libstscore.a
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -Isrc/core -It/unit -o $@ $< \
	    $(BUILD)/libstscore.a $(CORE_LIBS)

# a fuzz target with t/fuzz/replay_main.c instead of libFuzzer: no
# sanitizer, the normal flags; run without arguments it replays
# t/fuzz/corpus/<target>/ (TAP)
$(BUILD)/t/test_fuzz_%: t/fuzz/fuzz_%.c t/fuzz/replay_main.c $(BUILD)/libstscore.a
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -Isrc/core -DSTS_REPLAY_TARGET='"fuzz_$*"' \
	    -DSTS_REPLAY_CORPUS='"$(ROOT)/t/fuzz/corpus/fuzz_$*"' -o $@ \
	    t/fuzz/replay_main.c $< $(BUILD)/libstscore.a $(CORE_LIBS)

# The module is built exactly as Debian builds third-party modules
# (nginx-dev's nginx_mod build system): configure in nginx-dev's tree with
# the packaged binary's flags, into our own build directory.
# config finds the sources as the wildcards above do; configure again
# when a file is added or removed (the list is rewritten only then)
SRCLIST    := $(BUILD)/nginx/sources
SRCNAMES   := $(sort $(GLUE_SRCS) $(CORE_SRCS) $(CORE_HDRS))
$(shell mkdir -p $(BUILD)/nginx; echo '$(SRCNAMES)' | cmp -s - $(SRCLIST) \
        || echo '$(SRCNAMES)' > $(SRCLIST))

$(BUILD)/nginx/Makefile: config $(NGINX_SRC)/conf_flags $(SRCLIST)
	@mkdir -p $(ABS_BUILD)/nginx
	cd $(NGINX_SRC) && bash -c '. ./conf_flags && ./configure \
	    --with-cc-opt="$$(dpkg-buildflags --get CFLAGS) -fPIC $$(dpkg-buildflags --get CPPFLAGS)" \
	    --with-ld-opt="$$(dpkg-buildflags --get LDFLAGS) -fPIC" \
	    "$${NGX_CONF_FLAGS[@]}" --add-dynamic-module="$(ROOT)" \
	    --builddir="$(ABS_BUILD)/nginx"' > $(ABS_BUILD)/nginx/configure.log \
	    || { tail -20 $(ABS_BUILD)/nginx/configure.log; exit 1; }

$(MODULE): $(BUILD)/nginx/Makefile $(GLUE_SRCS) $(CORE_SRCS) $(CORE_HDRS)
	$(MAKE) -f $(ABS_BUILD)/nginx/Makefile -C $(NGINX_SRC) modules
	cp $(BUILD)/nginx/ngx_http_sts_module.so $@

# libFuzzer targets link the core sources directly (sanitized build).
$(BUILD)/fuzz/%: t/fuzz/%.c $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(CORE_SRCS) $(CORE_LIBS)

fuzz: $(FUZZ_BINS)
ifdef FUZZ_SECONDS
	FUZZ_SECONDS=$(FUZZ_SECONDS) BUILD=$(BUILD) sh tools/fuzz.sh
endif

$(BUILD)/bench/%: bench/%.c $(BUILD)/libstscore.a
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -Isrc/core -o $@ $< $(BUILD)/libstscore.a $(CORE_LIBS)

bench: $(BENCH_BINS)

unit: $(UNIT_BINS) $(REPLAY_BINS)
	prove -e '' $(UNIT_BINS) $(REPLAY_BINS)

deps:
	@sh tools/deps.sh

lint:
	@sh tools/lint.sh

# everything the tests use comes from a package tools/deps.sh installs
depcheck: deps
	prove t/deps/check.t

test: deps depcheck all lint
	sh t/run-all.sh

test-nginx: all
	sh t/run-all.sh nginx

# nginx from Debian's source package with the module compiled in, under
# ASan and UBSan, running the whole Test::Nginx suite
asan: deps cli
	sh tools/asan.sh

run: deps all
	sh tools/run.sh

stop:
	sh tools/run.sh stop

# Installs the module where Debian's nginx looks for modules, with a
# modules-available snippet enabled as Debian's module packages do, and
# stsctl with its man page.  "nginx -s reload" picks the module up.
install: module cli
	install -D -m 0644 $(MODULE) \
	    $(DESTDIR)$(MODULES_DIR)/ngx_http_sts_module.so
	install -d $(DESTDIR)/usr/share/nginx/modules-available \
	    $(DESTDIR)/etc/nginx/modules-enabled
	echo "load_module modules/ngx_http_sts_module.so;" \
	    > $(DESTDIR)/usr/share/nginx/modules-available/mod-http-sts.conf
	ln -sf /usr/share/nginx/modules-available/mod-http-sts.conf \
	    $(DESTDIR)/etc/nginx/modules-enabled/50-mod-http-sts.conf
	install -D -m 0755 $(STSCTL) $(DESTDIR)$(PREFIX)/bin/stsctl
	install -D -m 0644 doc/stsctl.1 \
	    $(DESTDIR)$(PREFIX)/share/man/man1/stsctl.1

# Debian packages libnginx-mod-http-sts and nginx-sts-tools, built with
# dh-sequence-nginx from the committed tree (git archive HEAD); the .deb
# files land in $(BUILD)/deb/.
deb:
	rm -rf $(BUILD)/deb
	mkdir -p $(BUILD)/deb/nginx-sts-$(VERSION)
	git archive --format=tar HEAD | tar -x -C $(BUILD)/deb/nginx-sts-$(VERSION)
	cd $(BUILD)/deb/nginx-sts-$(VERSION) && dpkg-buildpackage -b -us -uc
	ls -l $(BUILD)/deb/*.deb

clean:
	rm -rf $(BUILD) t/servroot t/servroot_* t/tmp
