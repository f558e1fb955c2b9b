#!/usr/bin/env python3
"""Lists the platform-dependent code of the workspace, for a reviewer on
another system (docs/portability.md).

For every Rust file under crates/ it finds
  * the `cfg(...)` conditions that name a platform (target_os, unix,
    windows, target_vendor, zmq_epoll, the portable-reactor feature), and
  * every `libc::` and `nix::` path used,
then works out, for each platform below, whether each site is compiled
there (evaluating the enclosing `#[cfg]`s, found by indentation: a
heuristic) and whether libc and nix define the name there (from the libc
and nix sources in ~/.cargo/registry: which platform directory defines
it, and nix's own `#[cfg]`s). A site compiled on a platform whose libc or
nix lacks the name is a build error waiting there: those are printed
first, per platform. This is a static reading, not a build: a clean
report says "nothing obvious", not "builds on macOS".

    python3 tests/portability/list.py            # problems + summary
    python3 tests/portability/list.py --all      # every site, per file
    python3 tests/portability/list.py --platform macos
    python3 tests/portability/list.py --check --unix   # CI: Unix platforms
Exit status 1 when a platform has problems (with --check).
"""
import argparse
import glob
import os
import re
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

OS_FACTS = {
    "linux": {"unix", "os:linux", "vendor:unknown", "env:gnu"},
    "android": {"unix", "os:android", "vendor:unknown"},
    "macos": {"unix", "os:macos", "vendor:apple"},
    "freebsd": {"unix", "os:freebsd", "vendor:unknown"},
    "openbsd": {"unix", "os:openbsd", "vendor:unknown"},
    "netbsd": {"unix", "os:netbsd", "vendor:unknown"},
    "illumos": {"unix", "os:illumos", "vendor:unknown"},
    "windows": {"windows", "os:windows", "vendor:pc"},
}
# The configurations reported: (name, os, features).
PLATFORMS = [
    ("linux", "linux", set()),
    ("linux+portable-reactor", "linux", {"portable-reactor"}),
    ("macos", "macos", set()),
    ("freebsd", "freebsd", set()),
    ("openbsd", "openbsd", set()),
    ("netbsd", "netbsd", set()),
    ("illumos", "illumos", set()),
    ("windows", "windows", set()),
]
# nix's features as the workspace enables them (Cargo.toml).
NIX_FEATURES = {"socket", "uio", "fs", "event", "poll", "net", "user", "signal"}
# nix's cfg aliases (its build.rs) and ours (crates/zmq/build.rs).
ALIASES = {
    "linux_android": "any(target_os = \"linux\", target_os = \"android\")",
    "apple_targets": "target_vendor = \"apple\"",
    "freebsdlike": "any(target_os = \"freebsd\", target_os = \"dragonfly\")",
    "netbsdlike": "any(target_os = \"netbsd\", target_os = \"openbsd\")",
    "bsd": "any(target_os = \"freebsd\", target_os = \"dragonfly\", target_os = \"netbsd\", target_os = \"openbsd\", target_vendor = \"apple\")",
    "bsd_without_apple": "any(target_os = \"freebsd\", target_os = \"dragonfly\", target_os = \"netbsd\", target_os = \"openbsd\")",
    "solarish": "any(target_os = \"illumos\", target_os = \"solaris\")",
    "linux": "target_os = \"linux\"", "android": "target_os = \"android\"",
    "freebsd": "target_os = \"freebsd\"", "netbsd": "target_os = \"netbsd\"",
    "openbsd": "target_os = \"openbsd\"", "dragonfly": "target_os = \"dragonfly\"",
    "zmq_epoll": "all(any(target_os = \"linux\", target_os = \"android\"), not(feature = \"portable-reactor\"))",
}
PLATFORM_WORDS = re.compile(r"target_os|target_env|target_vendor|target_family|\bunix\b|\bwindows\b|zmq_epoll|portable-reactor|linux_android|apple_targets|freebsdlike|bsd")


