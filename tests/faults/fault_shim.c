/* An LD_PRELOAD fault injector for the disk-fault tests
 * (tests/integration/test_disk_faults.py): device-mapper's "error" target is
 * not available on the machines that run them.
 *
 * SHOAL_FAULTS names a control file. Each of its lines
 *
 *     ERRNO PREFIX [OPS]
 *
 * makes the operations OPS on files under the directory PREFIX fail with
 * ERRNO (EIO, ENOSPC, EROFS or EACCES). OPS is a comma-separated list of
 *   open    any open
 *   openw   an open for writing or creating
 *   read    read, pread, preadv (and their 64-bit and v2 forms)
 *   write   write, pwrite, writev, pwritev
 *   sync    fsync, fdatasync, sync_file_range
 *   modify  rename, unlink, mkdir, rmdir
 * and defaults to all of them. The file is read again whenever it changes
 * (replace it with rename() so a reader never sees it half written), so a
 * test switches faults on and off while the process runs; a missing or
 * empty file injects nothing.
 *
 * Paths are those the kernel reports for the descriptor (/proc/self/fd), so
 * the shim needs no bookkeeping of its own about opened files. It keeps the
 * parsed rules in process-wide state: an interposer has nowhere else to keep
 * them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum { OP_OPEN = 1, OP_OPENW = 2, OP_READ = 4, OP_WRITE = 8, OP_SYNC = 16, OP_MODIFY = 32, OP_ALL = 63 };
enum { MAX_RULES = 16 };

struct rule {
    int error;
    unsigned ops;
    char prefix[PATH_MAX];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct rule rules[MAX_RULES];
static int rule_count;
static struct stat loaded;  /* the control file as last read (st_ino 0: none) */

static int parse_errno(const char *name) {
    if (strcmp(name, "EIO") == 0) return EIO;
    if (strcmp(name, "ENOSPC") == 0) return ENOSPC;
    if (strcmp(name, "EROFS") == 0) return EROFS;
    if (strcmp(name, "EACCES") == 0) return EACCES;
    return atoi(name);
}

static unsigned parse_ops(char *list) {
    unsigned ops = 0;
    for (char *save = NULL, *op = strtok_r(list, ",", &save); op != NULL; op = strtok_r(NULL, ",", &save)) {
        if (strcmp(op, "open") == 0) ops |= OP_OPEN | OP_OPENW;
        else if (strcmp(op, "openw") == 0) ops |= OP_OPENW;
        else if (strcmp(op, "read") == 0) ops |= OP_READ;
        else if (strcmp(op, "write") == 0) ops |= OP_WRITE;
        else if (strcmp(op, "sync") == 0) ops |= OP_SYNC;
        else if (strcmp(op, "modify") == 0) ops |= OP_MODIFY;
        else if (strcmp(op, "all") == 0) ops |= OP_ALL;
    }
    return ops;
}

/* Raw system calls: the shim must not go through the functions it wraps. */
static void reload(const char *control) {
    rule_count = 0;
    const int fd = (int)syscall(SYS_openat, AT_FDCWD, control, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    char text[8192];
    const ssize_t n = syscall(SYS_read, fd, text, sizeof text - 1);
    syscall(SYS_close, fd);
    if (n <= 0) return;
    text[n] = '\0';
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL && rule_count < MAX_RULES;
         line = strtok_r(NULL, "\n", &save)) {
        char name[32], prefix[PATH_MAX], ops[128] = "all";
        if (sscanf(line, "%31s %4095s %127s", name, prefix, ops) < 2) continue;
        struct rule *r = &rules[rule_count++];
        r->error = parse_errno(name);
        r->ops = parse_ops(ops);
        snprintf(r->prefix, sizeof r->prefix, "%s", prefix);
    }
}

