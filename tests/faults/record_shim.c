/* An LD_PRELOAD recorder for the power-cut simulation
 * (tests/integration/test_power_cut.py; the log is read by
 * tests/integration/power_cut_log.py, which documents the record format).
 *
 * SHOAL_RECORD_LOG names the log file; SHOAL_RECORD_ROOTS lists, separated
 * by ':', the absolute directories whose files are recorded. Every change the
 * process makes to a file or directory below a root is appended to the log,
 * in the order the changes were made, with the bytes written:
 *
 *   writes          write, pwrite, writev, pwritev, pwritev2 (at their offsets;
 *                   a write through an O_DSYNC/O_SYNC descriptor or with
 *                   RWF_DSYNC/RWF_SYNC is flagged as synced by itself)
 *   sizes           ftruncate, truncate, open with O_TRUNC, fallocate,
 *                   posix_fallocate
 *   syncs           fsync, fdatasync (of files and of directories), syncfs,
 *                   sync; sync_file_range is recorded as a hint, which
 *                   makes nothing durable
 *   entries         open with O_CREAT when it creates the file, creat, mkdir,
 *                   link, unlink, rmdir, remove, rename, renameat2 (flags kept)
 *   others          fchmod, chmod, fchmodat; a shared writable mmap of a
 *                   file (its content is then not known to the log);
 *                   copy_file_range, sendfile, symlink, linkat with
 *                   AT_EMPTY_PATH and O_TMPFILE opens are logged as
 *                   unsupported
 *
 * Files and directories are named by (st_dev, st_ino), so that renames and
 * unlinks do not lose track of them; entry changes also carry the entry's
 * directory and name. A change is recorded after it succeeded, under one
 * lock held across the call and its record, so that changes appear in the
 * log in the order they were made. A sync is recorded before it is made, and
 * outside that lock: whatever the log shows before it was done before it
 * started (what it covers), and a change made while it ran is logged after
 * it, as not covered (the cautious reading). A sync that then fails is logged
 * again as failed.
 *
 * Other processes (the test's client) append their own records (marks) to
 * the same log: each record is one write() to a file opened with O_APPEND,
 * which the kernel never interleaves with another.
 *
 * The shim keeps its configuration and lock in process-wide state: an
 * interposer has nowhere else to keep them. It calls the kernel directly
 * (syscall()) for its own work, never the functions it wraps.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* Record types and flags: keep in step with tests/integration/power_cut_log.py. */
enum {
    R_WRITE = 1,
    R_TRUNCATE = 2,
    R_SYNC = 3,
    R_CREATE = 4,
    R_LINK = 5,
    R_UNLINK = 6,
    R_RENAME = 7,
    R_MMAP = 8,
    R_FALLOCATE = 9,
    R_SYNC_ALL = 10,
    R_CHMOD = 11,
    R_MARK = 12,
    R_UNSUPPORTED = 13,
    R_SYNC_FAILED = 14,
    R_ROOT = 15,
    R_SYNC_HINT = 16,
};
enum {
    F_DSYNC = 1,      /* R_WRITE: durable once written */
    F_DATA_ONLY = 2,  /* R_SYNC: fdatasync */
    F_NOREPLACE = 4,  /* R_RENAME */
    F_EXCHANGE = 8,   /* R_RENAME */
    F_KEEP_SIZE = 16, /* R_FALLOCATE */
};

#define RECORD_MAGIC 0x52435053u /* "SPCR" little-endian */

struct record {
    uint32_t magic;
    uint16_t type;
    uint16_t flags;
    uint64_t size; /* of the whole record, this header included */
    uint32_t pid;
    uint32_t mode; /* st_mode of the object */
    uint64_t dev, ino;         /* the object: file or directory */
    uint64_t dir_dev, dir_ino; /* the directory of an entry change (a rename's source) */
    uint64_t to_dev, to_ino;   /* a rename's or link's destination directory; a fallocate's length */
    uint64_t offset;           /* write offset; new size; fallocate offset */
    uint64_t length;           /* data bytes that follow */
    uint16_t name_len, to_name_len, path_len, reserved;
    uint32_t reserved2, reserved3;
    /* then: name, to_name, path (for messages), data */
};
/* No padding anywhere: the reader unpacks the fields one after the other. */
_Static_assert(sizeof(struct record) == 104, "record header layout");

enum { MAX_ROOTS = 16 };

static pthread_once_t configured = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char log_path[PATH_MAX];
static int log_fd = -1;
static char roots[MAX_ROOTS][PATH_MAX];
static int root_count;

