/*
 * stream: GET /api/stream, Server-Sent Events for the dashboard. One reader
 * thread watches the database (PRAGMA data_version every 200 ms, so a commit
 * by pollerd is seen within that); when it moves, the reader reads the new
 * status events once, turns each into a frame (`event: status`, `id:` = the
 * event id) kept in a ring, rebuilds the summary and, if its JSON changed,
 * publishes a `summary` frame (a summary that takes long to build -- a
 * registry of thousands -- is rebuilt at most once a second). Clients sleep
 * on one condition variable and copy what they have not sent yet; the
 * database is read once however many clients there are.
 *
 * With the summary the reader compares every live service row (but for the
 * columns every poll moves) with the last picture and publishes the changed
 * rows and the retired ids as a `services` frame, so a dashboard patches its
 * list instead of refetching thousands of rows (doc/scale.md#sse); too many
 * changes at once, or a client too far behind the last 64 deltas, get
 * `resync` (refetch the list). Summary frames carry the 20 worst incidents
 * and active_incidents_total.
 *
 * Resuming: a client sends Last-Event-ID (or ?last_event_id=, which the
 * dashboard uses because a new EventSource cannot set the header). Events
 * still in the ring are sent from it; older ones are read from the database
 * in pages, so a reconnect misses nothing however long it was away. Every
 * 15 s of silence a comment line keeps proxies from closing the connection
 * and tells us when the client has gone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "apid.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "xalloc.h"

#define RING 1024
#define PAGE 200
/* Service-row deltas kept for clients that are a little behind; one further
 * behind gets "resync" (refetch the list, conditionally). */
#define DRING 64
/* One frame (an event row, a delta, the trimmed summary: kilobytes), and
 * what one wake-up writes to a client (the ring, the deltas, the summary).
 * A frame past its cap is not published; a write past its cap ends the
 * connection, and the client resumes from its Last-Event-ID. */
#define SSE_FRAME_CAP (16 * 1024 * 1024)
#define SSE_WRITE_CAP (128 * 1024 * 1024)
/* More changed rows than this in one delta: "resync" instead (a list
 * refetch, gzipped and cached, is cheaper than that many rows per client). */
#define DELTA_MAX_ROWS 500
/* Incidents in a summary frame; active_incidents_total counts them all. */
#define SUMMARY_WORST 20

struct frame {
	int64_t id;
	char *text;
	size_t len;
};

struct stream {
	struct apid *a;
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;   /* clients: something new, or stop */
	pthread_cond_t tick; /* reader: sleep between polls, woken by stop */
	int stop;
	struct frame ring[RING]; /* status frames, oldest at head */
	size_t head, count;
	/* Every status event with base < id <= scanned is in the ring. */
	int64_t base, scanned;
	char *summary; /* the current summary frame */
	size_t summary_len;
	uint64_t summary_gen;
	struct frame dring[DRING]; /* "services" / "resync" frames, by generation */
	uint64_t dgen;		   /* frames published so far */
	/* Reader only: each live service's id and the hash of its row as last
	 * published, sorted by id; fp_ready once the first scan is done. */
	char **fp_id;
	uint64_t *fp_h;
	size_t fp_n;
	int fp_ready;
	int clients;
};

void sse_frame(struct buf *b, int64_t id, const char *event, const char *data)
{
	if (id >= 0)
		buf_printf(b, "id: %lld\n", (long long)id);
	buf_printf(b, "event: %s\ndata: %s\n\n", event, data);
}

static void abs_deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Append the status frame of event e to b; returns its id. */
static int64_t event_frame(struct buf *b, const cJSON *e)
{
	char *text = cJSON_PrintUnformatted(e);
	int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(e, "id"));
	sse_frame(b, id, "status", text);
	cJSON_free(text);
	return id;
}

