# covertheme — build, run and test.
#   make          build build/libcovertheme.so.1 and build/covertheme
#   make run      install missing Debian packages, build, theme the bundled sample cover
#   make test     install missing Debian packages, build, run every test suite
#   make deps     only install missing Debian packages (needs root when something is missing)

CC       ?= gcc
BUILD    := build
PKGS     := spng libwebp
DEP_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
DEP_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ljpeg
CHECK_FLAGS := $(shell pkg-config --cflags --libs check 2>/dev/null)

# -ffp-contract=off: no silent FMA contraction, so results do not depend on the ISA the
# compiler picks; together with no -ffast-math this keeps themes byte-identical everywhere.
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# CFLAGS/LDFLAGS are the user's (optimisation, sanitizers); the flags the build depends on
# live in BASE_CFLAGS so `make CFLAGS=...` cannot drop them.
CFLAGS   ?= -O2 -g
LDFLAGS  ?=
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -fPIC -fvisibility=hidden -ffp-contract=off $(WARN) $(DEP_CFLAGS)
ALL_CFLAGS   = $(BASE_CFLAGS) $(CFLAGS)
LDLIBS   := $(DEP_LIBS) -lm -lpthread

SONAME   := libcovertheme.so.1
LIB      := $(BUILD)/$(SONAME)
CLI      := $(BUILD)/covertheme

CORE_SRC   := $(wildcard core/*.c)
PLUGIN_SRC := $(wildcard plugin/*.c)
CORE_OBJ   := $(CORE_SRC:%.c=$(BUILD)/%.o)
PLUGIN_OBJ := $(PLUGIN_SRC:%.c=$(BUILD)/%.o)

TEST_COMMON_SRC := tests/imggen.c tests/covers.c tests/testenv.c
# tests/test_*.c are suites of the core unit-test binary (run by tests/run_core.c); standalone
# test programs (host_stub.c, alloc_check.c, cli_batch_check.c) are named otherwise.
TEST_CORE_SRC   := tests/run_core.c $(wildcard tests/test_*.c)
TEST_COMMON_OBJ := $(TEST_COMMON_SRC:%.c=$(BUILD)/%.o)
TEST_CORE_OBJ   := $(TEST_CORE_SRC:%.c=$(BUILD)/%.o)

.PHONY: all deps run test check-abi abi-baseline clean bench-tools corpus bench bench-save bench-compare bench-ab bench-determinism quality profile heap
all: $(LIB) $(BUILD)/libcovertheme.so $(CLI)

deps:
	@sh .ci/install-deps

# -MMD -MP: each object depends on exactly the headers it includes (build/**/*.d).
$(BUILD)/%.o: %.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

$(BUILD):
	@mkdir -p $(BUILD)

$(LIB): $(CORE_OBJ) $(PLUGIN_OBJ) abi/covertheme.map
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=abi/covertheme.map \
	    -Wl,-z,defs -Wl,-z,nodelete -o $@ $(CORE_OBJ) $(PLUGIN_OBJ) $(LDLIBS)

$(BUILD)/libcovertheme.so: $(LIB)
	ln -sf $(SONAME) $@

CLI_OBJ  := $(BUILD)/examples/cli/main.o $(BUILD)/examples/cli/batch.o
$(CLI): $(CLI_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) -L$(BUILD) -l:$(SONAME) -Wl,-rpath,'$$ORIGIN' -lpthread

# Unit tests link the core objects directly; the ABI tests go through dlopen only.
$(BUILD)/test_core: $(TEST_CORE_OBJ) $(TEST_COMMON_OBJ) $(CORE_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_FLAGS)

$(BUILD)/test_abi: $(BUILD)/tests/host_stub.o $(TEST_COMMON_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_FLAGS) -ldl

# `covertheme --batch` tests: run the built CLI as a child process (tests/cli_batch_check.c).
$(BUILD)/test_cli_batch: $(BUILD)/tests/cli_batch_check.o $(TEST_COMMON_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_FLAGS)