/* The errno to fail `op` on `path` with, or 0. */
static int fault_for_path(const char *path, unsigned op) {
    const char *control = getenv("SHOAL_FAULTS");
    if (control == NULL) return 0;
    struct stat now;
    if (syscall(SYS_newfstatat, AT_FDCWD, control, &now, 0) != 0) memset(&now, 0, sizeof now);
    int error = 0;
    pthread_mutex_lock(&lock);
    if (now.st_ino != loaded.st_ino || now.st_size != loaded.st_size ||
        now.st_mtim.tv_sec != loaded.st_mtim.tv_sec || now.st_mtim.tv_nsec != loaded.st_mtim.tv_nsec) {
        loaded = now;
        reload(control);
    }
    for (int i = 0; i < rule_count && error == 0; ++i) {
        const size_t len = strlen(rules[i].prefix);
        if ((rules[i].ops & op) && strncmp(path, rules[i].prefix, len) == 0 && (path[len] == '/' || path[len] == '\0')) {
            error = rules[i].error;
        }
    }
    pthread_mutex_unlock(&lock);
    return error;
}

static int fault_for_fd(int fd, unsigned op) {
    if (getenv("SHOAL_FAULTS") == NULL) return 0;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    const ssize_t n = syscall(SYS_readlinkat, AT_FDCWD, link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = '\0';
    return path[0] == '/' ? fault_for_path(path, op) : 0;  /* sockets and pipes: never */
}

static int fault_for_at(int dirfd, const char *path, unsigned op) {
    if (getenv("SHOAL_FAULTS") == NULL || path == NULL) return 0;
    if (path[0] == '/') return fault_for_path(path, op);
    char full[2 * PATH_MAX + 2], base[PATH_MAX];
    if (dirfd == AT_FDCWD) {
        if (getcwd(base, sizeof base) == NULL) return 0;
    } else {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
        const ssize_t n = syscall(SYS_readlinkat, AT_FDCWD, link, base, sizeof base - 1);
        if (n <= 0) return 0;
        base[n] = '\0';
    }
    snprintf(full, sizeof full, "%s/%s", base, path);
    return fault_for_path(full, op);
}

static unsigned open_op(int flags) {
    return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) ? OP_OPENW : OP_OPEN;
}