/* Publish new events read by the reader; called with mu held. */
static void ring_push(struct stream *s, const cJSON *events)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, events)
	{
		struct buf b;
		buf_init(&b, SSE_FRAME_CAP);
		int64_t id = event_frame(&b, e);
		if (buf_check(&b, "stream event frame") < 0) {
			/* Keep the id in the ring; the event itself stays in the
			 * database and /api/events. */
			buf_reset(&b);
			buf_printf(&b, "id: %lld\n: event longer than SSE_FRAME_CAP\n\n",
				   (long long)id);
		}
		if (s->count == RING) { /* drop the oldest; replays of it come from the database */
			struct frame *old = &s->ring[s->head];
			s->base = old->id;
			free(old->text);
			s->head = (s->head + 1) % RING;
			s->count--;
		}
		struct frame *f = &s->ring[(s->head + s->count++) % RING];
		f->id = id;
		f->len = b.len;
		f->text = buf_steal(&b);
	}
}

static void wake_clients(struct stream *s)
{
	pthread_mutex_lock(&s->mu);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Read the new status events into the ring. 0, or -1 when a read failed
 * (the reader then looks again on its next tick). */
static int poll_events(struct stream *s, sqlite3 *db)
{
	/* One read transaction, so "scanned" and the events agree. */
	if (db_exec(db, "BEGIN") < 0)
		return -1;
	int rc = 0, changed = 0;
	pthread_mutex_lock(&s->mu);
	int64_t scanned = s->scanned;
	pthread_mutex_unlock(&s->mu);
	int64_t top = db_query_int(db, "SELECT COALESCE(max(id), 0) FROM status_events", scanned);
	while (scanned < top) {
		cJSON *events = events_after(db, scanned, top, PAGE);
		if (!events) {
			rc = -1;
			break;
		}
		int n = cJSON_GetArraySize(events);
		int64_t upto = n == PAGE ? (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(
					       cJSON_GetArrayItem(events, n - 1), "id"))
					 : top;
		pthread_mutex_lock(&s->mu);
		ring_push(s, events);
		s->scanned = scanned = upto;
		pthread_mutex_unlock(&s->mu);
		cJSON_Delete(events);
		changed = 1;
	}
	db_exec(db, "COMMIT");
	if (changed)
		wake_clients(s);
	return rc;
}

/* Rebuild the summary; publish it when its JSON changed. 0 or -1. */
static int poll_summary(struct stream *s, sqlite3 *db)
{
	/* 10,000 incidents are 7 MB a frame: the worst are built, the others
	 * only counted, so this build is small however many there are. */
	cJSON *sum = summary_build_worst(db, SUMMARY_WORST);
	if (!sum)
		return -1;
	char *text = cJSON_PrintUnformatted(sum);
	cJSON_Delete(sum);
	struct buf b;
	buf_init(&b, SSE_FRAME_CAP);
	sse_frame(&b, -1, "summary", text);
	cJSON_free(text);
	if (buf_check(&b, "stream summary frame") < 0) {
		buf_release(&b); /* clients keep the last summary that fitted */
		return -1;
	}
	int changed = 0;
	pthread_mutex_lock(&s->mu);
	if (!s->summary || s->summary_len != b.len || memcmp(s->summary, b.data, b.len)) {
		free(s->summary);
		s->summary_len = b.len;
		s->summary = buf_steal(&b);
		s->summary_gen++;
		changed = 1;
	}
	pthread_mutex_unlock(&s->mu);
	buf_release(&b);
	if (changed)
		wake_clients(s);
	return 0;
}

static void publish_delta(struct stream *s, const char *event, const char *data)
{
	struct buf b;
	buf_init(&b, SSE_FRAME_CAP);
	sse_frame(&b, -1, event, data);
	if (buf_check(&b, "stream delta frame") < 0) {
		buf_release(&b); /* the next summary carries the change */
		return;
	}
	pthread_mutex_lock(&s->mu);
	struct frame *f = &s->dring[s->dgen % DRING];
	free(f->text);
	f->len = b.len;
	f->text = buf_steal(&b);
	s->dgen++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Columns that move on every poll; a change in them alone is not news. */
static int volatile_col(const char *name)
{
	return !strcmp(name, "last_polled_at") || !strcmp(name, "last_success_at");
}

static uint64_t row_hash(sqlite3_stmt *st)
{
	uint64_t h = 1469598103934665603ull;
	int n = sqlite3_column_count(st);
	for (int i = 0; i < n; i++) {
		if (volatile_col(json_col_name(st, i)))
			continue;
		const unsigned char *v = sqlite3_column_text(st, i);
		for (const unsigned char *p = v ? v : (const unsigned char *)"\1"; *p; p++) {
			h ^= *p;
			h *= 1099511628211ull;
		}
		h ^= 0xff; /* column separator */
		h *= 1099511628211ull;
	}
	return h;
}

/* Give each changed row what its tile shows beside the row (day squares,
 * uptime), so the dashboard needs no refetch of the uptime and SLA of every
 * service after a change (doc/scale.md#sse). A row whose figures cannot be
 * read goes without them; the dashboard then refetches. */
static void add_figures(struct stream *s, sqlite3 *db, cJSON *rows)
{
	struct conf_ref *c = conf_get(s->a);
	struct sla_opts o;
	sla_opts_from(&o, &c->dc.cfg);
	conf_put(s->a, c);
	int64_t now = ts_now_ms();
	cJSON *row;
	cJSON_ArrayForEach(row, rows)
	{
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "id"));
		cJSON *f = id ? sla_row_figures(db, id, now, &o) : NULL;
		if (f)
			cJSON_AddItemToObject(row, "figures", f);
	}
}

