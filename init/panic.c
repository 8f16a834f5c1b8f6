/* panic.c - the one way out on failure */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>
#include "init.h"
#include "log.h"
#include "util.h"

int fail(struct boot *b, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->msg, sizeof(b->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* Run the rescue shell on the console; returns when the user exits it. */
int rescue_shell(const char *why)
{
	static char *const argv[] = { RESCUE_SHELL, NULL };
	static char *const envp[] = {
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "PS1=(initramfs) # ",
		"HOME=/", "TERM=linux", NULL,
	};
	pid_t pid;
	int status;

	if (access(RESCUE_SHELL, X_OK) < 0)
		return -ENOENT;
	log_msg(L_CRIT, "%s: starting a rescue shell (%s); exit it to continue the boot",
		why, RESCUE_SHELL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setsid();
		execve(RESCUE_SHELL, argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

int boot_panic(struct boot *b, const char *stage)
{
	int panic_s = b->bp.panic_set ? b->bp.panic : 0;

	log_msg(L_CRIT, "%s: %s", stage, b->msg);
	if (b->bp.rd_shell != 0 && rescue_shell(stage) == 0)
		return 0;

	if (b->bp.rd_shell == 0)
		log_msg(L_CRIT, "rd.shell=0: no rescue shell");
	else
		log_msg(L_CRIT, "no rescue shell in this image (build it with "
			"-H busybox for one)");
	if (!b->is_pid1)
		return -1;	/* as /linuxrc: the kernel carries on */

	sync();
	if (panic_s < 0) {
		log_msg(L_CRIT, "rebooting now (panic=%d)", panic_s);
		reboot(RB_AUTOBOOT, NULL);
	} else if (panic_s > 0) {
		log_msg(L_CRIT, "rebooting in %d s (panic=%d)", panic_s, panic_s);
		sleep_ms(panic_s * 1000L);
		reboot(RB_AUTOBOOT, NULL);
	}
	log_msg(L_CRIT, "system halted: fix the problem above and reboot, or set "
		"panic=N on the kernel command line to reboot after N seconds");
	for (;;)
		pause();
}