class Cfg:
    """A tiny evaluator of cfg predicates."""

    def __init__(self, os_name, features):
        self.facts = OS_FACTS[os_name]
        self.features = features

    def eval(self, text):
        tokens = re.findall(r'"[^"]*"|[A-Za-z_][A-Za-z0-9_]*|[(),=]', text)
        value, _ = self._expr(tokens, 0)
        return value

    def _expr(self, t, i):
        word = t[i]
        if word in ("any", "all", "not") and i + 1 < len(t) and t[i + 1] == "(":
            i += 2
            values = []
            while t[i] != ")":
                v, i = self._expr(t, i)
                values.append(v)
                if t[i] == ",":
                    i += 1
            i += 1
            if word == "any":
                return any(values), i
            if word == "all":
                return all(values), i
            return not values[0], i
        if i + 2 < len(t) and t[i + 1] == "=":
            return self._pair(word, t[i + 2].strip('"')), i + 3
        return self._flag(word), i + 1

    def _pair(self, key, value):
        if key == "target_os":
            return "os:" + value in self.facts
        if key == "target_env":
            return "env:" + value in self.facts
        if key == "target_vendor":
            return "vendor:" + value in self.facts
        if key == "target_family":
            return value in self.facts
        if key == "feature":
            return value in self.features
        return False

    def _flag(self, word):
        if word in ALIASES:
            return self.eval(ALIASES[word])
        if word in ("unix", "windows"):
            return word in self.facts
        return word == "test"  # loom, docsrs, miri...: off


def cfgs_of(attribute_text):
    """The predicates of `#[cfg(...)]` / `#![cfg(...)]` attributes in a line."""
    out = []
    for m in re.finditer(r"#!?\[cfg\(", attribute_text):
        depth, j = 1, m.end()
        while j < len(attribute_text) and depth:
            depth += {"(": 1, ")": -1}.get(attribute_text[j], 0)
            j += 1
        out.append(attribute_text[m.end():j - 1])
    return out


def indent(line):
    return len(line) - len(line.lstrip())


def attributes_above(lines, index):
    """cfg predicates of the attribute lines right above `lines[index]`
    (attributes may span lines: `#[cfg(any(` ... `))]`)."""
    j = index - 1
    while j >= 0:
        s = lines[j].strip()
        if s.startswith(("#[", "///", "//")):
            j -= 1
            continue
        if s.endswith("]") and not s.endswith("];"):
            k = j
            while k >= 0 and not lines[k].strip().startswith("#["):
                if lines[k].strip().startswith("#!") or any(c in lines[k] for c in "{};"):
                    k = -1
                    break
                k -= 1
            if k >= 0 and j - k < 20:
                j = k - 1
                continue
        break
    block = "".join(lines[j + 1:index])
    return cfgs_of(re.sub(r"\s+", " ", block))


def enclosing_cfgs(lines, index):
    """cfg predicates on the items enclosing `lines[index]` (by indentation)."""
    out = attributes_above(lines, index)
    level = indent(lines[index])
    for j in range(index - 1, -1, -1):
        s = lines[j]
        if not s.strip() or s.strip().startswith(("//", "#[", ")")):
            continue
        if indent(s) < level:
            level = indent(s)
            out.extend(attributes_above(lines, j))
            if level == 0:
                break
    return out


def module_cfgs(path, cache={}):
    """cfgs on the `mod` declarations leading to this file, and `#![cfg]`."""
    if path in cache:
        return cache[path]
    out = []
    text = open(path, encoding="utf-8").read()
    for line in text.splitlines():
        if line.startswith("#![cfg("):
            out.extend(cfgs_of(line))
    directory, name = os.path.split(path)
    stem = name[:-3]
    if stem in ("lib", "main") or "/tests/" in path or "/examples/" in path or "/benches/" in path:
        cache[path] = out
        return out
    if stem == "mod":
        directory, stem = os.path.split(directory)
    candidates = [directory + ".rs", os.path.join(directory, "mod.rs"), os.path.join(directory, "lib.rs"), os.path.join(directory, "main.rs")]
    for parent in candidates:
        if os.path.exists(parent) and parent != path:
            plines = open(parent, encoding="utf-8").readlines()
            for k, pl in enumerate(plines):
                if re.match(r"\s*(pub(\([a-z]+\))? )?mod %s\s*[;{]" % re.escape(stem), pl) or re.match(r"\s*internal_mod!\(\s*%s\s*\)" % re.escape(stem), pl):
                    out.extend(attributes_above(plines, k))
                    out.extend(module_cfgs(parent))
                    break
            else:
                continue
            break
    cache[path] = out
    return out


def registry_dir(prefix, root=ROOT):
    """The source of crate `prefix` at the version Cargo.lock pins."""
    home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    version = None
    lock = os.path.join(root, "Cargo.lock")
    if os.path.exists(lock):
        m = re.search(r'name = "%s"\nversion = "([^"]+)"' % re.escape(prefix), open(lock).read())
        version = m.group(1) if m else None
    pattern = "%s-%s" % (prefix, version) if version else "%s-*" % prefix
    found = sorted(glob.glob(os.path.join(home, "registry", "src", "*", pattern)))
    found = [f for f in found if re.search(r"/%s-\d" % prefix, f)]
    return found[-1] if found else None


