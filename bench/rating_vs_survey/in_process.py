"""A rating post against a survey post in one process: CPU per post, and a profile.

    python -m bench.rating_vs_survey.in_process [--db sqlite|postgres] [--posts 2000]
                                                [--rounds 3] [--profile rating|survey]

The database is prepared as ``python -m bench.rating_vs_survey`` prepares it (schema,
questionnaires, round ``bench``, a channel key, 200 catering providers); then the same
request bodies go through Flask's test client, no server and no sockets, alternately
(``--rounds`` times) ``--posts`` survey posts and ``--posts`` rating posts, each kind's
process CPU time per stored post measured around its phase.  What is left is the app's
own cost per post: the figure the harness's server CPU is made of, without the noise of
a shared machine's network and scheduler (PostgreSQL's own processes apart, as in the
harness).  The rating phases of the first rounds are mostly a device's first rating,
those of the later ones replacements (each device rates each provider every 3,000
posts).  ``--profile`` runs one more phase of that kind
under cProfile and prints its top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from statistics import median

from bench.rating_vs_survey.__main__ import import_providers, provider_codes, rating_requests
from bench.submit.common import submission_bodies
from bench.submit.loadgen import Request
from bench.submit.stack import PG_BASE, fresh_database, keyed_posts, prepare_database


def _phase(client, requests: list[Request]) -> tuple[float, int]:
    """(process CPU seconds, stored posts) of posting every request once."""
    ok = 0
    start = time.process_time()
    for r in requests:
        answer = client.open(r.path, method=r.method, data=r.body,
                             content_type=r.content_type, headers=list(r.headers))  # fmt: skip
        ok += answer.status_code == 201
    return time.process_time() - start, ok


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.rating_vs_survey.in_process")
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--posts", type=int, default=2000, help="posts per phase")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--devices", type=int, default=1500)
    p.add_argument("--profile", choices=["rating", "survey"], default=None)
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--pg-base", default=os.environ.get("BENCH_PG_URL", PG_BASE))
    args = p.parse_args(argv)
    with fresh_database(args.db, args.pg_base) as url:
        key = prepare_database(url, in_process=True)
        codes = provider_codes(200)
        import_providers(url, codes)
        os.environ.update(SURVEYAPP_DATABASE_URL=url, SURVEYAPP_RATELIMIT_ENABLED="0",
                          SURVEYAPP_SECRET_KEY=secrets.token_hex(32))  # fmt: skip
        from surveyapp import create_app

        app = create_app()
        client = app.test_client()
        definition = client.get("/api/v1/questionnaires/catering").get_json()
        n = args.posts * (args.rounds + 2)
        surveys = keyed_posts(submission_bodies(definition, n, 1), key)
        ratings = rating_requests(codes, key, n, args.devices, 1)
        _phase(client, surveys[:200])  # warm-up: caches, forms, statements
        _phase(client, ratings[:200])
        cpu: dict[str, list[float]] = {"survey": [], "rating": []}
        for r in range(args.rounds):
            part = slice(200 + r * args.posts, 200 + (r + 1) * args.posts)
            for kind, requests in (("survey", surveys), ("rating", ratings)):
                seconds, ok = _phase(client, requests[part])
                cpu[kind].append(seconds * 1000 / max(ok, 1))
                print(f"round {r + 1} {kind}: {ok} stored, {cpu[kind][-1]:.3f} ms CPU each",
                      flush=True)  # fmt: skip
        s, q = median(cpu["survey"]), median(cpu["rating"])
        print(f"{args.db}: survey {s:.3f} ms, rating {q:.3f} ms CPU per post; "
              f"rating/survey {q / s:.2f}; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
        if args.profile:
            part = slice(200 + args.rounds * args.posts, 200 + (args.rounds + 1) * args.posts)
            requests = (ratings if args.profile == "rating" else surveys)[part]
            prof = cProfile.Profile()
            prof.runcall(_phase, client, requests)
            if os.environ.get("PROF_OUT"):  # for pstats' callers and callees
                prof.dump_stats(os.environ["PROF_OUT"])
            pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