/* The next definition of `name` (libc's, or a sanitizer's), looked up once. */
#define REAL(name)                                                         \
    ({                                                                     \
        static __typeof__(&name) real_;                                    \
        __typeof__(&name) f_ = __atomic_load_n(&real_, __ATOMIC_ACQUIRE);  \
        if (f_ == NULL) {                                                  \
            f_ = (__typeof__(&name))dlsym(RTLD_NEXT, #name);               \
            __atomic_store_n(&real_, f_, __ATOMIC_RELEASE);                \
        }                                                                  \
        f_;                                                                \
    })
#define FAIL_WITH(error) \
    do {                 \
        errno = (error); \
        return -1;       \
    } while (0)

/* open and friends: the mode is there only with O_CREAT or O_TMPFILE. */
#define OPEN_MODE(flags, mode)                                             \
    do {                                                                   \
        if ((flags) & (O_CREAT | __O_TMPFILE)) {                           \
            va_list args;                                                  \
            va_start(args, flags);                                         \
            mode = (mode_t)va_arg(args, int);                              \
            va_end(args);                                                  \
        }                                                                  \
    } while (0)

int open(const char *path, int flags, ...) {
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    const int error = fault_for_at(AT_FDCWD, path, open_op(flags));
    if (error) FAIL_WITH(error);
    return REAL(open)(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    const int error = fault_for_at(AT_FDCWD, path, open_op(flags));
    if (error) FAIL_WITH(error);
    return REAL(open64)(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...) {
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    const int error = fault_for_at(dirfd, path, open_op(flags));
    if (error) FAIL_WITH(error);
    return REAL(openat)(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) {
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    const int error = fault_for_at(dirfd, path, open_op(flags));
    if (error) FAIL_WITH(error);
    return REAL(openat64)(dirfd, path, flags, mode);
}

/* _FORTIFY_SOURCE turns some opens into these. */
int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags) {
    const int error = fault_for_at(AT_FDCWD, path, open_op(flags));
    if (error) FAIL_WITH(error);
    return REAL(__open_2)(path, flags);
}

int __open64_2(const char *path, int flags);
int __open64_2(const char *path, int flags) {
    const int error = fault_for_at(AT_FDCWD, path, open_op(flags));
    if (error) FAIL_WITH(error);
    return REAL(__open64_2)(path, flags);
}

#define FD_CALL(ret, name, op, params, args)              \
    ret name params {                                     \
        const int error = fault_for_fd(fd, op);           \
        if (error) FAIL_WITH(error);                      \
        return REAL(name) args;                           \
    }

FD_CALL(ssize_t, read, OP_READ, (int fd, void *buf, size_t n), (fd, buf, n))
FD_CALL(ssize_t, pread, OP_READ, (int fd, void *buf, size_t n, off_t at), (fd, buf, n, at))
FD_CALL(ssize_t, pread64, OP_READ, (int fd, void *buf, size_t n, off64_t at), (fd, buf, n, at))
FD_CALL(ssize_t, preadv, OP_READ, (int fd, const struct iovec *iov, int count, off_t at), (fd, iov, count, at))
FD_CALL(ssize_t, preadv64, OP_READ, (int fd, const struct iovec *iov, int count, off64_t at), (fd, iov, count, at))
FD_CALL(ssize_t, preadv2, OP_READ, (int fd, const struct iovec *iov, int count, off_t at, int flags),
        (fd, iov, count, at, flags))
FD_CALL(ssize_t, preadv64v2, OP_READ, (int fd, const struct iovec *iov, int count, off64_t at, int flags),
        (fd, iov, count, at, flags))
FD_CALL(ssize_t, write, OP_WRITE, (int fd, const void *buf, size_t n), (fd, buf, n))
FD_CALL(ssize_t, pwrite, OP_WRITE, (int fd, const void *buf, size_t n, off_t at), (fd, buf, n, at))
FD_CALL(ssize_t, pwrite64, OP_WRITE, (int fd, const void *buf, size_t n, off64_t at), (fd, buf, n, at))
FD_CALL(ssize_t, writev, OP_WRITE, (int fd, const struct iovec *iov, int count), (fd, iov, count))
FD_CALL(ssize_t, pwritev, OP_WRITE, (int fd, const struct iovec *iov, int count, off_t at), (fd, iov, count, at))
FD_CALL(ssize_t, pwritev64, OP_WRITE, (int fd, const struct iovec *iov, int count, off64_t at), (fd, iov, count, at))
FD_CALL(int, fsync, OP_SYNC, (int fd), (fd))
FD_CALL(int, fdatasync, OP_SYNC, (int fd), (fd))
FD_CALL(int, sync_file_range, OP_SYNC, (int fd, off64_t at, off64_t n, unsigned int flags), (fd, at, n, flags))

#define PATH_CALL(ret, name, check, params, args)         \
    ret name params {                                     \
        const int error = check;                          \
        if (error) FAIL_WITH(error);                      \
        return REAL(name) args;                           \
    }

PATH_CALL(int, rename, fault_for_at(AT_FDCWD, from, OP_MODIFY) ?: fault_for_at(AT_FDCWD, to, OP_MODIFY),
          (const char *from, const char *to), (from, to))
PATH_CALL(int, renameat, fault_for_at(fromfd, from, OP_MODIFY) ?: fault_for_at(tofd, to, OP_MODIFY),
          (int fromfd, const char *from, int tofd, const char *to), (fromfd, from, tofd, to))
PATH_CALL(int, renameat2, fault_for_at(fromfd, from, OP_MODIFY) ?: fault_for_at(tofd, to, OP_MODIFY),
          (int fromfd, const char *from, int tofd, const char *to, unsigned int flags), (fromfd, from, tofd, to, flags))
PATH_CALL(int, unlink, fault_for_at(AT_FDCWD, path, OP_MODIFY), (const char *path), (path))
PATH_CALL(int, unlinkat, fault_for_at(dirfd, path, OP_MODIFY), (int dirfd, const char *path, int flags),
          (dirfd, path, flags))
PATH_CALL(int, mkdir, fault_for_at(AT_FDCWD, path, OP_MODIFY), (const char *path, mode_t mode), (path, mode))
PATH_CALL(int, mkdirat, fault_for_at(dirfd, path, OP_MODIFY), (int dirfd, const char *path, mode_t mode),
          (dirfd, path, mode))
PATH_CALL(int, rmdir, fault_for_at(AT_FDCWD, path, OP_MODIFY), (const char *path), (path))
