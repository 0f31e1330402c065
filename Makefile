# attrprof: build, test, demo and benchmark. `make V=1` shows the commands.
.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

OUTPUT := build
CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')

CFLAGS ?= -O2 -g
override CFLAGS += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE
# Each layer sees only the ones below it: probe/attrprof.h <- profile/ <- {collector, report}.
PROFILE_INC := -Iprobe -Iprofile
REPORT_INC := $(PROFILE_INC) -Ireport
ALL_INC := -I$(OUTPUT) $(REPORT_INC) -Icollector
LDLIBS := -lbpf -lelf -lz -ljansson -lpthread -lm
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -I$(OUTPUT) -Iprobe

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

PROFILE_SRCS := $(wildcard profile/*.c)
COLLECTOR_SRCS := $(filter-out collector/main.c,$(wildcard collector/*.c))
REPORT_SRCS := $(wildcard report/*.c)
LIB_SRCS := $(PROFILE_SRCS) $(COLLECTOR_SRCS) $(REPORT_SRCS)
LIB_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(LIB_SRCS))
# The sources that include the BPF skeleton, and so wait for it to be generated.
SKEL_USERS := $(shell grep -l 'attrprof.skel.h' collector/*.c)
# tests/unit/ needs no privilege (pure logic, files, attrprof diff and report); tests/root/
# attaches real probes to real processes, as root. tests/*.c are what both share.
TEST_SRCS := $(wildcard tests/*.c tests/unit/*.c tests/root/*.c)
TEST_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(TEST_SRCS))
TARGET_SRCS := $(wildcard tests/targets/*.c)
TARGETS := $(patsubst tests/targets/%.c,$(OUTPUT)/targets/%,$(TARGET_SRCS))
DEMOS := $(patsubst demo/%.c,$(OUTPUT)/demo/%,$(wildcard demo/*.c))

.PHONY: all deps test demo bench clean check-format format asan fuzz fuzz-short

all: $(OUTPUT)/attrprof $(TARGETS) $(DEMOS)

deps:
	$(Q)scripts/setup

$(OUTPUT) $(OUTPUT)/profile $(OUTPUT)/collector $(OUTPUT)/report $(OUTPUT)/tests $(OUTPUT)/tests/unit $(OUTPUT)/tests/root $(OUTPUT)/targets $(OUTPUT)/demo:
	$(Q)mkdir -p $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

# attrprof.bpf.c #includes the other probe/*.bpf.c: one object, one skeleton.
$(OUTPUT)/%.bpf.o: probe/%.bpf.c $(wildcard probe/*.h probe/*.bpf.c) $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/profile/%.o: profile/%.c $(wildcard profile/*.h) probe/attrprof.h | $(OUTPUT)/profile
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PROFILE_INC) -c $< -o $@

$(OUTPUT)/report/%.o: report/%.c $(wildcard report/*.h profile/*.h) probe/attrprof.h | $(OUTPUT)/report
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(REPORT_INC) -c $< -o $@

$(OUTPUT)/collector/%.o: collector/%.c $(wildcard collector/*.h probe/*.h profile/*.h report/*.h) | $(OUTPUT)/collector
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(ALL_INC) -c $< -o $@

# Only the objects that use the skeleton wait for it.
$(patsubst %.c,$(OUTPUT)/%.o,$(SKEL_USERS)): $(OUTPUT)/attrprof.skel.h

$(OUTPUT)/tests/%.o: tests/%.c $(wildcard tests/*.h collector/*.h profile/*.h report/*.h probe/*.h) | $(OUTPUT)/tests $(OUTPUT)/tests/unit $(OUTPUT)/tests/root
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(ALL_INC) -Itests -Wno-missing-field-initializers -c $< -o $@

$(OUTPUT)/attrprof: $(OUTPUT)/collector/main.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# Targets keep frame pointers, set up first thing, so accessors start with `push %rbp`, a first
# instruction the kernel emulates instead of single-stepping.
$(OUTPUT)/targets/%: tests/targets/%.c Makefile | $(OUTPUT)/targets
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-shrink-wrap -Wall -Wextra -Werror -pthread $< -o $@

# The demo is built like any program: whatever its accessors start with, attrprof copes.
$(OUTPUT)/demo/%: demo/%.c Makefile | $(OUTPUT)/demo
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -Werror -pthread $< -o $@

$(OUTPUT)/test_attrprof: $(TEST_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -lcriterion -o $@

test: deps
	$(Q)$(MAKE) --no-print-directory all $(OUTPUT)/test_attrprof
	$(Q)scripts/run-tests
	$(Q)$(MAKE) --no-print-directory asan
	$(Q)$(MAKE) --no-print-directory fuzz-short

# The whole suite again, attrprof and the tests built with ASan and UBSan.
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(OUTPUT)/asan CFLAGS="$(ASAN_FLAGS)" \
		LDFLAGS="$(ASAN_FLAGS)" all $(OUTPUT)/asan/test_attrprof
	$(Q)ATTRPROF_BUILD=$(OUTPUT)/asan LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		scripts/run-tests

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/bench

check-format:
	$(Q)clang-format --dry-run --Werror $(wildcard probe/*.[ch] profile/*.[ch] collector/*.[ch] report/*.[ch] tests/*.[ch] tests/unit/*.c tests/root/*.c tests/targets/*.c fuzz/*.[ch] fuzz/seeds/*.c)

format:
	$(Q)clang-format -i $(wildcard probe/*.[ch] profile/*.[ch] collector/*.[ch] report/*.[ch] tests/*.[ch] tests/unit/*.c tests/root/*.c tests/targets/*.c fuzz/*.[ch] fuzz/seeds/*.c)

clean:
	$(Q)rm -rf $(OUTPUT)

# ---- bench: the programs scripts/bench runs (see BENCH.md) ----------------
BENCH_OUT := $(OUTPUT)/bench
BENCH_BINS := $(BENCH_OUT)/loop $(BENCH_OUT)/many $(BENCH_OUT)/floor $(BENCH_OUT)/stopwatch \
	$(BENCH_OUT)/linkinfo $(BENCH_OUT)/contended
BENCH_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE
# Probed targets keep frame pointers, leaf functions included, so their
# functions start with `push %rbp`, which the kernel emulates. They are built
# with clang: GCC 12 ignores both flags for a function that needs no stack
# frame and starts it with its first real instruction (single-stepped).
BENCH_FP := -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer
BENCH_TARGET_CC := $(CLANG)

bench: $(BENCH_BINS)

$(BENCH_OUT):
	$(Q)mkdir -p $@

$(BENCH_OUT)/loop.o: bench/loop.c | $(BENCH_OUT)
	$(call msg,CC,$@)
	$(Q)$(BENCH_TARGET_CC) $(BENCH_CFLAGS) $(BENCH_FP) -c $< -o $@

# bench_leaf is built without frame pointers: its first instruction is single-stepped.
$(BENCH_OUT)/leaf.o: bench/leaf.c | $(BENCH_OUT)
	$(call msg,CC,$@)
	$(Q)$(BENCH_TARGET_CC) $(BENCH_CFLAGS) -fomit-frame-pointer -c $< -o $@

$(BENCH_OUT)/loop: $(BENCH_OUT)/loop.o $(BENCH_OUT)/leaf.o
	$(call msg,LINK,$@)
	$(Q)$(BENCH_TARGET_CC) $^ -o $@

$(BENCH_OUT)/many: bench/many.c | $(BENCH_OUT)
	$(call msg,CC,$@)
	$(Q)$(BENCH_TARGET_CC) $(BENCH_CFLAGS) $(BENCH_FP) $< -o $@

$(BENCH_OUT)/floor.bpf.o: bench/floor.bpf.c $(OUTPUT)/vmlinux.h | $(BENCH_OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_OUT)/floor.skel.h: $(BENCH_OUT)/floor.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(BENCH_OUT)/floor: bench/floor.c $(BENCH_OUT)/floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(BENCH_CFLAGS) -I$(BENCH_OUT) $< -lbpf -lelf -lz -o $@

$(BENCH_OUT)/stopwatch: bench/stopwatch.c | $(BENCH_OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(BENCH_CFLAGS) $< -o $@

# Built the way a user builds a program, `cc -O2 -pthread` and no frame-pointer flags, so the
# accessor starts with whatever GCC emits (warnings change no code).
$(BENCH_OUT)/contended: bench/contended.c | $(BENCH_OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -pthread -Wall -Wextra -Werror $< -o $@

# Reads another process's uprobe_multi links and program run counts back from the kernel.
$(BENCH_OUT)/linkinfo: bench/linkinfo.c | $(BENCH_OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(BENCH_CFLAGS) $< -lbpf -o $@

# ---- fuzz: libFuzzer targets over every parser (fuzz/README.md) -----------
# The project's objects are built again with clang: libFuzzer needs its coverage
# instrumentation in the code under test, and the ASan runtimes of gcc and clang do not mix.
FUZZ_OUT := $(OUTPUT)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -Wall -Wextra -Werror -std=gnu11 \
	-D_GNU_SOURCE -Ifuzz
FUZZ_SRCS := $(filter-out fuzz/fuzz_util.c,$(wildcard fuzz/*.c))
FUZZ_BINS := $(patsubst fuzz/%.c,$(FUZZ_OUT)/%,$(FUZZ_SRCS))
# Objects under obj/: build/fuzz/profile is the profile target, not profile/'s objects.
FUZZ_OBJ := $(FUZZ_OUT)/obj
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(LIB_SRCS))
FUZZ_SECONDS ?= 300

$(FUZZ_OBJ)/profile $(FUZZ_OBJ)/collector $(FUZZ_OBJ)/report:
	$(Q)mkdir -p $@

$(FUZZ_OBJ)/profile/%.o: profile/%.c $(wildcard profile/*.h) probe/attrprof.h | $(FUZZ_OBJ)/profile
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(PROFILE_INC) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_OBJ)/report/%.o: report/%.c $(wildcard report/*.h profile/*.h) probe/attrprof.h | $(FUZZ_OBJ)/report
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(REPORT_INC) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_OBJ)/collector/%.o: collector/%.c $(wildcard collector/*.h probe/*.h profile/*.h report/*.h) | $(FUZZ_OBJ)/collector
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(ALL_INC) -fsanitize=fuzzer-no-link -c $< -o $@

$(patsubst %.c,$(FUZZ_OBJ)/%.o,$(SKEL_USERS)): $(OUTPUT)/attrprof.skel.h

# An archive: each target links only the objects it calls into.
$(FUZZ_OUT)/libattrprof.a: $(FUZZ_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_OUT)/%: fuzz/%.c fuzz/fuzz_util.c fuzz/fuzz_util.h $(FUZZ_OUT)/libattrprof.a $(wildcard collector/*.h profile/*.h report/*.h)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(ALL_INC) -fsanitize=fuzzer $< fuzz/fuzz_util.c $(FUZZ_OUT)/libattrprof.a $(LDLIBS) -o $@

# The long run: FUZZ_SECONDS per target (FUZZ_TARGETS="profile elf" picks some).
fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)
	$(Q)FUZZ_BUILD=$(FUZZ_OUT) scripts/fuzz --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The short run `make test` ends with: the whole corpus replayed, then a few seconds each.
fuzz-short:
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)
	$(Q)FUZZ_BUILD=$(FUZZ_OUT) scripts/fuzz --seconds 3
