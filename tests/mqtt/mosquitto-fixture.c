/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mosquitto-fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool mosq_fixture_available(void) {
        return access(MOSQ_FIXTURE_BINARY, X_OK) == 0;
}

const char *mosq_fixture_path(const struct mosq_fixture *f, const char *name) {
        static char buf[4][600];
        static int i;

        i = (i + 1) % 4;
        snprintf(buf[i], sizeof buf[i], "%s/%s", f->dir, name);
        return buf[i];
}

int mosq_fixture_init(struct mosq_fixture *f) {
        memset(f, 0, sizeof *f);
        snprintf(f->dir, sizeof f->dir, "/tmp/test-broker-XXXXXX");
        if (!mkdtemp(f->dir))
                return -errno;
        snprintf(f->conf, sizeof f->conf, "%s/mosquitto.conf", f->dir);
        snprintf(f->log, sizeof f->log, "%s/mosquitto.log", f->dir);
        return 0;
}

static int run(const char *cmd) {
        int r = system(cmd);

        if (r < 0)
                return -errno;
        return WIFEXITED(r) && WEXITSTATUS(r) == 0 ? 0 : -EIO;
}

int mosq_fixture_make_tls(struct mosq_fixture *f) {
        char cmd[4096];
        const char *d = f->dir;
        const char *key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
        FILE *ext;

        ext = fopen(mosq_fixture_path(f, "server.ext"), "we");
        if (!ext)
                return -errno;
        fprintf(ext, "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                     "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        fclose(ext);
        snprintf(cmd, sizeof cmd,
                 "{ set -e; cd '%s'; "
                 "openssl req -x509 %s -keyout ca.key -out ca.pem -days 2 -subj /CN=doorlockd-test-ca "
                 "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign; "
                 "openssl req -x509 %s -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=other-ca "
                 "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign; "
                 "openssl req %s -keyout server.key -out server.csr -subj /CN=127.0.0.1; "
                 "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem "
                 "-days 2 -extfile server.ext; chmod 644 server.key; }",
                 d, key, key, key);
        strcat(cmd, " >/dev/null 2>&1");
        if (run(cmd) < 0)
                return -EIO;
        f->tls = true;
        return 0;
}

int mosq_fixture_make_passwd(struct mosq_fixture *f, const char *user, const char *password) {
        char cmd[1024];

        snprintf(cmd, sizeof cmd, "%s -c -b '%s' '%s' '%s' >/dev/null 2>&1", MOSQ_FIXTURE_PASSWD,
                 mosq_fixture_path(f, "passwd"), user, password);
        return run(cmd);
}

static unsigned free_port(void) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof a;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        unsigned port = 0;

        if (fd < 0)
                return 0;
        if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
            getsockname(fd, (struct sockaddr *)&a, &len) == 0)
                port = ntohs(a.sin_port);
        close(fd);
        return port;
}

static bool port_open(unsigned port) {
        struct sockaddr_in a = { .sin_family = AF_INET,
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                 .sin_port = htons((uint16_t)port) };
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool ok;

        if (fd < 0)
                return false;
        ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        return ok;
}

static int write_conf(const struct mosq_fixture *f) {
        FILE *c = fopen(f->conf, "we");
        struct passwd *pw;

        if (!c)
                return -errno;
        fprintf(c, "listener %u 127.0.0.1\n", f->port);
        if (f->tls)
                fprintf(c, "cafile %s\ncertfile %s\nkeyfile %s\ntls_version tlsv1.2\n",
                        mosq_fixture_path(f, "ca.pem"), mosq_fixture_path(f, "server.pem"),
                        mosq_fixture_path(f, "server.key"));
        if (access(mosq_fixture_path(f, "passwd"), R_OK) == 0)
                fprintf(c, "allow_anonymous false\npassword_file %s\n", mosq_fixture_path(f, "passwd"));
        else
                fprintf(c, "allow_anonymous true\n");
        fprintf(c, "persistence false\nlog_dest file %s\nlog_type all\nlog_timestamp false\n", f->log);
        /* As root mosquitto would switch to the user "mosquitto", which
         * cannot read the temp dir. */
        if (geteuid() == 0 && (pw = getpwuid(0)))
                fprintf(c, "user %s\n", pw->pw_name);
        return fclose(c) == 0 ? 0 : -EIO;
}

int mosq_fixture_start(struct mosq_fixture *f) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        int r;

        if (f->port == 0)
                f->port = free_port();
        if (f->port == 0)
                return -EADDRNOTAVAIL;
        r = write_conf(f);
        if (r < 0)
                return r;
        f->pid = fork();
        if (f->pid < 0)
                return -errno;
        if (f->pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, STDOUT_FILENO);
                        dup2(null, STDERR_FILENO);
                }
                execl(MOSQ_FIXTURE_BINARY, "mosquitto", "-c", f->conf, (char *)NULL);
                _exit(127);
        }
        for (int i = 0; i < 250; i++) {
                if (port_open(f->port))
                        return 0;
                if (waitpid(f->pid, NULL, WNOHANG) == f->pid) {
                        f->pid = 0;
                        return -ECHILD;
                }
                nanosleep(&ts, NULL);
        }
        mosq_fixture_stop(f, true);
        return -ETIMEDOUT;
}

void mosq_fixture_stop(struct mosq_fixture *f, bool hard) {
        if (f->pid <= 0)
                return;
        kill(f->pid, hard ? SIGKILL : SIGTERM);
        (void)waitpid(f->pid, NULL, 0);
        f->pid = 0;
}

void mosq_fixture_cleanup(struct mosq_fixture *f) {
        char cmd[600];

        mosq_fixture_stop(f, false);
        if (f->dir[0] && strncmp(f->dir, "/tmp/test-broker-", 17) == 0) {
                snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
                (void)run(cmd);
        }
        f->dir[0] = '\0';
}

int mosq_fixture_log_count(const struct mosq_fixture *f, const char *s) {
        char line[2048];
        int n = 0;
        FILE *l = fopen(f->log, "re");

        if (!l)
                return 0;
        while (fgets(line, sizeof line, l))
                if (strstr(line, s))
                        n++;
        fclose(l);
        return n;
}

int mosq_fixture_pub(const struct mosq_fixture *f, const char *args) {
        char cmd[2048];

        snprintf(cmd, sizeof cmd, "%s -V 5 -h 127.0.0.1 -p %u -q 1 %s >/dev/null 2>&1", MOSQ_FIXTURE_PUB,
                 f->port, args);
        return run(cmd);
}
