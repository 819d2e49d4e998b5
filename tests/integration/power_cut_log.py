"""The log of file-system changes written by the recorder shim
(tests/faults/record_shim.c) and by the power-cut test's client: reading it,
and appending the records the client adds (the initial state of the recorded
directories, and marks).

A record is a fixed header (HEADER below, little-endian as on the hosts the
shim is built for) followed by the entry name, the destination name, the path
(for messages only) and the data. Files and directories are named by
(st_dev, st_ino), so renames and unlinks never lose track of them.
"""
import collections
import os
import struct

MAGIC = 0x52435053  # "SPCR"

# Record types (keep in step with record_shim.c).
WRITE, TRUNCATE, SYNC, CREATE, LINK, UNLINK, RENAME, MMAP, FALLOCATE, SYNC_ALL, CHMOD, MARK, UNSUPPORTED, \
    SYNC_FAILED, ROOT, SYNC_HINT = range(1, 17)
TYPE_NAMES = {v: k for k, v in dict(
    WRITE=WRITE, TRUNCATE=TRUNCATE, SYNC=SYNC, CREATE=CREATE, LINK=LINK, UNLINK=UNLINK, RENAME=RENAME, MMAP=MMAP,
    FALLOCATE=FALLOCATE, SYNC_ALL=SYNC_ALL, CHMOD=CHMOD, MARK=MARK, UNSUPPORTED=UNSUPPORTED,
    SYNC_FAILED=SYNC_FAILED, ROOT=ROOT, SYNC_HINT=SYNC_HINT).items()}

# Flags.
F_DSYNC = 1       # WRITE: durable as soon as written (O_DSYNC descriptor, RWF_DSYNC)
F_DATA_ONLY = 2   # SYNC: fdatasync
F_NOREPLACE = 4   # RENAME
F_EXCHANGE = 8    # RENAME
F_KEEP_SIZE = 16  # FALLOCATE

# magic, type, flags, size, pid, mode, dev, ino, dir_dev, dir_ino, to_dev, to_ino, offset, length,
# name_len, to_name_len, path_len, reserved, reserved2, reserved3
HEADER = struct.Struct("<IHHQII QQ QQ QQ QQ HHHHII")
assert HEADER.size == 104

Record = collections.namedtuple("Record", "index type flags pid mode obj dir to offset length name to_name path data")


def read_log(path):
    """The records of the log at `path`, in order (a list of Record)."""
    with open(path, "rb") as f:
        raw = f.read()
    records = []
    at = 0
    while at < len(raw):
        if len(raw) - at < HEADER.size:
            raise ValueError("%s: truncated record header at byte %d" % (path, at))
        (magic, rtype, flags, size, pid, mode, dev, ino, dir_dev, dir_ino, to_dev, to_ino, offset, length,
         name_len, to_name_len, path_len, _r1, _r2, _r3) = HEADER.unpack_from(raw, at)
        if magic != MAGIC or size < HEADER.size or at + size > len(raw):
            raise ValueError("%s: bad record at byte %d (magic %#x, size %d)" % (path, at, magic, size))
        p = at + HEADER.size
        name = raw[p:p + name_len].decode("utf-8", "surrogateescape")
        p += name_len
        to_name = raw[p:p + to_name_len].decode("utf-8", "surrogateescape")
        p += to_name_len
        where = raw[p:p + path_len].decode("utf-8", "surrogateescape")
        p += path_len
        data = raw[p:p + length]
        if p + length != at + size:
            raise ValueError("%s: record at byte %d: lengths do not add up" % (path, at))
        records.append(Record(len(records), rtype, flags, pid, mode, (dev, ino), (dir_dev, dir_ino), (to_dev, to_ino),
                              offset, length, name, to_name, where, data))
        at += size
    return records


def describe(record):
    """One line saying what a record is, for messages."""
    what = TYPE_NAMES.get(record.type, str(record.type))
    if record.type == MARK:
        return "#%d MARK %s" % (record.index, record.data.decode(errors="replace"))
    extra = ""
    if record.type == WRITE:
        extra = " %d bytes at %d%s" % (record.length, record.offset, " (dsync)" if record.flags & F_DSYNC else "")
    elif record.type == TRUNCATE:
        extra = " to %d" % record.offset
    elif record.type == SYNC:
        extra = " (fdatasync)" if record.flags & F_DATA_ONLY else " (fsync)"
    elif record.type == RENAME:
        extra = " %s -> %s" % (record.name, record.to_name)
    elif record.name:
        extra = " " + record.name
    return "#%d %s %s%s [pid %d]" % (record.index, what, record.path, extra, record.pid)


class LogWriter:
    """Appends records to a log, each with one write() to a descriptor opened
    with O_APPEND, so they never interleave with the shim's."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def close(self):
        os.close(self.fd)

    def append(self, rtype, obj=(0, 0), directory=(0, 0), to=(0, 0), mode=0, name="", to_name="", path="", offset=0,
               data=b"", flags=0):
        name_b = name.encode("utf-8", "surrogateescape")
        to_name_b = to_name.encode("utf-8", "surrogateescape")
        path_b = path.encode("utf-8", "surrogateescape")
        size = HEADER.size + len(name_b) + len(to_name_b) + len(path_b) + len(data)
        header = HEADER.pack(MAGIC, rtype, flags, size, os.getpid(), mode, obj[0], obj[1], directory[0], directory[1],
                             to[0], to[1], offset, len(data), len(name_b), len(to_name_b), len(path_b), 0, 0, 0)
        record = header + name_b + to_name_b + path_b + data
        if os.write(self.fd, record) != len(record):
            raise OSError("short write to the power-cut log")

    def mark(self, text):
        """A mark from the client (a JSON text, see test_power_cut.py)."""
        self.append(MARK, data=text.encode())

    def snapshot(self, roots):
        """The initial state of the recorded directories, as records that
        create it: a ROOT per directory, then every directory and file below
        it with its content, then a SYNC_ALL (the initial state is durable)."""
        seen = set()
        for root in roots:
            st = os.lstat(root)
            self.append(ROOT, obj=(st.st_dev, st.st_ino), mode=st.st_mode, path=root)
            self._tree(root, st, seen)
        self.append(SYNC_ALL, name="initial state")

    def _tree(self, directory, dir_stat, seen):
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            st = os.lstat(path)
            obj = (st.st_dev, st.st_ino)
            where = (dir_stat.st_dev, dir_stat.st_ino)
            if not (os.path.isdir(path) or os.path.isfile(path)) or os.path.islink(path):
                raise ValueError("%s: only directories and regular files can be recorded" % path)
            if obj in seen:  # another name of a file already recorded
                self.append(LINK, obj=obj, to=where, mode=st.st_mode, to_name=name, path=path)
                continue
            seen.add(obj)
            self.append(CREATE, obj=obj, directory=where, mode=st.st_mode, name=name, path=path)
            if os.path.isdir(path):
                self._tree(path, st, seen)
            else:
                with open(path, "rb") as f:
                    data = f.read()
                if data:
                    self.append(WRITE, obj=obj, mode=st.st_mode, path=path, offset=0, data=data)
