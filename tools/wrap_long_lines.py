"""Split exported code lines over 120 characters in notebooks, keeping each cell's AST identical (a split is kept only
if `ast.dump` of the cell is unchanged): statements at ';', a trailing comment onto the line above (never a parameter's
docment), an argument list at its outer bracket, a long string literal into adjacent literals.

    python tools/wrap_long_lines.py nbs/*.ipynb nbs/*/*.ipynb    # then nbdev_export && nbdev_clean
"""
import ast, io, json, re, sys, tokenize
LIMIT = 120

def same_ast(a, b):
    try: return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))
    except SyntaxError: return False

def toks(line):
    "(col, type, string, depth_before) of the tokens of one physical line (None if it cannot be tokenized alone)."
    out, depth = [], 0
    try:
        for t in tokenize.generate_tokens(io.StringIO(line).readline):
            if t.type == tokenize.OP and t.string in ")]}": depth -= 1
            out.append((t.start[1], t.type, t.string, depth, t.end[1]))
            if t.type == tokenize.OP and t.string in "([{": depth += 1
    except (tokenize.TokenError, IndentationError, SyntaxError): pass
    return out

def candidates(line):
    ind = len(line) - len(line.lstrip())
    ts = toks(line)
    # 1. a trailing comment -> the line above
    for col, typ, s, d, end in ts:
        if typ == tokenize.COMMENT and col > ind and not line[:col].rstrip().endswith((",", "(")):   # docments stay
            code = line[:col].rstrip()
            yield [" " * ind + s, code] if len(code) <= LIMIT else [" " * ind + s, code]
    # 2. top-level `; ` -> two lines
    for col, typ, s, d, end in reversed(ts):
        if typ == tokenize.OP and s == ";" and d == 0 and col < LIMIT:
            yield [line[:col].rstrip(), " " * ind + line[col + 1:].lstrip()]
    # 3. after a comma at the outermost depth of a bracket that closes at the line's end (not in a return annotation,
    #    not between a comprehension's `for` and `in`): the continuation aligned after that bracket
    opens, closes, commas, last_kw, arrow = [], {}, [], {}, False
    stack = []
    for col, typ, s, d, end in ts:
        if typ == tokenize.OP and s == "->": arrow = True
        if typ == tokenize.OP and s in "([{": opens.append((col, d, arrow)); stack.append(col); last_kw[d + 1] = None
        if typ == tokenize.OP and s in ")]}" and stack: closes[stack.pop()] = col
        if typ == tokenize.NAME and s in ("for", "in"): last_kw[d] = s
        if typ == tokenize.OP and s == "," and d >= 1 and ind + 20 < end <= LIMIT - 1 and last_kw.get(d) != "for":
            commas.append((d, -end))
    for d, end in sorted(commas):
        end = -end
        op, _, arr = max((o for o in opens if o[1] == d - 1 and o[0] < end), key=lambda o: o[0])
        rest = line[end:].lstrip()
        if arr or op not in closes or len(line[closes[op] + 1:].strip()) > 3 or len(rest) < 8: continue
        yield [line[:end].rstrip(), " " * (op + 1) + rest]
        break

def wrap_cell(src):
    lines = src.split("\n"); changed = True; guard = 0
    while changed and guard < 200:
        changed = False; guard += 1
        for i, l in enumerate(lines):
            if len(l) <= LIMIT or l.lstrip().startswith("#|"): continue
            for new in candidates(l):
                trial = lines[:i] + new + lines[i + 1:]
                if same_ast("\n".join(lines), "\n".join(trial)) and max(len(x) for x in new) < len(l):
                    lines = trial; changed = True; break
            if changed: break
    return "\n".join(lines)

_cands = candidates

def _split_point(body, limit_in_body, is_f):
    "Index in body after a space, at most limit_in_body, outside f-string braces."
    depth, best, i = 0, None, 0
    while i < len(body):
        ch = body[i]
        if is_f and ch in "{}":
            if i + 1 < len(body) and body[i + 1] == ch: i += 2; continue
            depth += 1 if ch == "{" else -1
        if ch == " " and depth == 0 and i + 1 <= limit_in_body and i > 10 and body[i - 1] != "\\": best = i + 1
        i += 1
    return best

def candidates(line):
    yield from _cands(line)
    ind = len(line) - len(line.lstrip())
    for col, typ, s, d, end in toks(line):
        if typ != tokenize.STRING or end <= LIMIT or col >= LIMIT - 20: continue
        m = re.match(r"([rRfFbBuU]*)('|\")", s)
        if not m or s[len(m.group(0)):].startswith(m.group(2) * 2): continue   # triple-quoted
        pre, q = m.group(1), m.group(2)
        body = s[len(pre) + 1:-1]
        wrapped = d == 0
        head = len(pre) + 1 + (1 if wrapped else 0)
        k = _split_point(body, LIMIT - col - head - 1, "f" in pre.lower())
        if not k or k >= len(body) - 3: continue
        a, b = pre + q + body[:k] + q, pre + q + body[k:] + q
        cont = " " * (col + (1 if wrapped else 0))
        if wrapped: yield [line[:col] + "(" + a, cont + b + ")" + line[end:]]
        else: yield [line[:col] + a, cont + b + line[end:]]
        return

for p in sys.argv[1:]:
    nb = json.load(open(p)); n0 = n1 = 0
    for c in nb["cells"]:
        if c["cell_type"] != "code": continue
        s = "".join(c["source"])
        if not s.lstrip().startswith("#| export"): continue
        n0 += sum(len(l) > LIMIT for l in s.split("\n"))
        t = wrap_cell(s)
        n1 += sum(len(l) > LIMIT for l in t.split("\n"))
        if t != s: c["source"] = t.splitlines(keepends=True)
    json.dump(nb, open(p, "w"), indent=1, ensure_ascii=False); open(p, "a").write("\n")
    print(f"{p}: long exported lines {n0} -> {n1}")
