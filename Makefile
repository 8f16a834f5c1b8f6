# initkit - initramfs generator and static early-userspace /init
#
#   make                 build ./mkinitramfs and init/init
#   make check           unit tests + QEMU boot tests (deps: tools/deps)
#   make bench           benchmarks, under an hour (sizes, build and boot times)
#   make bench-store     a generic image's module store: .ko.gz, squashfs, erofs
#   make install         PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/lib/initkit
MANDIR  ?= $(PREFIX)/share/man

CC      ?= cc
KLCC    ?= klcc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2
# CI builds with WERROR=-Werror
WERROR  ?=
PKG_LIBS := -lkmod -lext2fs -lcom_err -ldeflate -lz -lzstd -llzma -llz4 -lpthread
COMP_LIBS := -lext2fs -lcom_err -ldeflate -lz -lzstd -llzma -llz4 -lpthread

# lib/: the contract (layout.h) and the pure parsers, no system calls:
# linked by /init, the generator, the unit tests and the fuzzers.  The
# module database's writer (moddbw.c) sits beside its reader but is the
# generator's: /init never links it.
LIB_SRCS  := $(wildcard lib/*.c)
LIB_HDRS  := $(wildcard lib/*.h)
# The parsers only the stacked-storage helpers link (init/lvm...), not /init
# (lib/luks.c: for the LUKS helper of issue 17, unit-tested and fuzzed now).
HELPER_PURE := $(wildcard lib/lvm.c lib/md.c lib/luks.c lib/hash.c lib/argon2.c lib/aes.c \
                 lib/crypttab.c)
INIT_PURE := $(filter-out lib/moddbw.c $(HELPER_PURE),$(LIB_SRCS))
INIT_SYS  := init/main.c init/stage_mounts.c init/stage_cmdline.c init/stage_modules.c \
             init/stage_image.c init/stage_rootwait.c init/stage_mount.c init/stage_switch.c \
             init/stage_realrootdev.c init/hooks.c init/panic.c init/timeline.c init/log.c \
             init/util.c init/modules.c init/coldplug.c init/blockdev.c init/uevent_sock.c \
             init/rmtree.c init/actions.c init/resume.c init/modprobe.c
INIT_HDRS := $(wildcard init/*.h) $(LIB_HDRS)
# Largest stripped /init we accept (64 KiB, room for stacked storage:
# issue 16; the file layout packs the code
# and read-only data into one segment, -z noseparate-code, and the data
# right after it: see init/init below).
INIT_MAX_BYTES := 65536

# gen/: the generator.  It writes its module database with lib/moddbw.c
# and checks it with /init's own parser (lib/moddb.c).
GEN_SRCS := gen/main.c gen/cpio.c gen/modsel.c gen/image.c gen/archive.c gen/commit.c \
            gen/compress.c gen/imgread.c gen/imgextract.c gen/config.c gen/hostonly.c \
            gen/elfdeps.c gen/imgext2.c gen/regfile.c gen/hookparse.c gen/runprog.c \
            gen/genutil.c gen/kbd.c lib/moddb.c lib/moddbw.c lib/wildcard.c lib/probe.c \
            lib/rootspec.c lib/crypttab.c lib/keymap.c
# The pure parsers of untrusted input (no exit(), no global state): what
# the fuzz targets and their regression replay link (tests/fuzz/run.sh and
# regress.sh read this list: make -s print-PURE_SRCS).
PURE_SRCS := $(filter-out lib/moddbw.c,$(LIB_SRCS)) gen/cpio.c gen/compress.c gen/imgread.c \
             gen/imgextract.c gen/config.c gen/regfile.c gen/hookparse.c gen/genutil.c \
             gen/elfdeps.c gen/hostonly.c
print-%:
	@echo $($*)
# the program's steps beside main.c (they exit on error: no unit tests)
GEN_STEPS := gen/options.c gen/hooks.c gen/firmware.c gen/ukistep.c
GEN_SRCS += $(GEN_STEPS)
# --uki's PE builder (pure, unit-tested: tests/unit/test_uki.c)
GEN_SRCS += gen/uki.c
GEN_HDRS := $(wildcard gen/*.h) $(LIB_HDRS)
INCS     := -Ilib -Igen -Iinit

UNIT_TESTS := $(patsubst tests/unit/%.c,build/%,$(wildcard tests/unit/test_*.c))
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Helpers: small static programs that the stacked-storage sets put in an
# image (the hooks' "helper" directive) and /init runs as block-device
# actions.  Each is checked against HELPER_MAX_BYTES by size-check, the
# luks helper against its own: it holds a JSON reader, SHA-1/256/512,
# Argon2 and AES (cryptsetup with its libraries is some 4 MB).
HELPERS := init/lvm init/md init/luks
HELPER_MAX_BYTES := 32768
HELPER_MAX_BYTES_luks := 57344
HELPER_COMMON := build/klibc/util.o build/klibc/log.o build/klibc/dm.o build/klibc/cmdline.o

all: mkinitramfs init/init $(HELPERS) tests/qemu/guest-init tests/qemu/no-thp

INIT_OBJS := $(patsubst lib/%.c,build/klibc/%.o,$(INIT_PURE)) \
             $(patsubst init/%.c,build/klibc/%.o,$(INIT_SYS))

# Size first (-Os), except Argon2's memory-hard loop: at -O2 it takes half
# the time (a LUKS2 argon2id keyslot of 32 MiB and 4 passes, 10 runs on the
# host: 1.60 s at -Os, 0.77 s at -O2, 0.81 s at -O3) for 1.5 KB more.
KLCC_OPT := -Os
build/klibc/argon2.o: KLCC_OPT := -O2

build/klibc/%.o: init/%.c $(INIT_HDRS)
	@mkdir -p build/klibc
	$(KLCC) $(KLCC_OPT) -Wall -Wno-unused-parameter $(WERROR) -Ilib -c -o $@ $<

build/klibc/%.o: lib/%.c $(INIT_HDRS)
	@mkdir -p build/klibc
	$(KLCC) $(KLCC_OPT) -Wall -Wno-unused-parameter $(WERROR) -Ilib -c -o $@ $<

# Static programs are linked twice: ld would start the data segment on a
# page of its own in the file (up to 4 KiB of padding); the second link
# puts it right after the code, at the same offset in the next page of
# memory (-Tdata).  $(call link_static,OUT,OBJS)
define link_static
	$(KLCC) -static -Wl,-z,noseparate-code -o $(1).unstripped $(2)
	set -- $$(readelf -lW $(1).unstripped | awk '$$1 == "LOAD" { print $$3, $$5; exit }'); \
	data=$$(printf '0x%x' $$(( $$1 + 0x1000 + (($$2 + 63) & ~63) ))); \
	$(KLCC) -static -Wl,-z,noseparate-code -Wl,-Tdata,$$data -o $(1).unstripped $(2)
	strip --strip-all -R .comment -o $(1) $(1).unstripped
endef

init/init: $(INIT_OBJS)
	$(call link_static,$@,$(INIT_OBJS))

init/lvm: build/klibc/lvm_main.o build/klibc/lvm.o build/klibc/helper.o $(HELPER_COMMON)
	$(call link_static,$@,$^)

init/md: build/klibc/md_main.o build/klibc/md.o $(HELPER_COMMON)
	$(call link_static,$@,$^)

init/luks: build/klibc/luks_main.o build/klibc/luks.o build/klibc/hash.o build/klibc/argon2.o build/klibc/helper.o \
		build/klibc/crypttab.o build/klibc/keymap.o \
		build/klibc/aes.o $(HELPER_COMMON)
	$(call link_static,$@,$^)

mkinitramfs: $(GEN_SRCS) $(GEN_HDRS)
	$(CC) $(CFLAGS) $(WARN) $(WERROR) $(INCS) -DINITKIT_DATADIR=\"$(DATADIR)\" \
		-o $@ $(GEN_SRCS) $(PKG_LIBS) $(LDFLAGS)

# The stand-in init of the QEMU test root: prints a token, powers off.
tests/qemu/guest-init: tests/qemu/guest-init.c
	$(KLCC) -static -Os -Wall $(WERROR) -o $@ $<
	strip --strip-all $@

# Runs QEMU with transparent huge pages off (see the file).
tests/qemu/no-thp: tests/qemu/no-thp.c
	$(CC) $(CFLAGS) $(WARN) $(WERROR) -o $@ $<

UNIT_LIB := $(LIB_SRCS) $(filter-out gen/main.c gen/modsel.c $(GEN_STEPS) lib/%,$(GEN_SRCS))

build/%: tests/unit/%.c tests/unit/unit.h $(UNIT_LIB) $(INIT_HDRS) $(GEN_HDRS)
	@mkdir -p build
	$(CC) -g -O1 $(WARN) $(WERROR) $(SAN) $(INCS) -o $@ $< \
		$(UNIT_LIB) -lcmocka $(COMP_LIBS)

build/test_md: tests/unit/mdsb_build.h

# /init's module database parser on a real file (tests/gen/limits.sh)
build/moddb-load: tests/gen/moddb-load.c lib/moddb.c lib/wildcard.c lib/moddb.h lib/wildcard.h
	@mkdir -p build
	$(CC) -g -O1 $(WARN) $(WERROR) $(SAN) -Ilib -o $@ tests/gen/moddb-load.c \
		lib/moddb.c lib/wildcard.c

unit: $(UNIT_TESTS) build/moddb-load

check: all unit
	tests/check.sh

# Benchmarks, as root, under an hour on 2 CPUs without KVM (README, Tests):
#   tests/bench.sh          generation time and size, /init's own CPU time (~2 min)
#   tests/bench-peers.sh    NOBOOT=1: generation time and size against
#                           initramfs-tools, dracut, tiny-initramfs (installs them; ~5 min)
#   tests/bench-generic.sh  issue 18: the small and the generic image against the
#                           floor and tiny-initramfs, -cpu max -smp 2 then -smp 1
#                           (BOOTS=15 each), and a Debian root with systemd to
#                           multi-user.target against initramfs-tools and dracut
#                           (ROUNDS=4; ~26 min)
#   tests/bench-stack.sh    roots on LVM and MD RAID (~14 min)
#   tests/bench-luks.sh     a root on LUKS then LVM (~7 min)
# Each one's time and the whole are printed at the end; a failing script
# does not stop the others (make's status says so).  BOOTS=1 ROUNDS=1 for a
# quick run (BOOTS is each script's own count).
BENCHES := tests/bench.sh tests/bench-peers.sh tests/bench-generic.sh \
	tests/bench-stack.sh tests/bench-luks.sh
bench: all
	@t0=$$(date +%s); st=0; times=""; \
	for b in $(BENCHES); do \
		t=$$(date +%s); echo "==== $$b"; \
		case $$b in *bench-peers.sh) NOBOOT=1 $$b ;; *) $$b ;; esac || { st=1; echo "==== $$b FAILED"; }; \
		times="$$times $$b $$(( ($$(date +%s) - t) / 60 )) min $$(( ($$(date +%s) - t) % 60 )) s;"; \
	done; \
	echo "==== make bench:$$times total $$(( ($$(date +%s) - t0) / 60 )) min $$(( ($$(date +%s) - t0) % 60 )) s"; \
	exit $$st

# How a generic image keeps its modules until /init picks them: our
# .ko.gz files against a loop-mounted squashfs (gzip, zstd, xz) and erofs,
# at the floor (tests/qemu/store-init.c), 15 alternating rounds (~9 min;
# apart from 'make bench' to keep that under an hour).
bench-store: all
	tools/deps --bench
	tests/bench-store.sh

# libFuzzer targets for every parser of untrusted input (clang), each for
# FUZZ_SECONDS; crashes found are kept in tests/fuzz/regressions/, which
# the test command replays (gcc, ASan/UBSan).
FUZZ_SECONDS ?= 60
fuzz:
	tools/deps --fuzz
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# The demo VM halted with a gdb stub (-s -S); prints how to attach.
debug-vm:
	tools/debug-vm

size-check: init/init $(HELPERS)
	@size=$$(stat -c %s init/init); \
	if [ $$size -gt $(INIT_MAX_BYTES) ]; then \
		echo "init/init is $$size bytes, over the $(INIT_MAX_BYTES) budget"; exit 1; \
	else echo "init/init is $$size bytes (budget $(INIT_MAX_BYTES))"; fi
	@for h in $(HELPERS); do size=$$(stat -c %s $$h); \
	max=$(HELPER_MAX_BYTES); [ $$h != init/luks ] || max=$(HELPER_MAX_BYTES_luks); \
	if [ $$size -gt $$max ]; then \
		echo "$$h is $$size bytes, over the $$max budget"; exit 1; \
	else echo "$$h is $$size bytes (budget $$max)"; fi; done

# The installed generator looks for its data in $(DATADIR): built for it,
# whatever PREFIX the tree's ./mkinitramfs was built with.
build/mkinitramfs.installed: $(GEN_SRCS) $(GEN_HDRS) FORCE
	@mkdir -p build
	$(CC) $(CFLAGS) $(WARN) $(WERROR) $(INCS) -DINITKIT_DATADIR=\"$(DATADIR)\" \
		-o $@ $(GEN_SRCS) $(PKG_LIBS) $(LDFLAGS)

install: all build/mkinitramfs.installed
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/modules.d \
		$(DESTDIR)$(DATADIR)/hooks $(DESTDIR)$(MANDIR)/man8
	install -m 0755 build/mkinitramfs.installed $(DESTDIR)$(SBINDIR)/mkinitramfs
	install -m 0755 init/init $(HELPERS) $(DESTDIR)$(DATADIR)/
	install -m 0755 kernel/update-initramfs $(DESTDIR)$(SBINDIR)/update-initramfs
	install -m 0644 modules.d/* $(DESTDIR)$(DATADIR)/modules.d/
	cp -R hooks/. $(DESTDIR)$(DATADIR)/hooks/
	install -d $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/*.7 $(DESTDIR)$(MANDIR)/man7/

# Not part of install: on Debian, initramfs-tools' own hooks write the same
# /boot/initrd.img-KVER.  Choose one generator.
KERNEL_HOOKS_DIR ?= /etc/kernel
KERNEL_INSTALL_DIR ?= $(PREFIX)/lib/kernel/install.d

install-kernel-hooks:
	install -d $(DESTDIR)$(KERNEL_HOOKS_DIR)/postinst.d $(DESTDIR)$(KERNEL_HOOKS_DIR)/postrm.d \
		$(DESTDIR)$(KERNEL_INSTALL_DIR)
	install -m 0755 kernel/postinst.d-initkit $(DESTDIR)$(KERNEL_HOOKS_DIR)/postinst.d/initkit
	install -m 0755 kernel/postrm.d-initkit $(DESTDIR)$(KERNEL_HOOKS_DIR)/postrm.d/initkit
	install -m 0755 kernel/50-initkit.install $(DESTDIR)$(KERNEL_INSTALL_DIR)/50-initkit.install

uninstall-kernel-hooks:
	rm -f $(DESTDIR)$(KERNEL_HOOKS_DIR)/postinst.d/initkit \
		$(DESTDIR)$(KERNEL_HOOKS_DIR)/postrm.d/initkit \
		$(DESTDIR)$(KERNEL_INSTALL_DIR)/50-initkit.install

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mkinitramfs $(DESTDIR)$(SBINDIR)/update-initramfs
	rm -rf $(DESTDIR)$(DATADIR)
	for f in man/*.8; do rm -f $(DESTDIR)$(MANDIR)/man8/$${f#man/}; done
	for f in man/*.7; do rm -f $(DESTDIR)$(MANDIR)/man7/$${f#man/}; done
	for f in man/*.5; do rm -f $(DESTDIR)$(MANDIR)/man5/$${f#man/}; done

# The Debian package (debian/): build/deb/initkit_VERSION_ARCH.deb, built
# by dpkg-buildpackage in a copy of the committed tree and the working
# tree's changes (git ls-files), so this tree gets no debian/ build files.
deb:
	rm -rf build/deb && mkdir -p build/deb/src
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar --null -T - -cf - | tar -C build/deb/src -xf -
	cd build/deb/src && dpkg-buildpackage -b -uc -us >../build.log 2>&1 || \
		{ tail -30 ../build.log; exit 1; }
	rm -rf build/deb/src
	@ls build/deb/*.deb

clean:
	rm -rf build mkinitramfs init/init init/init.unstripped tests/qemu/guest-init tests/qemu/no-thp

FORCE:

.PHONY: FORCE all unit check bench bench-store fuzz debug-vm size-check install uninstall install-kernel-hooks deb \
	uninstall-kernel-hooks clean