/* Compare every live service row with what was last published and publish
 * the changed ones (and the ids gone) as a "services" frame: the dashboard
 * patches its list instead of refetching 10,000 rows (doc/scale.md#sse).
 * 0 or -1. */
static int poll_services(struct stream *s, sqlite3 *db)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT " SQL_SERVICE_COLS " FROM services s"
					  " WHERE s.retired_at IS NULL ORDER BY s.id");
	if (!st)
		return -1;
	size_t cap = s->fp_n + 16, n = 0, j = 0;
	char **ids = xcalloc(cap, sizeof *ids);
	uint64_t *hs = xcalloc(cap, sizeof *hs);
	cJSON *rows = cJSON_CreateArray(), *gone = cJSON_CreateArray();
	int nrows = 0, rc = 0;
	for (;;) {
		int step = sqlite3_step(st);
		if (step != SQLITE_ROW) {
			rc = step == SQLITE_DONE ? 0 : -1;
			break;
		}
		const char *id = (const char *)sqlite3_column_text(st, 0);
		uint64_t h = row_hash(st);
		/* Both lists are sorted by id: walk them together. */
		while (j < s->fp_n && strcmp(s->fp_id[j], id) < 0)
			cJSON_AddItemToArray(gone, cJSON_CreateString(s->fp_id[j++]));
		int same = j < s->fp_n && !strcmp(s->fp_id[j], id) && s->fp_h[j] == h;
		if (j < s->fp_n && !strcmp(s->fp_id[j], id))
			j++;
		if (!same && s->fp_ready && nrows++ < DELTA_MAX_ROWS)
			cJSON_AddItemToArray(rows, json_row(st));
		if (n == cap) {
			cap *= 2;
			ids = xrealloc(ids, cap * sizeof *ids);
			hs = xrealloc(hs, cap * sizeof *hs);
		}
		ids[n] = xstrdup(id);
		hs[n++] = h;
	}
	sqlite3_finalize(st);
	while (rc == 0 && j < s->fp_n)
		cJSON_AddItemToArray(gone, cJSON_CreateString(s->fp_id[j++]));
	if (rc == 0 && s->fp_ready && (nrows || cJSON_GetArraySize(gone))) {
		if (nrows > DELTA_MAX_ROWS) {
			publish_delta(s, "resync", "{}");
		} else {
			add_figures(s, db, rows);
			cJSON *d = cJSON_CreateObject();
			cJSON_AddItemToObject(d, "services", rows);
			cJSON_AddItemToObject(d, "removed", gone);
			rows = gone = NULL;
			char *text = cJSON_PrintUnformatted(d);
			cJSON_Delete(d);
			publish_delta(s, "services", text ? text : "{}");
			cJSON_free(text);
		}
	}
	cJSON_Delete(rows);
	cJSON_Delete(gone);
	if (rc < 0) { /* keep the old picture; look again next time */
		for (size_t i = 0; i < n; i++)
			free(ids[i]);
		free(ids);
		free(hs);
		return -1;
	}
	for (size_t i = 0; i < s->fp_n; i++)
		free(s->fp_id[i]);
	free(s->fp_id);
	free(s->fp_h);
	s->fp_id = ids;
	s->fp_h = hs;
	s->fp_n = n;
	s->fp_ready = 1;
	return 0;
}

