#!/usr/bin/python3
"""What a power cut leaves on disk: replays a log of file-system changes
(power_cut_log.py) and builds, for any prefix of it, a state the disks could
hold if the power had gone at that point.

The model (docs/durability.md, "Power cuts, simulated"): nothing is assumed
of the file system beyond what POSIX promises for fsync, plus the atomicity
of a single rename within one directory and of a 4 KiB page write.

- File data: an fsync or fdatasync of a file makes its data and size as they
  are durable (a write through an O_DSYNC descriptor makes that write durable).
  Anything written since may be lost; a page (4 KiB) written since may hold
  any content it had since the sync (it is never half of one write and half
  of another); the size may be any size the file had since.
- Directory entries: an fsync of a directory makes its entries as they are
  durable. An entry created, removed or renamed since may or may not have
  reached the disk, each change independently of the others, in the same
  directory or not: fsync of a file does not make its name durable, and a
  rename from one directory to another is two changes (the new name may
  survive without the removal of the old, and the reverse), each made
  durable by a sync of its own directory. A rename within one directory is
  one change (the file is under the old name or the new one).
- What is not modelled is refused: a sync that failed, renameat2 with
  RENAME_EXCHANGE, symlinks, O_TMPFILE, copy_file_range and sendfile to a
  recorded file. A file written through a shared writable mapping
  (LMDB's lock.mdb) has only its recorded writes and sizes: the state says
  which files these are (LMDB rebuilds its lock file when it opens).

A state is one of these variants of the changes not known durable:
  lost    every one of them is lost (only what was synced is there)
  kept    every one of them reached the disk (what kill -9 leaves)
  some    each file keeps all or none of its unsynced data, each entry change
          is kept or lost: chosen with a seeded random generator
  torn    each page of each file takes any content it had since its last
          sync, each file any size it had since, each entry change is kept or
          lost: chosen with a seeded random generator
  only:N  the entry changes of record N (a create, rename, unlink...) reached
          the disk, and nothing else unsynced did
  drop:N  everything unsynced reached the disk but the entry changes of
          record N (as ALICE explores one operation at a time)

Run as a program it builds one state from a log (the test prints the
command for any state that fails its checks):

    power_cut_state.py LOG --cut N --variant torn --seed S
"""
import argparse
import os
import random
import shutil
import stat
import sys
import time

import power_cut_log as plog

PAGE = 4096
VARIANTS = ("lost", "kept", "some", "torn")


class ModelError(Exception):
    """The log shows something the model cannot represent."""