static void configure(void) {
    const char *log = getenv("SHOAL_RECORD_LOG");
    const char *list = getenv("SHOAL_RECORD_ROOTS");
    if (log == NULL || list == NULL || log[0] == '\0') return;
    snprintf(log_path, sizeof log_path, "%s", log);
    char copy[MAX_ROOTS * 256];
    snprintf(copy, sizeof copy, "%s", list);
    for (char *save = NULL, *r = strtok_r(copy, ":", &save); r != NULL && root_count < MAX_ROOTS;
         r = strtok_r(NULL, ":", &save)) {
        size_t n = strlen(r);
        while (n > 1 && r[n - 1] == '/') r[--n] = '\0';
        snprintf(roots[root_count++], PATH_MAX, "%s", r);
    }
}

static int recording(void) {
    pthread_once(&configured, configure);
    return root_count > 0;
}

static int under_roots(const char *path) {
    for (int i = 0; i < root_count; ++i) {
        const size_t len = strlen(roots[i]);
        if (strncmp(path, roots[i], len) == 0 && (path[len] == '/' || path[len] == '\0')) return 1;
    }
    return 0;
}

/* The path of descriptor `fd` (with " (deleted)" when unlinked), or "" . */
static void fd_path(int fd, char *out, size_t size) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    const ssize_t n = syscall(SYS_readlinkat, AT_FDCWD, link, out, size - 1);
    out[n > 0 ? n : 0] = '\0';
}

/* `path` relative to `dirfd`, made absolute (not resolved further). */
static void absolute(int dirfd, const char *path, char *out, size_t size) {
    if (path[0] == '/') {
        snprintf(out, size, "%s", path);
        return;
    }
    char base[PATH_MAX];
    if (dirfd == AT_FDCWD) {
        if (syscall(SYS_getcwd, base, sizeof base) < 0) base[0] = '\0';
    } else {
        fd_path(dirfd, base, sizeof base);
    }
    snprintf(out, size, "%s/%s", base, path);
}

static int tracked_fd(int fd, char *path, size_t size) {
    if (!recording()) return 0;
    fd_path(fd, path, size);
    return path[0] == '/' && under_roots(path);
}

static int tracked_at(int dirfd, const char *path, char *full, size_t size) {
    if (!recording() || path == NULL) return 0;
    absolute(dirfd, path, full, size);
    return under_roots(full);
}

static int stat_at(int dirfd, const char *path, struct stat *st) {
    return (int)syscall(SYS_newfstatat, dirfd, path, st, AT_SYMLINK_NOFOLLOW);
}

static int stat_fd(int fd, struct stat *st) { return (int)syscall(SYS_fstat, fd, st); }

/* The directory holding `path` (relative to dirfd) and the entry's name. */
static int parent_of(int dirfd, const char *path, struct stat *dir, char *name, size_t size) {
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", path);
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/') copy[--n] = '\0';
    char *slash = strrchr(copy, '/');
    if (slash == NULL) {
        snprintf(name, size, "%s", copy);
        return dirfd == AT_FDCWD ? stat_at(AT_FDCWD, ".", dir) : stat_fd(dirfd, dir);
    }
    snprintf(name, size, "%s", slash + 1);
    if (slash == copy) return stat_at(AT_FDCWD, "/", dir);
    *slash = '\0';
    return stat_at(dirfd, copy, dir);
}

static void fail_hard(const char *what) {
    char text[PATH_MAX + 128];
    const int n = snprintf(text, sizeof text, "record shim: cannot append to %s: %s (%s)\n", log_path, what,
                           strerror(errno));
    syscall(SYS_write, 2, text, (size_t)n);
    abort();
}

/* Appends one record (header, names, path, then `data` of `count` pieces
 * holding `length` bytes in all) with one write. Call with `lock` held (it
 * guards the log's descriptor). */