static void *reader(void *arg)
{
	struct stream *s = arg;
	/* The summary of 10,000 incidents is cut to 20 after it is built: build
	 * its rows as text, not a tree (doc/scale.md#memory). */
	json_compact_lists(1);
	sqlite3 *db = db_open_mode(s->a->db_path, DB_EXISTING);
	sqlite3_stmt *dv = db ? db_prepare(db, "PRAGMA data_version") : NULL;
	if (!dv)
		log_error(
		    "stream: cannot open the database; /api/stream will only send heartbeats");
	int64_t last = -1, next_summary = 0;
	int summary_dirty = 0;
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		pthread_mutex_unlock(&s->mu);
		if (dv) {
			int64_t v =
			    sqlite3_step(dv) == SQLITE_ROW ? sqlite3_column_int64(dv, 0) : -2;
			sqlite3_reset(dv);
			if (v != last) {
				last = poll_events(s, db) == 0 ? v : -1;
				summary_dirty = 1;
			}
			/* Events go out at once; the summary of a large registry
			 * (tens of ms to build) at most once a second, however
			 * busy the database. */
			int64_t now = ts_mono_ms();
			if (summary_dirty && now >= next_summary) {
				summary_dirty = poll_services(s, db) < 0;
				summary_dirty |= poll_summary(s, db) < 0;
				int64_t took = ts_mono_ms() - now;
				next_summary = now + (took > APID_SSE_POLL_MS / 4 ? 1000 : 0);
			}
		}
		struct timespec until;
		abs_deadline(&until, APID_SSE_POLL_MS);
		pthread_mutex_lock(&s->mu);
		if (!s->stop)
			pthread_cond_timedwait(&s->tick, &s->mu, &until);
	}
	pthread_mutex_unlock(&s->mu);
	sqlite3_finalize(dv);
	db_close(db);
	return NULL;
}

struct stream *stream_start(struct apid *a)
{
	struct stream *s = xcalloc(1, sizeof *s);
	s->a = a;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_cond_init(&s->tick, NULL);
	/* Clients without Last-Event-ID get what happens from now on. */
	s->scanned = s->base =
	    db_query_int(a->db, "SELECT COALESCE(max(id), 0) FROM status_events", 0);
	if (pthread_create(&s->th, NULL, reader, s) != 0) {
		log_error("stream: cannot start the reader thread");
		stream_free(s);
		return NULL;
	}
	s->started = 1;
	return s;
}

void stream_stop(struct stream *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_cond_broadcast(&s->tick);
	pthread_mutex_unlock(&s->mu);
	if (s->started)
		pthread_join(s->th, NULL);
	s->started = 0;
}

void stream_free(struct stream *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++)
		free(s->ring[(s->head + i) % RING].text);
	for (size_t i = 0; i < DRING; i++)
		free(s->dring[i].text);
	for (size_t i = 0; i < s->fp_n; i++)
		free(s->fp_id[i]);
	free(s->fp_id);
	free(s->fp_h);
	free(s->summary);
	pthread_cond_destroy(&s->tick);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static void set_clients_gauge(int n)
{
	met_set(MET_SSE_CLIENTS, n);
}