class Node:
    """A file or directory (an inode: names come and go)."""

    def __init__(self, key, mode, path):
        self.key = key
        self.mode = mode
        self.path = path  # the last path it was seen under, for messages
        self.is_dir = stat.S_ISDIR(mode)
        if self.is_dir:
            self.entries = {}          # name -> Node, as they are
            self.durable_entries = {}  # name -> Node, as of the last sync
            self.changes = []          # since the last sync: (record index, ((name, Node or None), ...))
        else:
            self.data = bytearray()    # as it is
            self.durable = b""         # as of the last sync
            self.versions = {}         # page -> [page images since the last sync]
            self.sizes = []            # sizes since the last sync
            self.mapped = False        # written through a shared mapping: content not known

    def page(self, data, index):
        image = bytes(data[index * PAGE:(index + 1) * PAGE])
        return image + bytes(PAGE - len(image))

    # -- files --

    def _touched(self, start, end):
        for p in range(start // PAGE, (max(end, start + 1) + PAGE - 1) // PAGE):
            self.versions.setdefault(p, []).append(self.page(self.data, p))
        self.sizes.append(len(self.data))

    def write(self, offset, data, durable):
        end = offset + len(data)
        if len(self.data) < end:
            self.data.extend(bytes(end - len(self.data)))
        self.data[offset:end] = data
        if durable:
            # The pages it touched are on disk as they are now.
            merged = bytearray(self.durable)
            if len(merged) < len(self.data):
                merged.extend(bytes(len(self.data) - len(merged)))
            for p in range(offset // PAGE, (end + PAGE - 1) // PAGE):
                merged[p * PAGE:(p + 1) * PAGE] = self.data[p * PAGE:(p + 1) * PAGE]
                self.versions.pop(p, None)
            self.durable = bytes(merged[:max(len(self.durable), end)])
            self.sizes.append(len(self.data))
        else:
            self._touched(offset, end)

    def resize(self, size):
        old = len(self.data)
        if size < old:
            del self.data[size:]
        else:
            self.data.extend(bytes(size - old))
        self._touched(min(old, size), max(old, size))

    def sync(self):
        if self.is_dir:
            self.durable_entries = dict(self.entries)
            self.changes = []
        else:
            self.durable = bytes(self.data)
            self.versions = {}
            self.sizes = []

    def unsynced(self):
        if self.is_dir:
            return bool(self.changes)
        return bool(self.sizes) or bytes(self.data) != self.durable

    def content(self, variant, rng):
        if variant == "kept" or variant.startswith("drop:"):
            return bytes(self.data)
        if variant.startswith("only:"):
            return self.durable
        if variant == "lost" or not self.unsynced():
            return self.durable
        if variant == "some":
            return bytes(self.data) if rng.random() < 0.5 else self.durable
        size = rng.choice([len(self.durable)] + self.sizes)
        out = bytearray(self.durable[:size])
        out.extend(bytes(size - len(out)))
        for p, images in sorted(self.versions.items()):
            if p * PAGE >= size:
                continue
            image = rng.choice([self.page(self.durable, p)] + images)
            out[p * PAGE:(p + 1) * PAGE] = image[:size - p * PAGE]
        return bytes(out)

    # -- directories --

    def change(self, index, *pairs):
        for name, node in pairs:
            if node is None:
                self.entries.pop(name, None)
            else:
                self.entries[name] = node
        self.changes.append((index, pairs))

    def listing(self, variant, rng):
        if variant == "kept":
            return dict(self.entries)
        entries = dict(self.durable_entries)
        if variant == "lost":
            return entries
        for index, pairs in self.changes:
            if keeps(variant, index, rng):
                for name, node in pairs:
                    if node is None:
                        entries.pop(name, None)
                    else:
                        entries[name] = node
        return entries


def keeps(variant, index, rng):
    """Whether the directory change made by record `index` reaches the disk
    in `variant`."""
    if variant.startswith("only:"):
        return index == int(variant[5:])
    if variant.startswith("drop:"):
        return index != int(variant[5:])
    return rng.random() < 0.5


class Model:
    """The recorded directories as the log made them, change by change."""

    def __init__(self):
        self.nodes = {}   # (dev, ino) -> Node, the live one of that number
        self.every = []   # every Node ever made (a sync of all reaches them all)
        self.roots = []   # (path, Node)

    def node(self, key, record, want_dir=None):
        found = self.nodes.get(key)
        if found is None:
            raise ModelError("unknown file or directory %s in %s" % (key, plog.describe(record)))
        if want_dir is not None and found.is_dir != want_dir:
            raise ModelError("%s is %sa directory: %s" % (found.path, "not " if want_dir else "", plog.describe(record)))
        return found

    def new(self, record):
        made = Node(record.obj, record.mode, record.path)
        self.nodes[record.obj] = made
        self.every.append(made)
        return made

    def apply(self, r):
        t = r.type
        if t == plog.ROOT:
            self.roots.append((r.path, self.new(r)))
        elif t == plog.CREATE:
            parent = self.node(r.dir, r, want_dir=True)
            if r.name in parent.entries:
                raise ModelError("%s exists already: %s" % (r.name, plog.describe(r)))
            parent.change(r.index, (r.name, self.new(r)))
        elif t == plog.LINK:
            self.node(r.to, r, want_dir=True).change(r.index, (r.to_name, self.node(r.obj, r)))
        elif t == plog.UNLINK:
            parent = self.node(r.dir, r, want_dir=True)
            if parent.entries.get(r.name) is not self.nodes.get(r.obj):
                raise ModelError("the model does not have this entry: %s" % plog.describe(r))
            parent.change(r.index, (r.name, None))
        elif t == plog.RENAME:
            if r.flags & plog.F_EXCHANGE:
                raise ModelError("RENAME_EXCHANGE is not modelled: %s" % plog.describe(r))
            moved = self.node(r.obj, r)
            source = self.node(r.dir, r, want_dir=True)
            target = self.node(r.to, r, want_dir=True)
            if source.entries.get(r.name) is not moved:
                raise ModelError("the model does not have the renamed entry: %s" % plog.describe(r))
            moved.path = os.path.join(os.path.dirname(r.path), r.to_name) if source is target else moved.path
            if source is target:
                if r.name != r.to_name:
                    source.change(r.index, (r.name, None), (r.to_name, moved))
            else:
                source.change(r.index, (r.name, None))
                target.change(r.index, (r.to_name, moved))
        elif t == plog.WRITE:
            self.node(r.obj, r, want_dir=False).write(r.offset, r.data, r.flags & plog.F_DSYNC)
        elif t == plog.TRUNCATE:
            self.node(r.obj, r, want_dir=False).resize(r.offset)
        elif t == plog.FALLOCATE:
            target = self.node(r.obj, r, want_dir=False)
            end = r.offset + r.to[1]
            if not r.flags & plog.F_KEEP_SIZE and end > len(target.data):
                target.resize(end)
        elif t == plog.SYNC:
            self.node(r.obj, r).sync()
        elif t == plog.SYNC_ALL:
            for n in self.every:
                n.sync()
        elif t == plog.MMAP:
            self.node(r.obj, r, want_dir=False).mapped = True
        elif t == plog.CHMOD:
            self.node(r.obj, r).mode = r.mode
        elif t == plog.SYNC_FAILED:
            raise ModelError("a sync failed, which the model does not represent: %s" % plog.describe(r))
        elif t == plog.UNSUPPORTED:
            raise ModelError("an operation the model does not represent: %s %s" % (r.name, r.path))
        elif t in (plog.MARK, plog.SYNC_HINT):
            pass
        else:
            raise ModelError("unknown record type: %s" % plog.describe(r))

    def unsynced_entry_changes(self):
        """Indexes of the records whose directory changes are not all known
        durable (for the variants only:N and drop:N)."""
        return sorted({index for n in self.every if n.is_dir for index, _ in n.changes})

    def materialize(self, variant, seed):
        """Writes the state `variant` (seeded by `seed`) at the recorded
        directories' paths, replacing what is there. Returns the paths of
        files whose content was written through a shared mapping (only their
        recorded writes are there)."""
        rng = random.Random(seed)
        written = {}  # Node -> the path it was written to (a second name is a hard link)
        mapped = []
        for path, root in self.roots:
            # Emptied, not removed: a recorded directory may be a mount point.
            os.makedirs(path, exist_ok=True)
            for name in os.listdir(path):
                entry = os.path.join(path, name)
                if os.path.isdir(entry) and not os.path.islink(entry):
                    shutil.rmtree(entry)
                else:
                    os.unlink(entry)
            os.chmod(path, stat.S_IMODE(root.mode))
        for path, root in self.roots:
            self._write_tree(path, root, variant, rng, written, mapped, {id(root)})
        # Times are not modelled: every file is given one a minute old, as
        # the writes came before the cut and the cut before the restart
        # (shoald tells an orphan chunk from a write in flight by its time).
        then = time.time() - 60
        for target in written.values():
            os.utime(target, (then, then))
        return mapped

    def _write_tree(self, path, directory, variant, rng, written, mapped, on_path):
        for name, child in sorted(directory.listing(variant, rng).items()):
            target = os.path.join(path, name)
            if child.is_dir:
                if id(child) in on_path or child in written:
                    continue  # a directory can have one name only; the first wins
                written[child] = target
                os.mkdir(target)
                self._write_tree(target, child, variant, rng, written, mapped, on_path | {id(child)})
                os.chmod(target, stat.S_IMODE(child.mode))
            elif child in written:
                os.link(written[child], target)
            else:
                written[child] = target
                with open(target, "wb") as f:
                    f.write(child.content(variant, rng))
                os.chmod(target, stat.S_IMODE(child.mode))
                if child.mapped:
                    mapped.append(target)


def sync_points(records):
    """Indexes of the records that make something durable: a cut just before
    each loses the most (everything since the previous syncs)."""
    return [r.index for r in records
            if r.type in (plog.SYNC, plog.SYNC_ALL) or (r.type == plog.WRITE and r.flags & plog.F_DSYNC)]


def replay(records, cuts):
    """Yields (cut, model, marks) for each index in `cuts` (ascending; an
    index past the last record is the end of the log): the model holds the
    changes of records[:cut], `marks` the client's marks among them. The
    model is the same object each time, changed in between: use it before
    asking for the next."""
    model = Model()
    marks = []
    cuts = sorted(set(cuts))
    at = 0
    for cut in cuts:
        while at < min(cut, len(records)):
            r = records[at]
            model.apply(r)
            if r.type == plog.MARK:
                marks.append(r.data.decode())
            at += 1
        yield cut, model, list(marks)


def main():
    parser = argparse.ArgumentParser(description="Builds the state a power cut at record CUT of LOG could leave, at "
                                                 "the recorded directories' paths (replacing them).")
    parser.add_argument("log")
    parser.add_argument("--cut", type=int, required=True, help="the index of the first record lost")
    parser.add_argument("--variant", default="lost", help="%s, only:N or drop:N" % ", ".join(VARIANTS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", action="store_true", help="print the records up to the cut")
    args = parser.parse_args()
    records = plog.read_log(args.log)
    for _cut, model, marks in replay(records, [args.cut]):
        if args.show:
            for r in records[:args.cut]:
                print(plog.describe(r))
        mapped = model.materialize(args.variant, args.seed)
        print("state at record %d of %d (%s, seed %d) written to %s; last mark: %s; not modelled (shared "
              "mappings): %s" % (args.cut, len(records), args.variant, args.seed,
                                 ", ".join(p for p, _ in model.roots), marks[-1] if marks else "-", mapped))


if __name__ == "__main__":
    sys.exit(main())
