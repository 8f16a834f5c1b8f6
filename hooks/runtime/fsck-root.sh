#!/bin/sh
# runtime hook of the fsck build hook: e2fsck -p the root before mounting
[ -n "$ROOT" ] || exit 0
case $ROOTFSTYPE in
ext2|ext3|ext4) ;;
*) exit 0 ;;
esac
e2fsck -p "$ROOT"
rc=$?
# 0 clean, 1 errors fixed, 2 fixed and a reboot wanted; 4 and up: not fixed
if [ "$rc" -ge 4 ]; then
	echo "fsck: $ROOT has errors e2fsck -p cannot fix (exit $rc): run 'e2fsck $ROOT' in the rescue shell (break=mount)"
	exit "$rc"
fi
# checked: tell the real root, as initramfs-tools does, so that systemd's
# systemd-fsck-root.service (ConditionPathExists=!/run/initramfs/fsck-root)
# does not check it a second time
: > /run/initramfs/fsck-root
exit 0
