"""Load test of Open311 intake (issue 4): ``POST /open311/v2/requests.json``
against gunicorn on PostgreSQL, driven by ``wrk`` with a Lua script that
sends a fresh description every request (service ``appeal.<category>``,
``attribute[community]``, ``attribute[kind]``, ``address_string``).

    .venv/bin/python bench/open311_post.py                    # district scale, 30 s
    .venv/bin/python bench/open311_post.py --scale small --duration 10
    .venv/bin/python bench/open311_post.py --no-generate --profile 50

Uses the benchmark database of ``bench/case_intake.py`` (``shequ_bench_<scale>``).
The script creates an ``Open311Client`` of the bench district (stores only the
SM3 digest of the key from ``core.keys.key_issue``, like ``client_create``; the raw key is
known to this run only), with a rate limit high enough not to refuse. Then it
profiles ``--profile`` requests in-process (Django test client, cProfile) to
show where the time of one request goes.

Reports requests/s, p50/p95/p99 latency, non-200 responses and the CPU split
between gunicorn, PostgreSQL and wrk (helpers shared with case_intake.py).
"""

# ruff: noqa: S603, S607
from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_intake import (  # noqa: E402
    DEFAULT_PG,
    RESULTS,
    bench_env,
    django_setup,
    load_run,
    lua_result,
    prepare,
)

LUA = r"""
-- A fresh description per request: one of DESCS (form-encoded) plus this
-- thread's counter.
local descs = {DESCS}
counter, status_ok, status_other, tid = 0, 0, 0, 0
local threads = {}
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  tid = tonumber(wrk.thread:get("tid"))
  math.randomseed(os.time() + tid)
  counter = math.random(0, 100000) * 10
end

request = function()
  counter = counter + 1
  local d = descs[counter % #descs + 1]
  local body = string.format(BODY_TEMPLATE, d.code, d.community, d.kind, d.text, tid, counter)
  return wrk.format("POST", nil, nil, body)
end

"""

KINDS = ("complaint", "help", "report", "consult", "suggestion")


def lua_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bench_client(district) -> str:
    """A fresh Open311 client of the bench district; returns its raw key."""
    from shequ.core.keys import key_issue
    from shequ.open311.models import Open311Client
    from shequ.open311.services import KEY_PREFIX

    key = key_issue(KEY_PREFIX)
    Open311Client.objects.create(
        district=district,
        name=f"压测客户端 {time.strftime('%m%d%H%M%S')}",
        key_prefix=key.prefix,
        key_digest=key.digest,
        rate_per_minute=10_000_000,
    )
    return key.raw


def samples(communities, n: int) -> list[dict[str, str]]:
    """``n`` (service code, community, kind, description) combinations."""
    import random

    from shequ.demo.governance_scale import CATEGORIES, describe

    rnd = random.Random(4)  # noqa: S311 - test data
    out = []
    for i in range(n):
        community = communities[i % len(communities)]
        category = rnd.choice(list(CATEGORIES))
        text = describe(rnd, category, community.name.replace("社区", "小区"), "3号楼")
        out.append(
            {
                "code": f"appeal.{category}",
                "community": community.code,
                "kind": rnd.choice(KINDS),
                "text": urllib.parse.quote_plus(text),
            }
        )
    return out


def profile(raw_key: str, descs: list[dict[str, str]], n: int) -> dict:
    """``n`` POSTs in-process under cProfile: time per request, queries, top
    functions by cumulative and by own time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()

    def form(i: int) -> dict[str, str]:
        d = descs[i % len(descs)]
        return {
            "api_key": raw_key,
            "service_code": d["code"],
            "attribute[community]": d["community"],
            "attribute[kind]": d["kind"],
            "address_string": "3号楼东侧",
            "description": urllib.parse.unquote_plus(d["text"]) + f" 剖析{i}",
        }

    for i in range(5):  # warm-up: imports, jieba dictionary, connection
        assert client.post("/open311/v2/requests.json", form(10_000 + i)).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.post("/open311/v2/requests.json", form(20_000))
    queries = [q["sql"][:120] for q in ctx.captured_queries]
    started = time.perf_counter()
    for i in range(n):
        assert client.post("/open311/v2/requests.json", form(25_000 + i)).status_code == 200
    plain = (time.perf_counter() - started) / n * 1000
    prof = cProfile.Profile()
    started = time.perf_counter()
    prof.enable()
    for i in range(n):
        r = client.post("/open311/v2/requests.json", form(30_000 + i))
        assert r.status_code == 200, r.content[:300]
    prof.disable()
    per_request = (time.perf_counter() - started) / n * 1000
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    return {
        "requests": n,
        "ms_per_request": round(plain, 2),
        "ms_per_request_profiled": round(per_request, 2),
        "queries_per_request": len(queries),
        "queries": queries,
        "profile": text.getvalue(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL (no database)")
    parser.add_argument("--scale", default="district", choices=("small", "district"))
    parser.add_argument("--duration", type=int, default=30, help="seconds of load")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--profile", type=int, default=50, help="requests profiled (0: none)")
    parser.add_argument("--no-generate", action="store_true", help="use the database as it is")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")

    env = bench_env(args.pg, args.scale) if args.no_generate else prepare(args.pg, args.scale)
    django_setup(env)
    from shequ.core.models import Region, RegionLevel

    district = Region.objects.get(code="210399")
    communities = list(
        Region.objects.filter(district=district, level=RegionLevel.COMMUNITY).order_by("code")
    )
    raw = bench_client(district)
    descs = samples(communities, 500)
    table = ", ".join(
        "{" + ", ".join(f"{k} = {lua_string(v)}" for k, v in d.items()) + "}" for d in descs
    )
    # a Lua string.format template: a literal % is %%
    body = (
        f"api_key={raw}&service_code=%s&attribute%%5Bcommunity%%5D=%s&attribute%%5Bkind%%5D=%s"
        "&address_string=3%%E5%%8F%%B7%%E6%%A5%%BC&description=%s+%d-%d"
    )
    lua = LUA.replace("{DESCS}", "{" + table + "}").replace("BODY_TEMPLATE", lua_string(body))
    lua += lua_result("status == 200 or status == 201")

    from django.db import connection

    connection.close()
    url = f"http://127.0.0.1:{args.port}/open311/v2/requests.json"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    result = load_run(env, args, url, lua, headers, ok_status=200)
    for line in result["sample_errors"]:
        print("  " + line)
    if args.profile:
        result["profile"] = profile(raw, descs, args.profile)
        p = result["profile"]
        print(
            f"in-process, one at a time: {p['ms_per_request']} ms/request "
            f"({p['ms_per_request_profiled']} ms under cProfile), "
            f"{p['queries_per_request']} queries/request"
        )
        for q in p["queries"]:
            print("  " + q)
        print(p["profile"])
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (RESULTS / f"open311-post-{args.scale}-{stamp}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