.PHONY: test-cli-batch
test-cli-batch: all $(BUILD)/test_cli_batch
	COVERTHEME_CLI=$(CURDIR)/$(CLI) $(BUILD)/test_cli_batch

# Links the library like a host; run under LD_PRELOAD=$(BUILD)/libmcount.so.
$(BUILD)/test_alloc: $(BUILD)/tests/alloc_check.o $(TEST_COMMON_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(BUILD)/tests/alloc_check.o $(TEST_COMMON_OBJ) -L$(BUILD) -l:$(SONAME) \
	    -Wl,-rpath,'$$ORIGIN' $(LDLIBS) $(CHECK_FLAGS)

$(BUILD)/sample-cover.png: $(BUILD)/make_sample
	$(BUILD)/make_sample $@

$(BUILD)/make_sample: $(BUILD)/examples/sample/make_sample.o
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# Exported symbols must be exactly abi/exported-symbols.txt, and the public types and
# functions must match the abidw baseline abi/libcovertheme.abi (added functions pass;
# removed ones, signature or struct layout changes fail). After an intended, compatible
# change (a member appended to a size-prefixed struct), refresh it: make abi-baseline.
check-abi: $(LIB)
	@nm -D --defined-only --format=posix $(LIB) | awk '$$2 ~ /^[TDBRVW]$$/ {sub(/@.*/,"",$$1); print $$1}' \
	    | sort | diff -u abi/exported-symbols.txt - && echo "abi: exported symbols match abi/exported-symbols.txt"
	@abidiff --no-added-syms --hd1 abi --hd2 abi abi/libcovertheme.abi $(LIB) \
	    && echo "abi: public ABI matches abi/libcovertheme.abi" \
	    || { echo "abi: $(LIB) breaks abi/libcovertheme.abi (see above)"; exit 1; }

abi-baseline: $(LIB)
	abidw --headers-dir abi --no-corpus-path --out-file abi/libcovertheme.abi $(LIB)

run: deps
	@$(MAKE) --no-print-directory all $(BUILD)/sample-cover.png
	$(CLI) --image $(BUILD)/sample-cover.png --format ron --summary

test: deps
	@$(MAKE) --no-print-directory all $(BUILD)/test_core $(BUILD)/test_abi $(BUILD)/test_alloc $(BUILD)/libmcount.so
	@$(MAKE) --no-print-directory check-abi
	$(BUILD)/test_core
	COVERTHEME_LIB=$(CURDIR)/$(LIB) COVERTHEME_CLI=$(CURDIR)/$(CLI) $(BUILD)/test_abi
	LD_PRELOAD=$(CURDIR)/$(BUILD)/libmcount.so $(BUILD)/test_alloc
	@$(MAKE) --no-print-directory test-cli-batch

# ---- bench/: measurement (not part of make test; see bench/README.md) ------------------
BENCH_DIR  := $(BUILD)/bench
CORPUS     ?= bench/corpus
NAME       ?= base
BENCH_ARGS ?=
BENCH_OBJ  := $(patsubst %.c,$(BUILD)/%.o,bench/harness.c bench/bench_opts.c bench/inputs.c \
                bench/machine.c bench/child.c bench/measure_e2e.c bench/measure_floors.c \
                bench/rt_guard.c bench/results.c bench/strbuf.c bench/stats.c bench/floors.c)
# The harness records the flags it was built with in every result line (bench/machine.c).
BENCH_CFLAGS_STR := $(BASE_CFLAGS) $(CFLAGS)
$(BUILD)/bench/machine.o: BASE_CFLAGS += -DCOVERTHEME_BENCH_CFLAGS='"$(BENCH_CFLAGS_STR)"'

bench-tools: all $(BUILD)/covertheme-bench $(BUILD)/covertheme-quality $(BUILD)/libmcount.so $(BUILD)/covertheme-pool-latency \
             $(BUILD)/covertheme-overlap-ab $(BUILD)/covertheme-jpeg-rows

# The harness drives the library through its public ABI only; floors call the decoders.
$(BUILD)/covertheme-bench: $(BENCH_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(BENCH_OBJ) -L$(BUILD) -l:$(SONAME) -Wl,-rpath,'$$ORIGIN' $(LDLIBS)

# The decode/colour-count overlap, call against call through the ABI (bench/overlap_ab.c).
$(BUILD)/covertheme-overlap-ab: $(BUILD)/bench/overlap_ab.o $(BUILD)/bench/inputs.o $(BUILD)/bench/stats.o $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(BUILD)/bench/overlap_ab.o $(BUILD)/bench/inputs.o $(BUILD)/bench/stats.o \
	    -L$(BUILD) -l:$(SONAME) -Wl,-rpath,'$$ORIGIN' $(LDLIBS)

# libjpeg alone: what its non-temporal stores cost a reader of its rows (bench/jpeg_rows.c).
$(BUILD)/covertheme-jpeg-rows: $(BUILD)/bench/jpeg_rows.o $(BUILD)/bench/inputs.o $(BUILD)/bench/stats.o
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Dispatch latency of the worker pool and the k-means inline threshold (bench/pool_latency.c).
$(BUILD)/covertheme-pool-latency: $(BUILD)/bench/pool_latency.o $(CORE_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The quality tool gets themes through the ABI and full-resolution pixels from core's decoders.
QUALITY_OBJ := $(patsubst %.c,$(BUILD)/%.o,bench/quality.c bench/quality_image.c bench/quality_output.c \
                 bench/colours.c bench/refkmeans.c bench/guarantees.c bench/wcag_oklab.c bench/stability.c)
$(BUILD)/covertheme-quality: $(QUALITY_OBJ) $(CORE_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(QUALITY_OBJ) $(CORE_OBJ) \
	    -L$(BUILD) -l:$(SONAME) -Wl,-rpath,'$$ORIGIN' $(LDLIBS)

# LD_PRELOAD allocation counter (bench/mcount.c).
$(BUILD)/libmcount.so: bench/mcount.c | $(BUILD)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -shared -o $@ $< -ldl

corpus:
	sh bench/corpus.sh $(CORPUS)

bench: bench-tools
	@mkdir -p $(BENCH_DIR)
	sh bench/run.sh $(CORPUS) $(BENCH_DIR)/latest.jsonl $(BENCH_ARGS)

bench-save: bench
	@mkdir -p bench/baselines
	cp $(BENCH_DIR)/latest.jsonl bench/baselines/$(NAME).jsonl
	@echo "baseline saved: bench/baselines/$(NAME).jsonl"

bench-compare: bench
	python3 bench/compare.py bench/baselines/$(NAME).jsonl $(BENCH_DIR)/latest.jsonl

# Alternating A/B against a git revision, pooled (the robust gate on a noisy VM).
BASE ?= HEAD
bench-ab: bench-tools
	sh bench/ab.sh $(BASE) $(CORPUS) $(BENCH_DIR)/ab $(BENCH_ARGS)

# Palette distortion vs an exhaustive k-means reference, guarantees, PNG/JPEG stability.
# Byte-identical themes across ISA and thread counts on every corpus image (bench/determinism.sh).
bench-determinism: all
	sh bench/determinism.sh $(CORPUS)

quality: bench-tools
	@mkdir -p $(BENCH_DIR)
	sh bench/quality.sh $(CORPUS) $(BENCH_DIR)/quality.jsonl $(QUALITY_ARGS)

profile: bench-tools
	sh bench/profile.sh $(IMAGE)

heap: bench-tools
	sh bench/heap.sh $(IMAGE)

clean:
	rm -rf $(BUILD)
