#!/usr/bin/env python3
"""tests/gen/newc.py OUT - write a newc cpio archive, crafted exactly, from a
spec on standard input: hostile and careless images for tests/gen/extract.sh.

One entry a line, words split like a shell's (shlex):

    f NAME [key=value...]     regular file
    d NAME ...                directory
    l NAME TARGET ...         symlink
    c NAME MAJ:MIN ...        character device
    b NAME MAJ:MIN ...        block device
    p NAME ...                FIFO
    s NAME ...                socket
    trailer                   TRAILER!!!
    nul N                     N NUL bytes (padding between segments)
    repeat N LINE             LINE N times; {i} in it is the count, from 0

keys: mode=OCTAL (permission bits; the type comes from the letter),
nlink=N, ino=N (default: a new one per entry), data=TEXT (Python escapes:
\\n, \\x1b...), size=N (the size claimed in the header; default len(data)),
mtime=N.  Names take Python escapes too.  No trailer is added unless asked.
"""
import shlex
import stat
import sys

TYPES = {"f": stat.S_IFREG, "d": stat.S_IFDIR, "l": stat.S_IFLNK,
         "c": stat.S_IFCHR, "b": stat.S_IFBLK, "p": stat.S_IFIFO,
         "s": stat.S_IFSOCK}
DEFAULT_MODE = {"f": 0o644, "d": 0o755, "l": 0o777, "c": 0o600, "b": 0o600,
                "p": 0o644, "s": 0o755}


def unesc(s):
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1")


def pad4(n):
    return b"\0" * ((4 - n % 4) % 4)


def entry(name, mode, ino, nlink=1, size=None, data=b"", mtime=0, rmaj=0, rmin=0):
    name = name + b"\0"
    if size is None:
        size = len(data)
    fields = [ino, mode, 0, 0, nlink, mtime, size, 0, 0, rmaj, rmin, len(name), 0]
    hdr = b"070701" + b"".join(b"%08x" % v for v in fields)
    out = hdr + name + pad4(len(hdr) + len(name)) + data
    if len(data) == size:
        out += pad4(len(data))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tests/gen/newc.py OUT < SPEC")
    out = bytearray()
    ino = 1000
    lines = [ln for ln in sys.stdin.read().splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    todo = []
    for ln in lines:
        w = shlex.split(ln)
        if w[0] == "repeat":
            rest = ln.split(None, 2)[2]
            todo += [rest.replace("{i}", str(i)) for i in range(int(w[1]))]
        else:
            todo.append(ln)
    for ln in todo:
        w = shlex.split(ln)
        kind = w[0]
        if kind == "trailer":
            out += entry(b"TRAILER!!!", 0, 0)
            continue
        if kind == "nul":
            out += b"\0" * int(w[1])
            continue
        if kind not in TYPES:
            sys.exit("newc.py: unknown entry kind %r in: %s" % (kind, ln))
        name = unesc(w[1])
        args = w[2:]
        data = b""
        rmaj = rmin = 0
        if kind == "l":
            data = unesc(args.pop(0))
        elif kind in "cb":
            rmaj, rmin = (int(x) for x in args.pop(0).split(":"))
        kv = dict(a.split("=", 1) for a in args)
        if "data" in kv:
            data = unesc(kv["data"])
        ino += 1
        out += entry(name, TYPES[kind] | int(kv.get("mode", "%o" % DEFAULT_MODE[kind]), 8),
                     int(kv.get("ino", ino)), int(kv.get("nlink", 1)),
                     int(kv["size"]) if "size" in kv else None, data,
                     int(kv.get("mtime", 0)), rmaj, rmin)
    with open(sys.argv[1], "wb") as f:
        f.write(out)


main()
