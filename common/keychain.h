/*
 * keychain: read a secret from the macOS Keychain the way an operator would,
 * with `security find-generic-password -w -s SERVICE [-a ACCOUNT]`. This is
 * what lets NAME_KEYCHAIN=service[/account] stand in for NAME or NAME_FILE
 * (config.c): the old tool kept its secrets in the Keychain, and a secret
 * that never touches a file cannot leak from one.
 *
 * The command is looked up on PATH (macOS: /usr/bin/security); tests put a
 * stand-in first on PATH (t/fakesecurity/security). Only the secret comes back
 * on stdout; stderr is kept for the error message, which never contains the
 * value. The child gets KEYCHAIN_TIMEOUT_MS to answer -- a locked login
 * keychain can wait forever for a password dialog nobody will see -- and is
 * then killed.
 */
#ifndef ITSTATUS_KEYCHAIN_H
#define ITSTATUS_KEYCHAIN_H

#define KEYCHAIN_TIMEOUT_MS 10000
/* `security` exits with this when the item does not exist (errSecItemNotFound). */
#define KEYCHAIN_EXIT_NOT_FOUND 44

/*
 * Read the password of the generic-password item named by spec
 * ("service" or "service/account"; the service may not be empty). Returns 0
 * with *value set (trailing newline removed; caller frees), or -1 with *err
 * set to a one-line explanation without the value (caller frees).
 */
int keychain_read(const char *spec, char **value, char **err);
/* Change the answer deadline (tests; ms <= 0 restores KEYCHAIN_TIMEOUT_MS). */
void keychain_set_timeout_ms(int ms);

#endif
