"""What the page shell costs a signed-in page, piece by piece, in CPU time of this process.

    .venv/bin/python bench/shell_profile.py [PATH ...] [--pages] [-v]

`--pages` prints the first table only; `-v` lists the shell-only page's queries.

With the benchmark's environment (bench/lib.sh: DEBUG off, DATABASE_URL), as the busy
person (bench/benchlib.py; SESSION=<key> uses that existing session instead of logging
in, for a database nothing may be written to). It prints, as medians of RUNS requests:

1. each page's CPU time and query count (the shell-only page `/__shell__/` renders a
   template that extends base.html and fills no block: what every page pays before its
   own content);
2. each middleware's own CPU time on the shell-only page (a stamp between each pair of
   middleware; the session and user are loaded lazily, by the first middleware that
   touches `request.user`, so they are timed apart too);
3. each context processor, called on its own;
4. base.html's pieces rendered on their own: the includes, the nav.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

import benchlib

RUNS = 200
DEFAULT_PATHS = [
    "/__shell__/",
    "/inbox/count",
    "/inbox/",
    "/desk/mine/",
    "/desk/all/?status=open",
    "/desk/",
]
_stamps: list[tuple[int, str, float]] = []


def _stamp_class(index: int) -> type:
    class Stamp:
        def __init__(self, get_response: Callable) -> None:
            self.get_response = get_response

        def __call__(self, request):  # type: ignore[no-untyped-def]
            _stamps.append((index, "in", time.process_time()))
            response = self.get_response(request)
            _stamps.append((index, "out", time.process_time()))
            return response

    Stamp.__name__ = f"Stamp{index}"
    return Stamp


def median_ms(function: Callable[[], object], runs: int = RUNS) -> float:
    return cpu_ms(function, runs)[0]


def cpu_ms(function: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """The median and the fastest CPU time of `runs` calls, in ms."""
    function()
    cpu = []
    for _ in range(runs):
        started = time.process_time()
        function()
        cpu.append(time.process_time() - started)
    return statistics.median(cpu) * 1000, min(cpu) * 1000


def main() -> None:
    benchlib.setup_django()
    from django.conf import settings
    from django.db import connection
    from django.shortcuts import render
    from django.template import RequestContext, TemplateDoesNotExist, engines
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import clear_url_caches, include, path

    import workmate.urls

    def shell_only(request):  # type: ignore[no-untyped-def]
        return render(request, "bench_shell_only.html")

    # The shell-only page: base.html with no block filled, beside every real URL (so that
    # the base's {% url %} tags resolve as on any page).
    urlconf = type(sys)("bench_shell_urls")
    urlconf.urlpatterns = [path("__shell__/", shell_only), path("", include(workmate.urls))]
    sys.modules["bench_shell_urls"] = urlconf
    engine = engines["django"].engine
    from django.template.loaders.locmem import Loader as LocmemLoader

    engine.template_loaders  # noqa: B018 (built once)
    locmem = LocmemLoader(engine, {"bench_shell_only.html": '{% extends "base.html" %}'})
    loader = engine.template_loaders[0]
    loaders = getattr(loader, "loaders", None)
    if loaders is not None:
        loaders.insert(0, locmem)
    else:
        engine.template_loaders.insert(0, locmem)

    paths = [a for a in sys.argv[1:] if not a.startswith("-")] or DEFAULT_PATHS
    for mw_index in range(len(settings.MIDDLEWARE) + 1):
        setattr(sys.modules[__name__], f"Stamp{mw_index}", _stamp_class(mw_index))
    middleware = list(settings.MIDDLEWARE)
    stamped = []
    for index, name in enumerate(middleware):
        stamped += [f"{__name__}.Stamp{index}", name]
    stamped.append(f"{__name__}.Stamp{len(middleware)}")

    with override_settings(ROOT_URLCONF="bench_shell_urls"):
        clear_url_caches()
        if os.environ.get("SESSION"):
            # A database that is read-only for us: an existing session of the busy person
            # (bench/benchlib.py's force_login would write one and the last log-in time).
            from django.test import Client

            client = Client(HTTP_HOST="127.0.0.1")
            client.cookies[settings.SESSION_COOKIE_NAME] = os.environ["SESSION"]
        else:
            _anonymous, client, _bearer = benchlib.clients("")
        print(f"{'page':28} {'median':>7} {'min':>7} {'queries':>8}")
        for page in paths:
            assert client.get(page).status_code == 200, page
            with CaptureQueriesContext(connection) as queries:
                client.get(page)
            # Read now: the next request empties the connection's query log.
            captured = list(queries.captured_queries)
            median, fastest = cpu_ms(lambda page=page: client.get(page), 100)
            print(f"{page:28} {median:7.2f} {fastest:7.2f} {len(captured):8d}")
            if page == "/__shell__/" and "-v" in sys.argv:
                for query in captured:
                    print("    ", query["sql"][:160])

        if "--pages" in sys.argv:
            return
        with override_settings(MIDDLEWARE=stamped):
            stamped_client = type(client)(HTTP_HOST="127.0.0.1")
            stamped_client.cookies = client.cookies
            own: dict[int, list[float]] = {}
            for _ in range(RUNS):
                _stamps.clear()
                assert stamped_client.get("/__shell__/").status_code == 200
                ins = {i: t for i, kind, t in _stamps if kind == "in"}
                outs = {i: t for i, kind, t in _stamps if kind == "out"}
                for i in range(len(middleware)):
                    spent = (ins[i + 1] - ins[i]) + (outs[i] - outs[i + 1])
                    own.setdefault(i, []).append(spent)
            print(f"\n{'middleware (own, shell-only page)':60} {'CPU ms':>7}")
            for i, name in enumerate(middleware):
                print(f"{name:60} {statistics.median(own[i]) * 1000:7.3f}")

        # The pieces, on a request that went through the middleware.
        from importlib import import_module

        from django.contrib.auth import get_user

        SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
        from django.test import RequestFactory
        from django.utils.module_loading import import_string

        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        print(f"\n{'piece':60} {'CPU ms':>7}")
        print(
            f"{'session load (SessionStore.load)':60} "
            f"{median_ms(lambda: SessionStore(session_key).load()):7.3f}"
        )

        def load_user():  # type: ignore[no-untyped-def]
            request = RequestFactory().get("/")
            request.session = SessionStore(session_key)
            return get_user(request)

        print(f"{'session + user (+ profile) load':60} {median_ms(load_user):7.3f}")

        captured = {}

        def grab(request):  # type: ignore[no-untyped-def]
            captured["request"] = request
            return render(request, "bench_shell_only.html")

        urlconf.urlpatterns.insert(0, path("__grab__/", grab))
        clear_url_caches()
        client.get("/__grab__/")
        request = captured["request"]
        for name in engine.context_processors:
            processor = import_string(name)

            def call(processor=processor):  # type: ignore[no-untyped-def]
                return processor(request)

            print(f"{'context processor ' + name:60} {median_ms(call):7.3f}")

        context = RequestContext(request, {})
        with context.bind_template(engine.from_string("")):
            flat = context.flatten()
        for name in [
            "base.html",
            "includes/head.html",
            "search/partials/_box.html",
            "includes/lang_switch.html",
            "includes/messages.html",
        ]:
            try:
                template = engine.get_template(name)
            except TemplateDoesNotExist:  # Written in Python since (the search box).
                continue
            extra = {"action": "/i18n/setlang/"} if "lang" in name else {}

            def render_piece(template=template, extra=extra):  # type: ignore[no-untyped-def]
                return template.render(_context(flat, extra, request))

            print(f"{'render ' + name + ' (context given)':60} {median_ms(render_piece):7.3f}")

        try:
            from workmate.accounts.nav import topbar
        except ImportError:  # Before the top bar was written in Python.
            pass
        else:
            label = "the top bar in Python ({% topbar %}, context given)"
            print(f"{label:60} {median_ms(lambda: topbar(_context(flat, {}, request))):7.3f}")

        def whole_context():  # type: ignore[no-untyped-def]
            context = RequestContext(request, {})
            with context.bind_template(engine.get_template("base.html")):
                return context.flatten()

        label = "all context processors through RequestContext"
        print(f"{label:60} {median_ms(whole_context):7.3f}")


def _context(flat: dict, extra: dict, request):  # type: ignore[no-untyped-def]
    from django.template import Context

    context = Context({**flat, **extra})
    context.request = request
    return context


if __name__ == "__main__":
    main()
