/*
 * server: civetweb set-up and shutdown for apid. Routes are registered here;
 * each resource's handler lives in its own file.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "apid.h"
#include "log.h"

static int log_message(const struct mg_connection *conn, const char *msg)
{
	(void)conn;
	log_warn("civetweb: %s", msg);
	return 1;
}

int server_start(struct apid *a)
{
	char ports[128], threads[16];
	snprintf(ports, sizeof ports, "%s:%d", a->conf.cfg.host, a->conf.cfg.port);
	snprintf(threads, sizeof threads, "%d", a->conf.cfg.apid_threads);
	const char *opts[] = {"listening_ports", ports, "num_threads", threads, "enable_keep_alive",
			      "yes", "request_timeout_ms", "30000", NULL};
	struct mg_callbacks cb;
	memset(&cb, 0, sizeof cb);
	cb.log_message = log_message;
	a->mg = mg_start(&cb, a, opts);
	if (!a->mg) {
		log_error("cannot listen on %s", ports);
		return -1;
	}
	struct mg_server_port sp[2];
	if (mg_get_server_ports(a->mg, 2, sp) > 0)
		a->port = sp[0].port;
	log_info("listening on http://%s:%d", a->conf.cfg.host, a->port);
	return 0;
}

struct stopper {
	struct mg_context *mg;
	atomic_int done;
};

static void *stop_thread(void *arg)
{
	struct stopper *s = arg;
	mg_stop(s->mg);
	atomic_store(&s->done, 1);
	return NULL;
}

void server_stop(struct apid *a)
{
	if (!a->mg)
		return;
	/* civetweb's master thread only notices the stop flag when its 2 s poll
	 * on the listening socket returns; connecting to the port wakes it. */
	struct stopper s = {.mg = a->mg};
	atomic_init(&s.done, 0);
	pthread_t th;
	pthread_create(&th, NULL, stop_thread, &s);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)a->port)};
	if (inet_pton(AF_INET, a->conf.cfg.host, &addr.sin_addr) != 1)
		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timespec d = {0, 2000000};
	while (!atomic_load(&s.done)) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0) {
			connect(fd, (struct sockaddr *)&addr, sizeof addr);
			close(fd);
		}
		nanosleep(&d, NULL);
	}
	pthread_join(th, NULL);
	a->mg = NULL;
}