static void append(struct record *r, const char *name, const char *to_name, const char *path,
                   const struct iovec *data, int count, uint64_t length) {
    r->magic = RECORD_MAGIC;
    r->pid = (uint32_t)getpid();
    r->name_len = (uint16_t)(name ? strlen(name) : 0);
    r->to_name_len = (uint16_t)(to_name ? strlen(to_name) : 0);
    r->path_len = (uint16_t)(path ? strlen(path) : 0);
    r->length = length;
    r->size = sizeof *r + r->name_len + r->to_name_len + r->path_len + length;
    if (log_fd < 0) {
        log_fd = (int)syscall(SYS_openat, AT_FDCWD, log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (log_fd < 0) fail_hard("open");
    }
    enum { MAX_PIECES = 1000 };
    struct iovec small[MAX_PIECES + 4];
    struct iovec *iov = small;
    char *joined = NULL;
    int n = 0;
    iov[n++] = (struct iovec){r, sizeof *r};
    if (r->name_len) iov[n++] = (struct iovec){(void *)name, r->name_len};
    if (r->to_name_len) iov[n++] = (struct iovec){(void *)to_name, r->to_name_len};
    if (r->path_len) iov[n++] = (struct iovec){(void *)path, r->path_len};
    if (count > MAX_PIECES) {
        /* Many pieces: joined into one buffer, so the record stays one write. */
        joined = malloc(length ? length : 1);
        if (joined == NULL) fail_hard("malloc");
        uint64_t at = 0;
        for (int i = 0; i < count && at < length; ++i) {
            const size_t take = data[i].iov_len < length - at ? data[i].iov_len : (size_t)(length - at);
            memcpy(joined + at, data[i].iov_base, take);
            at += take;
        }
        iov[n++] = (struct iovec){joined, length};
    } else {
        uint64_t left = length;
        for (int i = 0; i < count && left > 0; ++i) {
            const size_t take = data[i].iov_len < left ? data[i].iov_len : (size_t)left;
            if (take) iov[n++] = (struct iovec){data[i].iov_base, take};
            left -= take;
        }
    }
    const ssize_t written = syscall(SYS_writev, log_fd, iov, n);
    free(joined);
    if (written < 0 || (uint64_t)written != r->size) fail_hard("short write");
}

static void set_object(struct record *r, const struct stat *st) {
    r->dev = st->st_dev;
    r->ino = st->st_ino;
    r->mode = st->st_mode;
}

static void set_dir(struct record *r, const struct stat *st) {
    r->dir_dev = st->st_dev;
    r->dir_ino = st->st_ino;
}

static void record_unsupported(const char *what, const char *path) {
    struct record r = {0};
    r.type = R_UNSUPPORTED;
    pthread_mutex_lock(&lock);
    append(&r, what, NULL, path, NULL, 0, 0);
    pthread_mutex_unlock(&lock);
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

/* ---- writes ---- */

static int dsync_fd(int fd) {
    const long flags = syscall(SYS_fcntl, fd, F_GETFL);
    return flags >= 0 && (flags & O_DSYNC);
}

/* Records a write of `done` bytes from iov[0, count) that ended at the
 * descriptor's position (offset < 0) or was made at `offset`. */
static void record_write(int fd, const char *path, const struct iovec *iov, int count, ssize_t done, off64_t offset,
                         int synced) {
    struct stat st;
    if (done <= 0 || stat_fd(fd, &st) != 0) return;
    struct record r = {0};
    r.type = R_WRITE;
    set_object(&r, &st);
    if (offset < 0) offset = (off64_t)syscall(SYS_lseek, fd, 0, SEEK_CUR) - done;
    r.offset = (uint64_t)offset;
    r.flags = (uint16_t)((synced || dsync_fd(fd)) ? F_DSYNC : 0);
    append(&r, NULL, NULL, path, iov, count, (uint64_t)done);
}

#define WRITE_CALL(name, params, args, iov_expr, count_expr, offset_expr, synced_expr) \
    ssize_t name params {                                                               \
        char path_[PATH_MAX];                                                           \
        if (!tracked_fd(fd, path_, sizeof path_)) return REAL(name) args;               \
        pthread_mutex_lock(&lock);                                                      \
        const ssize_t done_ = REAL(name) args;                                          \
        const int saved_ = errno;                                                       \
        record_write(fd, path_, iov_expr, count_expr, done_, offset_expr, synced_expr); \
        pthread_mutex_unlock(&lock);                                                    \
        errno = saved_;                                                                 \
        return done_;                                                                   \
    }

#define ONE(buf, n) (&(struct iovec){(void *)(buf), (n)})
#define SYNC_FLAGS(flags) (((flags) & (RWF_DSYNC | RWF_SYNC)) != 0)

WRITE_CALL(write, (int fd, const void *buf, size_t n), (fd, buf, n), ONE(buf, n), 1, -1, 0)
WRITE_CALL(pwrite, (int fd, const void *buf, size_t n, off_t at), (fd, buf, n, at), ONE(buf, n), 1, at, 0)
WRITE_CALL(pwrite64, (int fd, const void *buf, size_t n, off64_t at), (fd, buf, n, at), ONE(buf, n), 1, at, 0)
WRITE_CALL(writev, (int fd, const struct iovec *iov, int count), (fd, iov, count), iov, count, -1, 0)
WRITE_CALL(pwritev, (int fd, const struct iovec *iov, int count, off_t at), (fd, iov, count, at), iov, count, at, 0)
WRITE_CALL(pwritev64, (int fd, const struct iovec *iov, int count, off64_t at), (fd, iov, count, at), iov, count, at,
           0)
WRITE_CALL(pwritev2, (int fd, const struct iovec *iov, int count, off_t at, int flags), (fd, iov, count, at, flags),
           iov, count, at, SYNC_FLAGS(flags))
WRITE_CALL(pwritev64v2, (int fd, const struct iovec *iov, int count, off64_t at, int flags),
           (fd, iov, count, at, flags), iov, count, at, SYNC_FLAGS(flags))

/* ---- sizes ---- */

static void record_truncate(const struct stat *st, uint64_t size, const char *path) {
    struct record r = {0};
    r.type = R_TRUNCATE;
    set_object(&r, st);
    r.offset = size;
    append(&r, NULL, NULL, path, NULL, 0, 0);
}

#define TRUNCATE_FD_CALL(name, type)                                           \
    int name(int fd, type size) {                                              \
        char path_[PATH_MAX];                                                  \
        if (!tracked_fd(fd, path_, sizeof path_)) return REAL(name)(fd, size); \
        pthread_mutex_lock(&lock);                                             \
        const int rc_ = REAL(name)(fd, size);                                  \
        const int saved_ = errno;                                              \
        struct stat st_;                                                       \
        if (rc_ == 0 && stat_fd(fd, &st_) == 0) record_truncate(&st_, (uint64_t)size, path_); \
        pthread_mutex_unlock(&lock);                                           \
        errno = saved_;                                                        \
        return rc_;                                                            \
    }
TRUNCATE_FD_CALL(ftruncate, off_t)
TRUNCATE_FD_CALL(ftruncate64, off64_t)

#define TRUNCATE_PATH_CALL(name, type)                                                       \
    int name(const char *path, type size) {                                                  \
        char full_[PATH_MAX];                                                                \
        if (!tracked_at(AT_FDCWD, path, full_, sizeof full_)) return REAL(name)(path, size); \
        pthread_mutex_lock(&lock);                                                           \
        const int rc_ = REAL(name)(path, size);                                              \
        const int saved_ = errno;                                                            \
        struct stat st_;                                                                     \
        if (rc_ == 0 && syscall(SYS_newfstatat, AT_FDCWD, path, &st_, 0) == 0) {             \
            record_truncate(&st_, (uint64_t)size, full_);                                    \
        }                                                                                    \
        pthread_mutex_unlock(&lock);                                                         \
        errno = saved_;                                                                      \
        return rc_;                                                                          \
    }
TRUNCATE_PATH_CALL(truncate, off_t)
TRUNCATE_PATH_CALL(truncate64, off64_t)

/* A fallocate carries no bytes: its length travels in the to_ino field. */
static int recorded_fallocate(int fd, int mode, off64_t at, off64_t n, int (*call)(int, int, off64_t, off64_t)) {
    char path[PATH_MAX];
    if (!tracked_fd(fd, path, sizeof path)) return call(fd, mode, at, n);
    pthread_mutex_lock(&lock);
    const int rc = call(fd, mode, at, n);
    const int saved = errno;
    struct stat st;
    if (rc == 0 && stat_fd(fd, &st) == 0) {
        struct record r = {0};
        r.type = R_FALLOCATE;
        r.flags = (uint16_t)((mode & FALLOC_FL_KEEP_SIZE) ? F_KEEP_SIZE : 0);
        set_object(&r, &st);
        r.offset = (uint64_t)at;
        r.to_ino = (uint64_t)n; /* the length (no data follows) */
        append(&r, NULL, NULL, path, NULL, 0, 0);
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
    return rc;
}

static int call_fallocate(int fd, int mode, off64_t at, off64_t n) { return REAL(fallocate64)(fd, mode, at, n); }
/* posix_fallocate returns its error instead of setting errno. */
static int call_posix_fallocate(int fd, int mode, off64_t at, off64_t n) {
    (void)mode;
    const int err = REAL(posix_fallocate64)(fd, at, n);
    errno = err;
    return err;
}

int fallocate(int fd, int mode, off_t at, off_t n) { return recorded_fallocate(fd, mode, at, n, call_fallocate); }
int fallocate64(int fd, int mode, off64_t at, off64_t n) { return recorded_fallocate(fd, mode, at, n, call_fallocate); }
int posix_fallocate(int fd, off_t at, off_t n) { return recorded_fallocate(fd, 0, at, n, call_posix_fallocate); }
int posix_fallocate64(int fd, off64_t at, off64_t n) { return recorded_fallocate(fd, 0, at, n, call_posix_fallocate); }

/* ---- syncs ---- */

/* Logged before the call (see the top); a failure is logged after it. */
static int synced(int fd, uint16_t flags, int (*call)(int), const char *path) {
    struct stat st;
    struct record r = {0};
    if (stat_fd(fd, &st) == 0) {
        r.type = R_SYNC;
        r.flags = flags;
        set_object(&r, &st);
        pthread_mutex_lock(&lock);
        append(&r, NULL, NULL, path, NULL, 0, 0);
        pthread_mutex_unlock(&lock);
    }
    const int rc = call(fd);
    if (rc != 0 && r.type == R_SYNC) {
        const int saved = errno;
        r.type = R_SYNC_FAILED;
        pthread_mutex_lock(&lock);
        append(&r, NULL, NULL, path, NULL, 0, 0);
        pthread_mutex_unlock(&lock);
        errno = saved;
    }
    return rc;
}

int fsync(int fd) {
    char path[PATH_MAX];
    if (!tracked_fd(fd, path, sizeof path)) return REAL(fsync)(fd);
    return synced(fd, 0, REAL(fsync), path);
}

int fdatasync(int fd) {
    char path[PATH_MAX];
    if (!tracked_fd(fd, path, sizeof path)) return REAL(fdatasync)(fd);
    return synced(fd, F_DATA_ONLY, REAL(fdatasync), path);
}

int sync_file_range(int fd, off64_t at, off64_t n, unsigned int flags) {
    char path[PATH_MAX];
    if (tracked_fd(fd, path, sizeof path)) {
        struct stat st;
        if (stat_fd(fd, &st) == 0) {
            struct record r = {0};
            r.type = R_SYNC_HINT;
            set_object(&r, &st);
            pthread_mutex_lock(&lock);
            append(&r, "sync_file_range", NULL, path, NULL, 0, 0);
            pthread_mutex_unlock(&lock);
        }
    }
    return REAL(sync_file_range)(fd, at, n, flags);
}

static void record_sync_all(const char *what) {
    if (!recording()) return;
    struct record r = {0};
    r.type = R_SYNC_ALL;
    pthread_mutex_lock(&lock);
    append(&r, what, NULL, NULL, NULL, 0, 0);
    pthread_mutex_unlock(&lock);
}

int syncfs(int fd) {
    char path[PATH_MAX];
    if (tracked_fd(fd, path, sizeof path)) record_sync_all("syncfs");
    return REAL(syncfs)(fd);
}

void sync(void) {
    record_sync_all("sync");
    REAL(sync)();
}

#define MMAP_CALL(name, offset_type)                                                                   \
    void *name(void *address, size_t length, int prot, int flags, int fd, offset_type offset) { \
        char path_[PATH_MAX];                                                                   \
        if (fd >= 0 && (prot & PROT_WRITE) && (flags & MAP_SHARED) && tracked_fd(fd, path_, sizeof path_)) { \
            struct stat st_;                                                                    \
            if (stat_fd(fd, &st_) == 0) {                                                       \
                struct record r_ = {0};                                                         \
                r_.type = R_MMAP;                                                               \
                set_object(&r_, &st_);                                                          \
                pthread_mutex_lock(&lock);                                                      \
                append(&r_, NULL, NULL, path_, NULL, 0, 0);                                     \
                pthread_mutex_unlock(&lock);                                                    \
            }                                                                                   \
        }                                                                                       \
        return REAL(name)(address, length, prot, flags, fd, offset);                            \
    }
MMAP_CALL(mmap, off_t)
MMAP_CALL(mmap64, off64_t)

/* ---- entries ---- */

static void open_mode(int flags, va_list args, mode_t *mode) {
    if (flags & (O_CREAT | __O_TMPFILE)) *mode = (mode_t)va_arg(args, int);
}

/* An open under `lock`: records the file it created, or its truncation. */
static int recorded_open(int dirfd, const char *path, const char *full, int flags, mode_t mode,
                         int (*call)(int, const char *, int, ...)) {
    if ((flags & __O_TMPFILE) == __O_TMPFILE) {
        record_unsupported("O_TMPFILE", full);
        return call(dirfd, path, flags, mode);
    }
    if (!(flags & (O_CREAT | O_TRUNC))) return call(dirfd, path, flags, mode);
    pthread_mutex_lock(&lock);
    struct stat before;
    const int existed = stat_at(dirfd, path, &before) == 0;
    const int fd = call(dirfd, path, flags, mode);
    const int saved = errno;
    struct stat st, dir;
    char name[NAME_MAX + 1];
    if (fd >= 0 && stat_fd(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        struct record r = {0};
        set_object(&r, &st);
        if (!existed) {
            if (parent_of(dirfd, path, &dir, name, sizeof name) == 0) {
                r.type = R_CREATE;
                set_dir(&r, &dir);
                append(&r, name, NULL, full, NULL, 0, 0);
            }
        } else if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
            r.type = R_TRUNCATE;
            r.offset = 0;
            append(&r, NULL, NULL, full, NULL, 0, 0);
        }
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
    return fd;
}

/* openat's shape for every open flavour, so recorded_open has one caller type. */
#define OPEN_ADAPTER(adapter, real_call)                                    \
    static int adapter(int dirfd, const char *path, int flags, ...) {       \
        va_list args;                                                       \
        va_start(args, flags);                                              \
        const mode_t mode = (mode_t)va_arg(args, int);                      \
        va_end(args);                                                       \
        (void)dirfd;                                                        \
        return real_call;                                                   \
    }
OPEN_ADAPTER(via_open, REAL(open)(path, flags, mode))
OPEN_ADAPTER(via_open64, REAL(open64)(path, flags, mode))
OPEN_ADAPTER(via_openat, REAL(openat)(dirfd, path, flags, mode))
OPEN_ADAPTER(via_openat64, REAL(openat64)(dirfd, path, flags, mode))

int open(const char *path, int flags, ...) {
    mode_t mode = 0;
    va_list args;
    va_start(args, flags);
    open_mode(flags, args, &mode);
    va_end(args);
    char full[PATH_MAX];
    if (!tracked_at(AT_FDCWD, path, full, sizeof full)) return REAL(open)(path, flags, mode);
    return recorded_open(AT_FDCWD, path, full, flags, mode, via_open);
}

int open64(const char *path, int flags, ...) {
    mode_t mode = 0;
    va_list args;
    va_start(args, flags);
    open_mode(flags, args, &mode);
    va_end(args);
    char full[PATH_MAX];
    if (!tracked_at(AT_FDCWD, path, full, sizeof full)) return REAL(open64)(path, flags, mode);
    return recorded_open(AT_FDCWD, path, full, flags, mode, via_open64);
}

int openat(int dirfd, const char *path, int flags, ...) {
    mode_t mode = 0;
    va_list args;
    va_start(args, flags);
    open_mode(flags, args, &mode);
    va_end(args);
    char full[PATH_MAX];
    if (!tracked_at(dirfd, path, full, sizeof full)) return REAL(openat)(dirfd, path, flags, mode);
    return recorded_open(dirfd, path, full, flags, mode, via_openat);
}

int openat64(int dirfd, const char *path, int flags, ...) {
    mode_t mode = 0;
    va_list args;
    va_start(args, flags);
    open_mode(flags, args, &mode);
    va_end(args);
    char full[PATH_MAX];
    if (!tracked_at(dirfd, path, full, sizeof full)) return REAL(openat64)(dirfd, path, flags, mode);
    return recorded_open(dirfd, path, full, flags, mode, via_openat64);
}

/* _FORTIFY_SOURCE turns some opens into these (never with O_CREAT: no mode). */
int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags) { return open(path, flags); }
int __open64_2(const char *path, int flags);
int __open64_2(const char *path, int flags) { return open64(path, flags); }
int __openat_2(int dirfd, const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags) { return openat(dirfd, path, flags); }
int __openat64_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags) { return openat64(dirfd, path, flags); }

int creat(const char *path, mode_t mode) { return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode); }
int creat64(const char *path, mode_t mode) { return open64(path, O_CREAT | O_WRONLY | O_TRUNC, mode); }

static int recorded_mkdir(int dirfd, const char *path, mode_t mode, const char *full) {
    pthread_mutex_lock(&lock);
    const int rc = REAL(mkdirat)(dirfd, path, mode);
    const int saved = errno;
    struct stat st, dir;
    char name[NAME_MAX + 1];
    if (rc == 0 && stat_at(dirfd, path, &st) == 0 && parent_of(dirfd, path, &dir, name, sizeof name) == 0) {
        struct record r = {0};
        r.type = R_CREATE;
        set_object(&r, &st);
        set_dir(&r, &dir);
        append(&r, name, NULL, full, NULL, 0, 0);
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
    return rc;
}

int mkdir(const char *path, mode_t mode) {
    char full[PATH_MAX];
    if (!tracked_at(AT_FDCWD, path, full, sizeof full)) return REAL(mkdir)(path, mode);
    return recorded_mkdir(AT_FDCWD, path, mode, full);
}

int mkdirat(int dirfd, const char *path, mode_t mode) {
    char full[PATH_MAX];
    if (!tracked_at(dirfd, path, full, sizeof full)) return REAL(mkdirat)(dirfd, path, mode);
    return recorded_mkdir(dirfd, path, mode, full);
}

/* unlink, rmdir, remove and unlinkat all end here (glibc's remove() calls
 * unlink inside libc, out of an interposer's reach: hence its own wrapper). */
static int recorded_unlink(int dirfd, const char *path, int flags, const char *full) {
    pthread_mutex_lock(&lock);
    struct stat st, dir;
    char name[NAME_MAX + 1];
    const int known = stat_at(dirfd, path, &st) == 0 && parent_of(dirfd, path, &dir, name, sizeof name) == 0;
    const int rc = REAL(unlinkat)(dirfd, path, flags);
    const int saved = errno;
    if (rc == 0 && known) {
        struct record r = {0};
        r.type = R_UNLINK;
        set_object(&r, &st);
        set_dir(&r, &dir);
        append(&r, name, NULL, full, NULL, 0, 0);
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
    return rc;
}

int unlink(const char *path) {
    char full[PATH_MAX];
    if (!tracked_at(AT_FDCWD, path, full, sizeof full)) return REAL(unlink)(path);
    return recorded_unlink(AT_FDCWD, path, 0, full);
}

int unlinkat(int dirfd, const char *path, int flags) {
    char full[PATH_MAX];
    if (!tracked_at(dirfd, path, full, sizeof full)) return REAL(unlinkat)(dirfd, path, flags);
    return recorded_unlink(dirfd, path, flags, full);
}

int rmdir(const char *path) {
    char full[PATH_MAX];
    if (!tracked_at(AT_FDCWD, path, full, sizeof full)) return REAL(rmdir)(path);
    return recorded_unlink(AT_FDCWD, path, AT_REMOVEDIR, full);
}

int remove(const char *path) {
    char full[PATH_MAX];
    if (!tracked_at(AT_FDCWD, path, full, sizeof full)) return REAL(remove)(path);
    struct stat st;
    const int is_dir = stat_at(AT_FDCWD, path, &st) == 0 && S_ISDIR(st.st_mode);
    return recorded_unlink(AT_FDCWD, path, is_dir ? AT_REMOVEDIR : 0, full);
}

static int recorded_rename(int fromfd, const char *from, int tofd, const char *to, unsigned flags,
                           const char *full) {
    pthread_mutex_lock(&lock);
    struct stat st, from_dir, to_dir;
    char name[NAME_MAX + 1], to_name[NAME_MAX + 1];
    const int known = stat_at(fromfd, from, &st) == 0 && parent_of(fromfd, from, &from_dir, name, sizeof name) == 0 &&
                      parent_of(tofd, to, &to_dir, to_name, sizeof to_name) == 0;
    const int rc = REAL(renameat2)(fromfd, from, tofd, to, flags);
    const int saved = errno;
    if (rc == 0 && known) {
        struct record r = {0};
        r.type = R_RENAME;
        r.flags = (uint16_t)(((flags & RENAME_NOREPLACE) ? F_NOREPLACE : 0) |
                             ((flags & RENAME_EXCHANGE) ? F_EXCHANGE : 0));
        set_object(&r, &st);
        set_dir(&r, &from_dir);
        r.to_dev = to_dir.st_dev;
        r.to_ino = to_dir.st_ino;
        append(&r, name, to_name, full, NULL, 0, 0);
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
    return rc;
}

int rename(const char *from, const char *to) {
    char full[PATH_MAX], full_to[PATH_MAX];
    const int a = tracked_at(AT_FDCWD, from, full, sizeof full);
    const int b = tracked_at(AT_FDCWD, to, full_to, sizeof full_to);
    if (!a && !b) return REAL(rename)(from, to);
    return recorded_rename(AT_FDCWD, from, AT_FDCWD, to, 0, a ? full : full_to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to) {
    char full[PATH_MAX], full_to[PATH_MAX];
    const int a = tracked_at(fromfd, from, full, sizeof full);
    const int b = tracked_at(tofd, to, full_to, sizeof full_to);
    if (!a && !b) return REAL(renameat)(fromfd, from, tofd, to);
    return recorded_rename(fromfd, from, tofd, to, 0, a ? full : full_to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags) {
    char full[PATH_MAX], full_to[PATH_MAX];
    const int a = tracked_at(fromfd, from, full, sizeof full);
    const int b = tracked_at(tofd, to, full_to, sizeof full_to);
    if (!a && !b) return REAL(renameat2)(fromfd, from, tofd, to, flags);
    return recorded_rename(fromfd, from, tofd, to, flags, a ? full : full_to);
}

static int recorded_link(int fromfd, const char *from, int tofd, const char *to, int flags, const char *full) {
    pthread_mutex_lock(&lock);
    struct stat st, to_dir;
    char to_name[NAME_MAX + 1];
    const int known = syscall(SYS_newfstatat, fromfd, from, &st, (flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) == 0 &&
                      parent_of(tofd, to, &to_dir, to_name, sizeof to_name) == 0;
    const int rc = REAL(linkat)(fromfd, from, tofd, to, flags);
    const int saved = errno;
    if (rc == 0 && known) {
        struct record r = {0};
        r.type = R_LINK;
        set_object(&r, &st);
        r.to_dev = to_dir.st_dev;
        r.to_ino = to_dir.st_ino;
        append(&r, NULL, to_name, full, NULL, 0, 0);
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
    return rc;
}

int link(const char *from, const char *to) {
    char full[PATH_MAX];
    if (!tracked_at(AT_FDCWD, to, full, sizeof full)) return REAL(link)(from, to);
    return recorded_link(AT_FDCWD, from, AT_FDCWD, to, 0, full);
}

int linkat(int fromfd, const char *from, int tofd, const char *to, int flags) {
    char full[PATH_MAX];
    if (!tracked_at(tofd, to, full, sizeof full)) return REAL(linkat)(fromfd, from, tofd, to, flags);
    if (flags & AT_EMPTY_PATH) {
        record_unsupported("linkat(AT_EMPTY_PATH)", full);
        return REAL(linkat)(fromfd, from, tofd, to, flags);
    }
    return recorded_link(fromfd, from, tofd, to, flags, full);
}

int symlink(const char *target, const char *path) {
    char full[PATH_MAX];
    if (tracked_at(AT_FDCWD, path, full, sizeof full)) record_unsupported("symlink", full);
    return REAL(symlink)(target, path);
}

int symlinkat(const char *target, int dirfd, const char *path) {
    char full[PATH_MAX];
    if (tracked_at(dirfd, path, full, sizeof full)) record_unsupported("symlinkat", full);
    return REAL(symlinkat)(target, dirfd, path);
}

/* ---- others ---- */

int fchmod(int fd, mode_t mode) {
    char path[PATH_MAX];
    if (!tracked_fd(fd, path, sizeof path)) return REAL(fchmod)(fd, mode);
    pthread_mutex_lock(&lock);
    const int rc = REAL(fchmod)(fd, mode);
    const int saved = errno;
    struct stat st;
    if (rc == 0 && stat_fd(fd, &st) == 0) {
        struct record r = {0};
        r.type = R_CHMOD;
        set_object(&r, &st);
        append(&r, NULL, NULL, path, NULL, 0, 0);
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
    return rc;
}

int chmod(const char *path, mode_t mode) {
    char full[PATH_MAX];
    if (!tracked_at(AT_FDCWD, path, full, sizeof full)) return REAL(chmod)(path, mode);
    pthread_mutex_lock(&lock);
    const int rc = REAL(chmod)(path, mode);
    const int saved = errno;
    struct stat st;
    if (rc == 0 && syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0) == 0) {
        struct record r = {0};
        r.type = R_CHMOD;
        set_object(&r, &st);
        append(&r, NULL, NULL, full, NULL, 0, 0);
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
    return rc;
}

/* std::filesystem::permissions and chmod(1)'s way. */
int fchmodat(int dirfd, const char *path, mode_t mode, int flags) {
    char full[PATH_MAX];
    if (!tracked_at(dirfd, path, full, sizeof full)) return REAL(fchmodat)(dirfd, path, mode, flags);
    pthread_mutex_lock(&lock);
    const int rc = REAL(fchmodat)(dirfd, path, mode, flags);
    const int saved = errno;
    struct stat st;
    if (rc == 0 && syscall(SYS_newfstatat, dirfd, path, &st, flags & AT_SYMLINK_NOFOLLOW) == 0) {
        struct record r = {0};
        r.type = R_CHMOD;
        set_object(&r, &st);
        append(&r, NULL, NULL, full, NULL, 0, 0);
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
    return rc;
}

ssize_t copy_file_range(int in, off64_t *in_at, int out, off64_t *out_at, size_t n, unsigned int flags) {
    char path[PATH_MAX];
    if (tracked_fd(out, path, sizeof path)) record_unsupported("copy_file_range", path);
    return REAL(copy_file_range)(in, in_at, out, out_at, n, flags);
}

ssize_t sendfile(int out, int in, off_t *at, size_t n) {
    char path[PATH_MAX];
    if (tracked_fd(out, path, sizeof path)) record_unsupported("sendfile", path);
    return REAL(sendfile)(out, in, at, n);
}

ssize_t sendfile64(int out, int in, off64_t *at, size_t n) {
    char path[PATH_MAX];
    if (tracked_fd(out, path, sizeof path)) record_unsupported("sendfile", path);
    return REAL(sendfile64)(out, in, at, n);
}
