/*
 * sig: signals through a self-pipe, so each daemon's main loop can wait on
 * "a signal arrived" together with its other file descriptors or timeouts.
 * SIGTERM/SIGINT ask for a clean stop; a second one exits at once (an operator
 * hitting Ctrl-C twice means it). SIGHUP asks for a configuration reload.
 * SIGPIPE is ignored: a peer closing a socket is an error return, not death.
 */
#ifndef ITSTATUS_SIG_H
#define ITSTATUS_SIG_H

#include <signal.h>

/* Install the handlers. 0 or -1. */
int sig_install(void);
/* The read end of the self-pipe (readable when a signal arrived). */
int sig_fd(void);
/* Wait up to timeout_ms (-1 = forever) for a signal; drains the pipe.
 * Returns 1 if a signal arrived, 0 on timeout. */
int sig_wait(int timeout_ms);
/* Flags set by the handlers. sig_take_reload() reads and clears. */
int sig_stop_requested(void);
int sig_take_reload(void);
/* Ask for a stop from inside the program (tests, fatal paths). */
void sig_request_stop(void);

#endif
