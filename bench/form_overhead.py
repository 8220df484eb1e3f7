"""What the Content-Security-Policy and the one-time form tokens cost (issue 16:
< 5 % on the intake and appeal writes), measured in-process on the district
benchmark database (PostgreSQL):

    .venv/bin/python bench/form_overhead.py              # 300 requests per variant
    .venv/bin/python bench/form_overhead.py --rounds 600

Each request goes through the whole middleware stack and view with Django's
test client (no network, no gunicorn), so the figure is the server's own time
per request. Variants alternate request by request (A B A B …) so that drift of
the machine hits both alike:

- window intake: ``POST /services/cases/new/`` by a worker of the first bench
  community, a fresh valid applicant each time; with ``_once`` vs without;
- resident appeal: ``POST /appeals/new/`` by a bench resident with an account;
  with ``_once`` vs without;
- the CSP middleware: ``CSPMiddleware`` around the rendered intake page vs the
  page alone (its cost per response, to set against the intake's time).

Prints the median and mean of each variant and the ratio, and writes
bench/results/form_overhead.json. Rows it creates stay in the benchmark
database (like the other write benchmarks).
"""

# ruff: noqa: S311 - random test data
from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_intake import DEFAULT_PG, RESULTS, django_setup, first_community, prepare  # noqa: E402


def _timed(call) -> float:
    start = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - start
    if response.status_code >= 400:
        raise SystemExit(f"request failed: {response.status_code} {response.content[:300]!r}")
    return elapsed * 1000


def _summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples), 2),
        "mean_ms": round(statistics.fmean(samples), 2),
        "n": len(samples),
    }


def _token(html: str) -> str:
    found = re.search(r'name="_once" value="([^"]+)"', html)
    if not found:
        raise SystemExit("the form carries no one-time token")
    return found.group(1)


def _resident_account(community):
    """A bench resident of ``community`` with an account (made once)."""
    from shequ.core.models import User
    from shequ.residents.models import Resident

    resident = Resident.objects.filter(community=community, user__isnull=False).first()
    if resident is not None:
        return resident.user, resident
    resident = Resident.objects.filter(community=community).order_by("pk").first()
    user = User.objects.create(username=f"bench-resident-{community.code}", full_name=resident.name)
    resident.user = user
    resident.save(update_fields=["user"])
    from shequ.core.models import Grant
    from shequ.core.permissions import Role

    Grant.objects.create(user=user, role=Role.RESIDENT, region=community)
    return user, resident


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--scale", default="district", choices=("small", "district"))
    parser.add_argument("--rounds", type=int, default=300, help="requests per variant")
    args = parser.parse_args()

    env = prepare(args.pg, args.scale)
    django_setup(env)
    from django.conf import settings
    from django.test import Client, RequestFactory

    from shequ.core.idcard import make_id_number
    from shequ.core.models import User

    settings.ALLOWED_HOSTS = ["*"]
    community = first_community()
    worker = User.objects.get(username=f"bench-{community.code}-w1")
    rnd = random.Random(16)
    staff = Client()
    staff.force_login(worker)
    page = staff.get("/services/cases/new/").content.decode()
    items = re.findall(
        r'<option value="(\d+)"', page.split('name="item"', 1)[1].split("</select>")[0]
    )
    windows = re.findall(
        r'<option value="(\d+)"', page.split('name="window"', 1)[1].split("</select>")[0]
    )
    item_page = staff.get(f"/services/cases/new/?item={items[0]}").content.decode()
    provided = re.findall(r'name="provided" value="([^"]+)"', item_page)
    seq = [rnd.randrange(100, 900)]

    def intake(with_token: bool):
        seq[0] += 1
        birth = date(1940 + rnd.randrange(60), 1 + rnd.randrange(12), 1 + rnd.randrange(28))
        data = {
            "item": items[0],
            "window": windows[0] if windows else "",
            "channel": "window",
            "applicant_name": "王秀英",
            "id_number": make_id_number("210302", birth, seq[0] % 1000),
            "phone": f"138{rnd.randrange(10**8):08d}",
            "provided": provided,
        }
        if with_token:
            data["_once"] = _token(
                staff.get(f"/services/cases/new/?item={items[0]}").content.decode()
            )
        else:
            staff.get(f"/services/cases/new/?item={items[0]}")  # the same page load as with a token
        return lambda: staff.post("/services/cases/new/", data)

    user, resident = _resident_account(community)
    phone = Client()
    phone.force_login(user)

    def appeal(with_token: bool):
        html = phone.get("/appeals/new/").content.decode()
        data = {
            "kind": "complaint",
            "category": "sanitation",
            "description": f"楼道堆放杂物，第{rnd.randrange(10**6)}次反映",
        }
        if with_token:
            data["_once"] = _token(html)
        return lambda: phone.post("/appeals/new/", data)

    from csp.middleware import CSPMiddleware

    page = staff.get("/services/cases/new/")  # a real page response, rendered once
    csp = CSPMiddleware(lambda request: page)

    def page_csp(with_csp: bool):
        # The middleware alone around the rendered intake page: swapping
        # MIDDLEWARE with override_settings would time the swap, not the policy.
        request = RequestFactory().get("/services/cases/new/")
        return (lambda: csp(request)) if with_csp else (lambda: page)

    results: dict[str, dict] = {}
    for name, make in (("intake", intake), ("appeal", appeal), ("csp_page", page_csp)):
        samples: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(10):  # warm caches and connections
            _timed(make(True))
            _timed(make(False))
        for _ in range(args.rounds):
            for variant in (True, False):
                samples[variant].append(_timed(make(variant)))
        on, off = _summary(samples[True]), _summary(samples[False])
        if name == "csp_page":
            # The policy's own time per response, against a whole intake.
            cost = on["median_ms"] - off["median_ms"]
            base = results["intake"]["without"]["median_ms"]
            results[name] = {"with": on, "without": off, "cost_ms": round(cost, 3)}
            print(
                f"csp       CSPMiddleware per response: {cost:.3f} ms"
                f" · {100 * cost / base:+.2f} % of an intake ({base:.2f} ms)",
                flush=True,
            )
            continue
        ratio = on["median_ms"] / off["median_ms"]
        results[name] = {"with": on, "without": off, "median_ratio": round(ratio, 3)}
        print(
            f"{name:9s} with form token: median {on['median_ms']:.2f} ms (mean {on['mean_ms']:.2f})"
            f" · without: {off['median_ms']:.2f} ms (mean {off['mean_ms']:.2f})"
            f" · cost {100 * (ratio - 1):+.1f} %",
            flush=True,
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "form_overhead.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"-> {out}")


if __name__ == "__main__":
    main()
