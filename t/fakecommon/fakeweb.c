/*
 * fakeweb: civetweb plumbing shared by the loopback fakes (see fakeweb.h).
 * Both fakes are test tools, not daemons: they favour predictable behaviour
 * (every response has a Content-Length, the port is announced only once the
 * server listens, SIGTERM always ends in exit 0 within milliseconds) over
 * throughput tricks.
 */
#include "fakeweb.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"

atomic_int fw_stopping;

int fw_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void fw_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* A client hanging up mid-body must not kill the fake. */
	signal(SIGPIPE, SIG_IGN);
}

int fw_wait_signal(void)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	while (sigwait(&set, &sig) != 0)
		;
	return sig;
}

/* civetweb's own diagnostics go through our log so they land in the test log. */
static int log_civetweb(const struct mg_connection *conn, const char *message)
{
	(void)conn;
	log_warn("civetweb: %s", message);
	return 1;
}

int fw_start(struct fw_server *srv, const struct mg_callbacks *cbs, void *ud, int port, int threads)
{
	char listen[32], nthreads[16], errtxt[256] = "";
	unsigned errcode = 0;
	struct mg_callbacks c = *cbs;
	struct mg_server_port ports[4];
	/*
	 * keep-alive is off by default in civetweb; pollerd's connection reuse
	 * must be exercisable. tcp_nodelay because headers and body go out in
	 * separate writes and Nagle would add 40 ms stalls to every response.
	 * A deep backlog so a 10,000-path benchmark's bursts are not refused.
	 * The array is option name, value pairs.
	 */
	/* clang-format off */
	const char *opts[] = {
		"listening_ports", listen,
		"num_threads", nthreads,
		"enable_keep_alive", "yes",
		"keep_alive_timeout_ms", "2000",
		"tcp_nodelay", "1",
		"listen_backlog", "1024",
		"connection_queue", "1024",
		"request_timeout_ms", "60000",
		NULL,
	};
	/* clang-format on */
	struct mg_init_data init = {
	    .callbacks = &c, .user_data = ud, .configuration_options = opts};
	struct mg_error_data err = {
	    .code = &errcode, .text = errtxt, .text_buffer_size = sizeof errtxt};

	if (!c.log_message)
		c.log_message = log_civetweb;
	snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
	snprintf(nthreads, sizeof nthreads, "%d", threads);
	mg_init_library(0); /* 0 is normal without features (the header says 0 = error) */
	srv->ctx = mg_start2(&init, &err);
	if (!srv->ctx) {
		log_error("cannot listen on %s: %s (code %u)", listen, errtxt, errcode);
		return -1;
	}
	memset(ports, 0, sizeof ports);
	if (mg_get_server_ports(srv->ctx, 4, ports) < 1 || ports[0].port <= 0) {
		log_error("civetweb reports no listening port");
		mg_stop(srv->ctx);
		srv->ctx = NULL;
		return -1;
	}
	srv->port = ports[0].port;
	return 0;
}

int fw_announce_port(const char *path, int port)
{
	char *tmp;
	FILE *f;
	int rc = 0;

	printf("%d\n", port);
	fflush(stdout);
	if (!path)
		return 0;
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0) {
		log_error("cannot write port file %s", tmp);
		rc = -1;
	} else if (rename(tmp, path) != 0) {
		log_error("cannot rename %s to %s", tmp, path);
		rc = -1;
	}
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

struct stopper {
	struct mg_context *ctx;
	atomic_int done;
};

static void *stopper_main(void *arg)
{
	struct stopper *s = arg;

	mg_stop(s->ctx);
	atomic_store(&s->done, 1);
	return NULL;
}

void fw_stop(struct fw_server *srv)
{
	struct stopper s;
	pthread_t th;
	struct sockaddr_in a;
	struct timespec d = {0, 2000000};

	atomic_store(&fw_stopping, 1);
	if (!srv->ctx)
		return;
	s.ctx = srv->ctx;
	atomic_init(&s.done, 0);
	if (pthread_create(&th, NULL, stopper_main, &s) != 0) {
		mg_stop(srv->ctx);
		srv->ctx = NULL;
		return;
	}
	/*
	 * civetweb's master thread only notices the stop flag when its 2 s poll
	 * on the listening socket returns; a connection wakes it at once.
	 */
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)srv->port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (!atomic_load(&s.done)) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0) {
			(void)connect(fd, (struct sockaddr *)&a, sizeof a);
			close(fd);
		}
		nanosleep(&d, NULL);
	}
	pthread_join(th, NULL);
	srv->ctx = NULL;
}

int fw_read_body(struct mg_connection *conn, struct buf *b)
{
	char chunk[16384];
	int n;

	while ((n = mg_read(conn, chunk, sizeof chunk)) > 0) {
		if (buf_append(b, chunk, (size_t)n) != 0)
			return -1;
	}
	return n < 0 ? -1 : 0;
}

void fw_sleep_ms(long ms)
{
	while (ms > 0 && !atomic_load(&fw_stopping)) {
		long slice = ms > 20 ? 20 : ms;
		struct timespec d = {0, slice * 1000000L};
		nanosleep(&d, NULL);
		ms -= slice;
	}
}

long long fw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *fw_path(const struct mg_connection *conn)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);

	/* local_uri_raw keeps "/a/../b" as sent; tests want the literal path. */
	if (ri->local_uri_raw)
		return ri->local_uri_raw;
	return ri->local_uri ? ri->local_uri : "/";
}