/* Last-Event-ID from the header or the query; -1 when absent or invalid. */
static int64_t last_event_id(struct req *r)
{
	char q[32];
	const char *v = req_header(r, "Last-Event-ID");
	if ((!v || !*v) && q_str(r, "last_event_id", q, sizeof q) > 0)
		v = q;
	if (!v || !*v)
		return -1;
	char *end = NULL;
	errno = 0;
	long long id = strtoll(v, &end, 10);
	return *end || errno || id < 0 ? -1 : id;
}

/* Send what the client has not seen. 0, or -1 when the client has gone. */
/*
 * The client's socket. civetweb has no API for it, and a client that hangs
 * up while nothing is being sent would otherwise hold its worker (and a
 * stream slot) until the next heartbeat. Found by its address pair among our
 * descriptors, which are allocated densely from the bottom. -1 if not found.
 */
static int peer_socket(const struct mg_request_info *ri)
{
	int misses = 0;
	for (int fd = 3; misses < 256 && fd < 65536; fd++) {
		if (fcntl(fd, F_GETFD) < 0) {
			misses++;
			continue;
		}
		misses = 0;
		struct sockaddr_in peer, me;
		socklen_t len = sizeof peer;
		if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0 ||
		    peer.sin_family != AF_INET || ntohs(peer.sin_port) != ri->remote_port)
			continue;
		char ip[INET_ADDRSTRLEN];
		len = sizeof me;
		if (inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip) &&
		    !strcmp(ip, ri->remote_addr) &&
		    getsockname(fd, (struct sockaddr *)&me, &len) == 0 &&
		    ntohs(me.sin_port) == ri->server_port)
			return fd;
	}
	return -1;
}

/* The client sends nothing after its request, so a readable socket that
 * peeks zero bytes (or an error) means it has gone. */
static int peer_gone(int fd)
{
	if (fd < 0)
		return 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLERR | POLLHUP | POLLNVAL))
		return 1;
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static int client_loop(struct req *r, struct stream *s, int64_t cursor, uint64_t sent_dgen)
{
	uint64_t sent_gen = 0;
	int64_t quiet_since = ts_mono_ms();
	int fd = peer_socket(r->ri);
	for (;;) {
		struct buf out;
		buf_init(&out, SSE_WRITE_CAP);
		int64_t replay_upto = 0;
		int gone = 0;
		pthread_mutex_lock(&s->mu);
		while (!s->stop && cursor >= s->scanned && sent_gen == s->summary_gen &&
		       sent_dgen == s->dgen) {
			/* Wake for news at once; look at the socket every slice. */
			int64_t left = APID_SSE_HEARTBEAT_MS - (ts_mono_ms() - quiet_since);
			if (left <= 0)
				break;
			struct timespec until;
			abs_deadline(&until, left < APID_SSE_PEER_CHECK_MS
						 ? (int)left
						 : APID_SSE_PEER_CHECK_MS);
			pthread_cond_timedwait(&s->cv, &s->mu, &until);
			if ((gone = peer_gone(fd)))
				break;
		}
		if (s->stop || gone) {
			pthread_mutex_unlock(&s->mu);
			buf_release(&out);
			return 0;
		}
		if (cursor < s->scanned) {
			if (cursor >= s->base) {
				for (size_t i = 0; i < s->count; i++) {
					const struct frame *f = &s->ring[(s->head + i) % RING];
					if (f->id > cursor)
						buf_append(&out, f->text, f->len);
				}
				cursor = s->scanned;
			} else {
				replay_upto =
				    s->scanned; /* fell out of the ring: read the database */
			}
		}
		/* Row deltas before the summary whose counts include them. */
		if (s->dgen - sent_dgen > DRING) {
			buf_puts(&out, "event: resync\ndata: {}\n\n");
			sent_dgen = s->dgen;
		}
		for (; sent_dgen < s->dgen; sent_dgen++) {
			const struct frame *f = &s->dring[sent_dgen % DRING];
			buf_append(&out, f->text, f->len);
		}
		if (sent_gen != s->summary_gen && s->summary) {
			buf_append(&out, s->summary, s->summary_len);
			sent_gen = s->summary_gen;
		}
		pthread_mutex_unlock(&s->mu);
		if (replay_upto) {
			struct pconn *pc = pool_get(r->a->pool);
			cJSON *events = pc ? events_after(pc->db, cursor, replay_upto, PAGE) : NULL;
			pool_put(r->a->pool, pc);
			if (!events) {
				buf_release(&out);
				return -1;
			}
			int n = cJSON_GetArraySize(events);
			struct buf ev;
			buf_init(&ev, SSE_WRITE_CAP);
			const cJSON *e;
			cJSON_ArrayForEach(e, events) cursor = event_frame(&ev, e);
			if (n < PAGE)
				cursor = replay_upto;
			cJSON_Delete(events);
			/* Events before the summary that follows them. */
			buf_append(&ev, out.data ? out.data : "", out.len);
			buf_release(&out);
			out = ev;
		}
		if (!out.len && ts_mono_ms() - quiet_since >= APID_SSE_HEARTBEAT_MS - 50)
			buf_puts(&out, ": keepalive\n\n");
		if (buf_check(&out, "stream write") < 0) { /* a cut frame would confuse it */
			buf_release(&out);
			return -1;
		}
		int rc = out.len ? mg_write(r->conn, out.data, out.len) : 1;
		if (out.len)
			quiet_since = ts_mono_ms();
		buf_release(&out);
		if (rc <= 0)
			return -1;
	}
}

