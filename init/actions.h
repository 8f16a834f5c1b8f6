/* actions.h - block-device actions: a program the image holds for a probe
 * type (LVM2_member, linux_raid_member, crypto_LUKS...), run when a device
 * of that type appears; the devices it creates (dm-N, mdN) are probed in
 * turn, so stacks of any depth assemble from the bottom up.
 *
 * An action is LAYOUT_ACTIONS/TYPE, an executable (usually a link to a
 * helper in LAYOUT_HELPERS).  It is run as
 *   TYPE add /dev/NAME   for each device of that type, once (our own MD
 *                        helper: "add /dev/A /dev/B...", all the members
 *                        probed so far in one run);
 *   TYPE late            once, when the root has not come after the
 *                        stack wait (an MD array may start degraded);
 *   TYPE final           once, at the root deadline: say what is missing;
 *   TYPE root /root      once, the root mounted at /root, before the
 *                        switch: fit what was set up to the root's own
 *                        configuration (a LUKS mapping renamed to the
 *                        name the root's /etc/crypttab gives it).
 * with /init's environment; its output goes to the console.  late,
 * final and root run only for types seen at least once. */
#ifndef INITKIT_ACTIONS_H
#define INITKIT_ACTIONS_H

struct boot;

/* Read the kernel command line's switches (rd.lvm=0, rd.md=0, rd.luks=0)
 * and see whether the image has actions at all (one stat). */
void actions_init(struct boot *b);

/* The module the image's only stack needs before anything else (md_mod
 * for MD RAID, dm_mod for LVM, dm_crypt for LUKS), for /init to load it
 * beside the disk drivers; NULL for an image with no stack, or several
 * (a generic image: no cost on a machine without them), or with that
 * stack switched off (rd.md=0...).  Reads the actions directory. */
const char *actions_only_core(const struct boot *b);

/* Does the image have an action for @type (and is it not switched off)? */
int action_exists(const char *type);

/* Run @type's action for the new devices /dev/@names[0..@n) (one, but for
 * action_devs()); returns its status.
 * First load @module (the probe's fs_info.module: dm_mod, md-level-1),
 * if not "": in-process it costs the kernel's load only, where the kernel
 * asking /sbin/modprobe for it costs a fork and an exec of /init, and a
 * personality loaded at an array's first member is ready before its
 * last one comes.  For our own MD helper (LAYOUT_HELPERS/md), which needs
 * the personality only to start a complete array, a child loads it while
 * the helper reads the members (modules_load_behind), and the helper waits
 * for that load before starting the array.  That helper is not run for
 * "root" (it has nothing to fit). */
int action_add(const char *type, const char **names, int n, const char *module);

/* How many devices one run of @type's action takes (action_add's @n):
 * our own MD helper up to ACTION_DEVS_MAX (all the members probed so far:
 * one run instead of one each), any other one. */
#define ACTION_DEVS_MAX 16
int action_devs(const char *type);

/* Run the late, final or root action of every type seen, with @arg (or
 * none: NULL); returns how many ran. */
int actions_event(const char *event, const char *arg);

#endif