int fw_query(const struct mg_connection *conn, const char *name, char *out, size_t outlen)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	const char *q = ri->query_string;

	if (!q)
		return -1;
	return mg_get_var(q, strlen(q), name, out, outlen) >= 0 ? 0 : -1;
}

/*
 * civetweb exposes no socket for a server connection, so find it: the one
 * socket whose local port is the server's and whose peer port is this
 * client's. On loopback that pair is unique, and the connection cannot be
 * closed under us while its handler runs.
 */
static int conn_fd(const struct mg_connection *conn)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct rlimit rl;
	int maxfd = 4096;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		maxfd = rl.rlim_cur > 65536 ? 65536 : (int)rl.rlim_cur;
	for (int fd = 3; fd < maxfd; fd++) {
		struct sockaddr_in la, pa;
		socklen_t ll = sizeof la, pl = sizeof pa;

		if (getsockname(fd, (struct sockaddr *)&la, &ll) != 0 || la.sin_family != AF_INET)
			continue;
		if (ntohs(la.sin_port) != ri->server_port)
			continue;
		if (getpeername(fd, (struct sockaddr *)&pa, &pl) != 0)
			continue;
		if (ntohs(pa.sin_port) == ri->remote_port)
			return fd;
	}
	return -1;
}

int fw_drop(struct mg_connection *conn, int rst)
{
	int fd = conn_fd(conn);
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	if (fd < 0) {
		log_warn("drop: connection socket not found");
		return -1;
	}
	/*
	 * Linger 0 turns civetweb's later close() into a RST, like a crashed
	 * peer. Without it the bytes already written still arrive, then EOF:
	 * what a truncated transfer must look like.
	 */
	if (rst)
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	shutdown(fd, SHUT_RDWR);
	return 0;
}

int fw_send_head(struct mg_connection *conn, int status, const char *ctype, long long clen,
		 const char *extra)
{
	char len[32];

	if (mg_response_header_start(conn, status) != 0)
		return -1;
	if (ctype)
		mg_response_header_add(conn, "Content-Type", ctype, -1);
	if (clen >= 0) {
		snprintf(len, sizeof len, "%lld", clen);
		mg_response_header_add(conn, "Content-Length", len, -1);
	}
	if (extra && *extra)
		mg_response_header_add_lines(conn, extra);
	return mg_response_header_send(conn) == 0 ? 0 : -1;
}

int fw_write_all(struct mg_connection *conn, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		size_t part = n > (1u << 20) ? (1u << 20) : n;
		int w = mg_write(conn, c, part);
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int fw_send(struct mg_connection *conn, int status, const char *ctype, const char *extra,
	    const void *body, size_t len)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);

	/* 1xx, 204 and 304 never carry a body (RFC 9110 6.4.1); a scripted or
	 * injected one of these must not desynchronise a keep-alive client. */
	if (status < 200 || status == 204 || status == 304)
		return fw_send_head(conn, status, NULL, -1, extra);
	if (fw_send_head(conn, status, ctype, (long long)len, extra) != 0)
		return -1;
	if (strcmp(ri->request_method, "HEAD") == 0)
		return 0;
	return fw_write_all(conn, body, len);
}

int fw_send_json(struct mg_connection *conn, int status, const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	int rc;

	if (!s)
		return fw_send(conn, 500, "text/plain", NULL, "cJSON print failed\n", 19);
	rc = fw_send(conn, status, "application/json", NULL, s, strlen(s));
	cJSON_free(s);
	return rc;
}

int fw_send_error(struct mg_connection *conn, int status, const char *msg)
{
	cJSON *j = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(j, "error", msg);
	rc = fw_send_json(conn, status, j);
	cJSON_Delete(j);
	return rc;
}

int fw_send_ok(struct mg_connection *conn)
{
	static const char ok[] = "{\"ok\":true}";

	return fw_send(conn, 200, "application/json", NULL, ok, sizeof ok - 1);
}

cJSON *fw_read_json_object(struct mg_connection *conn, size_t limit)
{
	struct buf b;
	cJSON *j = NULL;

	buf_init(&b, limit);
	if (fw_read_body(conn, &b) != 0) {
		fw_send_error(conn, 413, "body too large or unreadable");
	} else if (!(j = cJSON_ParseWithLength(b.data ? b.data : "", b.len)) ||
		   !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = NULL;
		fw_send_error(conn, 400, "body must be a JSON object");
	}
	buf_release(&b);
	return j;
}

const char *fw_json_str(const cJSON *o, const char *name, char *out, size_t outlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsString(v) && v->valuestring) {
		snprintf(out, outlen, "%s", v->valuestring);
		return out;
	}
	if (cJSON_IsNumber(v)) {
		snprintf(out, outlen, "%.0f", v->valuedouble);
		return out;
	}
	return NULL;
}

int fw_json_long(const cJSON *o, const char *name, long min, long max, long *v)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
	double d;

	if (!j || cJSON_IsNull(j))
		return 1;
	if (cJSON_IsString(j) && j->valuestring)
		return fw_parse_long(j->valuestring, min, max, v);
	if (!cJSON_IsNumber(j))
		return -1;
	d = j->valuedouble;
	/* Range first: converting an out-of-range double to long is undefined. */
	if (!(d >= (double)min && d <= (double)max) || d != (double)(long)d)
		return -1;
	*v = (long)d;
	return 0;
}