def libc_platforms(libc_dir):
    """name -> set of OS names whose libc defines it (by directory)."""
    names = defaultdict(set)
    unix = {"linux", "android", "macos", "freebsd", "openbsd", "netbsd", "illumos"}
    bsds = {"macos", "freebsd", "openbsd", "netbsd"}
    rules = [
        ("unix/linux_like/linux", {"linux"}), ("unix/linux_like/android", {"android"}),
        ("unix/linux_like/mod.rs", {"linux", "android"}),
        ("unix/bsd/apple", {"macos"}), ("unix/bsd/freebsdlike", {"freebsd"}),
        ("unix/bsd/netbsdlike/openbsd", {"openbsd"}), ("unix/bsd/netbsdlike/netbsd", {"netbsd"}),
        ("unix/bsd/netbsdlike", {"openbsd", "netbsd"}), ("unix/bsd/mod.rs", bsds),
        ("unix/solarish", {"illumos"}), ("unix/mod.rs", unix),
        ("new/linux_uapi", {"linux", "android"}), ("new/glibc", {"linux"}), ("new/musl", {"linux"}),
        ("new/bionic_libc", {"android"}), ("new/apple", {"macos"}), ("new/freebsd", {"freebsd"}),
        ("new/openbsd", {"openbsd"}), ("new/netbsd", {"netbsd"}), ("new/illumos", {"illumos"}),
        ("new/common/linux_like", {"linux", "android"}), ("new/common/bsd.rs", bsds),
        ("new/common/freebsd_like.rs", {"freebsd"}), ("new/common/netbsd_like.rs", {"openbsd", "netbsd"}),
        ("new/common/solarish.rs", {"illumos"}), ("new/common/posix", unix),
        ("windows", {"windows"}),
        ("primitives.rs", unix | {"windows"}), ("types.rs", unix | {"windows"}),
    ]
    pattern = re.compile(r"pub (?:const|fn|struct|type|union|static|safe fn|unsafe fn) ([A-Za-z_][A-Za-z0-9_]*)")
    for path in glob.glob(os.path.join(libc_dir, "src", "**", "*.rs"), recursive=True):
        rel = os.path.relpath(path, os.path.join(libc_dir, "src"))
        platforms = next((p for prefix, p in rules if rel.startswith(prefix)), set())
        if not platforms:
            continue
        for m in pattern.finditer(open(path, encoding="utf-8", errors="replace").read()):
            names[m.group(1)] |= platforms
    return names


def nix_available(nix_dir, segments, cfg):
    """Whether nix defines `nix::segments...` under `cfg`: each module on
    the way and the item (any of its definitions: nix defines some per OS)."""
    directory = os.path.join(nix_dir, "src")
    current = os.path.join(directory, "lib.rs")
    for k, seg in enumerate(segments):
        text = open(current, encoding="utf-8").readlines()
        name = re.escape(seg)
        modules = [i for i, l in enumerate(text) if re.match(r"\s*pub mod %s\b" % name, l)]
        items = [i for i, l in enumerate(text) if re.match(r"\s*pub (?:fn|struct|enum|type|const|static) %s\b" % name, l)]
        items += [i for i, l in enumerate(text) if re.match(r"\s*%s,\s*$" % name, l) and any("sockopt_impl!(" in x for x in text[max(i - 12, 0):i])]
        hits = modules or items
        if not hits:
            return True  # a method, variant or re-export: judged by its module

        def holds(idx):
            predicates = attributes_above(text, idx) + enclosing_cfgs(text, idx)
            if text[idx].strip().endswith(","):
                for back in range(idx, max(idx - 12, -1), -1):
                    if "sockopt_impl!(" in text[back]:
                        predicates += attributes_above(text, back)
                        break
            return all(cfg.eval(p) for p in predicates)

        if not any(holds(i) for i in hits):
            return False
        if not modules or k == len(segments) - 1:
            return True
        nested = os.path.join(directory, seg)
        current = os.path.join(nested, "mod.rs") if os.path.exists(os.path.join(nested, "mod.rs")) else nested + ".rs"
        directory = nested
        if not os.path.exists(current):
            return True
    return True


