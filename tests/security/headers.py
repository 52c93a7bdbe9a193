"""What every response must carry (ASVS V14.4): shared by the header tests and the route walk."""

import re

SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def csp_directives(value):
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    return directives


def security_header_problems(response, production=False):
    problems = []
    headers = response.headers
    csp = headers.get("Content-Security-Policy")
    if not csp:
        problems.append("no Content-Security-Policy")
    else:
        directives = csp_directives(csp)
        scripts = directives.get("script-src", directives.get("default-src"))
        if scripts is None:
            problems.append("CSP restricts no scripts")
        elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts):
            problems.append(f"CSP allows unsafe scripts: {scripts}")
        if directives.get("frame-ancestors") not in (["'none'"], ["'self'"]):
            problems.append(f"CSP frame-ancestors is {directives.get('frame-ancestors')}")
        if directives.get("object-src") != ["'none'"]:
            problems.append("CSP does not forbid plugins (object-src 'none')")
        if "base-uri" not in directives:
            problems.append("CSP has no base-uri")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in SAFE_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy is {headers.get('Referrer-Policy')!r}")
    if production:
        hsts = headers.get("Strict-Transport-Security", "")
        max_age = next((int(p.split("=")[1]) for p in hsts.split(";") if p.strip().startswith("max-age=")), 0)
        if max_age < 15_552_000:  # 180 days
            problems.append(f"HSTS is {hsts!r}")
    return problems


def assert_security_headers(response, production=False, where=""):
    problems = security_header_problems(response, production)
    assert not problems, f"{where} ({response.status_code}): {'; '.join(problems)}"


# Markup the Content-Security-Policy blocks: the pages must not need it (scripts come as files).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def csp_blocked_markup(html):
    """(what, the markup) for each kind of inline script or style in the page."""
    found = []
    for name, pattern in (
        ("inline <script>", INLINE_SCRIPT),
        ("on*= handler", INLINE_HANDLER),
        ("style= attribute", INLINE_STYLE),
    ):
        match = pattern.search(html)
        if match:
            found.append((name, match.group(0)[:80]))
    return found
