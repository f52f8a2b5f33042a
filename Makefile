# sbd — GNU Makefile.
#   make                      builds build/libsbd.a, build/libsbd.so and build/sbd
#   make test                 runs every test; the last line is "N passed, N failed"
#   make SANITIZE=address,undefined test   the same under ASan/UBSan (in build/san/)
#   make SANITIZE=thread test  the same under ThreadSanitizer (in build/tsan/; see docs/testing.md)
#   make fuzz                 builds the libFuzzer targets with clang (build/fuzz/)
#   make bench                runs the benchmarks against the peers
#   make demo                 sets up, builds, generates sample data and runs the main job on it
SHELL := /bin/bash
.DEFAULT_GOAL := all

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
OPT ?= -O2
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ifdef WERROR
WARN += -Werror
endif
CFLAGS_ALL := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) -g $(WARN) -fPIC \
              -Iinclude -Isrc $(CFLAGS)
LIBS := -lxxhash -lzstd -lsnappy -lz -llz4 -lpcre2-8 -lutf8proc -lyaml -lsqlite3 -lpthread -lm

ifdef SANITIZE
# ThreadSanitizer cannot share objects with ASan/UBSan, so it builds apart.
ifeq ($(SANITIZE),thread)
BUILD := build/tsan
else
BUILD := build/san
endif
CFLAGS_ALL += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDSAN := -fsanitize=$(SANITIZE)
else
BUILD := build
LDSAN :=
endif

LIB_SRC := $(sort $(wildcard src/core/*.c src/io/*.c src/io/*/*.c src/sql/*.c src/exec/*.c \
              src/store/*.c src/match/*.c src/flow/*.c src/serve/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)
DEPS := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)

.PHONY: all deps lib test unit fuzz bench demo clean format
all: deps lib $(BUILD)/sbd

deps:
	@scripts/deps

lib: $(BUILD)/libsbd.a $(BUILD)/libsbd.so

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# Python feature functions run with the sbd package of this tree on PYTHONPATH (unless
# SBD_PYTHONPATH says otherwise at run time).
$(BUILD)/obj/src/store/python.o: CFLAGS_ALL += -DSBD_PYTHON_DIR='"$(CURDIR)/python"'

$(BUILD)/libsbd.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libsbd.so: $(LIB_OBJ)
	$(CC) -shared $(LDSAN) -o $@ $^ $(LIBS)

$(BUILD)/sbd: $(CLI_OBJ) $(BUILD)/libsbd.a
	$(CC) $(LDSAN) -o $@ $(CLI_OBJ) $(BUILD)/libsbd.a $(LIBS)

$(BUILD)/unit_tests: $(UNIT_OBJ) $(BUILD)/libsbd.a
	$(CC) $(LDSAN) -o $@ $(UNIT_OBJ) $(BUILD)/libsbd.a $(LIBS)

unit: deps $(BUILD)/unit_tests
	$(BUILD)/unit_tests

# The fuzz targets, built with clang and libFuzzer (and ASan/UBSan) into build/fuzz/.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_FLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -Iinclude -Isrc \
              -fno-sanitize-recover=all
FUZZ_OBJ := $(LIB_SRC:%.c=build/fuzz/obj/%.o)
fuzz: deps $(FUZZ_BIN)
# The library is instrumented once (coverage without libFuzzer's main) and linked into each target.
build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@
build/fuzz/libsbd_fuzz.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^
build/fuzz/%: tests/fuzz/%.c build/fuzz/libsbd_fuzz.a
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< build/fuzz/libsbd_fuzz.a $(LIBS)

# The replayer runs each fuzz target's saved corpus without libFuzzer, under the normal build
# (and under the sanitizers when SANITIZE is set).
$(BUILD)/fuzz_replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(BUILD)/libsbd.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDSAN) -o $@ $< tests/fuzz/replay_main.c $(BUILD)/libsbd.a $(LIBS)

REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz_replay/%)

test: all $(BUILD)/unit_tests $(REPLAY_BIN)
	@BUILD=$(BUILD) tests/run

bench: all
	@bench/run

demo: all
	@scripts/demo

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(DEPS) $(FUZZ_OBJ:.o=.d)