def sites(path):
    """(line number, kind, text) of the platform cfgs and libc/nix paths."""
    lines = open(path, encoding="utf-8").readlines()
    out = []
    for i, line in enumerate(lines):
        code = line.split("//")[0] if "//" in line and '"' not in line.split("//")[0] else line
        if line.strip().startswith("//"):
            continue
        if ("cfg(" in code or "cfg!(" in code) and PLATFORM_WORDS.search(code) or re.match(r"\s*#\[cfg\((any|all|not)\($", code):
            # The whole attribute, when it spans lines.
            text, j = code.strip(), i
            while text.count("(") > text.count(")") and j + 1 < len(lines) and j - i < 20:
                j += 1
                text += " " + lines[j].strip()
            if PLATFORM_WORDS.search(text):
                out.append((i, "cfg", text))
        used = re.match(r"\s*(?:pub(?:\([a-z]+\))? )?use (nix|libc)::([A-Za-z0-9_:]*)\{([^}]*)\}", code)
        if used:
            for name in re.split(r"[,\s]+", used.group(3)):
                name = name.split(" as ")[0].strip()
                if name and name != "self" and re.match(r"[A-Za-z_]", name):
                    out.append((i, used.group(1), used.group(2) + name.split("::")[0]))
            continue
        for m in re.finditer(r"\b(libc|nix)::([A-Za-z0-9_:]+)", code):
            out.append((i, m.group(1), m.group(2).rstrip(":")))
    return lines, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="list every site")
    parser.add_argument("--platform", help="only this platform")
    parser.add_argument("--check", action="store_true", help="exit 1 on problems")
    parser.add_argument("--unix", action="store_true", help="the Unix platforms only (Windows is not a target yet)")
    parser.add_argument("--root", default=ROOT, help="the workspace to read")
    args = parser.parse_args()
    libc_dir, nix_dir = registry_dir("libc"), registry_dir("nix")
    if not libc_dir or not nix_dir:
        sys.exit("libc/nix sources not in ~/.cargo/registry: run `cargo fetch` first")
    libc_names = libc_platforms(libc_dir)
    platforms = [p for p in PLATFORMS if (not args.platform or p[0] == args.platform) and not (args.unix and p[1] == "windows")]
    files = sorted(f for f in glob.glob(os.path.join(args.root, "crates", "**", "*.rs"), recursive=True) if "/target/" not in f and not f.endswith("build.rs"))
    problems = defaultdict(list)
    compiled = defaultdict(int)
    listing = []
    for path in files:
        rel = os.path.relpath(path, args.root)
        lines, found = sites(path)
        if not found:
            continue
        file_cfgs = module_cfgs(path)
        for i, kind, text in found:
            predicates = file_cfgs + enclosing_cfgs(lines, i)
            where = []
            for name, os_name, features in platforms:
                cfg = Cfg(os_name, features)
                if not all(cfg.eval(p) for p in predicates):
                    continue
                if kind == "cfg":
                    own = cfgs_of(text) or re.findall(r"cfg!\((.*)\)", text)
                    try:
                        holds = all(cfg.eval(p) for p in own)
                    except (IndexError, ValueError):
                        holds = True
                    if holds:
                        where.append(name)
                    continue
                compiled[name] += 1
                if kind == "libc":
                    item = text.split("::")[-1]
                    ok = item not in libc_names or os_name in libc_names[item]
                else:
                    ok = nix_available(nix_dir, text.split("::"), Cfg(os_name, features | NIX_FEATURES))
                where.append(name if ok else name + "(MISSING)")
                if not ok:
                    problems[name].append("%s:%d  %s::%s" % (rel, i + 1, kind, text))
            listing.append((rel, i + 1, kind, text, where, predicates))
    if args.all:
        current = None
        for rel, line, kind, text, where, predicates in listing:
            if rel != current:
                print("\n== %s" % rel)
                current = rel
            label = text if kind == "cfg" else "%s::%s" % (kind, text)
            verb = "true on" if kind == "cfg" else "compiled on"
            print("  %5d  %-60s  %s: %s" % (line, label[:60], verb, ", ".join(where) or "-"))
        print()
    cfg_count = sum(1 for entry in listing if entry[2] == "cfg")
    call_count = len(listing) - cfg_count
    print("Platform cfgs: %d; libc/nix paths: %d (in %d files)." % (cfg_count, call_count, len({e[0] for e in listing})))
    for name, _, _ in platforms:
        found = problems.get(name, [])
        print("%-24s %4d libc/nix sites compiled, %3d naming what the platform lacks" % (name, compiled[name], len(found)))
        for entry in found:
            print("    " + entry)
    if args.check and problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
