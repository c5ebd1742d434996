# kpi - build. Every dependency is found with pkg-config; `make deps` installs what is missing.
# `make` itself only builds (it names what is missing and stops); `make deps`, `make test` and
# `make demo` install what is missing first.
#
#   make            libkpi.a, libkpi.so and the kpi tool in build/ (DEVELOPER=1: with -Werror)
#   make test       the whole suite (unit, CLI, fuzz-seed replay); last line "N passed, N failed"
#   make asan       the suite built and run under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz       libFuzzer targets (clang), each run FUZZ_SECONDS over its seed corpus
#   make bench      benchmarks against the anchors (sqlite3 shell), printed as ratios
#   make demo       installs what is missing, builds, creates the demo company in ./demo, reports,
#                   serves its dashboard (make demo-stop ends it)
#   make install    PREFIX=/usr/local: binary, library, header, kpi.pc, man page, completion
#   make uninstall  removes what `make install` put under PREFIX
#   make deps       installs missing Debian packages (sudo when not root) and npm packages
#   make format-check  clang-format over every C source and header

# The library's own dependencies (kpi.pc's Requires.private), and what only the tool adds
# (the server, kpi push).
LIB_PKGS := sqlite3 libfyaml jansson icu-i18n icu-uc libsodium libxxhash
PKGS     := $(LIB_PKGS) libmicrohttpd libcurl
PREFIX   ?= /usr/local
BUILD    ?= build
SAN      ?=
CC       ?= cc
FUZZ_SECONDS ?= 20

# Warnings are errors in CI and for developers (DEVELOPER=1), not for someone building a release
# with another compiler.
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wvla
ifneq ($(DEVELOPER),)
  WARN += -Werror
endif
CFLAGS   ?= -O2 -g
ifneq ($(SAN),)
  CFLAGS += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
  LDFLAGS += -fsanitize=$(SAN)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIB_LIBS   := $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null) -lpthread -lm
# Hidden by default: libkpi.so exports only what include/kpi.h marks KPI_API.
ALL_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) $(CFLAGS) -fPIC -fvisibility=hidden -Iinclude \
  $(PKG_CFLAGS) -MMD -MP
LIBS       := $(PKG_LIBS) -lpthread -lm

