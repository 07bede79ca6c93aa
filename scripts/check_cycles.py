#!/usr/bin/env python3
"""Import cycles between the modules of a Rust crate, read from its source.

Usage: python3 scripts/check_cycles.py [--strict] CRATE_SRC...   (e.g. src crates/core/src)

A module is a file (`src/pages/home.rs` is `pages::home`; `mod.rs` and `lib.rs` name their
folder). Module A depends on module B when A's code names a path into B: `crate::b::…`,
`super::…`, `self::…` or a `use` of those, resolved to the deepest module file the path
reaches (`crate::pages::home::Foo` → `pages::home`; `crate::util::today` → `util`). A
`mod b;` declaration is not a dependency (a parent holds its children), nor are comments.
Unit tests (`#[cfg(test)] mod`) are left out. It prints each strongly connected group of
two or more modules (an import cycle) with each edge inside it and the line naming it;
exit status 1 with `--strict` when there is one.
Written for hoptac (issue 28): cargo-modules (`dependencies --acyclic`) answers the same
through rust-analyzer, a large build for CI's fresh machine; this reads text in a second,
so paths that macros build are not seen.
"""
import os
import re
import sys
from collections import defaultdict

PATH = re.compile(r"(?<![$\w])(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+|::\{)")
USE_GROUP = re.compile(r"\buse\s+(crate|super|self)::\{([^;]*)\};", re.S)


def modules(root):
    """{module path tuple: file} for every .rs file under `root`."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), root)
            parts = rel[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib", "main"):
                parts = parts[:-1]
            out[tuple(parts)] = os.path.join(dirpath, f)
    return out


def strip_comments(text):
    """The code without comments and without its unit tests (`#[cfg(test)] mod …`, last in
    a file by custom: a test may name any module)."""
    test = re.search(r"#\[cfg\(test\)\]\s*mod\s", text)
    if test:
        text = text[: test.start()]
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//")[0] if '"' not in line.split("//")[0] else line for line in text.split("\n"))


def resolve(start, segments, mods):
    """The deepest module of `mods` that `start` + `segments` reaches."""
    best = None
    path = list(start)
    if tuple(path) in mods:
        best = tuple(path)
    for s in segments:
        path.append(s)
        if tuple(path) in mods:
            best = tuple(path)
        else:
            break
    return best


def edges(mods):
    out = defaultdict(dict)
    for me, file in mods.items():
        text = strip_comments(open(file, encoding="utf-8").read())
        refs = []
        for m in USE_GROUP.finditer(text):
            for item in re.split(r"[,\s]+", m.group(2)):
                segs = [s for s in re.split(r"::", item.strip("{} ")) if s and s != "self"]
                if segs:
                    refs.append((m.group(1), segs, text[: m.start()].count("\n") + 1))
        for m in PATH.finditer(text):
            segs = [s for s in m.group(2).split("::") if s and s != "{"]
            refs.append((m.group(1), segs, text[: m.start()].count("\n") + 1))
        for kind, segs, line in refs:
            if kind == "crate":
                start = ()
            elif kind == "self":
                start = me
            else:
                start = me[:-1]
                while segs and segs[0] == "super":
                    start, segs = start[:-1], segs[1:]
            target = resolve(start, segs, mods)
            if target is None or target == me or target == ():
                continue
            # A child naming its parent's items counts; a parent is not its child's user
            # unless it names a path into it.
            out[me].setdefault(target, line)
    return out


def cycles(graph, nodes):
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return found


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    strict = "--strict" in sys.argv
    total = 0
    for root in args:
        mods = modules(root)
        graph = edges(mods)
        groups = cycles(graph, mods.keys())
        name = lambda m: "::".join(m) or "(crate root)"
        print(f"{root}: {len(mods)} modules, {len(groups)} import cycle(s)")
        for g in groups:
            total += 1
            members = set(g)
            print("  cycle: " + ", ".join(name(m) for m in g))
            for a in g:
                for b, line in sorted(graph[a].items()):
                    if b in members:
                        print(f"    {name(a)} -> {name(b)}  ({mods[a]}:{line})")
    if strict and total:
        sys.exit(1)


if __name__ == "__main__":
    main()
