#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks on the DOM that headless chromium dumped from the dashboard, against the store (tests/e2e/test_dashboard.sh).

The DOM is parsed, not grepped, so that text is compared as the browser shows it (entities decoded) and an
element that an attacker's string might have smuggled in is seen as an element.

  dashboard_check.py inventory DB DOM...        every device of the store is a row; every IP is shown
  dashboard_check.py device DB ID DOM           header, evidence (each key/value), recommendations, alerts
  dashboard_check.py xss DOM PAYLOAD...         each payload shows as text; no element or attribute it carries
  dashboard_check.py page DOM TEXT...           the view rendered (data-state=ready) and shows every TEXT
  dashboard_check.py rows DOM N                 the view's table body has N rows
  dashboard_check.py token DOM                  the token dialog is open and the view says why
  dashboard_check.py browse URL JS -- CHROMIUM...  opens URL in CHROMIUM (driven over --remote-debugging-pipe),
                                                waits for the view to render, runs JS (an expression; a promise
                                                is awaited) and prints its value: clicks and forms, for real
Exit 0 when the check holds; otherwise 1 with what is missing on stderr.
"""
import fcntl
import html.parser
import json
import os
import select
import sqlite3
import subprocess
import sys
import time


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return ''.join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.walk()

    def has_class(self, c):
        return c in (self.attrs.get('class') or '').split()


VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}


class Tree(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node('#root', [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(path):
    t = Tree()
    with open(path, encoding='utf-8', errors='replace') as f:
        t.feed(f.read())
    t.close()
    return t.root


def view(root):
    for n in root.walk():
        if n.attrs.get('id') == 'view':
            return n
    return None


problems = []


def need(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


def ready(root, path):
    v = view(root)
    if not need(v is not None, f'{path}: no #view element'):
        return None
    state = v.attrs.get('data-state')
    if state != 'ready':
        err = ' '.join(n.text() for n in v.walk() if n.has_class('notice'))
        need(False, f'{path}: the view is "{state}", not ready: {err.strip()[:300]}')
        return None
    return v


def db_rows(db, sql, *args):
    con = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def check_inventory(db, doms):
    ids, texts = set(), []
    for p in doms:
        root = parse(p)
        v = ready(root, p)
        if v is None:
            continue
        for n in v.walk():
            if n.tag == 'tr' and 'data-id' in n.attrs:
                need(n.attrs['data-id'] not in ids, f'device {n.attrs["data-id"]} is listed twice')
                ids.add(n.attrs['data-id'])
                texts.append(n.text())
    want = {r[0] for r in db_rows(db, 'SELECT id FROM devices')}
    need(want, 'the store has no device')
    for i in sorted(want - ids):
        need(False, f'device {i} of the store is not in the inventory')
    for i in sorted(ids - want):
        need(False, f'the inventory lists {i}, which the store does not have')
    alltext = '\n'.join(texts)
    for dev, ip in db_rows(db, "SELECT device_id, address FROM device_addresses WHERE kind = 'ip'"):
        need(ip in alltext, f'IP {ip} of {dev} is not shown')
    print(f'inventory: {len(ids)} devices listed, {len(want)} in the store')


def section(v, title):
    for n in v.walk():
        if n.tag == 'section':
            h = next((c for c in n.children if isinstance(c, Node) and c.tag == 'h2'), None)
            if h is not None and h.text().startswith(title):
                return n
    return None


def check_device(db, dev_id, dom):
    root = parse(dom)
    v = ready(root, dom)
    if v is None:
        return
    text = v.text()
    (rec,) = db_rows(db, 'SELECT record FROM devices WHERE id = ?', dev_id)[0]
    d = json.loads(rec).get('device', {})
    need(dev_id in text, f'the device page does not show the id {dev_id}')
    for f in ('vendor', 'model', 'os', 'firmware', 'mac'):
        if d.get(f):
            need(d[f] in text, f'the device page does not show its {f} "{d[f]}"')
    for ip in d.get('ips') or []:
        need(ip in text, f'the device page does not show its IP {ip}')
    ev = section(v, 'Evidence')
    if need(ev is not None, 'the device page has no Evidence section'):
        rows = set()
        for tr in ev.walk():
            if tr.tag == 'tr' and tr.parent is not None and tr.parent.tag == 'tbody':
                cells = [c.text() for c in tr.children if isinstance(c, Node) and c.tag == 'td']
                rows.add((cells[0], cells[1]))
        want = {(e['key'], str(e['value'])) for e in d.get('evidence') or []}
        need(want, f'{dev_id} has no evidence in the store: pick another device')
        for k, val in sorted(want - rows):
            need(False, f'evidence {k}={val} is not in the Evidence table')
        print(f'device {dev_id}: {len(rows)} evidence rows shown, {len(want)} in its record')
    recs = section(v, 'Recommendations')
    if need(recs is not None, 'the device page has no Recommendations section'):
        rt = recs.text()
        for r in d.get('recommendations') or []:
            need(r['id'] in rt and r['title'] in rt, f'recommendation {r["id"]} is not shown')
            for p in r.get('proof') or []:
                need(str(p.get('value')) in rt, f'the proof {p.get("key")}={p.get("value")} of {r["id"]} is not shown')
    al = section(v, 'Alerts')
    if need(al is not None, 'the device page has no Alerts section'):
        at = al.text()
        for (title,) in db_rows(db, 'SELECT title FROM device_alerts WHERE device_id = ? LIMIT 100', dev_id):
            need(title in at, f'alert "{title}" of {dev_id} is not shown')
    buttons = [n.text() for n in v.walk() if n.tag == 'button']
    need('Contain' in buttons or 'Release' in buttons, 'the device page has no Contain/Release button')
    need(any(n.tag == 'form' and n.has_class('edit') for n in v.walk()), 'the device page has no edit form')


def check_xss(dom, payloads):
    root = parse(dom)
    v = ready(root, dom)
    if v is None:
        return
    text = v.text()
    for p in payloads:
        need(p in text, f'{p!r} is not shown as text')
    # The page's own images: the brand icon only. Anything else came from data.
    for n in root.walk():
        if n.tag in ('img', 'svg', 'script', 'iframe', 'object', 'b') and n.attrs.get('src') != '/favicon.svg':
            if n.tag == 'script' and n.attrs.get('src') == '/app.js':
                continue
            need(False, f'an element <{n.tag} {n.attrs}> that data carried is in the page')
        for k in n.attrs:
            need(not k.startswith('on'), f'an event handler attribute {k} on <{n.tag}>')
        need('pwned' not in (n.attrs.get('class') or '') and 'data-pwned' not in n.attrs,
             f'a payload ran: <{n.tag} {n.attrs}>')
    title = next((n.text() for n in root.walk() if n.tag == 'title'), '')
    need('pwned' not in title, f'a payload ran: the title is {title!r}')


def check_page(dom, texts):
    root = parse(dom)
    v = ready(root, dom)
    if v is None:
        return
    t = v.text()
    for x in texts:
        need(x in t, f'{dom}: {x!r} is not shown')


def check_rows(dom, n):
    root = parse(dom)
    v = ready(root, dom)
    if v is None:
        return
    rows = [tr for tr in v.walk() if tr.tag == 'tr' and tr.parent is not None and tr.parent.tag == 'tbody']
    need(len(rows) == n, f'{dom}: {len(rows)} rows, expected {n}')


def check_token(dom):
    root = parse(dom)
    dlg = next((n for n in root.walk() if n.attrs.get('id') == 'token-dialog'), None)
    if need(dlg is not None, 'no token dialog in the page'):
        need('open' in dlg.attrs, 'the token dialog is not open after a 401')
        need('token' in dlg.text().lower(), 'the token dialog does not say why it is open')
    v = view(root)
    need(v is not None and v.attrs.get('data-state') == 'error', 'the view does not show the 401 as an error')


class Browser:
    """Chromium over the DevTools protocol on a pipe (fd 3: commands in, fd 4: answers out, NUL-separated)."""

    def __init__(self, cmd):
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()

        def fds():
            # Out of the way first: either end may already be fd 3 or 4 (and dup2 onto itself keeps CLOEXEC).
            r, w = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        # close_fds would close 3 and 4 after fds() ran; the other descriptors are close-on-exec anyway.
        self.proc = subprocess.Popen(cmd + ['--remote-debugging-pipe'], preexec_fn=fds, close_fds=False,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self.buf, self.seq, self.session = b'', 0, None

    def call(self, method, params=None, timeout=20, session=True):
        self.seq += 1
        msg = {'id': self.seq, 'method': method, 'params': params or {}}
        if session and self.session:
            msg['sessionId'] = self.session
        os.write(self.to_w, json.dumps(msg).encode() + b'\0')
        end = time.monotonic() + timeout
        while True:
            while b'\0' in self.buf:
                raw, self.buf = self.buf.split(b'\0', 1)
                m = json.loads(raw)
                if m.get('id') == self.seq:
                    if 'error' in m:
                        raise RuntimeError(f'{method}: {m["error"]}')
                    return m.get('result', {})
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.from_r], [], [], left)[0]:
                raise TimeoutError(f'{method}: no answer in {timeout} s')
            chunk = os.read(self.from_r, 1 << 20)
            if not chunk:
                raise RuntimeError('chromium went away')
            self.buf += chunk

    def open(self, url):
        t = self.call('Target.createTarget', {'url': 'about:blank'}, session=False)
        a = self.call('Target.attachToTarget', {'targetId': t['targetId'], 'flatten': True}, session=False)
        self.session = a['sessionId']
        self.call('Page.enable')
        self.call('Page.navigate', {'url': url})

    def eval(self, js, timeout=20):
        r = self.call('Runtime.evaluate', {'expression': js, 'awaitPromise': True, 'returnByValue': True},
                      timeout=timeout)
        if 'exceptionDetails' in r:
            raise RuntimeError(f'the script failed: {r["exceptionDetails"].get("exception", r["exceptionDetails"])}')
        return r.get('result', {}).get('value')

    def wait_view(self, timeout=20):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            st = self.eval("(document.getElementById('view') || {dataset: {}}).dataset.state || ''")
            if st in ('ready', 'error'):
                return st
            time.sleep(0.1)
        raise TimeoutError(f'the view did not render in {timeout} s')

    def close(self):
        try:
            self.call('Browser.close', session=False, timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def browse(url, js, cmd):
    b = Browser(cmd)
    try:
        b.open(url)
        b.wait_view()
        v = b.eval(js, timeout=30)
        print(v if isinstance(v, str) else json.dumps(v))
    finally:
        b.close()


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == 'inventory':
        check_inventory(args[0], args[1:])
    elif cmd == 'device':
        check_device(args[0], args[1], args[2])
    elif cmd == 'xss':
        check_xss(args[0], args[1:])
    elif cmd == 'page':
        check_page(args[0], args[1:])
    elif cmd == 'rows':
        check_rows(args[0], int(args[1]))
    elif cmd == 'token':
        check_token(args[0])
    elif cmd == 'browse':
        if len(args) < 4 or args[2] != '--':
            print(__doc__, file=sys.stderr)
            return 2
        try:
            browse(args[0], args[1], args[3:])
        except (RuntimeError, TimeoutError, OSError) as e:
            print(f'browse {args[0]}: {e}', file=sys.stderr)
            return 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems[:40]:
        print('  ' + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
