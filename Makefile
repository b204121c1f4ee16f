# itstatus -- build, test and run the three daemons and the dashboard.
#
# Layout: common/*.c -> libcommon.a; <daemon>/*.c except <daemon>/<daemon>.c
# -> lib<daemon>.a (so unit tests can link a daemon's subsystems without its
# main); bin/<daemon> = main + its library + libcommon. t/check_<x>.c are Check
# unit tests, t/sh/*.sh integration scripts, t/fakevendor, t/fakeslack and
# t/fakesentry the loopback fakes (t/fakesecurity/security, a script, stands in
# for macOS's Keychain command). Adding a source file needs no Makefile edit.
#
# Sanitizers: `make SANITIZE=address,undefined check` builds everything into
# build-san/ (bin/ is left alone) and runs the same tests against it.

VERSION := 0.1.0
# The daemon rules below are made by $(eval); without this the first of them
# (build/libpollerd.a) would become what a plain `make` builds.
.DEFAULT_GOAL := all
# Objects of the test binaries are made by chained pattern rules; keep them so
# a second `make check` recompiles nothing.
.SECONDARY:
CC ?= cc
SANITIZE ?=
WERROR ?= -Werror
# V=1 shows full compiler command lines.
Q := $(if $(V),,@)

ifeq ($(SANITIZE),)
BUILD := build
BIN := bin
SAN_FLAGS :=
else
BUILD := build-san
BIN := build-san/bin
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

PKG_CFLAGS := $(shell pkg-config --cflags libcurl libcjson libcyaml 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs libcurl sqlite3 libcjson libcyaml zlib 2>/dev/null || echo -lcurl -lsqlite3 -lcjson -lcyaml -lyaml -lz)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

# Sanitizer and optimisation flags live in their own variables so that a
# `make CFLAGS=...` on the command line cannot silently drop them.
OPT ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wpointer-arith -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wno-missing-field-initializers $(WERROR)
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DITSTATUS_VERSION='"$(VERSION)"' -pthread -Icommon -It/support -I$(BUILD) \
	$(PKG_CFLAGS) $(OPT) $(WARN) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS := -pthread $(SAN_FLAGS) $(LDFLAGS)
LIBS := $(PKG_LIBS) -lcivetweb -ldl -lm

DAEMONS := pollerd alertd apid

COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema_sql.o
SCHEMA_SQL := $(sort $(wildcard schema/*.sql))

# A daemon's library also holds the objects generated for it ($(d)_GEN).
apid_GEN := $(BUILD)/openapi_doc.o
define daemon_rules
$(1)_SRC := $$(filter-out $(1)/$(1).c,$$(wildcard $(1)/*.c))
$(1)_OBJ := $$($(1)_SRC:%.c=$(BUILD)/%.o) $$($(1)_GEN)
$(BUILD)/lib$(1).a: $$($(1)_OBJ)
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
$(BIN)/$(1): $(BUILD)/$(1)/$(1).o $(BUILD)/lib$(1).a $(BUILD)/libcommon.a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach d,$(DAEMONS),$(eval $(call daemon_rules,$(d))))

DAEMON_LIBS := $(foreach d,$(DAEMONS),$(BUILD)/lib$(d).a)
TEST_SRC := $(wildcard t/check_*.c)
TEST_BIN := $(TEST_SRC:t/%.c=$(BUILD)/t/%)
# Test support code shared by several unit tests (t/support/*.c).
TSUP_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard t/support/*.c))
FAKES := fakevendor fakeslack fakesentry
FAKE_BIN := $(FAKES:%=$(BUILD)/t/%)
WEB_DIST := web/dist/index.html

.PHONY: all deps deps-test check unit integration web-test run demo clean valgrind lint \
	fuzz bench install
all: $(DAEMONS:%=$(BIN)/%) $(FAKE_BIN) $(if $(wildcard web/package.json),$(WEB_DIST))

$(BUILD)/libcommon.a: $(COMMON_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# Migrations are compiled into every binary: a daemon never depends on finding
# the schema folder at run time, and all three apply the same versions.
# A migration that arrives with an mtime older than the embedded copy (a merge,
# a checkout) must still be embedded, so the list of names is a prerequisite
# too. Its recipe runs every time but rewrites it only when the list changed
# (as git's GIT-CFLAGS), so an unchanged list rebuilds nothing.
$(BUILD)/schema.list: FORCE
	@mkdir -p $(@D)
	@echo '$(SCHEMA_SQL)' | cmp -s - $@ || echo '$(SCHEMA_SQL)' > $@
.PHONY: FORCE
FORCE:
$(BUILD)/schema_sql.c: $(SCHEMA_SQL) $(BUILD)/schema.list schema/embed.sh mk/cstring.sh
	@mkdir -p $(@D)
	sh schema/embed.sh $(SCHEMA_SQL) > $@.tmp && mv $@.tmp $@
# The API contract is a file, apid/openapi.json (doc/design.md#api-contract),
# compiled into apid the same way and served as it is written.
$(BUILD)/openapi_doc.c: apid/openapi.json mk/cstring.sh
	@mkdir -p $(@D)
	sh mk/cstring.sh apid/openapi.json openapi_doc > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "CC $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS_$(findstring t/check_,$<)) -MMD -MP -c -o $@ $<
CHECK_CFLAGS_t/check_ := $(CHECK_CFLAGS)

$(BUILD)/schema_sql.o $(BUILD)/openapi_doc.o: $(BUILD)/%.o: $(BUILD)/%.c
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

# The registry's copy of pollerd's format table (doc/formats.md#adding-a-format).
# common/ goes into all three daemons but only pollerd links the parsers, so
# the names and keys each pollerd/fmt_<id>.c declares are printed into
# $(BUILD)/poll_types.def, which common/vocab.h includes. The printer links the
# parsers and the few common files they use, none of which includes vocab.h;
# the file is rewritten only when its text changes.
POLL_TYPES_DEF := $(BUILD)/poll_types.def
FMT_OBJ := $(patsubst %.c,$(BUILD)/%.o,pollerd/format.c pollerd/xml.c $(wildcard pollerd/fmt_*.c))
FMT_COMMON_OBJ := $(patsubst %,$(BUILD)/common/%.o,xalloc buf status timeutil jsonck)
$(BUILD)/mk/poll_types: $(BUILD)/mk/poll_types.o $(FMT_OBJ) $(FMT_COMMON_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
$(POLL_TYPES_DEF): $(BUILD)/mk/poll_types
	$(BUILD)/mk/poll_types > $@.tmp
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
# Any other object may include it: on a clean build it is made first.
$(filter-out $(BUILD)/mk/poll_types.o $(FMT_OBJ) $(FMT_COMMON_OBJ),$(COMMON_OBJ) \
	$(foreach d,$(DAEMONS),$($(d)_OBJ) $(BUILD)/$(d)/$(d).o) $(TEST_SRC:t/%.c=$(BUILD)/t/%.o) \
	$(TSUP_OBJ) $(BUILD)/mk/vocab_ts.o): | $(POLL_TYPES_DEF)

$(BUILD)/t/check_%: $(BUILD)/t/check_%.o $(TSUP_OBJ) $(DAEMON_LIBS) $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(TSUP_OBJ) $(DAEMON_LIBS) $(BUILD)/libcommon.a $(CHECK_LIBS) $(LIBS)

# A fake is built from t/<fake>/*.c plus the plumbing both share in
# t/fakecommon/; its objects go to $(BUILD)/t/obj/ because $(BUILD)/t/<fake>
# is the binary.
FAKE_COMMON_OBJ := $(patsubst t/fakecommon/%.c,$(BUILD)/t/obj/fakecommon/%.o,$(wildcard t/fakecommon/*.c))
$(BUILD)/t/obj/%.o: t/%.c
	@mkdir -p $(@D)
	@echo "CC $<"
	$(Q)$(CC) $(ALL_CFLAGS) -It/fakecommon -MMD -MP -c -o $@ $<
define fake_rules
$(BUILD)/t/$(1): $$(patsubst t/$(1)/%.c,$(BUILD)/t/obj/$(1)/%.o,$$(wildcard t/$(1)/*.c)) $$(FAKE_COMMON_OBJ) $(BUILD)/libcommon.a
	@mkdir -p $$(@D); if [ -d $$@ ]; then rm -rf $$@; fi
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach f,$(FAKES),$(eval $(call fake_rules,$(f))))

# ---- dashboard --------------------------------------------------------------
WEB_SRC := $(shell find web/src web/public web/index.html web/vite.config.ts web/tsconfig.json web/package.json \
	-type f 2>/dev/null)
# npm ci installs exactly the committed lockfile and never rewrites it, so a
# build leaves the tree clean (CI checks). The lockfile lists every platform's
# optional rollup/esbuild/fsevents package, which is what lets `npm ci` work on
# Linux and macOS alike (web/README.md says how to regenerate it). The stamp
# keeps a second build from reinstalling.
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@
# The dashboard's copy of the vocabulary (doc/vocabulary.md): rewritten only
# when its text changes, so a C edit does not rebuild the dashboard.
$(BUILD)/mk/vocab_ts: $(BUILD)/mk/vocab_ts.o $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
web/src/lib/vocab.ts: $(BUILD)/mk/vocab_ts
	$(BUILD)/mk/vocab_ts > $@.tmp
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
# `npm run build` first regenerates the API types from the contract
# (web/src/api/openapi.d.ts, committed like vocab.ts; doc/design.md#api-contract).
$(WEB_DIST): web/node_modules/.installed $(WEB_SRC) web/src/lib/vocab.ts apid/openapi.json \
	web/scripts/gen-api.mjs
	cd web && npm run build --silent
	@touch $@

# ---- set-up -----------------------------------------------------------------
# mk/deps.sh installs only what is missing, package by package, and says why;
# a second run is a quick no-op. It never replaces a working node >= 18 + npm.
deps:
	@sh mk/deps.sh build
deps-test:
	@sh mk/deps.sh test

# ---- tests ------------------------------------------------------------------
check: deps-test
	$(MAKE) all
	$(MAKE) tests
	ITSTATUS_BIN=$(CURDIR)/$(BIN) ITSTATUS_TBIN=$(CURDIR)/$(BUILD)/t t/run $(TEST_BIN) t/sh/*.sh \
	  $(if $(wildcard web/e2e/*.mjs),t/web.sh t/web_1k.sh t/web_scale.sh)
.PHONY: tests
tests: $(TEST_BIN) $(FAKE_BIN)

valgrind: deps-test
	$(MAKE) all tests
	ITSTATUS_VALGRIND=1 CK_FORK=no CK_TIMEOUT_MULTIPLIER=20 ITSTATUS_BIN=$(CURDIR)/$(BIN) \
	  ITSTATUS_TBIN=$(CURDIR)/$(BUILD)/t t/run $(TEST_BIN)

lint:
	@bad=$$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok)\s*\(' \
	  $$(git ls-files '*.c' '*.h') || true); \
	if [ -n "$$bad" ]; then echo "banned functions:"; echo "$$bad"; exit 1; fi
	clang-format --dry-run --Werror $$(git ls-files 'common/*.[ch]' 'pollerd/*.[ch]' \
	  'alertd/*.[ch]' 'apid/*.[ch]')
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability \
	  --suppress=missingIncludeSystem -Icommon common pollerd alertd apid

# libFuzzer targets (clang, ASan+UBSan); FUZZ_SECONDS per target (default 60).
fuzz: deps-test
	t/fuzz/run.sh

# ---- running ----------------------------------------------------------------
run: deps
	$(MAKE) all
	ITSTATUS_BIN=$(CURDIR)/$(BIN) t/run-suite etc/itstatus.yaml

demo: deps
	$(MAKE) all
	ITSTATUS_BIN=$(CURDIR)/$(BIN) ITSTATUS_TBIN=$(CURDIR)/$(BUILD)/t t/demo/run

# ---- install ----------------------------------------------------------------
# `make && sudo make install`. install does not build (a root build would leave
# root-owned files in build/): it stops if a binary is missing. DESTDIR stages
# into a package root; PREFIX is where itstatus will live. Layout under PREFIX:
#   bin/{pollerd,alertd,apid}
#   etc/itstatus/*.yaml, Caddyfile installed only when absent: upgrades keep
#                                  local edits (compare with share/itstatus/examples)
#   share/itstatus/examples/       the current sample configs + itstatus.env.example
#                                  + Caddyfile (the TLS front end, doc/deploy.md)
#   share/itstatus/schema/         migrations (informational: they are compiled in)
#   share/itstatus/web/            the dashboard, when web/dist is built
#   share/itstatus/launchd/        plists + litestream.yml.example
#   lib/systemd/system/            units (on systemd's search path for /usr/local)
# The installed itstatus.yaml points web_root at share/itstatus/web relative to
# itself; units and plists get /usr/local replaced by PREFIX.
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL ?= install
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
ETC_SAMPLES := $(filter-out %.local.yaml,$(wildcard etc/*.yaml))
I_SHARE := $(DESTDIR)$(PREFIX)/share/itstatus
I_ETC := $(DESTDIR)$(PREFIX)/etc/itstatus
install:
	@for d in $(DAEMONS); do [ -x $(BIN)/$$d ] || { \
	  echo "install: $(BIN)/$$d is missing: run make first" >&2; exit 1; }; done
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/bin $(I_ETC) $(I_SHARE)/examples $(I_SHARE)/schema \
	  $(I_SHARE)/launchd $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	$(INSTALL) -m 755 $(DAEMONS:%=$(BIN)/%) $(DESTDIR)$(PREFIX)/bin/
	$(INSTALL) -m 644 $(SCHEMA_SQL) $(I_SHARE)/schema/
	sed 's|^web_root:.*|web_root: ../../share/itstatus/web  # = $(PREFIX)/share/itstatus/web|' \
	  etc/itstatus.yaml > $(I_SHARE)/examples/itstatus.yaml && chmod 644 $(I_SHARE)/examples/itstatus.yaml
	for f in $(filter-out etc/itstatus.yaml,$(ETC_SAMPLES)) etc/systemd/itstatus.env.example \
	  etc/caddy/Caddyfile; do $(INSTALL) -m 644 $$f $(I_SHARE)/examples/ || exit 1; done
	for f in $(notdir $(ETC_SAMPLES)) Caddyfile; do [ -e $(I_ETC)/$$f ] || \
	  $(INSTALL) -m 644 $(I_SHARE)/examples/$$f $(I_ETC)/$$f || exit 1; done
	for f in etc/systemd/*.service etc/systemd/*.target; do \
	  t=$(DESTDIR)$(SYSTEMD_UNIT_DIR)/$${f##*/}; \
	  sed 's|/usr/local|$(PREFIX)|g' $$f > $$t && chmod 644 $$t || exit 1; done
	for f in launchd/*.plist launchd/litestream.yml.example; do t=$(I_SHARE)/launchd/$${f##*/}; \
	  sed 's|/usr/local|$(PREFIX)|g' $$f > $$t && chmod 644 $$t || exit 1; done
	if [ -f $(WEB_DIST) ]; then rm -rf $(I_SHARE)/web && mkdir -p $(I_SHARE)/web && \
	  cp -R web/dist/. $(I_SHARE)/web/ && find $(I_SHARE)/web -type d -exec chmod 755 {} + && \
	  find $(I_SHARE)/web -type f -exec chmod 644 {} +; \
	else echo "install: web/dist not built; the dashboard is not installed"; fi

clean:
	rm -rf build build-san bin web/dist

-include $(shell find build build-san -name '*.d' 2>/dev/null)
