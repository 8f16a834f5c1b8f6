/* test_runprog.c - running a program without a shell, bounded in time and
 * output (runprog.h), with the host's /bin/sh, echo, cat, env and yes */
#include "unit.h"
#include <errno.h>
#include <limits.h>
#include <sys/wait.h>
#include <time.h>
#include "runprog.h"

static char *const env[] = { "PATH=/usr/bin:/bin", "ONLY=this", NULL };

static long long ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_output_verbatim_args(void **state)
{
	char *argv[] = { "echo", "a;b", "$(touch x)", "'q'", "`id`", NULL };
	struct runprog_result r;

	(void)state;
	assert_int_equal(runprog_capture("/bin/echo", argv, env, 5000, 4096, &r), 0);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	assert_string_equal(r.out, "a;b $(touch x) 'q' `id`\n");
	assert_int_equal(r.outlen, strlen(r.out));
	assert_string_equal(r.err, "");
	free(r.out);
}

static void test_argv0_env_stdin(void **state)
{
	char *argv[] = { "busybox", "-c", "echo \"$0 $ONLY ${HOME-unset}\"; cat; echo end", NULL };
	struct runprog_result r;

	(void)state;
	/* argv[0] is ours to choose; the environment is only @envp; stdin is
	 * /dev/null (cat ends at once, whatever our stdin is) */
	assert_int_equal(runprog_capture("/bin/sh", argv, env, 5000, 4096, &r), 0);
	assert_string_equal(r.out, "busybox this unset\nend\n");
	free(r.out);
}

static void test_status_and_stderr(void **state)
{
	char *argv[] = { "sh", "-c", "echo out; echo 'bad thing' >&2; exit 3", NULL };
	char *kill_self[] = { "sh", "-c", "kill -9 $$", NULL };
	struct runprog_result r;

	(void)state;
	assert_int_equal(runprog_capture("/bin/sh", argv, env, 5000, 4096, &r), 0);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 3);
	assert_string_equal(r.out, "out\n");
	assert_string_equal(r.err, "bad thing\n");
	free(r.out);
	assert_int_equal(runprog_capture("/bin/sh", kill_self, env, 5000, 4096, &r), 0);
	assert_true(WIFSIGNALED(r.status));
	assert_int_equal(WTERMSIG(r.status), 9);
	free(r.out);
}

static void test_stderr_bounded(void **state)
{
	char *argv[] = { "sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo xxxxxxxxxx >&2; "
			 "i=$((i+1)); done; echo done", NULL };
	struct runprog_result r;

	(void)state;
	assert_int_equal(runprog_capture("/bin/sh", argv, env, 10000, 4096, &r), 0);
	assert_string_equal(r.out, "done\n");
	assert_int_equal(strlen(r.err), RUNPROG_ERR_MAX - 1);
	free(r.out);
}

static void test_exec_errors(void **state)
{
	char *tmp = unit_tmpdir(), path[PATH_MAX];
	char *argv[] = { "x", NULL };
	struct runprog_result r;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/none", tmp);
	assert_int_equal(runprog_capture(path, argv, env, 5000, 4096, &r), -ENOENT);
	assert_null(r.out);
	/* not looked up in PATH */
	assert_int_equal(runprog_capture("sh", argv, env, 5000, 4096, &r), -ENOENT);
	snprintf(path, sizeof(path), "%s/noexec", tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\necho hi\n", f);
	fclose(f);
	assert_int_equal(runprog_capture(path, argv, env, 5000, 4096, &r), -EACCES);
	unit_sh("chmod 755 '%s'", path);
	assert_int_equal(runprog_capture(path, argv, env, 5000, 4096, &r), 0);
	assert_string_equal(r.out, "hi\n");
	free(r.out);
	snprintf(path, sizeof(path), "%s/garbage", tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("\177ELF garbage", f);
	fclose(f);
	unit_sh("chmod 755 '%s'", path);
	assert_int_equal(runprog_capture(path, argv, env, 5000, 4096, &r), -ENOEXEC);
	unit_sh("rm -rf '%s'", tmp);
}

static void test_timeout(void **state)
{
	char *argv[] = { "sh", "-c", "echo started; exec sleep 30", NULL };
	/* a grandchild keeps the pipe open after the child exits */
	char *bg[] = { "sh", "-c", "sleep 30 & echo hi", NULL };
	struct runprog_result r;
	long long t0 = ms();

	(void)state;
	assert_int_equal(runprog_capture("/bin/sh", argv, env, 300, 4096, &r), -ETIMEDOUT);
	assert_null(r.out);
	assert_true(ms() - t0 < 5000);
	t0 = ms();
	assert_int_equal(runprog_capture("/bin/sh", bg, env, 300, 4096, &r), -ETIMEDOUT);
	assert_true(ms() - t0 < 5000);
}

static void test_output_bounded(void **state)
{
	char *argv[] = { "yes", "applet", NULL };
	char *exact[] = { "sh", "-c", "printf 0123456789", NULL };
	struct runprog_result r;
	long long t0 = ms();

	(void)state;
	assert_int_equal(runprog_capture("/usr/bin/yes", argv, env, 10000, 100000, &r), -EFBIG);
	assert_null(r.out);
	assert_true(ms() - t0 < 5000);
	assert_int_equal(runprog_capture("/bin/sh", exact, env, 5000, 10, &r), 0);
	assert_int_equal(r.outlen, 10);
	free(r.out);
	assert_int_equal(runprog_capture("/bin/sh", exact, env, 5000, 9, &r), -EFBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_verbatim_args),
		cmocka_unit_test(test_argv0_env_stdin),
		cmocka_unit_test(test_status_and_stderr),
		cmocka_unit_test(test_stderr_bounded),
		cmocka_unit_test(test_exec_errors),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_output_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