LIB_SRC  := $(sort $(wildcard lib/*/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c src/server/*.c src/push/*.c src/demo/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/catalog_data.o
CATALOG  := $(sort $(wildcard catalog/*.yaml))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/web_assets.o
# The dashboard: web/ and uPlot from npm (node_modules, `npm ci`), compiled into the kpi tool.
WEB      := $(sort $(wildcard web/*.html web/*.js web/*.css web/*.svg web/*.png))
UPLOT    := node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
REPLAY_BIN := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/tests/replay_%)

.PHONY: all binaries run-tests test asan torture fuzz fuzz-deps bench demo demo-stop install \
  uninstall deps clean check-deps check-npm format-check
# `all` only builds: check-deps and check-npm name what is missing and stop.
all: check-deps check-npm
	@$(MAKE) --no-print-directory binaries

binaries: $(BUILD)/libkpi.a $(BUILD)/libkpi.so $(BUILD)/kpi $(BUILD)/gen_orders

check-deps:
	@sh tools/deps.sh --check

# Installs what is missing: Debian packages, then the npm packages of package-lock.json (uPlot
# for the dashboard, playwright-core for its tests).
deps:
	@sh tools/deps.sh
	@test -d node_modules/uplot -a -d node_modules/playwright-core || \
	  { echo "node_modules is missing; running 'npm ci'"; npm ci --no-audit --no-fund; }

check-npm:
	@test -d node_modules/uplot -a -d node_modules/playwright-core || \
	  { echo "kpi: node_modules is missing (uPlot for the dashboard, playwright-core for its" \
	  "tests): install it with 'make deps' (or: npm ci)" >&2; exit 1; }

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The standard catalog is compiled into the library.
$(BUILD)/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 $(WARN) -O2 -o $@ $<

$(BUILD)/gen/catalog_data.c: $(CATALOG) $(BUILD)/embed
	@mkdir -p $(dir $@)
	$(BUILD)/embed kcatalog_files $(CATALOG) > $@

$(BUILD)/obj/gen/catalog_data.o: $(BUILD)/gen/catalog_data.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ilib -c $< -o $@

# The dashboard's files are compiled into the kpi tool (src/server/assets.c serves them).
$(UPLOT):
	@echo "kpi: $@ is missing: run 'npm ci' (uPlot, from npm, is part of the dashboard)" >&2
	@exit 1

$(BUILD)/gen/web_assets.c: $(WEB) $(UPLOT) $(BUILD)/embed
	@mkdir -p $(dir $@)
	$(BUILD)/embed -i server.h -t kasset kweb_assets $(WEB) $(UPLOT) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/web_assets.o: $(BUILD)/gen/web_assets.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/server -c $< -o $@

$(BUILD)/libkpi.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libkpi.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libkpi.so.0 $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(BUILD)/kpi: $(CLI_OBJ) $(BUILD)/libkpi.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libkpi.a $(LIBS)

$(BUILD)/gen_orders: tools/gen_orders.c
	$(CC) -std=c17 $(WARN) -O2 -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/tap.h $(BUILD)/libkpi.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ilib $(LDFLAGS) -o $@ $< $(BUILD)/libkpi.a $(LIBS)

# Each fuzz target also builds with a plain main() that replays its seed corpus, so every seed
# (and every crasher added to the corpus) is a regression test in `make test`.
$(BUILD)/tests/replay_%: fuzz/%.c fuzz/replay_main.c $(BUILD)/libkpi.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ilib $(LDFLAGS) -o $@ $< fuzz/replay_main.c $(BUILD)/libkpi.a $(LIBS)

# The README's command on a fresh machine: installs what is missing, builds, runs everything.
test: deps
	@$(MAKE) --no-print-directory binaries
	@$(MAKE) --no-print-directory run-tests

run-tests: $(TEST_BIN) $(REPLAY_BIN)
	@KPI_BUILD=$(BUILD) sh tests/run.sh

asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan SAN=address,undefined

# Allocation-failure torture (docs/torture.md): the kpi tool of the ASan build linked with
# tests/torture/shim.c, which fails the Nth allocation; tests/torture/run.sh tries every N over
# imports, queries and a targets import, within TORTURE_SECONDS (0: no bound).
TORTURE_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup \
  -Wl,--wrap=realpath
TORTURE_SECONDS ?= 600
$(BUILD)/kpi-torture: tests/torture/shim.c $(CLI_OBJ) $(BUILD)/libkpi.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(TORTURE_WRAP) -o $@ $< $(CLI_OBJ) $(BUILD)/libkpi.a $(LIBS)

torture: deps
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=address,undefined build-asan/kpi \
	  build-asan/kpi-torture
	@TORTURE_SECONDS=$(TORTURE_SECONDS) sh tests/torture/run.sh build-asan

FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)
build-fuzz/%: fuzz/%.c $(LIB_SRC) $(BUILD)/gen/catalog_data.c
	@mkdir -p build-fuzz
	clang -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ilib \
	  $(PKG_CFLAGS) -o $@ $< $(LIB_SRC) $(BUILD)/gen/catalog_data.c $(LIBS)

fuzz-deps: deps
	@KPI_DEPS_FUZZ=1 sh tools/deps.sh

fuzz: fuzz-deps $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build-fuzz/$$n- \
	    build-fuzz/corpus-$$n fuzz/corpus/$$n || exit 1; done

bench: deps
	@KPI_DEPS_BENCH=1 sh tools/deps.sh
	@$(MAKE) --no-print-directory binaries
	@sh bench/run.sh

# The demo company in ./demo (DEMO_DIR), rebuilt from scratch, its last month's report, and
# its dashboard served in the background (tools/demo-serve.sh; `make demo-stop` ends it). The
# build is quiet (V=1 shows the compiler lines) and the demo's progress is one line; when the
# dashboard cannot start (a port taken) make fails with the server's reason.
DEMO_DIR ?= demo
DEMO_LISTEN ?= 127.0.0.1:8080
demo: deps
	@m="make demo: building kpi$(if $(V),, (V=1 shows the compiler lines))"; \
	  if [ -t 2 ]; then printf '%s\r' "$$m" >&2; else echo "$$m" >&2; fi
	@$(MAKE) --no-print-directory $(if $(V),,-s) binaries
	@sh tools/demo-serve.sh stop $(DEMO_DIR)
	@sh tools/demo-serve.sh reset $(DEMO_DIR)
	@$(BUILD)/kpi demo $(DEMO_DIR)
	@sh tools/demo-serve.sh start $(DEMO_DIR) $(DEMO_LISTEN) $(BUILD)/kpi

demo-stop:
	@sh tools/demo-serve.sh stop $(DEMO_DIR)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/kpi $(DESTDIR)$(PREFIX)/bin/kpi
	install -m 644 $(BUILD)/libkpi.a $(DESTDIR)$(PREFIX)/lib/libkpi.a
	install -m 755 $(BUILD)/libkpi.so $(DESTDIR)$(PREFIX)/lib/libkpi.so.0
	ln -sf libkpi.so.0 $(DESTDIR)$(PREFIX)/lib/libkpi.so
	install -m 644 include/kpi.h $(DESTDIR)$(PREFIX)/include/kpi.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/^#define KPI_VERSION "\(.*\)"/\1/p' include/kpi.h)|g' \
	  -e 's|@REQUIRES@|$(LIB_PKGS)|g' kpi.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/kpi.pc
	install -m 644 man/kpi.1 $(DESTDIR)$(PREFIX)/share/man/man1/kpi.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	$(BUILD)/kpi completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kpi
	$(BUILD)/kpi completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_kpi

INSTALLED := bin/kpi lib/libkpi.a lib/libkpi.so.0 lib/libkpi.so include/kpi.h \
  lib/pkgconfig/kpi.pc share/man/man1/kpi.1 share/bash-completion/completions/kpi \
  share/zsh/site-functions/_kpi
uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/,$(INSTALLED))

# The sources clang-format checks (CI runs this): all of them.
FORMAT_SRC = $(wildcard include/*.h lib/*/*.[ch] src/*/*.[ch] tests/unit/*.c fuzz/*.c)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRC) && echo "format-check: $(words $(FORMAT_SRC)) files clean"

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
