#!/usr/bin/env python3
"""Page weight: HTML + CSS + JS bytes of every page a visitor, a resident and the committee reach.

    python bench/page_sizes.py [--limit 200] [--budget 51200]

Starts the app in-process on a temporary SQLite database, loads the demo with the `demo`
command, then crawls every same-site GET link reachable from / and /c/<slug>/ as anonymous,
as resident1 and as committee (up to --limit pages each). Prints one row per page and the
largest; exits 1 when any page is over the budget (50 KB; photos are not counted) or answered 5xx.
"""

import argparse
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BUDGET = 50 * 1024
DEMO_PASSWORD = "weiyi-demo"
ROLES = (None, "resident1", "committee")
# Links that are not pages of their own: preference toggles, logout, data downloads and APIs.
SKIP_QUERY_KEYS = ("lang", "text")
DROP_QUERY_KEYS = ("next",)  # the same page whatever it returns to
SKIP_PREFIXES = ("/static/", "/api/", "/auth/logout", "/favicon")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.assets = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.assets.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])


def parse(html):
    parser = _Links()
    parser.feed(html)
    return parser.links, parser.assets


def same_site(base, href):
    """The path (with query) of a link on this site that is worth crawling, else None."""
    url, _fragment = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc not in ("localhost", ""):
        return None
    path = parts.path or "/"
    if path.startswith(SKIP_PREFIXES):
        return None
    pairs = [pair for pair in parts.query.split("&") if pair]
    if any(pair.split("=")[0] in SKIP_QUERY_KEYS for pair in pairs):
        return None
    query = "&".join(pair for pair in pairs if pair.split("=")[0] not in DROP_QUERY_KEYS)
    return path + (f"?{query}" if query else "")


class Weigher:
    """Fetches pages with a Flask test client and remembers asset sizes."""

    def __init__(self, client):
        self.client = client
        self.asset_sizes = {}

    def asset(self, href):
        if href not in self.asset_sizes:
            response = self.client.get(href)
            self.asset_sizes[href] = len(response.data) if response.status_code == 200 else 0
        return self.asset_sizes[href]

    def page(self, path):
        """(status, html bytes, css+js bytes, links) for one page; (status, 0, 0, []) if not HTML."""
        response = self.client.get(path)
        if response.status_code >= 300 or response.mimetype != "text/html":
            return response.status_code, 0, 0, []
        html = response.get_data(as_text=True)
        links, assets = parse(html)
        return response.status_code, len(response.data), sum(self.asset(a) for a in set(assets)), links


def page_weight(client, path):
    """HTML + CSS + JS bytes of one page (for tests): (status, total)."""
    status, html, assets, _links = Weigher(client).page(path)
    return status, html + assets


def crawl(client, starts, limit):
    weigher = Weigher(client)
    seen, queue, rows = set(), list(starts), []
    while queue and len(rows) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        status, html, assets, links = weigher.page(path)
        if html == 0 and status < 500:
            continue  # redirects, refusals, photos, downloads: not pages to weigh
        rows.append((path, status, html, assets))
        for href in links:
            target = same_site("http://localhost" + path, href)
            if target and target not in seen:
                queue.append(target)
    return rows


def make_app(tmp):
    from app import create_app

    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(tmp) / 'bench.db'}",
        UPLOAD_FOLDER=str(Path(tmp) / "up"),
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )
    from app.extensions import db

    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["demo"], env={"DEMO_PASSWORD": DEMO_PASSWORD})
    if result.exit_code != 0:
        raise SystemExit(f"demo failed: {result.output}\n{result.exception!r}")
    return app


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200, help="pages per role (default 200)")
    parser.add_argument("--budget", type=int, default=BUDGET, help="bytes per page (default 50 KB)")
    args = parser.parse_args(argv)

    from app.demo import DEMO_SLUG

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(tmp)
        results = []
        for role in ROLES:
            client = app.test_client()
            if role:
                response = client.post("/auth/login", data={"username": role, "password": DEMO_PASSWORD})
                if response.status_code != 302:
                    raise SystemExit(f"could not log in as {role}")
            for path, status, html, assets in crawl(client, ["/", f"/c/{DEMO_SLUG}/"], args.limit):
                results.append((role or "anonymous", path, status, html, assets))

    width = min(90, max(len(r[1]) for r in results))
    print(f"{'role':<10} {'status':>6} {'HTML':>8} {'CSS+JS':>8} {'total':>8}  page")
    for role, path, status, html, assets in results:
        flag = "  OVER" if html + assets > args.budget else ""
        print(f"{role:<10} {status:>6} {html:>8} {assets:>8} {html + assets:>8}  {path[:width]}{flag}")
    largest = max(results, key=lambda r: r[3] + r[4])
    over = [r for r in results if r[3] + r[4] > args.budget]
    errors = [r for r in results if r[2] >= 500]
    print(f"\n{len(results)} pages weighed; budget {args.budget} bytes (HTML + CSS + JS, photos excluded)")
    print(f"largest: {largest[3] + largest[4]} bytes  {largest[1]} (as {largest[0]})")
    for role in ("anonymous", *[r for r in ROLES if r]):
        mine = [r for r in results if r[0] == role]
        if mine:
            top = max(mine, key=lambda r: r[3] + r[4])
            print(f"  {role:<10} {len(mine):>4} pages, largest {top[3] + top[4]:>7} bytes  {top[1]}")
    if errors:
        print(f"{len(errors)} pages answered with a server error:", *(f"  {r[1]} ({r[2]})" for r in errors), sep="\n")
    if over:
        print(f"{len(over)} pages over the budget:", *(f"  {r[1]} as {r[0]}" for r in over), sep="\n")
    return 1 if over or errors else 0


if __name__ == "__main__":
    sys.exit(main())