void h_stream(struct req *r)
{
	struct stream *s = r->a->stream;
	int per_client = r->cfg->apid_client_max_streams;
	/* Nothing below needs the settings; do not pin an old configuration
	 * for the life of the connection. */
	conf_put(r->a, r->confref);
	r->confref = NULL;
	r->cfg = NULL;
	if (!s) {
		http_error(r, 503, "STREAM_UNAVAILABLE", "The event stream is not running");
		return;
	}
	if (r->head) { /* the headers a GET would get, without holding a stream slot */
		http_send_headers(r, 200, "text/event-stream; charset=utf-8",
				  "Cache-Control: no-cache\r\n", -1);
		return;
	}
	/* Server-wide cap first (503: try later), then one address cannot
	 * take every stream slot, and so every worker reserved for streams,
	 * from the others (429). */
	pthread_mutex_lock(&s->mu);
	int full = s->clients >= APID_SSE_MAX_CLIENTS;
	int mine = !full && guard_enter(r->client, GUARD_STREAMS, per_client) == 0;
	if (mine)
		set_clients_gauge(++s->clients);
	int64_t scanned = s->scanned;
	uint64_t dgen = s->dgen; /* a new client fetches the list itself */
	pthread_mutex_unlock(&s->mu);
	if (full) {
		http_send(r, 503, "application/json", "Retry-After: 5\r\n",
			  "{\"detail\":\"Too many stream clients\"}", 36);
		return;
	}
	if (!mine) {
		r->must_close = 1;
		log_warn("stream from %s refused: %d streams already open from this address",
			 r->client, per_client);
		http_detail(r, 429, "Too many streams from this address", "Retry-After: 5\r\n");
		return;
	}
	int64_t cursor = last_event_id(r);
	if (cursor < 0 || cursor > scanned)
		cursor = scanned; /* new client, or an id from another database */
	if (http_send_headers(r, 200, "text/event-stream; charset=utf-8",
			      "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n", -1) == 0 &&
	    mg_write(r->conn, "retry: 2000\n\n", 13) > 0)
		client_loop(r, s, cursor, dgen);
	pthread_mutex_lock(&s->mu);
	set_clients_gauge(--s->clients);
	pthread_mutex_unlock(&s->mu);
	guard_leave(r->client, GUARD_STREAMS);
}
