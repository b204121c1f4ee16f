/*
 * tpollerd: a pollerd on a scratch database for unit tests (see tpollerd.h).
 */
#include "tpollerd.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "tsupport.h"
#include "xalloc.h"

struct pollerd *tp_start(const char *services_yaml, const char *deps_yaml)
{
	char *dir = ts_tmpdir();
	free(ts_write(dir, "services.yaml", services_yaml));
	free(ts_write(dir, "dependencies.yaml", deps_yaml ? deps_yaml : "dependencies: {}\n"));
	char *cfg = ts_write(dir, "itstatus.yaml", "database_path: t.db\n");
	struct pollerd *p = xcalloc(1, sizeof *p);
	p->opts.name = "pollerd";
	p->opts.config = cfg;
	p->inbox_data_version = -1;
	ck_assert_msg(daemon_load(&p->opts, &p->conf) == 0, "test registry invalid");
	ts_now_iso(p->started_at);
	rq_init(&p->rq, (size_t)p->conf.cfg.poller_queue_max_readings);
	p->db = db_open(p->conf.cfg.database_path, 0);
	ck_assert_ptr_nonnull(p->db);
	ck_assert_int_eq(sync_registry(p->db, &p->conf.reg), 0);
	ck_assert_int_eq(cycle_init(p), 0);
	free(dir);
	return p;
}

void tp_stop(struct pollerd *p)
{
	cycle_free(p);
	rq_release(&p->rq);
	stmt_forget(p->db);
	db_close(p->db);
	daemon_conf_release(&p->conf);
	free((char *)p->opts.config);
	free(p);
}

char *tp_q(struct pollerd *p, const char *sql)
{
	sqlite3_stmt *st = db_prepare(p->db, sql);
	ck_assert_msg(st != NULL, "bad SQL: %s", sql);
	char *s = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		s = db_col_dup(st, 0);
	sqlite3_finalize(st);
	return s ? s : xstrdup("(null)");
}

void tp_cycle(struct pollerd *p)
{
	ck_assert_msg(cycle_begin(p, 1) > 0, "nothing to poll");
	int64_t end = ts_mono_ms() + 30000;
	while (cycle_step(p, 50))
		ck_assert_msg(ts_mono_ms() < end, "cycle did not end in 30 s");
}
